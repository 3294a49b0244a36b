// orderlyctl analytics sales|top|watch: the sales windows of the analytics service, as tables with
// a bar chart for people, JSON (--json) for scripts.
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "cli.h"

namespace orderly::ctl {
namespace {

using Args = std::vector<std::string>;
using google::protobuf::util::TimeUtil;

constexpr size_t kBarWidth = 40;

// "15m", "1h", "90s", "2d" -> seconds. @throws UsageError naming `flag`.
int64_t ParseSpan(const std::string& text, const std::string& flag) {
  static const std::map<char, int64_t> kUnits = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86'400}};
  const auto unit = text.empty() ? kUnits.end() : kUnits.find(text.back());
  if (unit == kUnits.end()) throw UsageError{flag + " takes a number with s, m, h or d, e.g. 15m; got '" + text + "'"};
  const int64_t count = ParseInt(text.substr(0, text.size() - 1), flag);
  if (count <= 0) throw UsageError{flag + " must be positive, got '" + text + "'"};
  return count * unit->second;
}

// The values of `--name VALUE` options in `args`, each name one of `known`.
std::map<std::string, std::string> Options(const Args& args, const std::vector<std::string>& known) {
  std::map<std::string, std::string> options;
  for (size_t i = 0; i < args.size(); i += 2) {
    if (std::find(known.begin(), known.end(), args[i]) == known.end()) throw UsageError{"unknown option " + args[i]};
    if (i + 1 >= args.size()) throw UsageError{args[i] + " needs a value"};
    options[args[i]] = args[i + 1];
  }
  return options;
}

// `now_ms` less the --last span (`fallback` without it).
int64_t LastFromMs(const std::map<std::string, std::string>& options, const std::string& fallback, int64_t now_ms) {
  return now_ms - ParseSpan(options.count("--last") ? options.at("--last") : fallback, "--last") * 1000;
}

// Sets [now - last, now) on a request with from and to.
template <typename Request>
void SetLast(Request& request, const std::map<std::string, std::string>& options, const std::string& fallback) {
  const int64_t now_ms = ToUnixMillis(SystemClock::Instance().Now());
  *request.mutable_from() = TimeUtil::MillisecondsToTimestamp(LastFromMs(options, fallback, now_ms));
  *request.mutable_to() = TimeUtil::MillisecondsToTimestamp(now_ms);
}

// "14:05" (UTC) of a window's start.
std::string Minute(const google::protobuf::Timestamp& at) {
  const std::time_t seconds = at.seconds();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M", &utc);
  return text;
}

// Minor units by currency, summed into `into`.
void AddAmounts(std::map<std::string, int64_t>& into, const google::protobuf::RepeatedPtrField<v1::Money>& amounts) {
  for (const auto& money : amounts) into[money.currency()] += money.minor_units();
}

// "12.50 EUR, 3.00 USD", or "-" for none.
std::string Amounts(const std::map<std::string, int64_t>& amounts) {
  std::string text;
  for (const auto& [currency, minor_units] : amounts) {
    v1::Money money;
    money.set_currency(currency);
    money.set_minor_units(minor_units);
    text += (text.empty() ? "" : ", ") + FormatMoney(money);
  }
  return text.empty() ? "-" : text;
}

std::string Amounts(const google::protobuf::RepeatedPtrField<v1::Money>& amounts) {
  std::map<std::string, int64_t> by_currency;
  AddAmounts(by_currency, amounts);
  return Amounts(by_currency);
}

std::string Bar(int64_t value, int64_t max) {
  const size_t width = max <= 0 ? 0 : static_cast<size_t>((value * static_cast<int64_t>(kBarWidth) + max - 1) / max);
  std::string bar;
  for (size_t i = 0; i < width; ++i) bar += "\u2588";
  return bar;
}

std::string Latency(const v1::LatencyPercentiles& latency) {
  if (latency.count() == 0) return "-";
  return std::to_string(latency.p50_ms()) + "/" + std::to_string(latency.p99_ms());
}

std::vector<std::string> WindowRow(const v1::SalesWindow& window, int64_t max_placed) {
  return {Minute(window.start()),
          std::to_string(window.placed()),
          std::to_string(window.confirmed()),
          std::to_string(window.rejected()),
          std::to_string(window.cancelled()),
          std::to_string(window.refunded()),
          Amounts(window.revenue()),
          Latency(window.latency()),
          Bar(window.placed(), max_placed)};
}

const std::vector<std::string> kWindowHeader = {"WINDOW",   "PLACED",  "CONFIRMED",  "REJECTED",      "CANCELLED",
                                                "REFUNDED", "REVENUE", "P50/P99 MS", "CHART (PLACED)"};

// One line summing the windows: counts, rejections by reason, revenue and refunds, late drops.
void PrintTotals(const v1::GetSalesResponse& sales) {
  v1::SalesWindow total;
  std::map<std::string, int64_t> reasons, revenue, refunds;
  for (const auto& window : sales.windows()) {
    total.set_placed(total.placed() + window.placed());
    total.set_confirmed(total.confirmed() + window.confirmed());
    total.set_rejected(total.rejected() + window.rejected());
    total.set_cancelled(total.cancelled() + window.cancelled());
    total.set_refunded(total.refunded() + window.refunded());
    total.set_late_dropped(total.late_dropped() + window.late_dropped());
    for (const auto& rejection : window.rejections()) {
      reasons[v1::RejectReason_Name(rejection.reason()).substr(std::string("REJECT_REASON_").size())] +=
          rejection.count();
    }
    AddAmounts(revenue, window.revenue());
    AddAmounts(refunds, window.refunds());
  }
  std::string why;
  for (const auto& [reason, count] : reasons) why += (why.empty() ? "" : ", ") + reason + " " + std::to_string(count);
  std::printf(
      "%d windows: %lld placed, %lld confirmed, %lld rejected%s, %lld cancelled, %lld refunded; "
      "revenue %s, refunds %s; %lld late events dropped\n",
      sales.windows_size(), static_cast<long long>(total.placed()), static_cast<long long>(total.confirmed()),
      static_cast<long long>(total.rejected()), why.empty() ? "" : (" (" + why + ")").c_str(),
      static_cast<long long>(total.cancelled()), static_cast<long long>(total.refunded()), Amounts(revenue).c_str(),
      Amounts(refunds).c_str(), static_cast<long long>(total.late_dropped()));
}

void AnalyticsSales(Clients& c, const Output& out, const Args& args) {
  const auto options = Options(args, {"--last", "--granularity"});
  v1::GetSalesRequest request;
  SetLast(request, options, "15m");
  if (options.count("--granularity")) {
    request.mutable_granularity()->set_seconds(ParseSpan(options.at("--granularity"), "--granularity"));
  }
  const auto response = c.Call("analytics", *c.analytics, &v1::AnalyticsService::Stub::GetSales, request);
  out.Print(response, [&] {
    int64_t max_placed = 0;
    for (const auto& window : response.windows()) max_placed = std::max(max_placed, window.placed());
    std::vector<std::vector<std::string>> rows;
    for (const auto& window : response.windows()) rows.push_back(WindowRow(window, max_placed));
    Output::Table(kWindowHeader, rows);
    PrintTotals(response);
  });
}

void AnalyticsTop(Clients& c, const Output& out, const Args& args) {
  const auto options = Options(args, {"--last", "-n"});
  v1::TopProductsRequest request;
  SetLast(request, options, "1h");
  if (options.count("-n")) request.set_n(static_cast<int32_t>(ParseInt(options.at("-n"), "-n")));
  const auto response = c.Call("analytics", *c.analytics, &v1::AnalyticsService::Stub::TopProducts, request);
  out.Print(response, [&] {
    const int64_t max_units = response.products().empty() ? 0 : response.products(0).units();
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < response.products_size(); ++i) {
      const auto& product = response.products(i);
      rows.push_back({std::to_string(i + 1), product.sku(), std::to_string(product.units()), Amounts(product.revenue()),
                      Bar(product.units(), max_units)});
    }
    Output::Table({"#", "SKU", "UNITS", "REVENUE", "CHART (UNITS)"}, rows);
  });
}

void AnalyticsWatch(Clients& c, const Output& out, const Args& args) {
  const auto options = Options(args, {"--last"});
  v1::WatchSalesRequest request;
  *request.mutable_from() =
      TimeUtil::MillisecondsToTimestamp(LastFromMs(options, "15m", ToUnixMillis(SystemClock::Instance().Now())));
  grpc::ClientContext context;
  auto reader = c.analytics->WatchSales(&context, request);
  v1::WatchSalesResponse update;
  while (reader->Read(&update)) {
    out.Print(update, [&] {
      std::vector<std::string> row = WindowRow(update.window(), update.window().placed());
      row.pop_back();  // one window alone: no chart
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i == 0 ? "" : "  ") + kWindowHeader[i] + " " + row[i];
      std::printf("%s\n", line.c_str());
    });
    std::fflush(stdout);
  }
  Clients::Check("analytics", reader->Finish());
}

}  // namespace

void AddAnalyticsCommands(std::map<std::string, CommandSpec>& commands) {
  commands["analytics sales"] = {
      "analytics sales [--last 15m] [--granularity 1m]   sales per window (s, m, h, d), with a chart of orders placed",
      AnalyticsSales};
  commands["analytics top"] = {"analytics top [--last 1h] [-n 10]   the products with the most units sold",
                               AnalyticsTop};
  commands["analytics watch"] = {"analytics watch [--last 15m]   each one-minute window again as it changes",
                                 AnalyticsWatch};
}

}  // namespace orderly::ctl
