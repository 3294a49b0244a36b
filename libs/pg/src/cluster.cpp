#include "orderly/pg/cluster.h"

#include <spdlog/spdlog.h>

#include <map>
#include <random>
#include <thread>

#include "connection_pool.h"
#include "orderly/metrics/registry.h"
#include "orderly/pg/hash_ring.h"
#include "pipeline.h"

namespace orderly::pg {

struct TransactionImpl {
  detail::Pipeline& pipeline;
  const Cluster& cluster;
  size_t shard;
  std::vector<std::function<void()>> before_commit;
  std::vector<std::function<void()>> after_commit;
  std::map<const void*, std::shared_ptr<void>> locals;
};

namespace {

std::string BeginStatement(const TxOptions& options) {
  std::string begin = "BEGIN";
  if (options.isolation == Isolation::kSerializable) begin += " ISOLATION LEVEL SERIALIZABLE";
  if (options.isolation == Isolation::kRepeatableRead) begin += " ISOLATION LEVEL REPEATABLE READ";
  if (options.read_only) begin += " READ ONLY";
  return begin;
}

// Gives a session back broken, so its pool drops it, unless it is healthy.
struct DropIfBroken {
  detail::ConnectionPool::Lease& lease;
  ~DropIfBroken() {
    if (!lease->healthy()) lease.MarkBroken();
  }
};

}  // namespace

Result Transaction::Exec(std::string_view sql, const std::vector<Param>& params) {
  return Result(impl_.pipeline.Send(sql, params));
}

void Transaction::ExecScript(std::string_view sql) { impl_.pipeline.Script(sql); }

size_t Transaction::shard() const { return impl_.shard; }

const Cluster& Transaction::cluster() const { return impl_.cluster; }

void Transaction::BeforeCommit(std::function<void()> action) { impl_.before_commit.push_back(std::move(action)); }

void Transaction::AfterCommit(std::function<void()> action) { impl_.after_commit.push_back(std::move(action)); }

std::shared_ptr<void>& Transaction::Local(const void* owner) { return impl_.locals[owner]; }

struct Cluster::Impl {
  Settings settings;
  std::string schema;
  HashRing ring;
  std::vector<std::string> dsns;
  std::vector<std::string> contexts;  // "postgres shard <name> (...)" for messages
  std::vector<std::unique_ptr<detail::ConnectionPool>> pools;
  std::vector<metrics::CallbackHandle> pool_metrics;  // after pools: they go first

  // Pool figures of every shard, one sample per shard, computed by `figure`.
  metrics::Registry::Callback PoolSamples(std::function<double(const PoolStats&)> figure) const {
    return [this, figure = std::move(figure)] {
      std::vector<metrics::Sample> samples;
      for (size_t shard = 0; shard < pools.size(); ++shard) {
        samples.push_back({{schema, settings.shards[shard].name}, figure(pools[shard]->Stats())});
      }
      return samples;
    };
  }

  void RegisterPoolMetrics(metrics::Registry& registry) {
    const std::vector<std::string> labels{"schema", "shard"};
    pool_metrics.push_back(registry.AddCallback(
        {"orderly_pg_pool_connections", "Open PostgreSQL connections (idle and in use), by shard.",
         metrics::Type::kGauge, labels},
        PoolSamples([](const PoolStats& stats) { return static_cast<double>(stats.open); })));
    pool_metrics.push_back(registry.AddCallback(
        {"orderly_pg_pool_in_use", "PostgreSQL connections on loan to a transaction, by shard.",
         metrics::Type::kGauge, labels},
        PoolSamples([](const PoolStats& stats) { return static_cast<double>(stats.open - stats.idle); })));
    pool_metrics.push_back(registry.AddCallback(
        {"orderly_pg_pool_max_connections", "The connection pool's size limit (postgres.pool_size), by shard.",
         metrics::Type::kGauge, labels},
        PoolSamples([size = settings.pool_size](const PoolStats&) { return static_cast<double>(size); })));
  }

  Impl(const Settings& s, std::string schema_name)
      : settings(s), schema(std::move(schema_name)), ring(s.shards.size(), static_cast<size_t>(s.virtual_nodes)) {}

  std::chrono::milliseconds Backoff(int attempt) const {
    thread_local std::mt19937 engine{std::random_device{}()};
    const auto ceiling = std::min(settings.retry_backoff_max.count(),
                                  settings.retry_backoff_base.count() << std::min(attempt, 20));
    // Full jitter keeps retrying transactions from colliding again in lockstep.
    return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(ceiling, 0))(engine));
  }
};

Cluster::Cluster(const Settings& settings, std::string schema) : impl_(std::make_unique<Impl>(settings, std::move(schema))) {
  for (const auto& shard : settings.shards) {
    std::string dsn = shard.Dsn() + " connect_timeout=" + std::to_string(settings.connect_timeout_s) +
                      " application_name='orderly-" + impl_->schema + "'";
    // Our statements are prepared, small and selective whatever their parameters, so one generic plan
    // serves them; planning some (CTEs) again on every execution cost about a tenth of PostgreSQL's CPU.
    std::string options = "-c plan_cache_mode=force_generic_plan";
    if (!impl_->schema.empty()) options += " -c search_path=" + impl_->schema;
    dsn += " options='" + options + "'";
    impl_->dsns.push_back(dsn);
    impl_->contexts.push_back("postgres shard " + shard.Describe());
    impl_->pools.push_back(std::make_unique<detail::ConnectionPool>(
        shard.Describe(), dsn, static_cast<size_t>(settings.pool_size), settings.acquire_timeout,
        metrics::DefaultRegistry()
            .HistogramFamily("orderly_pg_pool_wait_seconds",
                             "Time a transaction waited for a PostgreSQL connection (connecting included), by shard.",
                             {"schema", "shard"}, metrics::LatencyBuckets())
            .Labels({impl_->schema, shard.name})));
    // Fail start-up now rather than on the first request; the connection stays pooled.
    auto lease = impl_->pools.back()->Acquire();
  }
  impl_->RegisterPoolMetrics(metrics::DefaultRegistry());
}

Cluster::~Cluster() = default;

size_t Cluster::shard_count() const { return impl_->pools.size(); }
size_t Cluster::ShardFor(std::string_view key) const { return impl_->ring.ShardFor(key); }
const ShardSettings& Cluster::shard(size_t index) const { return impl_->settings.shards.at(index); }
const std::string& Cluster::schema() const { return impl_->schema; }
PoolStats Cluster::Stats(size_t shard) const { return impl_->pools.at(shard)->Stats(); }

void Cluster::RunTransaction(size_t shard, const std::function<void(Transaction&)>& fn, const TxOptions& options) {
  auto& pool = *impl_->pools.at(shard);
  const std::string& context = impl_->contexts[shard];
  for (int attempt = 1;; ++attempt) {
    auto lease = pool.Acquire();
    detail::Connection& connection = *lease;
    // A session left broken (or with results unread) goes, whichever way the attempt ends.
    const DropIfBroken drop{lease};
    try {
      detail::Pipeline pipeline(connection, context);
      TransactionImpl impl{pipeline, *this, shard, {}, {}, {}};
      try {
        // BEGIN (and the lock timeout) go out with the first statement, not in round trips of their own.
        (void)pipeline.Send(BeginStatement(options), {});
        if (options.lock_timeout.count() > 0) {
          (void)pipeline.Send("SELECT set_config('lock_timeout', $1, true)",
                              {std::to_string(options.lock_timeout.count())});
        }
        Transaction tx(impl);
        fn(tx);
        // By index: an action may add another (a write it flushes takes an outbox ticket).
        for (size_t i = 0; i < impl.before_commit.size(); ++i) impl.before_commit[i]();
        pipeline.Commit();
      } catch (...) {
        if (!pipeline.Rollback()) connection.MarkBroken();
        throw;
      }
      for (auto& action : impl.after_commit) {
        try {
          action();
        } catch (const std::exception& e) {
          spdlog::warn("{}: after-commit action failed: {}", context, e.what());
        }
      }
      return;
    } catch (const CommitInDoubt&) {
      connection.MarkBroken();
      throw;
    } catch (const ConnectionError&) {
      connection.MarkBroken();
      if (attempt >= impl_->settings.max_attempts) throw;
    } catch (const ServerError& e) {
      if (!e.IsRetryable() || attempt >= impl_->settings.max_attempts) throw;
      std::this_thread::sleep_for(impl_->Backoff(attempt));
    }
  }
}

}  // namespace orderly::pg
