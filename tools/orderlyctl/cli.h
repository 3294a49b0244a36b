#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "orderly/messaging/settings.h"
#include "orderly/v1/inventory.grpc.pb.h"
#include "orderly/v1/order.grpc.pb.h"
#include "orderly/v1/payment.grpc.pb.h"
#include "orderly/v1/saga.grpc.pb.h"

namespace orderly::ctl {

/// A usage mistake: printed with the command's help, exit code 2.
struct UsageError {
  std::string message;
};

/// A failed call: printed as "error: <service>: <message>", exit code 1 (3 if unreachable).
struct CallError {
  std::string message;
  bool unreachable = false;
};

/// The audit found violations (already printed): exit code 1.
struct AuditFailed {};

/// Where each service listens, from --<service> flags, ORDERLY_<SERVICE>_ADDR, or the config file;
/// the Kafka cluster (for dlq) from --brokers or the config file's kafka section.
struct Targets {
  std::string order, inventory, payment, orchestrator;
  messaging::KafkaSettings kafka;
};

/// Stubs for every service, one call deadline for all, and where Kafka is.
class Clients final {
 public:
  explicit Clients(const Targets& targets);
  std::unique_ptr<v1::OrderService::Stub> order;
  std::unique_ptr<v1::InventoryService::Stub> inventory;
  std::unique_ptr<v1::PaymentService::Stub> payment;
  std::unique_ptr<v1::SagaService::Stub> sagas;
  messaging::KafkaSettings kafka;

  /// Runs a unary call with the deadline; throws CallError naming `service` unless it is OK.
  template <typename Stub, typename Request, typename Response>
  Response Call(const std::string& service, Stub& stub,
                grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*), const Request& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Response response;
    Check(service, (stub.*method)(&context, request, &response));
    return response;
  }

  static void Check(const std::string& service, const grpc::Status& status);
};

/// Output: a table by default, one JSON document with --json.
class Output final {
 public:
  explicit Output(bool json) : json_(json) {}
  [[nodiscard]] bool json() const { return json_; }
  /// Prints `message` as JSON (with --json) or runs `table` to print it for people.
  void Print(const google::protobuf::Message& message, const std::function<void()>& table) const;
  /// Prints rows under a header, columns padded to fit.
  static void Table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

 private:
  bool json_;
};

/// "12.50 EUR" for 1250 minor units.
[[nodiscard]] std::string FormatMoney(const v1::Money& money);
/// Parses a count or amount argument; throws UsageError naming `what`.
[[nodiscard]] int64_t ParseInt(const std::string& text, const std::string& what);

/// One "group command" handler: takes its positional arguments.
using Command = std::function<void(Clients& clients, const Output& out, const std::vector<std::string>& args)>;

/// Every command, by "group command" name, with its usage line.
struct CommandSpec {
  std::string usage;
  Command run;
};
[[nodiscard]] std::map<std::string, CommandSpec> AllCommands();

}  // namespace orderly::ctl
