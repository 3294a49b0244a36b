// orderly-probe: asks a gRPC server's standard health service whether it is SERVING.
// Exit 0 if it is, 1 if not or unreachable; for scripts and container health checks.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>

namespace {

// grpc.health.v1.HealthCheckRequest{service} and the status field of its response, encoded by
// hand so the tool needs no health proto.
std::string EncodeRequest(const std::string& service) {
  std::string out;
  if (!service.empty()) {
    out.push_back(0x0a);
    out.push_back(static_cast<char>(service.size()));
    out += service;
  }
  return out;
}

int DecodeStatus(const std::string& response) {
  return response.size() == 2 && response[0] == 0x08 ? response[1] : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || std::string(argv[1]) == "--help") {
    std::fprintf(stderr, "usage: orderly-probe HOST:PORT [SERVICE]   exit 0 if SERVING\n");
    return 2;
  }
  const std::string service = argc == 3 ? argv[2] : "";
  grpc::GenericStub stub(grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::Slice slice(EncodeRequest(service));
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   std::lock_guard lock(mutex);
                   status = std::move(s);
                   finished = true;
                   done.notify_one();
                 });
  std::unique_lock lock(mutex);
  done.wait(lock, [&] { return finished; });
  if (!status.ok()) {
    std::printf("%s: unreachable (%s)\n", argv[1], status.error_message().c_str());
    return 1;
  }
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  const bool serving = DecodeStatus(bytes) == 1;
  std::printf("%s: %s\n", argv[1], serving ? "SERVING" : "NOT_SERVING");
  return serving ? 0 : 1;
}
