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
                             {"test", {{1, "0001_effects", "CREATE TABLE effects (seq bigserial, order_id text, message_id uuid)"}}}});
}

v1::Envelope MessagingTest::WriteOutbox(const std::string& topic, const std::string& order_id, pg::Cluster* through) {
  pg::Cluster& cluster = through == nullptr ? cluster_ : *through;
  v1::OrderConfirmed event;
  event.set_order_id(order_id);
  const v1::Envelope envelope = MakeEnvelope(event, {order_id, "", "", "", ""}, ids_, clock_);
  cluster.Transact(cluster.ShardFor(order_id), [&](pg::Transaction& tx) { AppendToOutbox(tx, topic, envelope); });
  return envelope;
}

std::vector<std::string> MessagingTest::EffectsOf(const std::string& order_id) {
  return cluster_.Transact(cluster_.ShardFor(order_id), [&](pg::Transaction& tx) {
    std::vector<std::string> ids;
    const pg::Result rows = tx.Exec("SELECT message_id FROM effects WHERE order_id = $1 ORDER BY seq", {order_id});
    for (size_t i = 0; i < rows.size(); ++i) ids.push_back(rows[i].String(0));
    return ids;
  });
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
