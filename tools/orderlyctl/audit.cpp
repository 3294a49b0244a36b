// orderlyctl audit: checks Orderly's invariants across all shards, through the public APIs.
#include <cstdio>
#include <map>
#include <set>

#include "cli.h"

namespace orderly::ctl {
namespace {

constexpr int64_t kStaleSeconds = 60;  // longer than any step timeout of the local stack

bool Terminal(v1::OrderStatus status) { return status != v1::ORDER_STATUS_PENDING; }

bool Ended(v1::SagaState state) {
  return state == v1::SAGA_STATE_CONFIRMED || state == v1::SAGA_STATE_REJECTED || state == v1::SAGA_STATE_CANCELLED ||
         state == v1::SAGA_STATE_REFUNDED || state == v1::SAGA_STATE_REFUND_FAILED;
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out;
}

class Auditor {
 public:
  explicit Auditor(Clients& clients) : c_(clients) {}

  std::vector<std::string> Run() {
    v1::ListSagasRequest request;
    do {
      const auto page = c_.Call("orchestrator", *c_.sagas, &v1::SagaService::Stub::ListSagas, request);
      for (const auto& saga : page.sagas()) CheckSaga(saga);
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    CheckStock();
    for (const auto& customer : customers_) CheckLedger(customer);
    return violations_;
  }

  size_t sagas() const { return sagas_; }
  size_t customers() const { return customers_.size(); }

 private:
  void CheckSaga(const v1::Saga& saga) {
    ++sagas_;
    v1::GetOrderRequest get;
    get.set_order_id(saga.order_id());
    const v1::Order order = c_.Call("order", *c_.order, &v1::OrderService::Stub::GetOrder, get).order();
    if (saga.refund_id().empty()) CheckOrder(order);  // a refund saga's order is checked with its own saga
    const int64_t age = std::time(nullptr) - saga.updated_at().seconds();
    const bool running = !Ended(saga.state());
    if (age > kStaleSeconds && (running || !Terminal(order.status()))) {
      violations_.push_back("saga " + saga.saga_id() + " of order " + saga.order_id() + " is still " +
                            v1::SagaState_Name(saga.state()) + " (order " + v1::OrderStatus_Name(order.status()) +
                            ") after " + std::to_string(age) + " s");
    }
    // An ended saga still owes its compensations and follow-ups: name each step left unanswered.
    for (const auto& step : saga.steps()) {
      const int64_t waited = std::time(nullptr) - step.started_at().seconds();
      if (step.outcome() != v1::STEP_OUTCOME_PENDING || waited <= kStaleSeconds) continue;
      violations_.push_back("saga " + saga.saga_id() + " of order " + saga.order_id() + ": step " + step.name() +
                            " unanswered after " + std::to_string(waited) + " s and " +
                            std::to_string(step.attempts()) + " sends");
    }
  }

  void CheckOrder(const v1::Order& order) {
    customers_.insert(order.customer_id());
    statuses_[order.order_id()] = order.status();
    std::map<std::string, int64_t> returned;  // by sku, every refund not failed
    for (const auto& refund : order.refunds()) {
      if (refund.status() == v1::REFUND_STATUS_FAILED) continue;
      const bool done = refund.status() == v1::REFUND_STATUS_REFUNDED;
      if (done) refunded_[order.order_id()] += refund.amount().minor_units();
      for (const auto& line : refund.lines()) {
        returned[line.sku()] += line.quantity();
        (done ? returned_ : returning_)[line.sku()] += line.quantity();
      }
    }
    for (const auto& line : order.lines()) {
      skus_.insert(line.sku());
      if (!Terminal(order.status())) pending_[line.sku()] += line.quantity();
      if (returned[line.sku()] > line.quantity()) {
        violations_.push_back("order " + order.order_id() + " returns " + std::to_string(returned[line.sku()]) +
                              " units of sku " + line.sku() + " but sold " + std::to_string(line.quantity()));
      }
    }
  }

  void CheckStock() {
    for (const auto& sku : skus_) {
      v1::GetStockRequest get;
      get.set_sku(sku);
      const v1::Stock stock = c_.Call("inventory", *c_.inventory, &v1::InventoryService::Stub::GetStock, get).stock();
      if (stock.reserved() < 0 || stock.reserved() > stock.on_hand()) {
        violations_.push_back("sku " + sku + " has " + std::to_string(stock.reserved()) + " reserved of " +
                              std::to_string(stock.on_hand()) + " on hand");
      }
      if (stock.on_hand() != stock.restocked() - stock.committed() + stock.returned()) {
        violations_.push_back("sku " + sku + " is not conserved: " + std::to_string(stock.on_hand()) + " on hand, but " +
                              std::to_string(stock.restocked()) + " restocked - " + std::to_string(stock.committed()) +
                              " committed + " + std::to_string(stock.returned()) + " returned");
      }
      // Refunds done brought their units back; refunds still running may have.
      if (stock.returned() < returned_[sku] || stock.returned() > returned_[sku] + returning_[sku]) {
        violations_.push_back("sku " + sku + " has " + std::to_string(stock.returned()) +
                              " returned units but refunds account for " + std::to_string(returned_[sku]) + " (+" +
                              std::to_string(returning_[sku]) + " still running)");
      }
      if (stock.reserved() > pending_[sku]) {
        violations_.push_back("sku " + sku + " has " + std::to_string(stock.reserved()) +
                              " reserved but pending orders account for " + std::to_string(pending_[sku]));
      }
    }
  }

  void CheckLedger(const std::string& customer) {
    std::map<std::string, int64_t> transaction_sums;
    std::map<std::string, std::set<std::string>> captures;  // order -> capture transactions
    std::map<std::string, int64_t> held;                   // order -> money still held
    std::map<std::string, int64_t> revenue;                // order -> captured minus refunded
    std::map<std::string, int64_t> refunded;               // order -> refunded
    v1::ListLedgerRequest request;
    request.set_customer_id(customer);
    do {
      const auto page = c_.Call("payment", *c_.payment, &v1::PaymentService::Stub::ListLedger, request);
      for (const auto& entry : page.entries()) {
        transaction_sums[entry.transaction_id()] += entry.amount().minor_units();
        if (entry.operation() == "capture") captures[entry.order_id()].insert(entry.transaction_id());
        // Revenue gains what a capture takes and loses what a refund gives back.
        if (entry.account() == "merchant:revenue") revenue[entry.order_id()] += entry.amount().minor_units();
        if (entry.operation() == "refund" && entry.account() == "merchant:revenue") {
          refunded[entry.order_id()] -= entry.amount().minor_units();
        }
        if (entry.account() == "customer:" + customer + ":held") held[entry.order_id()] += entry.amount().minor_units();
      }
      request.mutable_page()->set_page_token(page.next_page_token());
    } while (!request.page().page_token().empty());
    for (const auto& [transaction, sum] : transaction_sums) {
      if (sum != 0) violations_.push_back("ledger transaction " + transaction + " sums to " + std::to_string(sum));
    }
    for (const auto& [order, amount] : revenue) {
      if (amount < 0) {
        violations_.push_back("order " + order + " was refunded " + std::to_string(refunded[order]) +
                              ", more than the " + std::to_string(amount + refunded[order]) + " captured");
      }
    }
    for (const auto& [order, transactions] : captures) {
      if (transactions.size() > 1) violations_.push_back("order " + order + " was charged " + std::to_string(transactions.size()) + " times");
      if (refunded[order] < refunded_[order]) {
        violations_.push_back("order " + order + " records " + std::to_string(refunded_[order]) +
                              " refunded but the ledger returned " + std::to_string(refunded[order]));
      }
    }
    for (const auto& [order, amount] : held) {
      const auto status = statuses_.find(order);
      if (amount != 0 && status != statuses_.end() && Terminal(status->second)) {
        violations_.push_back("order " + order + " is " + v1::OrderStatus_Name(status->second) + " but " +
                              std::to_string(amount) + " minor units stay held");
      }
    }
  }

  Clients& c_;
  size_t sagas_ = 0;
  std::set<std::string> customers_;
  std::set<std::string> skus_;
  std::map<std::string, int64_t> pending_;
  std::map<std::string, v1::OrderStatus> statuses_;
  std::map<std::string, int64_t> returned_;   // sku -> units of refunds done
  std::map<std::string, int64_t> returning_;  // sku -> units of refunds still running
  std::map<std::string, int64_t> refunded_;   // order -> money of its refunds done
  std::vector<std::string> violations_;
};

}  // namespace

void RunAudit(Clients& clients, const Output& out, const std::vector<std::string>& args) {
  if (!args.empty()) throw UsageError{"audit takes no arguments"};
  Auditor auditor(clients);
  const auto violations = auditor.Run();
  if (out.json()) {
    std::printf("{\"sagas\": %zu, \"customers\": %zu, \"violations\": [", auditor.sagas(), auditor.customers());
    for (size_t i = 0; i < violations.size(); ++i) std::printf("%s\"%s\"", i ? ", " : "", Escape(violations[i]).c_str());
    std::printf("]}\n");
  } else {
    for (const auto& violation : violations) std::printf("VIOLATION: %s\n", violation.c_str());
    std::printf("audit: %zu sagas, %zu customers checked: %s\n", auditor.sagas(), auditor.customers(),
                violations.empty() ? "all invariants hold" : (std::to_string(violations.size()) + " violations").c_str());
  }
  if (!violations.empty()) throw AuditFailed{};
}

}  // namespace orderly::ctl
