#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "orderly/tools/clients.h"
#include "orderly/tools/output.h"

namespace orderly::ctl {

using tools::CallError;
using tools::Clients;
using tools::Output;
using tools::ParseInt;
using tools::ResolveTargets;
using tools::Targets;
using tools::UsageError;

/// The audit found violations (already printed): exit code 1.
struct AuditFailed {};

/// "12.50 EUR" for 1250 minor units.
[[nodiscard]] std::string FormatMoney(const v1::Money& money);

/// One "group command" handler: takes its positional arguments.
using Command = std::function<void(Clients& clients, const Output& out, const std::vector<std::string>& args)>;

/// Every command, by "group command" name, with its usage line.
struct CommandSpec {
  std::string usage;
  Command run;
};
[[nodiscard]] std::map<std::string, CommandSpec> AllCommands();

/// `orders trace ORDER_ID` (trace_command.cpp).
[[nodiscard]] CommandSpec OrdersTraceCommand();

}  // namespace orderly::ctl
