#include "grpc_service.h"

#include "orderly/common/page_token.h"
#include "orderly/common/validate.h"
#include "orderly/rpc/access.h"
#include "orderly/rpc/status.h"
#include "payments.h"

namespace orderly::payment {
namespace {

constexpr int64_t kMaxDeposit = 1'000'000'000'000;

}  // namespace

rpc::AccessTable GrpcService::Access() {
  using rpc::Access;
  using rpc::RateGroup;
  return rpc::ServiceAccess(v1::PaymentService::service_full_name(),
                            {{"OpenAccount", {Access::kOwnCustomer, RateGroup::kWrite}},
                             {"Deposit", {Access::kAdmin, RateGroup::kWrite}},
                             {"GetAccount", {Access::kOwnCustomer, RateGroup::kRead}},
                             {"GetPayment", {Access::kOwnResource, RateGroup::kRead}},
                             {"ListLedger", {Access::kOwnCustomer, RateGroup::kRead}}});
}

grpc::ServerUnaryReactor* GrpcService::OpenAccount(grpc::CallbackServerContext* context,
                                                   const v1::OpenAccountRequest* request,
                                                   v1::OpenAccountResponse* response) {
  return rpc::FinishUnary(context, [&] {
    validate::Identifier("customer_id", request->customer_id(), 128);
    validate::Currency("currency", request->currency());
    *response->mutable_account() = accounts_.Open(request->customer_id(), request->currency());
  });
}

grpc::ServerUnaryReactor* GrpcService::Deposit(grpc::CallbackServerContext* context, const v1::DepositRequest* request,
                                               v1::DepositResponse* response) {
  return rpc::FinishUnary(context, [&] {
    validate::Identifier("customer_id", request->customer_id(), 128);
    validate::Range("amount.minor_units", request->amount().minor_units(), 1, kMaxDeposit);
    validate::Currency("amount.currency", request->amount().currency());
    if (!request->idempotency_key().empty()) validate::Identifier("idempotency_key", request->idempotency_key(), 128);
    *response->mutable_account() =
        accounts_.Deposit(request->customer_id(), request->amount(), request->idempotency_key());
  });
}

grpc::ServerUnaryReactor* GrpcService::GetAccount(grpc::CallbackServerContext* context,
                                                  const v1::GetAccountRequest* request,
                                                  v1::GetAccountResponse* response) {
  return rpc::FinishUnary(context, [&] {
    validate::Identifier("customer_id", request->customer_id(), 128);
    validate::Currency("currency", request->currency());
    *response->mutable_account() = accounts_.Get(request->customer_id(), request->currency());
  });
}

grpc::ServerUnaryReactor* GrpcService::GetPayment(grpc::CallbackServerContext* context,
                                                  const v1::GetPaymentRequest* request,
                                                  v1::GetPaymentResponse* response) {
  return rpc::FinishUnary(context, [&] {
    validate::Identifier("order_id", request->order_id(), 128);
    auto payment = Payments::Find(cluster_, request->order_id());
    if (!payment) throw NotFound("no payment for order '" + request->order_id() + "'");
    rpc::RequireOwner(context, payment->customer_id());
    *response->mutable_payment() = std::move(*payment);
  });
}

grpc::ServerUnaryReactor* GrpcService::ListLedger(grpc::CallbackServerContext* context,
                                                  const v1::ListLedgerRequest* request,
                                                  v1::ListLedgerResponse* response) {
  return rpc::FinishUnary(context, [&] {
    validate::Identifier("customer_id", request->customer_id(), 128);
    const int size = validate::PageSize("page.page_size", request->page().page_size());
    auto entries = accounts_.Ledger(request->customer_id(), page_token::ParseNumber("page.page_token", request->page().page_token()), size + 1);
    if (entries.size() > static_cast<size_t>(size)) {
      entries.resize(static_cast<size_t>(size));
      response->set_next_page_token(std::to_string(entries.back().entry_id()));  // the last entry shown
    }
    for (auto& entry : entries) *response->add_entries() = std::move(entry);
  });
}

}  // namespace orderly::payment
