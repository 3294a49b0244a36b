#include "orderly/messaging/inbox_handler.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "orderly/log/log.h"
#include "orderly/log/trace.h"
#include "orderly/messaging/envelope.h"
#include "orderly/messaging/outbox.h"

namespace orderly::messaging {
namespace {

std::string Lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// One decoded record of a batch, with its place in the batch.
struct Routed {
  size_t index;
  v1::Envelope envelope;
};

class Inbox final {
 public:
  Inbox(pg::Cluster& cluster, std::string consumer, EnvelopeHandler handle, ShardKey shard_key)
      : cluster_(cluster), consumer_(std::move(consumer)), handle_(std::move(handle)), shard_key_(std::move(shard_key)) {}

  void HandleOne(const ConsumedMessage& message) {
    const v1::Envelope envelope = Decode(message.value);
    cluster_.Transact(ShardOf(envelope), [&](pg::Transaction& tx) {
      Apply(tx, envelope, ClaimInbox(tx, consumer_, envelope.message_id()));
    });
  }

  std::vector<bool> HandleBatch(const std::vector<ConsumedMessage>& batch) {
    std::vector<bool> done(batch.size(), false);
    std::vector<std::vector<Routed>> by_shard(cluster_.shard_count());
    std::map<std::string, size_t> shard_of_key;
    std::set<std::string> skipped;  // keys whose remaining records go one at a time
    for (size_t i = 0; i < batch.size(); ++i) {
      const std::string& key = batch[i].key;
      if (skipped.contains(key)) continue;
      try {
        v1::Envelope envelope = Decode(batch[i].value);
        const size_t shard = ShardOf(envelope);
        if (shard_of_key.emplace(key, shard).first->second == shard) {
          by_shard[shard].push_back({i, std::move(envelope)});
          continue;
        }
      } catch (const PoisonMessage&) {
        // Left to the one-at-a-time handler, which dead-letters it.
      }
      skipped.insert(key);
    }
    // One shard after the other: a handler's own transaction on another shard never waits for a
    // lock that this batch holds there.
    for (size_t shard = 0; shard < by_shard.size(); ++shard) {
      if (!by_shard[shard].empty()) RunShard(shard, batch, by_shard[shard], done);
    }
    return done;
  }

 private:
  size_t ShardOf(const v1::Envelope& envelope) const {
    if (envelope.order_id().empty()) throw PoisonMessage("envelope.order_id", "is empty");
    const std::string key = shard_key_ ? shard_key_(envelope) : envelope.order_id();
    if (key.empty()) throw PoisonMessage("envelope", "has no key to pick its shard");
    return cluster_.ShardFor(key);
  }

  // Runs the handler for a message this transaction claimed in the inbox; a redelivery does nothing.
  void Apply(pg::Transaction& tx, const v1::Envelope& envelope, bool claimed) {
    if (!claimed) return;
    const log::ScopedTrace trace(envelope.traceparent());  // what the handler sends continues its trace
    log::ScopedFields fields({{"order_id", envelope.order_id()}, {"message_id", envelope.message_id()},
                              {"type", envelope.type()}});
    spdlog::debug("handling {}", envelope.type());
    handle_(tx, envelope);
  }

  // The message ids of the records still in the batch.
  static std::vector<std::string> IdsOf(const std::vector<ConsumedMessage>& batch, const std::vector<Routed>& records,
                                        const std::set<std::string>& left_out) {
    std::vector<std::string> ids;
    for (const Routed& record : records) {
      if (!left_out.contains(batch[record.index].key)) ids.push_back(Lowercase(record.envelope.message_id()));
    }
    return ids;
  }

  // One transaction for the shard's records. The first attempt expects no redelivery: it sends the
  // inbox claims without waiting for them, so they cost no round trip, and a message handled before
  // fails the transaction. Any failure there reruns it carefully: the claims are read before any
  // record runs, a record that throws aborts it and it reruns without that record's key, whose
  // records stay not done. On any other failure they all stay not done.
  void RunShard(size_t shard, const std::vector<ConsumedMessage>& batch, const std::vector<Routed>& records,
                std::vector<bool>& done) {
    std::set<std::string> left_out;
    bool careful = false;
    for (;;) {
      std::optional<std::string> failed_key;
      try {
        cluster_.Transact(shard, [&](pg::Transaction& tx) {
          for (const Routed& record : records) done[record.index] = false;  // a rerun starts over
          std::vector<std::string> ids = IdsOf(batch, records, left_out);
          std::set<std::string> fresh(ids.begin(), ids.end());
          if (careful) {
            fresh = ClaimInboxAll(tx, consumer_, ids);
          } else {
            SendInboxClaims(tx, consumer_, {fresh.begin(), fresh.end()});
          }
          for (const Routed& record : records) {
            const std::string& key = batch[record.index].key;
            if (left_out.contains(key)) continue;
            try {
              // A message listed twice in the batch is handled the first time only.
              Apply(tx, record.envelope, fresh.erase(Lowercase(record.envelope.message_id())) == 1);
            } catch (const pg::ConnectionError&) {
              throw;
            } catch (const pg::ServerError& e) {
              if (careful && !e.IsRetryable()) failed_key = key;
              throw;
            } catch (const std::exception&) {
              if (careful) failed_key = key;
              throw;
            }
            done[record.index] = true;
          }
        });
        return;
      } catch (const std::exception& e) {
        if (!careful) {
          careful = true;
          continue;
        }
        if (failed_key) {
          left_out.insert(*failed_key);
          continue;
        }
        spdlog::warn("inbox {} shard {}: batch of {} failed, handling one at a time: {}", consumer_,
                     cluster_.shard(shard).name, records.size(), e.what());
        for (const Routed& record : records) done[record.index] = false;
        return;
      }
    }
  }

  pg::Cluster& cluster_;
  const std::string consumer_;
  const EnvelopeHandler handle_;
  const ShardKey shard_key_;
};

}  // namespace

Handlers MakeInboxHandlers(pg::Cluster& cluster, std::string consumer, EnvelopeHandler handle, ShardKey shard_key) {
  auto inbox = std::make_shared<Inbox>(cluster, std::move(consumer), std::move(handle), std::move(shard_key));
  return Handlers([inbox](const ConsumedMessage& message) { inbox->HandleOne(message); },
                  [inbox](const std::vector<ConsumedMessage>& batch) { return inbox->HandleBatch(batch); });
}

}  // namespace orderly::messaging
