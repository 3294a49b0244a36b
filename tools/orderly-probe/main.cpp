// orderly-probe: asks a gRPC server's standard health service whether it is SERVING.
// Exit 0 if it is, 1 if not or unreachable; for scripts and container health checks.
#include <cstdio>
#include <string>

#include "orderly/rpc/health.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || std::string(argv[1]) == "--help") {
    std::fprintf(stderr, "usage: orderly-probe HOST:PORT [SERVICE]   exit 0 if SERVING\n");
    return 2;
  }
  std::string detail;
  const auto health = orderly::rpc::ProbeHealth(argv[1], argc == 3 ? argv[2] : "", std::chrono::seconds(2), &detail);
  switch (health) {
    case orderly::rpc::Health::kServing:
      std::printf("%s: SERVING\n", argv[1]);
      return 0;
    case orderly::rpc::Health::kNotServing:
      std::printf("%s: NOT_SERVING\n", argv[1]);
      return 1;
    case orderly::rpc::Health::kUnreachable:
      std::printf("%s: unreachable (%s)\n", argv[1], detail.c_str());
      return 1;
  }
  return 1;
}
