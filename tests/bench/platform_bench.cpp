// Micro-benchmarks of the platform's hot paths: shard routing, ids and envelope coding.
#include <benchmark/benchmark.h>

#include "orderly/common/ids.h"
#include "orderly/messaging/envelope.h"
#include "orderly/pg/hash_ring.h"

namespace orderly {
namespace {

void BM_HashRingShardFor(benchmark::State& state) {
  const pg::HashRing ring(static_cast<size_t>(state.range(0)), 128);
  const std::string key = NewUuidV7();
  for (auto _ : state) benchmark::DoNotOptimize(ring.ShardFor(key));
}
BENCHMARK(BM_HashRingShardFor)->Arg(2)->Arg(16);

void BM_HashRingBuild(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(pg::HashRing(static_cast<size_t>(state.range(0)), 128));
}
BENCHMARK(BM_HashRingBuild)->Arg(2)->Arg(16);

void BM_UuidV7(benchmark::State& state) {
  UuidV7Generator ids(SystemClock::Instance());
  for (auto _ : state) benchmark::DoNotOptimize(ids.Next());
}
BENCHMARK(BM_UuidV7);

void BM_EnvelopeRoundTrip(benchmark::State& state) {
  UuidV7Generator ids(SystemClock::Instance());
  v1::ReserveStock command;
  command.set_order_id(ids.Next());
  for (int i = 0; i < 5; ++i) {
    auto* line = command.add_lines();
    line->set_sku("SKU-" + std::to_string(i));
    line->set_quantity(i + 1);
  }
  const v1::Envelope envelope = messaging::MakeEnvelope(command, {command.order_id(), "", "", "", ""}, ids,
                                                        SystemClock::Instance());
  for (auto _ : state) {
    const auto decoded = messaging::Decode(messaging::Encode(envelope));
    benchmark::DoNotOptimize(messaging::Payload<v1::ReserveStock>(decoded));
  }
}
BENCHMARK(BM_EnvelopeRoundTrip);

}  // namespace
}  // namespace orderly
