#pragma once

#include "accounts.h"
#include "orderly/rpc/access.h"
#include "orderly/v1/payment.grpc.pb.h"

namespace orderly::payment {

/// PaymentService over gRPC; validates requests (INVALID_ARGUMENT naming the field).
class GrpcService final : public v1::PaymentService::CallbackService {
 public:
  GrpcService(pg::Cluster& cluster, Accounts& accounts) : cluster_(cluster), accounts_(accounts) {}

  /// Who may call each method: a customer its own account and payments; deposits need admin.
  [[nodiscard]] static rpc::AccessTable Access();

  grpc::ServerUnaryReactor* OpenAccount(grpc::CallbackServerContext* context, const v1::OpenAccountRequest* request,
                                        v1::OpenAccountResponse* response) override;
  grpc::ServerUnaryReactor* Deposit(grpc::CallbackServerContext* context, const v1::DepositRequest* request,
                                    v1::DepositResponse* response) override;
  grpc::ServerUnaryReactor* GetAccount(grpc::CallbackServerContext* context, const v1::GetAccountRequest* request,
                                       v1::GetAccountResponse* response) override;
  grpc::ServerUnaryReactor* GetPayment(grpc::CallbackServerContext* context, const v1::GetPaymentRequest* request,
                                       v1::GetPaymentResponse* response) override;
  grpc::ServerUnaryReactor* ListLedger(grpc::CallbackServerContext* context, const v1::ListLedgerRequest* request,
                                       v1::ListLedgerResponse* response) override;

 private:
  pg::Cluster& cluster_;
  Accounts& accounts_;
};

}  // namespace orderly::payment
