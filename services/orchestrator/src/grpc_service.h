#pragma once

#include "orderly/rpc/access.h"
#include "orderly/pg/cluster.h"
#include "orderly/v1/saga.grpc.pb.h"

namespace orderly::orchestrator {

/// SagaService over gRPC: sagas with every step, read from all shards.
class GrpcService final : public v1::SagaService::CallbackService {
 public:
  /// A saga is stuck while one of its steps is unanswered after `stuck_after_attempts` sends.
  GrpcService(pg::Cluster& cluster, int64_t stuck_after_attempts)
      : cluster_(cluster), stuck_after_attempts_(stuck_after_attempts) {}

  /// Who may call each method: sagas are operations, for admin only.
  [[nodiscard]] static rpc::AccessTable Access();

  grpc::ServerUnaryReactor* GetSaga(grpc::CallbackServerContext* context, const v1::GetSagaRequest* request,
                                    v1::GetSagaResponse* response) override;
  grpc::ServerUnaryReactor* ListSagas(grpc::CallbackServerContext* context, const v1::ListSagasRequest* request,
                                      v1::ListSagasResponse* response) override;

 private:
  pg::Cluster& cluster_;
  const int64_t stuck_after_attempts_;
};

}  // namespace orderly::orchestrator
