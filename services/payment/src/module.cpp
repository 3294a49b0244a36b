#include "orderly/payment/payment.h"

#include "accounts.h"
#include "command_handler.h"
#include "grpc_service.h"
#include "payments.h"

namespace orderly::payment {
namespace {

constexpr const char* kName = "payment";

class Module final : public app::ServiceModule {
 public:
  explicit Module(app::Runtime& runtime)
      : accounts_(*runtime.cluster, SystemClock::Instance()),
        payments_(runtime.settings.services.payment.max_order_minor_units, SystemClock::Instance()),
        grpc_(*runtime.cluster, accounts_),
        commands_(payments_, runtime.settings.kafka, SystemClock::Instance()),
        consumer_(app::MakeCommandConsumer(
            runtime, kName, [this](pg::Transaction& tx, const v1::Envelope& envelope) { commands_.Handle(tx, envelope); },
            CommandHandler::ShardKey)) {}

  std::vector<HostedService> GrpcServices() override {
    return {{&grpc_, v1::PaymentService::service_full_name(), GrpcService::Access()}};
  }
  void Stop() override { consumer_->Stop(); }

 private:
  Accounts accounts_;
  Payments payments_;
  GrpcService grpc_;
  CommandHandler commands_;
  std::unique_ptr<messaging::Consumer> consumer_;  // last: stops before what its handler uses goes away
};

}  // namespace

app::ServiceDefinition Definition() {
  return app::DefineService<Module>(kName, kName, Migrations(), [](const app::PlatformSettings& settings) {
    return settings.services.payment.server;
  });
}

}  // namespace orderly::payment
