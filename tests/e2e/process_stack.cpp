#include "process_stack.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>

#include "orderly/rpc/health.h"

namespace orderly::testing {
namespace {

const std::map<std::string, std::string> kBinaries = {
    {"inventory", ORDERLY_INVENTORY_BIN},
    {"payment", ORDERLY_PAYMENT_BIN},
    {"order", ORDERLY_ORDER_BIN},
    {"orchestrator", ORDERLY_ORCHESTRATOR_BIN},
    {"analytics", ORDERLY_ANALYTICS_BIN},
};

std::string Tail(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  std::string tail;
  for (size_t i = lines.size() > 15 ? lines.size() - 15 : 0; i < lines.size(); ++i) tail += lines[i] + "\n";
  return tail;
}

// Waits up to `timeout` for `pid` to exit; true once it has (and is reaped).
bool Reaped(pid_t pid, std::chrono::milliseconds timeout) {
  return WaitUntil([&] { return waitpid(pid, nullptr, WNOHANG) == pid; }, timeout);
}

void RunOnEveryShard(const std::string& tool, const std::string& database) {
  for (const auto& shard : TestPlatform().postgres.shards) {
    const auto result = RunCommand(tool + " -h " + shard.host + " -p " + std::to_string(shard.port) + " -U " +
                                   shard.user + " " + database);
    if (result.exit_code != 0) throw std::runtime_error(tool + " " + database + " failed: " + result.output);
  }
}

}  // namespace

ProcessStack::ProcessStack(Options options)
    : name_(UniqueName("stack")), dir_((std::filesystem::temp_directory_path() / name_).string()) {
  std::filesystem::create_directories(dir_);
  RunOnEveryShard("createdb", name_);
  std::map<std::string, int> ports;
  std::set<int> taken;
  const auto port = [&] {
    int candidate = FreePort();
    while (!taken.insert(candidate).second) candidate = FreePort();
    return candidate;
  };
  for (const auto& [service, binary] : kBinaries) ports[service] = port();
  WriteConfig(options, ports);
  settings_ = app::LoadPlatformSettings(config_path_);
  for (const auto& [service, binary] : kBinaries) {
    processes_[service] = Process{binary, "127.0.0.1:" + std::to_string(ports[service]), {}, -1};
  }
  for (int replica = 2; replica <= options.orchestrators; ++replica) {
    const std::string listen = "127.0.0.1:" + std::to_string(port());
    processes_["orchestrator-" + std::to_string(replica)] =
        Process{ORDERLY_ORCHESTRATOR_BIN, listen, {"ORDERLY_SERVICES__ORCHESTRATOR__LISTEN=" + listen}, -1};
  }
  try {
    for (const auto& service : Services()) Start(service);
  } catch (...) {
    TearDown();
    throw;
  }
}

ProcessStack::~ProcessStack() { TearDown(); }

void ProcessStack::TearDown() {
  for (const auto& service : Services()) Stop(service);
  try {
    RunOnEveryShard("dropdb --force", name_);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "process stack logs kept in %s\n", dir_.c_str());
  } else {
    std::filesystem::remove_all(dir_);
  }
}

std::vector<std::string> ProcessStack::Services() const {
  std::vector<std::string> services;
  for (const auto& [service, process] : processes_) services.push_back(service);
  return services;
}

void ProcessStack::WriteConfig(const Options& options, const std::map<std::string, int>& ports) {
  const app::PlatformSettings& shared = TestPlatform();
  std::ofstream out(config_path_ = dir_ + "/config.yaml");
  out << "log: {level: info}\npostgres:\n  pool_size: 4\n  shards:\n";
  for (const auto& shard : shared.postgres.shards) {
    out << "    - {name: " << shard.name << ", host: " << shard.host << ", port: " << shard.port
        << ", dbname: " << name_ << ", user: " << shard.user << "}\n";
  }
  const bool own_redis = !options.redis_host.empty();
  out << "redis: {host: " << (own_redis ? options.redis_host : shared.redis.host)
      << ", port: " << (own_redis ? options.redis_port : shared.redis.port) << ", cooldown_ms: 300}\n"
      << "kafka: {brokers: '" << (options.kafka_brokers.empty() ? shared.kafka.brokers : options.kafka_brokers)
      << "', prefix: " << name_ << "., fetch_wait_max_ms: 500, "
      << "delivery_timeout_ms: 3000, session_timeout_ms: 6000, max_attempts: 3, retry_backoff_ms: 20}\n"
      << "outbox: {poll_interval_ms: 200, failure_backoff_ms: 200}\n"
      << "services:\n"
      << "  inventory: {listen: 127.0.0.1:" << ports.at("inventory") << "}\n"
      << "  payment: {listen: 127.0.0.1:" << ports.at("payment") << "}\n"
      << "  order: {listen: 127.0.0.1:" << ports.at("order") << ", max_pending: " << options.max_pending
      << ", inventory: {target: 127.0.0.1:" << ports.at("inventory") << "}}\n"
      << "  orchestrator: {listen: 127.0.0.1:" << ports.at("orchestrator")
      << ", step_timeout_ms: " << options.step_timeout.count() << ", sweep_interval_ms: 100, stats_interval_ms: 500}\n"
      << "  analytics: {listen: 127.0.0.1:" << ports.at("analytics") << ", watch_poll_ms: 100}\n";
  // The edge as the test environment has it: its keys, a token on every call, no limit tests meet.
  const auth::Settings& auth = shared.edge.auth;
  out << "edge: {access_log: errors}\n"
      << "auth: {enabled: " << (auth.enabled ? "true" : "false") << ", jwks_file: '" << auth.jwks_file
      << "', service_key_file: '" << auth.service_key_file << "', service_key_id: '" << auth.service_key_id << "'}\n"
      << "rate_limit: {enabled: true, groups: {read: {rate_per_s: 1000000, burst: 1000000}, "
      << "write: {rate_per_s: 1000000, burst: 1000000}}}\n";
}

void ProcessStack::Start(const std::string& service) {
  Process& process = processes_.at(service);
  const std::string log = dir_ + "/" + service + ".log";
  // Everything the child needs is built before fork: between fork and exec only async-signal-safe calls.
  std::vector<std::string> environment(process.env);
  for (char** entry = environ; *entry != nullptr; ++entry) environment.emplace_back(*entry);
  std::vector<char*> envp;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<char*> argv = {process.binary.data(), const_cast<char*>("--config"), config_path_.data(), nullptr};
  const pid_t parent = getpid();
  process.pid = fork();
  if (process.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // a crashed test leaves no service behind
    if (getppid() != parent) _exit(1);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  const bool serving = WaitUntil(
      [&] {
        if (waitpid(process.pid, nullptr, WNOHANG) == process.pid) {
          process.pid = -1;
          return true;
        }
        return rpc::ProbeHealth(process.listen, "", std::chrono::milliseconds(500)) == rpc::Health::kServing;
      },
      std::chrono::seconds(60));
  if (!serving || process.pid < 0) {
    throw std::runtime_error(service + " did not start serving on " + process.listen + "; its log:\n" + Tail(log));
  }
}

void ProcessStack::Stop(const std::string& service) {
  Process& process = processes_.at(service);
  if (process.pid < 0) return;
  kill(process.pid, SIGTERM);
  if (!Reaped(process.pid, std::chrono::seconds(20))) {
    ADD_FAILURE() << service << " ignored SIGTERM for 20 s";
    kill(process.pid, SIGKILL);
    Reaped(process.pid, std::chrono::seconds(20));
  }
  process.pid = -1;
}

void ProcessStack::Kill(const std::string& service) {
  Process& process = processes_.at(service);
  if (process.pid < 0) return;
  kill(process.pid, SIGKILL);
  Reaped(process.pid, std::chrono::seconds(20));
  process.pid = -1;
}

std::string ProcessStack::Log(const std::string& service) const {
  std::ifstream in(dir_ + "/" + service + ".log");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

CommandResult ProcessStack::Ctl(const std::string& args) const {
  return RunCommand(std::string(ORDERLY_CTL_BIN) + " --config " + config_path_ + " " + args);
}

std::vector<std::string> ProcessStack::QueryShards(const std::string& sql) const {
  std::vector<std::string> outputs;
  for (const auto& shard : settings_.postgres.shards) {
    const auto result = RunCommand("psql -v ON_ERROR_STOP=1 -h " + shard.host + " -p " + std::to_string(shard.port) +
                                   " -U " + shard.user + " -d " + name_ + " -Atc \"" + sql + "\"");
    if (result.exit_code != 0) throw std::runtime_error("psql: " + sql + ": " + result.output);
    outputs.push_back(result.output);
  }
  return outputs;
}

int64_t ProcessStack::SumOverShards(const std::string& sql) const {
  int64_t sum = 0;
  for (const auto& output : QueryShards(sql)) sum += std::stoll(output);
  return sum;
}

}  // namespace orderly::testing
