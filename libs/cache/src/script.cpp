#include "orderly/cache/script.h"

namespace orderly::cache {

std::string Script::Load(RedisClient& client) {
  std::string sha = client.Command({"SCRIPT", "LOAD", source_}).text;
  std::lock_guard lock(mutex_);
  return sha_ = sha;
}

Reply Script::Run(RedisClient& client, const std::vector<std::string>& keys, const std::vector<std::string>& args) {
  std::string sha;
  {
    std::lock_guard lock(mutex_);
    sha = sha_;
  }
  if (sha.empty()) sha = Load(client);
  const auto command = [&](const std::string& digest) {
    std::vector<std::string> argv{"EVALSHA", digest, std::to_string(keys.size())};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };
  try {
    return client.Command(command(sha));
  } catch (const RedisReplyError& e) {
    if (!e.IsNoScript()) throw;
    return client.Command(command(Load(client)));
  }
}

}  // namespace orderly::cache
