#include "orderly/rpc/bearer_token.h"

#include <grpcpp/create_channel.h>

#include "orderly/rpc/channel.h"

namespace orderly::rpc {
namespace {

using grpc::experimental::ClientInterceptorFactoryInterface;
using grpc::experimental::ClientRpcInfo;
using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::Interceptor;
using grpc::experimental::InterceptorBatchMethods;

class BearerToken final : public Interceptor {
 public:
  explicit BearerToken(auth::TokenSource& tokens) : tokens_(tokens) {}
  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", "Bearer " + tokens_.Token());
    }
    methods->Proceed();
  }

 private:
  auth::TokenSource& tokens_;
};

class BearerTokenFactory final : public ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenFactory(std::shared_ptr<auth::TokenSource> tokens) : tokens_(std::move(tokens)) {}
  Interceptor* CreateClientInterceptor(ClientRpcInfo*) override { return new BearerToken(*tokens_); }

 private:
  const std::shared_ptr<auth::TokenSource> tokens_;
};

}  // namespace

std::unique_ptr<ClientInterceptorFactoryInterface> BearerTokenInterceptor(std::shared_ptr<auth::TokenSource> tokens) {
  return std::make_unique<BearerTokenFactory>(std::move(tokens));
}

std::shared_ptr<grpc::Channel> CreateChannel(const ClientSettings& settings,
                                             std::shared_ptr<auth::TokenSource> tokens) {
  if (!tokens) return CreateChannel(settings);
  std::vector<std::unique_ptr<ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(BearerTokenInterceptor(std::move(tokens)));
  return grpc::experimental::CreateCustomChannelWithInterceptors(settings.target, ChannelCredentials(settings),
                                                                 ChannelArguments(settings), std::move(interceptors));
}

}  // namespace orderly::rpc
