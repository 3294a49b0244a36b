#include "messaging_fixture.h"

#include "test_env.h"

namespace orderly::messaging {

using orderly::testing::TestPlatform;
using orderly::testing::UniqueName;

MessagingTest::MessagingTest()
    : schema_(UniqueName("msgtest")),
      cluster_(TestPlatform().postgres, schema_),
      kafka_(TestPlatform().kafka),
      outbox_(TestPlatform().outbox) {
  ApplyMigrations(cluster_, {SchemaMigrations(),
                             {"test", {{1, "0001_effects", "CREATE TABLE effects (order_id text, message_id uuid)"}}}});
}

v1::Envelope MessagingTest::WriteOutbox(const std::string& topic, const std::string& order_id) {
  v1::OrderConfirmed event;
  event.set_order_id(order_id);
  const v1::Envelope envelope = MakeEnvelope(event, {order_id, "", "", "", ""}, ids_, clock_);
  cluster_.Transact(cluster_.ShardFor(order_id), [&](pg::Transaction& tx) { AppendToOutbox(tx, topic, envelope); });
  return envelope;
}

Handlers MessagingTest::RecordingHandler(const std::string& consumer) {
  return MakeInboxHandlers(cluster_, consumer, [](pg::Transaction& tx, const v1::Envelope& envelope) {
    (void)Payload<v1::OrderConfirmed>(envelope);
    tx.Exec("INSERT INTO effects (order_id, message_id) VALUES ($1, $2)", {envelope.order_id(), envelope.message_id()});
  });
}

int64_t MessagingTest::Effects() {
  int64_t total = 0;
  for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
    total += cluster_.Transact(shard, [](pg::Transaction& tx) { return tx.Exec("SELECT count(*) FROM effects").One().Int(0); });
  }
  return total;
}

int64_t MessagingTest::UnsentRows() {
  int64_t total = 0;
  for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
    total += cluster_.Transact(shard, [](pg::Transaction& tx) {
      return tx.Exec("SELECT count(*) FROM outbox WHERE sent_at IS NULL").One().Int(0);
    });
  }
  return total;
}

std::unique_ptr<Consumer> MessagingTest::Consume(const std::string& group, const std::string& topic, Handlers handler) {
  return std::make_unique<Consumer>(kafka_, group, std::vector<std::string>{topic}, std::move(handler), producer());
}

Producer& MessagingTest::producer() {
  if (producer_ == nullptr) producer_ = std::make_unique<Producer>(kafka_);
  return *producer_;
}

}  // namespace orderly::messaging
