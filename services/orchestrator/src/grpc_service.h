#pragma once

#include "orderly/rpc/access.h"
#include "orderly/pg/cluster.h"
#include "orderly/v1/saga.grpc.pb.h"

namespace orderly::orchestrator {

/// SagaService over gRPC: sagas with every step, read from all shards.
class GrpcService final : public v1::SagaService::CallbackService {
 public:
  explicit GrpcService(pg::Cluster& cluster) : cluster_(cluster) {}

  /// Who may call each method: sagas are operations, for admin only.
  [[nodiscard]] static rpc::AccessTable Access();

  grpc::ServerUnaryReactor* GetSaga(grpc::CallbackServerContext* context, const v1::GetSagaRequest* request,
                                    v1::GetSagaResponse* response) override;
  grpc::ServerUnaryReactor* ListSagas(grpc::CallbackServerContext* context, const v1::ListSagasRequest* request,
                                      v1::ListSagasResponse* response) override;

 private:
  pg::Cluster& cluster_;
};

}  // namespace orderly::orchestrator
