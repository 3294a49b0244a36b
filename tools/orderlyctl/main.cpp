// orderlyctl: operate and try Orderly from the command line.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli.h"
#include "orderly/app/platform_settings.h"
#include "orderly/common/errors.h"

namespace {

using namespace orderly::ctl;

void Usage(FILE* to) {
  std::fprintf(to,
               "usage: orderlyctl [--json] [--config FILE] [--order|--inventory|--payment|--orchestrator HOST:PORT]\n"
               "                  [--brokers HOST:PORT,...]\n"
               "                  GROUP COMMAND [ARGS...]\n\ncommands:\n");
  for (const auto& [name, spec] : AllCommands()) std::fprintf(to, "  %s\n", spec.usage.c_str());
  std::fprintf(to,
               "\nservice addresses: --<service> flag, else ORDERLY_<SERVICE>_ADDR, else the services section of\n"
               "--config / $ORDERLY_CONFIG / config/local.yaml; Kafka (dlq): --brokers, else the kafka section.\n"
               "Exit codes: 0 ok, 1 failed, 2 usage, 3 unreachable.\n");
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

Targets ResolveTargets(const std::map<std::string, std::string>& flags) {
  Targets targets{"127.0.0.1:17001", "127.0.0.1:17002", "127.0.0.1:17003", "127.0.0.1:17004", {}};
  targets.kafka.brokers = "127.0.0.1:19092";
  const std::string config = flags.count("config") ? flags.at("config")
                             : !Env("ORDERLY_CONFIG").empty() ? Env("ORDERLY_CONFIG")
                                                              : "config/local.yaml";
  const bool named = flags.count("config") || !Env("ORDERLY_CONFIG").empty();
  if (named && !std::filesystem::exists(config)) throw UsageError{"config file " + config + " does not exist"};
  if (std::filesystem::exists(config)) {
    const auto settings = orderly::app::LoadPlatformSettings(config);
    const auto& services = settings.services;
    targets = {services.order.server.listen, services.inventory.server.listen, services.payment.server.listen,
               services.orchestrator.server.listen, settings.kafka};
  }
  const auto pick = [&](std::string& target, const std::string& service, const char* env) {
    if (!Env(env).empty()) target = Env(env);
    if (flags.count(service)) target = flags.at(service);
  };
  pick(targets.order, "order", "ORDERLY_ORDER_ADDR");
  pick(targets.inventory, "inventory", "ORDERLY_INVENTORY_ADDR");
  pick(targets.payment, "payment", "ORDERLY_PAYMENT_ADDR");
  pick(targets.orchestrator, "orchestrator", "ORDERLY_ORCHESTRATOR_ADDR");
  if (flags.count("brokers")) targets.kafka.brokers = flags.at("brokers");
  return targets;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  std::vector<std::string> words;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      Usage(stdout);
      return 0;
    }
    if (arg == "--json") {
      json = true;
    } else if (arg.rfind("--", 0) == 0 && words.size() < 2) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "orderlyctl: %s needs a value\n", arg.c_str());
        return 2;
      }
      flags[arg.substr(2)] = argv[++i];
    } else {
      words.push_back(arg);
    }
  }
  const auto commands = AllCommands();
  auto command = commands.end();
  size_t consumed = 0;
  if (!words.empty() && (command = commands.find(words[0])) != commands.end()) consumed = 1;
  if (consumed == 0 && words.size() >= 2) {
    command = commands.find(words[0] + " " + words[1]);
    consumed = 2;
  }
  if (command == commands.end()) {
    if (!words.empty()) std::fprintf(stderr, "orderlyctl: unknown command '%s'\n\n", words[0].c_str());
    Usage(stderr);
    return 2;
  }
  try {
    Clients clients(ResolveTargets(flags));
    command->second.run(clients, Output(json), std::vector<std::string>(words.begin() + consumed, words.end()));
    return 0;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "orderlyctl: %s\nusage: orderlyctl %s\n", e.message.c_str(), command->second.usage.c_str());
    return 2;
  } catch (const CallError& e) {
    std::fprintf(stderr, "error: %s\n", e.message.c_str());
    return e.unreachable ? 3 : 1;
  } catch (const AuditFailed&) {
    return 1;
  } catch (const orderly::Unavailable& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
