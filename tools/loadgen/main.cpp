// orderly-loadgen: places orders on a local Orderly stack at a fixed rate or from N clients and
// measures how fast and how they end. `orderly-loadgen --help` explains it.
#include <csignal>
#include <cstdio>
#include <thread>

#include "bare_vs_place.h"
#include "driver.h"
#include "options.h"
#include "report.h"
#include "tracker.h"
#include "workload.h"

namespace {

using namespace orderly::loadgen;
using orderly::tools::Clients;

constexpr auto kTick = std::chrono::milliseconds(50);
volatile std::sig_atomic_t g_interrupted = 0;

double Seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

// Sends, then drains, printing progress every second; returns what the report needs.
RunInfo RunLoad(const Options& options, Workload& workload, Clients& clients, Stats& stats) {
  Tracker tracker(clients.kafka, stats);  // before the first order: the tail starts at the topic's end
  Driver driver(options, workload, *clients.order, tracker, stats);
  Progress progress;
  const auto started = Clock::now();
  auto next_line = started + std::chrono::seconds(1);
  const auto tick = [&] {
    std::this_thread::sleep_for(kTick);
    if (g_interrupted) driver.Stop();
    if (options.quiet || Clock::now() < next_line) return;
    next_line += std::chrono::seconds(1);
    const std::string line = progress.Line(Seconds(Clock::now() - started), stats.counts(), driver.in_flight(),
                                           tracker.backlog(), stats.P99());
    std::fprintf(stderr, "%s\n", line.c_str());
  };

  std::optional<Window> window;
  std::mutex window_mutex;
  std::thread sender([&] {
    const Window sent = driver.Run();
    std::lock_guard lock(window_mutex);
    window = sent;
  });
  const auto sending = [&] {
    std::lock_guard lock(window_mutex);
    return !window.has_value();
  };
  while (sending()) tick();
  sender.join();

  RunInfo run;
  run.run_id = workload.run_id();
  run.window_s = window->seconds();
  run.terminal_in_window = stats.counts().terminal;
  const auto drain_deadline =
      window->stop + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.drain_s));
  while ((driver.in_flight() > 0 || tracker.backlog() > 0) && Clock::now() < drain_deadline && !g_interrupted &&
         tracker.error().empty()) {
    tick();
  }
  run.pending = tracker.backlog();
  if (run.pending == 0 && driver.in_flight() == 0) {
    const auto last = tracker.last_terminal().value_or(window->stop);
    run.drain_s = std::max(0.0, Seconds(last - window->stop));
  }
  run.undecodable = tracker.undecodable();
  run.tail_error = tracker.error();
  return run;
}

int Run(const Options& options) {
  const auto targets = orderly::tools::ResolveTargets(options.target_flags);
  if (const auto outside = NonLoopbackTarget(targets)) {
    std::fprintf(stderr,
                 "orderly-loadgen: refusing to load %s: only loopback targets (127.0.0.0/8, localhost, ::1) are "
                 "allowed\n",
                 outside->c_str());
    return 2;
  }
  Clients clients(targets);
  Workload workload = Workload::Prepare(options, clients);
  if (options.mode == Mode::kBareVsPlace) {
    const auto result = RunBareVsPlace(targets, workload, options.bare_vs_place);
    PrintBareVsPlace(result, options.json);
    return result.bare_failed + result.place_failed > 0 ? 1 : 0;
  }
  Stats stats;
  const RunInfo run = RunLoad(options, workload, clients, stats);
  const Totals totals = stats.totals();
  if (options.json) {
    std::fputs(SummaryJson(options, run, totals).c_str(), stdout);
  } else {
    PrintSummary(options, run, totals);
  }
  return ExitCode(run, totals);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = ParseOptions(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const orderly::tools::UsageError& e) {
    std::fprintf(stderr, "orderly-loadgen: %s\n(--help explains every flag)\n", e.message.c_str());
    return 2;
  }
  if (options.help) {
    std::fputs(UsageText().c_str(), stdout);
    return 0;
  }
  std::signal(SIGINT, [](int) { g_interrupted = 1; });
  try {
    return Run(options);
  } catch (const orderly::tools::UsageError& e) {
    std::fprintf(stderr, "orderly-loadgen: %s\n", e.message.c_str());
    return 2;
  } catch (...) {
    return orderly::tools::ReportFailure();
  }
}
