#include "orderly/cache/redis_client.h"

#include <hiredis/hiredis.h>

#include <atomic>

#include "orderly/common/bounded_pool.h"

namespace orderly::cache {
namespace {

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

// BoundedPool owns objects by unique_ptr<T>; this wraps the C handle so its deleter is redisFree.
struct Connection {
  std::unique_ptr<redisContext, ContextDeleter> context;
};

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

Reply Convert(const redisReply& raw) {
  Reply reply;
  switch (raw.type) {
    case REDIS_REPLY_STRING:
      reply.type = Reply::Type::kString;
      reply.text.assign(raw.str, raw.len);
      break;
    case REDIS_REPLY_STATUS:
      reply.type = Reply::Type::kStatus;
      reply.text.assign(raw.str, raw.len);
      break;
    case REDIS_REPLY_INTEGER:
      reply.type = Reply::Type::kInteger;
      reply.integer = raw.integer;
      break;
    case REDIS_REPLY_ARRAY:
      reply.type = Reply::Type::kArray;
      for (size_t i = 0; i < raw.elements; ++i) reply.elements.push_back(Convert(*raw.element[i]));
      break;
    case REDIS_REPLY_ERROR:
      throw RedisReplyError(std::string(raw.str, raw.len));
    default:
      break;
  }
  return reply;
}

}  // namespace

Settings Settings::Parse(const config::Node& section) {
  Settings settings;
  settings.host = section.String("host", settings.host);
  settings.port = static_cast<int>(section.Int("port", settings.port, 1, 65535));
  settings.pool_size = static_cast<int>(section.Int("pool_size", settings.pool_size, 1, 1024));
  settings.connect_timeout = std::chrono::milliseconds(section.Int("connect_timeout_ms", settings.connect_timeout.count(), 1, 60'000));
  settings.command_timeout = std::chrono::milliseconds(section.Int("command_timeout_ms", settings.command_timeout.count(), 1, 60'000));
  settings.cooldown = std::chrono::milliseconds(section.Int("cooldown_ms", settings.cooldown.count(), 0, 600'000));
  settings.cache_ttl = std::chrono::seconds(section.Int("cache_ttl_s", settings.cache_ttl.count(), 1, 86'400 * 30));
  return settings;
}

struct RedisClient::Impl {
  Settings settings;
  std::string endpoint;
  BoundedPool<Connection> pool;
  std::atomic<int64_t> down_until_ns{0};  // steady-clock time the cool-down ends

  explicit Impl(const Settings& s)
      : settings(s),
        endpoint(s.host + ":" + std::to_string(s.port)),
        pool(static_cast<size_t>(s.pool_size), [this] { return Open(); }) {}

  std::unique_ptr<Connection> Open() {
    const timeval timeout = ToTimeval(settings.connect_timeout);
    std::unique_ptr<redisContext, ContextDeleter> context(
        redisConnectWithTimeout(settings.host.c_str(), settings.port, timeout));
    if (context == nullptr || context->err != 0) {
      Fail(context ? context->errstr : "out of memory");
    }
    const timeval command_timeout = ToTimeval(settings.command_timeout);
    redisSetTimeout(context.get(), command_timeout);
    return std::make_unique<Connection>(Connection{std::move(context)});
  }

  [[noreturn]] void Fail(const std::string& reason) {
    const auto until = std::chrono::steady_clock::now() + settings.cooldown;
    down_until_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(until.time_since_epoch()).count();
    throw RedisUnavailable("redis " + endpoint + ": " + reason + "; skipping redis for " +
                           std::to_string(settings.cooldown.count()) + " ms");
  }

  bool CoolingDown() const {
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() < down_until_ns.load();
  }
};

RedisClient::RedisClient(const Settings& settings) : impl_(std::make_unique<Impl>(settings)) {}
RedisClient::~RedisClient() = default;

bool RedisClient::Available() const { return !impl_->CoolingDown(); }

Reply RedisClient::Command(const std::vector<std::string>& argv) {
  if (impl_->CoolingDown()) throw RedisUnavailable("redis " + impl_->endpoint + " is in its failure cool-down");
  auto lease = impl_->pool.TryAcquire(impl_->settings.command_timeout);
  if (!lease) throw RedisUnavailable("redis " + impl_->endpoint + ": no free connection (redis.pool_size)");
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (const auto& arg : argv) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  redisContext* context = (*lease)->context.get();
  std::unique_ptr<redisReply, ReplyDeleter> raw(static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(args.size()), args.data(), lengths.data())));
  if (raw == nullptr) {
    lease->MarkBroken();
    impl_->Fail(context->errstr[0] != '\0' ? context->errstr : "connection lost");
  }
  return Convert(*raw);
}

}  // namespace orderly::cache
