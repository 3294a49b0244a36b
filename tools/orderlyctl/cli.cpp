#include "cli.h"

#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <cstdio>

#include "orderly/rpc/channel.h"

namespace orderly::ctl {

Clients::Clients(const Targets& targets)
    : order(rpc::NewStub<v1::OrderService>(targets.order)),
      inventory(rpc::NewStub<v1::InventoryService>(targets.inventory)),
      payment(rpc::NewStub<v1::PaymentService>(targets.payment)),
      sagas(rpc::NewStub<v1::SagaService>(targets.orchestrator)),
      kafka(targets.kafka) {}

void Clients::Check(const std::string& service, const grpc::Status& status) {
  if (status.ok()) return;
  const bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  throw CallError{service + ": " + status.error_message(), unreachable};
}

void Output::Print(const google::protobuf::Message& message, const std::function<void()>& table) const {
  if (!json_) return table();
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &text, options);
  std::fputs(text.c_str(), stdout);
}

void Output::Table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  const auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  };
  print(header);
  for (const auto& row : rows) print(row);
}

std::string FormatMoney(const v1::Money& money) {
  const int64_t units = money.minor_units();
  char text[64];
  std::snprintf(text, sizeof text, "%s%lld.%02lld %s", units < 0 ? "-" : "",
                static_cast<long long>(std::llabs(units) / 100), static_cast<long long>(std::llabs(units) % 100),
                money.currency().c_str());
  return text;
}

int64_t ParseInt(const std::string& text, const std::string& what) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    throw UsageError{what + " must be a whole number, got '" + text + "'"};
  }
  return value;
}

}  // namespace orderly::ctl
