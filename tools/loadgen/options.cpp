#include "options.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <set>

namespace orderly::loadgen {
namespace {

using tools::UsageError;

const std::set<std::string, std::less<>> kTargetFlags = {"config",  "order",        "inventory",
                                                         "payment", "orchestrator", "brokers", "tls-ca"};

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

double ParseDouble(const std::string& text, const std::string& flag, double min, double max) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    throw UsageError{"--" + flag + " must be a number from " + Number(min) + " to " + Number(max) + ", got '" + text +
                     "'"};
  }
  return value;
}

int64_t ParseCount(const std::string& text, const std::string& flag, int64_t min, int64_t max) {
  const int64_t value = tools::ParseInt(text, "--" + flag);
  if (value < min || value > max) {
    throw UsageError{"--" + flag + " must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                     text};
  }
  return value;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> items;
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find(',', start), text.size());
    items.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

std::vector<std::string> ParseList(const std::string& text, const std::string& flag) {
  auto items = Split(text);
  if (std::count(items.begin(), items.end(), "") > 0) {
    throw UsageError{"--" + flag + " needs a comma-separated list without empty entries"};
  }
  return items;
}

// Picks the mode and refuses combinations that cannot run.
void Check(Options& o, const std::set<std::string>& given) {
  const bool open = given.count("rate") > 0;
  const bool closed = given.count("clients") > 0;
  o.mode = given.count("bare-vs-place") ? Mode::kBareVsPlace : closed ? Mode::kClosedLoop : Mode::kOpenLoop;
  if (o.mode == Mode::kBareVsPlace) {
    if (open || closed) throw UsageError{"--bare-vs-place runs alone, without --rate or --clients"};
    return;
  }
  if (open == closed) throw UsageError{"give exactly one of --rate R (open loop) and --clients N (closed loop)"};
  if (!o.duration_s && !o.count) throw UsageError{"refusing to run unbounded: give --duration S and/or --count N"};
  if (o.out_of_stock + o.poor + o.cancel > 1.0 + 1e-9) {
    throw UsageError{"--out-of-stock, --poor and --cancel add up to more than 1"};
  }
}

}  // namespace

Options ParseOptions(const std::vector<std::string>& args) {
  Options o;
  std::set<std::string> given;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      return o;
    }
    if (arg == "--json" || arg == "--quiet") {
      (arg == "--json" ? o.json : o.quiet) = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) throw UsageError{"unexpected argument '" + arg + "'"};
    const std::string flag = arg.substr(2);
    if (i + 1 >= args.size()) throw UsageError{arg + " needs a value"};
    const std::string& value = args[++i];
    given.insert(flag);
    if (kTargetFlags.count(flag)) {
      o.target_flags[flag] = value;
    } else if (flag == "rate") {
      o.rate = ParseDouble(value, flag, 0.001, 1'000'000);
    } else if (flag == "clients") {
      o.clients = static_cast<int>(ParseCount(value, flag, 1, 10'000));
    } else if (flag == "duration") {
      o.duration_s = ParseDouble(value, flag, 0.001, 86'400);
    } else if (flag == "count") {
      o.count = ParseCount(value, flag, 1, 1'000'000'000);
    } else if (flag == "drain") {
      o.drain_s = ParseDouble(value, flag, 0, 3'600);
    } else if (flag == "max-in-flight") {
      o.max_in_flight = static_cast<int>(ParseCount(value, flag, 1, 100'000));
    } else if (flag == "seed") {
      o.seed = static_cast<uint64_t>(ParseCount(value, flag, 0, INT64_MAX));
    } else if (flag == "out-of-stock" || flag == "poor" || flag == "cancel") {
      (flag == "poor" ? o.poor : flag == "cancel" ? o.cancel : o.out_of_stock) = ParseDouble(value, flag, 0, 1);
    } else if (flag == "skus") {
      o.skus = ParseList(value, flag);
    } else if (flag == "empty-sku") {
      o.empty_sku = value;
    } else if (flag == "customers") {
      o.customers = ParseList(value, flag);
    } else if (flag == "poor-customers") {
      o.poor_customers = ParseList(value, flag);
    } else if (flag == "catalog") {
      o.catalog = static_cast<int>(ParseCount(value, flag, 1, 1'000));
    } else if (flag == "accounts") {
      o.accounts = static_cast<int>(ParseCount(value, flag, 1, 10'000));
    } else if (flag == "currency") {
      o.currency = value;
    } else if (flag == "bare-vs-place") {
      o.bare_vs_place = static_cast<int>(ParseCount(value, flag, 1, 1'000'000));
    } else {
      throw UsageError{"unknown flag " + arg};
    }
  }
  Check(o, given);
  return o;
}

bool IsLoopback(std::string_view address) {
  for (const std::string_view scheme : {"dns:///", "ipv4:", "ipv6:"}) {
    if (address.substr(0, scheme.size()) == scheme) address.remove_prefix(scheme.size());
  }
  std::string host;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == std::string_view::npos) return false;
    host = address.substr(1, close - 1);
  } else if (std::count(address.begin(), address.end(), ':') == 1) {
    host = address.substr(0, address.find(':'));
  } else {
    host = address;  // no port, or a bare IPv6 address
  }
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::optional<std::string> NonLoopbackTarget(const tools::Targets& targets) {
  const std::vector<std::pair<std::string, std::string>> services = {
      {"order", targets.order}, {"inventory", targets.inventory}, {"payment", targets.payment}};
  for (const auto& [name, address] : services) {
    if (!IsLoopback(address)) return name + " " + address;
  }
  for (const auto& broker : Split(targets.kafka.brokers)) {
    if (!IsLoopback(broker)) return "kafka broker " + broker;
  }
  return std::nullopt;
}

std::string UsageText() {
  return R"(usage: orderly-loadgen (--rate R | --clients N) (--duration S | --count N) [OPTIONS]
       orderly-loadgen --bare-vs-place N [OPTIONS]

Places orders on a local Orderly stack and sees each one end on the order.events topic (tailed
from its end, prefix from the config). Progress every second on stderr, a summary on stdout.

load (one of --rate and --clients; at least one of --duration and --count):
  --rate R              open loop: one order every 1/R s; latency counts from each order's
                        intended send time, so a stalled server cannot hide its queue
  --clients N           closed loop: N clients, each placing its next order when the last returned
  --duration S          stop sending after S seconds
  --count N             stop sending after N orders (whichever comes first)
  --drain S             then wait up to S s for accepted orders to end (default 30)
  --max-in-flight N     cap on PlaceOrder calls outstanding (default 1000); an open-loop order
                        waits for a slot, and the wait counts in its latency
  --seed N              seed of the random outcome mix (default 1)

outcome mix (shares of the orders, 0..1, together at most 1; the rest should confirm):
  --out-of-stock F      order the SKU without stock: expect REJECTED (OUT_OF_STOCK)
  --poor F              by a customer with too little money: expect REJECTED (PAYMENT_DECLINED)
  --cancel F            CancelOrder right after PlaceOrder returned: expect CANCELLED, or
                        CONFIRMED if the saga finished first
  Every order is one unit of one SKU. Refusals (RESOURCE_EXHAUSTED, with retry-after-ms) are
  counted apart, not retried; a closed-loop client waits the delay before its next order.

catalog and customers: seeded per run with unique names (lg-<time>-<pid>-...) unless given:
  --skus A,B,...          existing SKUs with enough stock (else --catalog N seeded, default 8,
                          1,000,000 units each)
  --empty-sku SKU         an existing SKU without stock (else one is seeded)
  --customers A,B,...     existing customers with enough money (else --accounts N seeded,
                          default 32)
  --poor-customers A,...  existing customers with less than one unit's price (else 4 seeded)
  --currency C            currency of the orders and seeded accounts (default EUR)

other:
  --bare-vs-place N     instead of load: on one channel, N sequential grpc.health.v1 Check calls,
                        then N sequential PlaceOrder calls; p50/p99 of each and the p50 ratio
  --json                one JSON document on stdout instead of the tables
  --quiet               no progress lines
  --config FILE, --order/--inventory/--payment HOST:PORT, --brokers HOST:PORT,..., --tls-ca CA_PEM
                        where the stack is, as for orderlyctl (default $ORDERLY_CONFIG or
                        config/local.yaml)

Targets must be on loopback (127.0.0.0/8, localhost, ::1).
Exit codes: 0 every order ended as expected; 1 an unexpected outcome, a failed call (refusals
excepted) or an order still pending after the drain; 2 usage or a target not on loopback;
3 a service or the broker unreachable.
)";
}

}  // namespace orderly::loadgen
