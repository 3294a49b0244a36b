#pragma once

#include <string>

#include "histogram.h"
#include "orderly/tools/clients.h"
#include "workload.h"

namespace orderly::loadgen {

/// Latencies of N sequential bare calls (grpc.health.v1.Health/Check) and N sequential PlaceOrder
/// calls on one channel, in µs; failed calls are counted, not timed.
struct BareVsPlace {
  Histogram bare;
  Histogram place;
  int bare_failed = 0;
  int place_failed = 0;
};

/// Runs the comparison against the order service at `target` (after 20 untimed calls of each
/// kind to warm the channel up), placing orders that should confirm. Blocks.
[[nodiscard]] BareVsPlace RunBareVsPlace(const tools::Targets& targets, Workload& workload, int calls);

/// The result as a table on stdout, or as one JSON document.
void PrintBareVsPlace(const BareVsPlace& result, bool json);

}  // namespace orderly::loadgen
