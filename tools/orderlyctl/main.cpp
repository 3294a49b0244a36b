// orderlyctl: operate and try Orderly from the command line.
#include <cstdio>

#include "cli.h"

namespace {

using namespace orderly::ctl;

void Usage(FILE* to) {
  std::fprintf(to,
               "usage: orderlyctl [--json] [--config FILE]\n"
               "                  [--order|--inventory|--payment|--orchestrator|--analytics HOST:PORT]\n"
               "                  [--brokers HOST:PORT,...] [--tls-ca CA_PEM]\n"
               "                  GROUP COMMAND [ARGS...]\n\ncommands:\n");
  for (const auto& [name, spec] : AllCommands()) std::fprintf(to, "  %s\n", spec.usage.c_str());
  std::fprintf(to,
               "\nservice addresses: --<service> flag, else ORDERLY_<SERVICE>_ADDR, else the services section of\n"
               "--config / $ORDERLY_CONFIG / config/local.yaml; Kafka (dlq): --brokers, else the kafka section.\n"
               "Calls carry $ORDERLY_TOKEN, else an admin token minted with the config's auth.service_key_file;\n"
               "--tls-ca (or $ORDERLY_TLS_CA) makes them TLS, verified against that CA.\n"
               "Exit codes: 0 ok, 1 failed, 2 usage, 3 unreachable.\n");
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
  } catch (const AuditFailed&) {
    return 1;
  } catch (...) {
    return orderly::tools::ReportFailure();
  }
}
