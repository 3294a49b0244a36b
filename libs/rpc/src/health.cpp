#include "orderly/rpc/health.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <mutex>

namespace orderly::rpc {
namespace {

// grpc.health.v1.HealthCheckRequest{service}, encoded by hand so no health proto is needed.
std::string EncodeRequest(const std::string& service) {
  if (service.empty()) return "";
  return std::string("\x0a", 1) + static_cast<char>(service.size()) + service;
}

}  // namespace

Health ProbeHealth(const std::string& target, const std::string& service, std::chrono::milliseconds timeout,
                   std::string* detail) {
  grpc::GenericStub stub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  grpc::Slice slice(EncodeRequest(service));
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status result) {
                   std::lock_guard lock(mutex);
                   status = std::move(result);
                   finished = true;
                   done.notify_one();
                 });
  std::unique_lock lock(mutex);
  done.wait(lock, [&] { return finished; });
  if (!status.ok()) {
    if (detail != nullptr) *detail = status.error_message();
    return status.error_code() == grpc::StatusCode::NOT_FOUND ? Health::kNotServing : Health::kUnreachable;
  }
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const auto& part : slices) bytes.append(reinterpret_cast<const char*>(part.begin()), part.size());
  }
  // HealthCheckResponse{status: SERVING} is field 1, varint 1.
  return bytes == std::string("\x08\x01", 2) ? Health::kServing : Health::kNotServing;
}

}  // namespace orderly::rpc
