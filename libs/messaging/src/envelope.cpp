#include "orderly/messaging/envelope.h"

#include <google/protobuf/util/time_util.h>

#include "orderly/log/trace.h"

namespace orderly::messaging {

v1::Envelope MakeEnvelope(const google::protobuf::Message& payload, const EnvelopeContext& context,
                          UuidV7Generator& ids, const Clock& clock) {
  v1::Envelope envelope;
  envelope.set_message_id(ids.Next());
  envelope.set_type(payload.GetDescriptor()->full_name());
  envelope.set_order_id(context.order_id);
  envelope.set_saga_id(context.saga_id);
  envelope.set_causation_id(context.causation_id);
  envelope.set_correlation_id(context.correlation_id.empty() ? envelope.message_id() : context.correlation_id);
  // A span of its cause's trace; without a cause, of the trace this thread works under (a gRPC call);
  // else the first of a new trace.
  envelope.set_traceparent(
      log::ChildTraceparent(context.traceparent.empty() ? log::CurrentTraceparent() : context.traceparent));
  *envelope.mutable_produced_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(ToUnixMillis(clock.Now()));
  envelope.mutable_payload()->PackFrom(payload);
  return envelope;
}

EnvelopeContext CausedBy(const v1::Envelope& cause) {
  return EnvelopeContext{cause.order_id(), cause.saga_id(), cause.message_id(), cause.correlation_id(),
                         cause.traceparent()};
}

std::string Encode(const v1::Envelope& envelope) { return envelope.SerializeAsString(); }

v1::Envelope Decode(std::string_view bytes) {
  v1::Envelope envelope;
  if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw PoisonMessage("envelope", "value is not a protobuf orderly.v1.Envelope");
  }
  if (!IsUuid(envelope.message_id())) {
    throw PoisonMessage("envelope.message_id", "'" + envelope.message_id() + "' is not a UUID");
  }
  if (envelope.type().empty() || !envelope.has_payload()) {
    throw PoisonMessage("envelope.payload", "missing type or payload");
  }
  const std::string& url = envelope.payload().type_url();
  const size_t slash = url.rfind('/');
  if (slash == std::string::npos || url.substr(slash + 1) != envelope.type()) {
    throw PoisonMessage("envelope.type", "'" + envelope.type() + "' does not match payload type '" + url + "'");
  }
  return envelope;
}

}  // namespace orderly::messaging
