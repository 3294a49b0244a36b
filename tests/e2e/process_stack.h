#pragma once

// A private Orderly stack as processes, for e2e tests that stop, kill or duplicate services: the
// service binaries run against the shared test servers, isolated by their own PostgreSQL database
// on every shard and their own Kafka prefix, on free ports.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "orderly/app/platform_settings.h"
#include "test_env.h"

namespace orderly::testing {

class ProcessStack final {
 public:
  struct Options {
    std::chrono::milliseconds step_timeout{60'000};  // the product's default
    int orchestrators = 1;  // replicas sharing one database and consumer group
    int64_t max_pending = 1000;  // the order service's admission limit
    std::string kafka_brokers;  // empty: the shared test broker
    std::string redis_host;     // empty: the shared test Redis
    int redis_port = 0;
  };

  /// Creates the databases, writes the config and starts every service, waiting until each serves.
  explicit ProcessStack(Options options);
  ProcessStack() : ProcessStack(Options{}) {}
  /// Stops every service and drops the databases.
  ~ProcessStack();
  ProcessStack(const ProcessStack&) = delete;
  ProcessStack& operator=(const ProcessStack&) = delete;

  /// Service names: analytics, inventory, payment, order, orchestrator, then orchestrator-2... for replicas.
  [[nodiscard]] std::vector<std::string> Services() const;
  /// Starts `service` and waits until it serves; fails the test if it exits first.
  void Start(const std::string& service);
  /// SIGTERM, and waits for the process to exit.
  void Stop(const std::string& service);
  /// SIGKILL, and waits for the process to be gone.
  void Kill(const std::string& service);

  /// Everything `service` has logged so far.
  [[nodiscard]] std::string Log(const std::string& service) const;

  [[nodiscard]] const app::PlatformSettings& settings() const { return settings_; }
  [[nodiscard]] const std::string& config_path() const { return config_path_; }
  /// Runs orderlyctl against this stack; `args` are passed through the shell.
  [[nodiscard]] CommandResult Ctl(const std::string& args) const;
  /// What `sql` prints (psql -At) on each shard, in this stack's database.
  std::vector<std::string> QueryShards(const std::string& sql) const;
  /// The sum over every shard of what `sql` (one number) returns.
  [[nodiscard]] int64_t SumOverShards(const std::string& sql) const;

 private:
  struct Process {
    std::string binary;
    std::string listen;
    std::vector<std::string> env;  // extra NAME=value entries
    pid_t pid = -1;
  };

  void WriteConfig(const Options& options, const std::map<std::string, int>& ports);
  // Stops every service, drops the databases, removes the directory (kept, with logs, on failure).
  void TearDown();

  std::string name_;  // database name and Kafka prefix
  std::string dir_;   // config and logs
  std::string config_path_;
  app::PlatformSettings settings_;
  std::map<std::string, Process> processes_;
};

}  // namespace orderly::testing
