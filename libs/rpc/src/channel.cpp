#include "orderly/rpc/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <cstdio>

namespace orderly::rpc {
namespace {

std::string Seconds(std::chrono::milliseconds ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3fs", static_cast<double>(ms.count()) / 1000.0);
  return buffer;
}

}  // namespace

std::string ServiceConfig(const ClientSettings& settings) {
  return R"({"loadBalancingConfig":[{")" + settings.load_balancing + R"(":{}}],)"
         R"("methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":)" + std::to_string(settings.max_attempts) +
         R"(,"initialBackoff":")" + Seconds(settings.initial_backoff) + R"(","maxBackoff":")" +
         Seconds(settings.max_backoff) + R"(","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]})";
}

std::shared_ptr<grpc::Channel> CreateChannel(const ClientSettings& settings) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(ServiceConfig(settings));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  return grpc::CreateCustomChannel(settings.target, grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> MakeContext(const ClientSettings& settings) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + settings.deadline);
  return context;
}

}  // namespace orderly::rpc
