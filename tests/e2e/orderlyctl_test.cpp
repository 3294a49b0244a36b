// orderlyctl as its users run it: against a stack of processes, through its exit codes, tables
// and --json output; dead letters listed and replayed.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <set>

#include "orderly/common/clock.h"
#include "orderly/common/ids.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/producer.h"
#include "orderly/messaging/topic_admin.h"
#include "orderly/messaging/topics.h"
#include "process_stack.h"
#include "shop_client.h"

namespace orderly::testing {
namespace {

class OrderlyctlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { stack_ = new ProcessStack(); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  template <typename Message>
  static Message Parse(const CommandResult& result) {
    Message message;
    const auto status = google::protobuf::util::JsonStringToMessage(result.output, &message);
    EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << result.output;
    return message;
  }

  static CommandResult Ctl(const std::string& args) { return stack_->Ctl(args); }

  static inline ProcessStack* stack_ = nullptr;
  ShopClient shop_{stack_->settings().services};
};

TEST_F(OrderlyctlTest, HelpListsEveryCommandGroup) {
  const CommandResult help = Ctl("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"products add", "stock restock", "accounts deposit", "orders watch", "sagas list",
                              "dlq list", "dlq replay", "groups list", "groups rewind", "audit", "analytics sales",
                              "analytics top", "analytics watch"}) {
    EXPECT_NE(help.output.find(command), std::string::npos) << command << " missing from:\n" << help.output;
  }
}

TEST_F(OrderlyctlTest, UsageMistakesExitTwoAndSayWhatIsWrong) {
  const CommandResult unknown = Ctl("frobnicate now");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown command 'frobnicate'"), std::string::npos) << unknown.output;
  const CommandResult quantity = Ctl("stock restock SKU-1 many");
  EXPECT_EQ(quantity.exit_code, 2);
  EXPECT_NE(quantity.output.find("quantity must be a whole number, got 'many'"), std::string::npos) << quantity.output;
  const CommandResult topic = Ctl("dlq list nowhere");
  EXPECT_EQ(topic.exit_code, 2);
  EXPECT_NE(topic.output.find("unknown topic 'nowhere'"), std::string::npos) << topic.output;
  const CommandResult config = RunCommand(std::string(ORDERLY_CTL_BIN) + " --config /nonexistent.yaml audit");
  EXPECT_EQ(config.exit_code, 2);
  EXPECT_NE(config.output.find("config file /nonexistent.yaml does not exist"), std::string::npos) << config.output;
}

TEST_F(OrderlyctlTest, FailedCallsExitOneAndUnreachableServicesExitThree) {
  const CommandResult missing = Ctl("orders get 0190a0b0-0000-7000-8000-000000000000");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.output.rfind("error: order: ", 0), 0u) << missing.output;
  const std::string nowhere = "127.0.0.1:" + std::to_string(FreePort());
  EXPECT_EQ(Ctl("--order " + nowhere + " orders get 0190a0b0-0000-7000-8000-000000000000").exit_code, 3);
  EXPECT_EQ(Ctl("--brokers " + nowhere + " dlq list").exit_code, 3);
}

TEST_F(OrderlyctlTest, AShopRunFromTheCliEndsConfirmedAndAuditsClean) {
  const std::string sku = UniqueName("BOOK");
  const std::string customer = UniqueName("reader");
  ASSERT_EQ(Ctl("products add " + sku + " 'A book' 1500 EUR").exit_code, 0);
  ASSERT_EQ(Ctl("stock restock " + sku + " 3").exit_code, 0);
  ASSERT_EQ(Ctl("accounts open " + customer + " EUR").exit_code, 0);
  ASSERT_EQ(Ctl("accounts deposit " + customer + " 5000 EUR").exit_code, 0);
  const CommandResult placed = Ctl("--json orders place key-1 " + customer + " EUR " + sku + ":2");
  ASSERT_EQ(placed.exit_code, 0) << placed.output;
  const std::string order_id = Parse<v1::PlaceOrderResponse>(placed).order().order_id();
  ASSERT_FALSE(order_id.empty());
  EXPECT_TRUE(WaitUntil([&] {
    return Parse<v1::GetOrderResponse>(Ctl("--json orders get " + order_id)).order().status() ==
           v1::ORDER_STATUS_CONFIRMED;
  }));
  EXPECT_TRUE(WaitUntil([&] { return shop_.Settled(order_id); }));

  const CommandResult stock = Ctl("stock get " + sku);
  EXPECT_NE(stock.output.find(sku + "  1  "), std::string::npos) << stock.output;  // 3 restocked, 2 shipped
  const CommandResult saga = Ctl("sagas get " + order_id);
  EXPECT_NE(saga.output.find("CONFIRMED"), std::string::npos) << saga.output;
  EXPECT_NE(saga.output.find("capture_payment"), std::string::npos) << saga.output;
  const CommandResult audit = Ctl("audit");
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
  EXPECT_NE(audit.output.find("all invariants hold"), std::string::npos) << audit.output;
}

TEST_F(OrderlyctlTest, GroupsListsEveryServiceAndRefusesToRewindARunningOne) {
  const CommandResult groups = Ctl("groups list");
  EXPECT_EQ(groups.exit_code, 0) << groups.output;
  const std::string& prefix = stack_->settings().kafka.prefix;
  for (const char* service : {"inventory", "payment", "order", "orchestrator", "analytics"}) {
    EXPECT_NE(groups.output.find(prefix + "orderly-" + service + " "), std::string::npos) << groups.output;
  }
  const CommandResult rewind = Ctl("groups rewind payment");
  EXPECT_EQ(rewind.exit_code, 1);
  EXPECT_NE(rewind.output.find("has live members; stop its consumers before rewinding"), std::string::npos)
      << rewind.output;
  EXPECT_EQ(Ctl("groups rewind billing").exit_code, 2);
}

// A capture that arrives before its authorization cannot be applied and is dead-lettered; once the
// authorization is in, replaying the letter captures, and replaying it again changes nothing.
TEST_F(OrderlyctlTest, ADeadLetterIsListedAndReplayedOnceItsCauseIsGone) {
  const std::string customer = UniqueName("early");
  const std::string order_id = UniqueName("manual-order");
  shop_.Fund(customer, 2'000);
  UuidV7Generator ids(SystemClock::Instance());
  const auto send = [&](const google::protobuf::Message& command) {
    messaging::Producer producer(stack_->settings().kafka);
    const auto envelope = messaging::MakeEnvelope(command, {order_id, "", "", "", ""}, ids, SystemClock::Instance());
    const std::string topic = stack_->settings().kafka.Topic(messaging::kPaymentCommands);
    ASSERT_TRUE(producer.PublishBatch({{topic, order_id, messaging::Encode(envelope), {}}}).front().delivered);
  };
  v1::CapturePayment capture;
  capture.set_order_id(order_id);
  capture.set_customer_id(customer);
  ASSERT_NO_FATAL_FAILURE(send(capture));

  google::protobuf::Value letter;
  ASSERT_TRUE(WaitUntil([&] {
    const auto listed = Parse<google::protobuf::Struct>(Ctl("--json dlq list payment.commands"));
    for (const auto& value : listed.fields().at("dead_letters").list_value().values()) {
      if (value.struct_value().fields().at("key").string_value() == order_id) letter = value;
    }
    return letter.has_struct_value();
  }));
  const auto& fields = letter.struct_value().fields();
  EXPECT_EQ(fields.at("type").string_value(), "orderly.v1.CapturePayment");
  EXPECT_NE(fields.at("error").string_value().find("cannot capture the missing payment"), std::string::npos);
  const std::string id = std::to_string(static_cast<int>(fields.at("partition").number_value())) + ":" +
                         std::to_string(static_cast<int>(fields.at("offset").number_value()));
  const CommandResult table = Ctl("dlq list payment.commands");
  EXPECT_NE(table.output.find(id + "  "), std::string::npos) << table.output;

  v1::AuthorizePayment authorize;
  authorize.set_order_id(order_id);
  authorize.set_customer_id(customer);
  authorize.mutable_amount()->set_minor_units(700);
  authorize.mutable_amount()->set_currency("EUR");
  ASSERT_NO_FATAL_FAILURE(send(authorize));
  ASSERT_TRUE(WaitUntil([&] { return shop_.Account(customer).held().minor_units() == 700; }));

  const auto captures = [&] {  // capture transactions (each has a debit and a credit entry)
    std::set<std::string> transactions;
    for (const auto& entry : shop_.Ledger(customer)) {
      if (entry.operation() == "capture") transactions.insert(entry.transaction_id());
    }
    return transactions.size();
  };
  const CommandResult replayed = Ctl("dlq replay payment.commands " + id);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.output;
  EXPECT_TRUE(WaitUntil([&] { return captures() == 1u; }));
  EXPECT_EQ(Ctl("dlq replay payment.commands " + id).exit_code, 0);
  const messaging::KafkaSettings& kafka = stack_->settings().kafka;
  const std::vector<std::string> topic = {kafka.Topic(messaging::kPaymentCommands)};
  messaging::TopicAdmin admin(kafka);
  EXPECT_TRUE(WaitUntil([&] { return admin.Lag(kafka.Group("orderly-payment"), topic) == 0; }))
      << "payment did not consume the second replay";
  EXPECT_EQ(captures(), 1u);
  const v1::Account account = shop_.Account(customer);
  EXPECT_EQ(account.held().minor_units(), 0);
  EXPECT_EQ(account.available().minor_units(), 1'300);
  EXPECT_EQ(Ctl("dlq replay payment.commands 0:999999").exit_code, 1);
}

}  // namespace
}  // namespace orderly::testing
