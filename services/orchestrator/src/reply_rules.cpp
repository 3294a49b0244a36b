#include "saga_engine.h"

#include "orderly/messaging/envelope.h"

namespace orderly::orchestrator {
namespace {

using messaging::Payload;

std::string StockRejectedDetail(const v1::Envelope& reply) {
  const auto rejected = Payload<v1::StockRejected>(reply);
  return "sku " + rejected.sku() + ": requested " + std::to_string(rejected.requested()) + ", available " +
         std::to_string(rejected.available());
}

std::string PaymentDeclinedDetail(const v1::Envelope& reply) {
  const auto declined = Payload<v1::PaymentDeclined>(reply);
  return v1::DeclineReason_Name(declined.reason()) + ": " + declined.detail();
}

template <typename Reply>
std::string TypeName() {
  return Reply::descriptor()->full_name();
}

// Every reply on saga.replies: the step it answers and how. A hold's answer (reserve stock,
// authorize payment) decides the saga's course; any other answer only settles its step.
const std::vector<SagaEngine::ReplyRule>& ReplyRules() {
  const auto succeeded = v1::STEP_OUTCOME_SUCCEEDED;
  const auto failed = v1::STEP_OUTCOME_FAILED;
  static const std::vector<SagaEngine::ReplyRule> rules = {
      {TypeName<v1::StockReserved>(), kReserve, succeeded, true, nullptr},
      {TypeName<v1::StockRejected>(), kReserve, failed, true, StockRejectedDetail},
      {TypeName<v1::PaymentAuthorized>(), kAuthorize, succeeded, true, nullptr},
      {TypeName<v1::PaymentDeclined>(), kAuthorize, failed, true, PaymentDeclinedDetail},
      {TypeName<v1::StockReleased>(), "release_stock", succeeded, false, nullptr},
      {TypeName<v1::PaymentVoided>(), "void_payment", succeeded, false, nullptr},
      {TypeName<v1::PaymentCaptured>(), "capture_payment", succeeded, false, nullptr},
      {TypeName<v1::StockCommitted>(), "commit_stock", succeeded, false, nullptr},
  };
  return rules;
}

}  // namespace

const SagaEngine::ReplyRule* SagaEngine::RuleFor(const std::string& type) {
  for (const ReplyRule& rule : ReplyRules()) {
    if (rule.type == type) return &rule;
  }
  return nullptr;
}

}  // namespace orderly::orchestrator
