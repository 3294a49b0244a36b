#include "orders.h"

#include <algorithm>
#include <cstdio>

#include "orderly/common/hash.h"
#include "orderly/common/page_token.h"
#include "orderly/messaging/envelope.h"

namespace orderly::order {
namespace {

int64_t CreatedMicros(const v1::Order& order) {
  return order.created_at().seconds() * 1'000'000 + order.created_at().nanos() / 1000;
}

}  // namespace

std::string Orders::RequestHash(const v1::PlaceOrderRequest& request) {
  std::string canonical = request.customer_id() + "\n" + request.currency();
  for (const auto& line : request.lines()) canonical += "\n" + line.sku() + "*" + std::to_string(line.quantity());
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(StableHash(canonical)));
  return hex;
}

v1::OrderPlaced Orders::Price(const v1::PlaceOrderRequest& request, const std::string& order_id) {
  v1::OrderPlaced placed;
  placed.set_order_id(order_id);
  placed.set_customer_id(request.customer_id());
  int64_t total = 0;
  for (int i = 0; i < request.lines_size(); ++i) {
    const std::string field = "lines[" + std::to_string(i) + "].sku";
    const v1::Product product = pricer_.Product(request.lines(i).sku(), field);
    if (product.unit_price().currency() != request.currency()) {
      throw InvalidArgument("currency", "sku '" + product.sku() + "' is priced in " + product.unit_price().currency());
    }
    v1::OrderLine* line = placed.add_lines();
    *line = request.lines(i);
    *line->mutable_unit_price() = product.unit_price();
    int64_t amount = 0;
    if (__builtin_mul_overflow(product.unit_price().minor_units(), int64_t{line->quantity()}, &amount) ||
        __builtin_add_overflow(total, amount, &total)) {
      throw InvalidArgument("lines", "the order total is too large");
    }
  }
  placed.mutable_total()->set_minor_units(total);
  placed.mutable_total()->set_currency(request.currency());
  return placed;
}

v1::Order Orders::Place(const v1::PlaceOrderRequest& request) {
  // The key names the order, so a retry lands on the same shard and the same event version 1.
  const std::string order_id = NameBasedUuid(request.customer_id() + "\n" + request.idempotency_key());
  const std::string hash = RequestHash(request);
  const size_t shard = cluster_.ShardFor(order_id);
  const auto existing = [&](const std::optional<Snapshot>& snapshot) -> std::optional<v1::Order> {
    if (!snapshot) return std::nullopt;
    if (snapshot->request_hash != hash) {
      throw InvalidArgument("idempotency_key", "was already used for a different order");
    }
    return snapshot->order;
  };
  v1::OrderPlaced placed;
  try {
    admission_.Check();
    placed = Price(request, order_id);
  } catch (const std::exception&) {
    // A retry of an order already placed is answered even while the door is shut or inventory is away.
    if (auto order = existing(ReadSnapshot(order_id))) return *order;
    throw;
  }
  try {
    return cluster_.Transact(shard, [&](pg::Transaction& tx) {
      const ProjectionRow projection = ReadProjection(SendReadProjection(tx, order_id), order_id);
      if (auto order = existing(projection.snapshot)) return *order;
      OrderAggregate aggregate;
      store_.Append(tx, order_id, aggregate, projection.now_us, placed, nullptr, hash);
      tx.AfterCommit([this] { admission_.Admitted(); });
      return aggregate.order();
    });
  } catch (const pg::UniqueViolation&) {
    // The same request raced us and won: answer with its order.
    return *existing(ReadSnapshot(order_id));
  }
}

int64_t Orders::CountPending() {
  int64_t pending = 0;
  for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
    pending += cluster_.Transact(
        shard,
        [](pg::Transaction& tx) {
          // The status as a literal, so the planner always matches the partial index orders_pending.
          return tx.Exec("SELECT count(*) FROM orders WHERE status = 'ORDER_STATUS_PENDING'").One().Int(0);
        },
        {pg::Isolation::kReadCommitted, true});
  }
  return pending;
}

std::optional<Snapshot> Orders::ReadSnapshot(const std::string& order_id) {
  // Read after the callback returned, so BEGIN, the read and COMMIT take one round trip.
  const pg::Result row = cluster_.Transact(
      cluster_.ShardFor(order_id), [&](pg::Transaction& tx) { return SendReadProjection(tx, order_id); },
      {pg::Isolation::kReadCommitted, true});
  return ReadProjection(row, order_id).snapshot;
}

v1::Order Orders::Read(const std::string& order_id) {
  const auto snapshot = ReadSnapshot(order_id);
  if (!snapshot) throw NotFound("order '" + order_id + "' does not exist");
  return snapshot->order;
}

v1::Order Orders::Get(const std::string& order_id) {
  v1::Order order;
  if (!order.ParseFromString(cache_.GetOrLoad(order_id, [&] { return Read(order_id).SerializeAsString(); }))) {
    throw Internal("corrupt cached order " + order_id);
  }
  return order;
}

OrderPage Orders::List(const std::string& customer_id, int page_size, const std::string& page_token) {
  const auto after = page_token.empty() ? std::pair<int64_t, std::string>{INT64_MAX, ""}
                                        : page_token::ParseNumberAndId("page.page_token", page_token);
  std::vector<v1::Order> orders;
  for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
    const pg::Result result = cluster_.Transact(
        shard,
        [&](pg::Transaction& tx) {
          return tx.Exec(
              "SELECT snapshot FROM orders WHERE customer_id = $1 AND (created_us, order_id) < ($2, $3) "
              "ORDER BY created_us DESC, order_id DESC LIMIT $4",
              {customer_id, after.first, page_token.empty() ? std::string("\x7f") : after.second, page_size + 1});
        },
        {pg::Isolation::kReadCommitted, true});
    for (size_t i = 0; i < result.size(); ++i) {
      v1::Order order;
      if (!order.ParseFromString(result[i].Bytes(0))) throw Internal("corrupt order snapshot");
      orders.push_back(std::move(order));
    }
  }
  std::sort(orders.begin(), orders.end(), [](const v1::Order& a, const v1::Order& b) {
    return std::make_pair(CreatedMicros(a), a.order_id()) > std::make_pair(CreatedMicros(b), b.order_id());
  });
  OrderPage page;
  if (orders.size() > static_cast<size_t>(page_size)) {
    orders.resize(static_cast<size_t>(page_size));
    // The creation time and id of the last order shown.
    page.next_page_token = page_token::NumberAndId(CreatedMicros(orders.back()), orders.back().order_id());
  }
  page.orders = std::move(orders);
  return page;
}

v1::Order Orders::Cancel(const std::string& order_id) {
  return cluster_.Transact(cluster_.ShardFor(order_id), [&](pg::Transaction& tx) {
    auto loaded = store_.Load(tx, order_id);
    if (!loaded) throw NotFound("order '" + order_id + "' does not exist");
    OrderAggregate* aggregate = &loaded->aggregate;
    if (const auto event = aggregate->RequestCancel()) {
      store_.Append(tx, order_id, *aggregate, loaded->now_us, *event, nullptr);
      tx.AfterCommit([this, order_id] { cache_.Invalidate(order_id); });
    }
    return aggregate->order();
  });
}

RefundAnswer Orders::Refund(const v1::RefundOrderRequest& request) {
  const std::string& order_id = request.order_id();
  // The key names the refund, so a retry finds it on the order instead of asking a second time.
  const std::string refund_id = NameBasedUuid("refund\n" + order_id + "\n" + request.idempotency_key());
  return cluster_.Transact(cluster_.ShardFor(order_id), [&](pg::Transaction& tx) {
    auto loaded = store_.Load(tx, order_id);
    if (!loaded) throw NotFound("order '" + order_id + "' does not exist");
    OrderAggregate* aggregate = &loaded->aggregate;
    if (const auto event = aggregate->RequestRefund(refund_id, request.lines(), request.reason())) {
      store_.Append(tx, order_id, *aggregate, loaded->now_us, *event, nullptr);
      tx.AfterCommit([this, order_id] { cache_.Invalidate(order_id); });
    }
    return RefundAnswer{aggregate->order(), *aggregate->FindRefund(refund_id)};
  });
}

std::unique_ptr<google::protobuf::Message> Orders::Decide(const OrderAggregate& aggregate, const v1::Envelope& command,
                                                          int& answered) {
  const auto is = [&](const google::protobuf::Descriptor* type) { return command.type() == type->full_name(); };
  answered = aggregate.version();
  try {
    if (is(v1::ConfirmOrder::descriptor())) return aggregate.Confirm();
    if (is(v1::RejectOrder::descriptor())) {
      const auto reject = messaging::Payload<v1::RejectOrder>(command);
      return aggregate.Reject(reject.reason(), reject.detail());
    }
    std::string refund_id;
    std::unique_ptr<google::protobuf::Message> event;
    if (is(v1::CompleteRefund::descriptor())) {
      refund_id = messaging::Payload<v1::CompleteRefund>(command).refund_id();
      event = aggregate.CompleteRefund(refund_id);
    } else if (is(v1::FailRefund::descriptor())) {
      const auto fail = messaging::Payload<v1::FailRefund>(command);
      refund_id = fail.refund_id();
      event = aggregate.FailRefund(refund_id, fail.reason());
    } else {
      throw messaging::PoisonMessage("envelope.type", "order does not handle " + command.type());
    }
    // Later refunds may have followed the event that ended this one: that event is the answer.
    if (!event) answered = static_cast<int>(aggregate.FindRefund(refund_id)->settled_version());
    return event;
  } catch (const FailedPrecondition& e) {
    throw messaging::PoisonMessage("order_id", e.what());
  }
}

void Orders::Handle(pg::Transaction& tx, const v1::Envelope& command) {
  const std::string& order_id = command.order_id();
  auto loaded = store_.Load(tx, order_id);
  if (!loaded) throw messaging::PoisonMessage("order_id", "order '" + order_id + "' does not exist");
  OrderAggregate* aggregate = &loaded->aggregate;
  int answered = 0;
  const auto event = Decide(*aggregate, command, answered);
  if (!event) {  // already done: the command was sent again, maybe because our event was lost
    store_.ReannounceVersion(tx, order_id, answered, command);
    return;
  }
  store_.Append(tx, order_id, *aggregate, loaded->now_us, *event, &command);
  tx.AfterCommit([this, order_id] { cache_.Invalidate(order_id); });
}

}  // namespace orderly::order
