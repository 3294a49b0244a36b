#pragma once

#include <string>

namespace orderly::rpc {

/// The contents of a PEM file named by config key `key`.
/// @throws InvalidArgument naming the key and the path when it cannot be read or is empty.
[[nodiscard]] std::string ReadPemFile(const std::string& path, const std::string& key);

}  // namespace orderly::rpc
