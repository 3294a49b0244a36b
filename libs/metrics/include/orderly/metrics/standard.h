#pragma once

// Families that code in several libraries records into, registered in one place so their names,
// help and labels cannot drift apart.
#include "orderly/metrics/registry.h"

namespace orderly::metrics {

/// `orderly_rate_limit_refusals_total{group}`: calls the rate limiter refused with RESOURCE_EXHAUSTED,
/// by method group (never by customer: unbounded label values). Resolve the group's counter once,
/// e.g. `Counter& refused = RateLimitRefusals().Labels({"orders"});`, then `refused.Inc()` per refusal.
[[nodiscard]] Family<Counter>& RateLimitRefusals(Registry& registry = DefaultRegistry());

}  // namespace orderly::metrics
