#include "orderly/metrics/standard.h"

namespace orderly::metrics {

Family<Counter>& RateLimitRefusals(Registry& registry) {
  return registry.CounterFamily("orderly_rate_limit_refusals_total",
                                "Calls refused with RESOURCE_EXHAUSTED by the rate limiter, by method group.",
                                {"group"});
}

}  // namespace orderly::metrics
