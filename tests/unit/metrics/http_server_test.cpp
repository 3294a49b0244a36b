#include "orderly/metrics/http_server.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "orderly/common/errors.h"
#include "orderly/metrics/process_metrics.h"

namespace orderly::metrics {
namespace {

std::string Fetch(const std::string& url) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(("curl -s -w '\\n%{http_code}' " + url).c_str(), "r"), pclose);
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe.get())) out.append(buffer, n);
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  Registry registry_;
};

TEST_F(HttpServerTest, ServesTheExpositionOnAFreePort) {
  registry_.CounterFamily("served_total", "Served.").Get().Inc(2);
  HttpServer server(registry_, "127.0.0.1:0");
  ASSERT_GT(server.port(), 0);
  EXPECT_EQ(Fetch("http://127.0.0.1:" + std::to_string(server.port()) + "/metrics"),
            "# HELP served_total Served.\n# TYPE served_total counter\nserved_total 2\n\n200");
  EXPECT_EQ(Fetch("http://127.0.0.1:" + std::to_string(server.port()) + "/other"), "\n404");
}

TEST_F(HttpServerTest, PortInUseThrowsUnavailable) {
  HttpServer first(registry_, "127.0.0.1:0");
  EXPECT_THROW(HttpServer(registry_, "127.0.0.1:" + std::to_string(first.port())), Unavailable);
}

TEST_F(HttpServerTest, ProcessMetricsReadProc) {
  ProcessMetrics process(registry_);
  const std::string text = registry_.Expose();
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
                           "process_max_fds ", "process_start_time_seconds ", "process_virtual_memory_bytes "}) {
    EXPECT_NE(text.find(std::string("\n") + name), std::string::npos) << name;
  }
  const auto at = text.find("\nprocess_resident_memory_bytes ");
  EXPECT_GT(std::stod(text.substr(at + 31)), 1e6);  // a test binary holds more than a megabyte
}

}  // namespace
}  // namespace orderly::metrics
