#include "orderly/rpc/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <cstdio>

#include "pem_file.h"

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

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const ClientSettings& settings) {
  if (settings.tls_ca_file.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadPemFile(settings.tls_ca_file, "tls_ca_file");
  if (!settings.tls_cert_file.empty()) {
    options.pem_cert_chain = ReadPemFile(settings.tls_cert_file, "tls_cert_file");
    options.pem_private_key = ReadPemFile(settings.tls_key_file, "tls_key_file");
  }
  return grpc::SslCredentials(options);
}

grpc::ChannelArguments ChannelArguments(const ClientSettings& settings) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(ServiceConfig(settings));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  return args;
}

std::shared_ptr<grpc::Channel> CreateChannel(const ClientSettings& settings) {
  return grpc::CreateCustomChannel(settings.target, ChannelCredentials(settings), ChannelArguments(settings));
}

std::unique_ptr<grpc::ClientContext> MakeContext(const ClientSettings& settings) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + settings.deadline);
  return context;
}

}  // namespace orderly::rpc
