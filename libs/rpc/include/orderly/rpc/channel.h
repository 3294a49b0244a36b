#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "orderly/rpc/settings.h"

namespace orderly::rpc {

/// The gRPC service config for `settings`: its load-balancing policy, and UNAVAILABLE calls to any
/// method retried with exponential backoff, within each call's deadline.
[[nodiscard]] std::string ServiceConfig(const ClientSettings& settings);

/// TLS credentials when settings.tls_ca_file is set (with a client certificate when tls_cert_file
/// is), else insecure ones. @throws InvalidArgument naming a PEM file that cannot be read.
[[nodiscard]] std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const ClientSettings& settings);
/// The service config and retries of every Orderly channel.
[[nodiscard]] grpc::ChannelArguments ChannelArguments(const ClientSettings& settings);

/// A channel to settings.target with the retry policy applied, over TLS when configured.
[[nodiscard]] std::shared_ptr<grpc::Channel> CreateChannel(const ClientSettings& settings);

/// A stub of `Service` at `target` over CreateChannel with default settings.
template <typename Service>
[[nodiscard]] std::unique_ptr<typename Service::Stub> NewStub(const std::string& target) {
  ClientSettings settings;
  settings.target = target;
  return Service::NewStub(CreateChannel(settings));
}

/// A client context whose deadline is settings.deadline from now.
[[nodiscard]] std::unique_ptr<grpc::ClientContext> MakeContext(const ClientSettings& settings);

}  // namespace orderly::rpc
