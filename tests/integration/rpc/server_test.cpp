#include "orderly/rpc/server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <mutex>
#include <thread>

#include "orderly/rpc/channel.h"
#include "orderly/rpc/health.h"
#include "orderly/v1/saga.grpc.pb.h"
#include "test_env.h"

namespace orderly::rpc {
namespace {

using orderly::testing::WaitUntil;

// GetSaga calls stay open until the test finishes them, to act as in-flight work.
class HeldService final : public v1::SagaService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetSaga(grpc::CallbackServerContext* context, const v1::GetSagaRequest*,
                                    v1::GetSagaResponse*) override {
    std::lock_guard lock(mutex_);
    held_.push_back(context->DefaultReactor());
    return held_.back();
  }

  size_t held() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }

  void FinishAll() {
    std::lock_guard lock(mutex_);
    for (auto* reactor : held_) reactor->Finish(grpc::Status::OK);
    held_.clear();
  }

 private:
  std::mutex mutex_;
  std::vector<grpc::ServerUnaryReactor*> held_;
};

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    ServerSettings settings;
    settings.listen = "127.0.0.1:0";
    settings.shutdown_grace = std::chrono::seconds(10);
    server_ = std::make_unique<Server>(settings);
    server_->AddService(&service_, v1::SagaService::service_full_name());
  }

  ClientSettings Client() const {
    ClientSettings settings;
    settings.target = "127.0.0.1:" + std::to_string(server_->port());
    settings.deadline = std::chrono::seconds(20);
    return settings;
  }

  grpc::Status CallGetSaga() {
    auto stub = v1::SagaService::NewStub(CreateChannel(Client()));
    v1::GetSagaResponse response;
    return stub->GetSaga(MakeContext(Client()).get(), v1::GetSagaRequest(), &response);
  }

  HeldService service_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, HealthReportsServingThenNotServing) {
  server_->Start();
  const std::string target = Client().target;
  EXPECT_EQ(ProbeHealth(target, "", std::chrono::seconds(5)), Health::kServing);
  EXPECT_EQ(ProbeHealth(target, "orderly.v1.SagaService", std::chrono::seconds(5)), Health::kServing);
  EXPECT_EQ(ProbeHealth(target, "orderly.v1.NoSuchService", std::chrono::seconds(5)), Health::kNotServing);
  server_->Shutdown();
  EXPECT_EQ(ProbeHealth(target, "", std::chrono::seconds(1)), Health::kUnreachable);
}

TEST_F(ServerTest, SigtermDrainsInFlightCallsThenRunsHooksInReverse) {
  std::vector<std::string> order;
  size_t held_at_hook = 99;
  server_->OnShutdown([&] { order.push_back("flush producers"); });
  server_->OnShutdown([&] {
    order.push_back("stop consumers");
    held_at_hook = service_.held();
  });
  ShutdownSignal signal;
  server_->Start();
  grpc::Status in_flight;
  std::thread client([&] { in_flight = CallGetSaga(); });
  ASSERT_TRUE(WaitUntil([&] { return service_.held() == 1; }));

  std::thread finisher([&] {
    kill(getpid(), SIGTERM);
    // The server stops serving at once, then waits for the held call.
    EXPECT_TRUE(WaitUntil([&] { return !server_->serving(); }));
    service_.FinishAll();
  });
  const int exit_code = ServeUntilSignal(*server_, signal);
  finisher.join();
  client.join();

  EXPECT_EQ(exit_code, 0);
  EXPECT_TRUE(in_flight.ok()) << in_flight.error_message();
  EXPECT_EQ(held_at_hook, 0u);  // hooks ran after the call completed
  EXPECT_EQ(order, (std::vector<std::string>{"stop consumers", "flush producers"}));
  EXPECT_FALSE(CallGetSaga().ok());  // no longer accepting calls
}

TEST_F(ServerTest, CallsStillRunningAfterTheGraceAreCancelled) {
  ServerSettings settings;
  settings.shutdown_grace = std::chrono::milliseconds(100);
  server_ = std::make_unique<Server>(settings);
  server_->AddService(&service_, v1::SagaService::service_full_name());
  server_->Start();
  grpc::Status in_flight;
  std::thread client([&] { in_flight = CallGetSaga(); });
  ASSERT_TRUE(WaitUntil([&] { return service_.held() == 1; }));
  std::thread shutdown([&] { server_->Shutdown(); });
  client.join();  // the client sees the cancellation without the call ever finishing
  EXPECT_FALSE(in_flight.ok());
  service_.FinishAll();  // the reactor must still be finished for the server to complete
  shutdown.join();
}

TEST_F(ServerTest, PortInUseFailsStartWithTheAddress) {
  server_->Start();
  ServerSettings settings;
  settings.listen = "127.0.0.1:" + std::to_string(server_->port());
  Server second(settings);
  try {
    second.Start();
    FAIL() << "expected Unavailable";
  } catch (const Unavailable& e) {
    EXPECT_NE(std::string(e.what()).find(settings.listen), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace orderly::rpc
