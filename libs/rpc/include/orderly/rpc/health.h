#pragma once

#include <chrono>
#include <string>

namespace orderly::rpc {

enum class Health { kServing, kNotServing, kUnreachable };

/// Asks the standard gRPC health service at `target` about `service` ("" = the whole server).
/// Blocks up to `timeout`. `detail` (if given) receives the error of an unreachable server.
[[nodiscard]] Health ProbeHealth(const std::string& target, const std::string& service,
                                 std::chrono::milliseconds timeout, std::string* detail = nullptr);

}  // namespace orderly::rpc
