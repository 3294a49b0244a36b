#include "orderly/cache/lease_lock.h"

#include "orderly/common/ids.h"

namespace orderly::cache {
namespace {

// Compare-and-act: only the token's owner may touch the lease.
Script& ReleaseScript() {
  static Script script(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0)lua");
  return script;
}

Script& ExtendScript() {
  static Script script(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0)lua");
  return script;
}

}  // namespace

LeaseLock::LeaseLock(RedisClient& client, std::string name, std::chrono::milliseconds ttl)
    : client_(client), key_("orderly:lock:" + std::move(name)), ttl_(ttl), token_(RandomHexToken()) {}

bool LeaseLock::TryAcquire() {
  const Reply reply = client_.Command({"SET", key_, token_, "NX", "PX", std::to_string(ttl_.count())});
  return reply.type == Reply::Type::kStatus;
}

bool LeaseLock::Extend() { return ExtendScript().Run(client_, {key_}, {token_, std::to_string(ttl_.count())}).integer == 1; }

bool LeaseLock::Release() { return ReleaseScript().Run(client_, {key_}, {token_}).integer == 1; }

}  // namespace orderly::cache
