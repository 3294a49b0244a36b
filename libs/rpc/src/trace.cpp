#include "orderly/rpc/trace.h"

#include "orderly/log/trace.h"

namespace orderly::rpc {

std::string IncomingTraceparent(const grpc::ServerContextBase* context) {
  if (context == nullptr) return "";
  const auto& metadata = context->client_metadata();
  const auto it = metadata.find(grpc::string_ref(kTraceparentMetadata.data(), kTraceparentMetadata.size()));
  if (it == metadata.end()) return log::NewTraceparent();
  return log::ChildTraceparent(std::string_view(it->second.data(), it->second.size()));
}

}  // namespace orderly::rpc
