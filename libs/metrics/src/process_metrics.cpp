#include "orderly/metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace orderly::metrics {

namespace {

// /proc/self/stat fields after the command name (which may contain spaces, so parse after ')').
// Field numbers as in proc(5): utime 14, stime 15, starttime 22.
struct Stat {
  double utime_ticks = 0;
  double stime_ticks = 0;
  double start_ticks = 0;
};

Stat ReadStat() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  Stat stat;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return stat;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  for (int number = 3; fields >> field; ++number) {
    if (number == 14) stat.utime_ticks = std::stod(field);
    if (number == 15) stat.stime_ticks = std::stod(field);
    if (number == 22) {
      stat.start_ticks = std::stod(field);
      break;
    }
  }
  return stat;
}

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

// Pages from /proc/self/statm: total program size and resident set.
std::pair<double, double> MemoryBytes() {
  std::ifstream in("/proc/self/statm");
  double size = 0;
  double resident = 0;
  in >> size >> resident;
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  return {size * page, resident * page};
}

double OpenFds() {
  std::error_code error;
  double count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    ++count;
  }
  return count;
}

double MaxFds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<double>(limit.rlim_cur);
}

std::vector<Sample> One(double value) { return {Sample{{}, value}}; }

}  // namespace

ProcessMetrics::ProcessMetrics(Registry& registry) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  // Fixed for the process's life, so computed once.
  const double start_time = BootTimeSeconds() + ReadStat().start_ticks / ticks;
  handles_.push_back(registry.AddCallback(
      {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", Type::kCounter, {}},
      [ticks] {
        const Stat stat = ReadStat();
        return One((stat.utime_ticks + stat.stime_ticks) / ticks);
      }));
  handles_.push_back(registry.AddCallback(
      {"process_resident_memory_bytes", "Resident memory size in bytes.", Type::kGauge, {}},
      [] { return One(MemoryBytes().second); }));
  handles_.push_back(registry.AddCallback(
      {"process_virtual_memory_bytes", "Virtual memory size in bytes.", Type::kGauge, {}},
      [] { return One(MemoryBytes().first); }));
  handles_.push_back(registry.AddCallback(
      {"process_open_fds", "Number of open file descriptors.", Type::kGauge, {}}, [] { return One(OpenFds()); }));
  handles_.push_back(registry.AddCallback(
      {"process_max_fds", "Maximum number of open file descriptors.", Type::kGauge, {}},
      [] { return One(MaxFds()); }));
  handles_.push_back(registry.AddCallback(
      {"process_start_time_seconds", "Start time of the process since unix epoch in seconds.", Type::kGauge, {}},
      [start_time] { return One(start_time); }));
}

}  // namespace orderly::metrics
