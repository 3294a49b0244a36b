#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "orderly/common/errors.h"
#include "orderly/common/ids.h"
#include "orderly/v1/events.pb.h"

namespace orderly::messaging {

/// A message that can never be processed (undecodable, unknown type): it goes straight to the
/// dead-letter topic instead of being retried.
class PoisonMessage final : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// Routing and tracing fields of a new envelope.
struct EnvelopeContext {
  std::string order_id;
  std::string saga_id;
  std::string causation_id;
  std::string correlation_id;
  std::string traceparent;
};

/// Wraps `payload` in an Envelope with a fresh UUIDv7 message_id and produced_at from `clock`.
[[nodiscard]] v1::Envelope MakeEnvelope(const google::protobuf::Message& payload, const EnvelopeContext& context,
                                        UuidV7Generator& ids, const Clock& clock);

/// The context for a message caused by `cause`: same order, saga and correlation, causation = cause.
[[nodiscard]] EnvelopeContext CausedBy(const v1::Envelope& cause);

[[nodiscard]] std::string Encode(const v1::Envelope& envelope);

/// @throws PoisonMessage if `bytes` is not an Envelope, lacks a UUID message_id or a payload,
/// or its type does not name its payload.
[[nodiscard]] v1::Envelope Decode(std::string_view bytes);

/// Runs `checks` on a consumed command; an InvalidArgument it throws becomes a PoisonMessage, since
/// a malformed command can never succeed and must not be retried.
template <typename Checks>
void ValidateCommand(Checks&& checks) {
  try {
    std::forward<Checks>(checks)();
  } catch (const PoisonMessage&) {
    throw;
  } catch (const InvalidArgument& e) {
    throw PoisonMessage(e.field(), std::string(e.what()).substr(e.field().size() + 2));
  }
}

/// Whether `type` (an envelope's or a stored event's type) is T's full name.
template <typename T>
[[nodiscard]] bool Names(std::string_view type) {
  return type == T::descriptor()->full_name();
}

/// Whether the envelope's type names T.
template <typename T>
[[nodiscard]] bool Is(const v1::Envelope& envelope) {
  return Names<T>(envelope.type());
}

/// Unpacks the payload as T. @throws PoisonMessage if it holds another type.
template <typename T>
[[nodiscard]] T Payload(const v1::Envelope& envelope) {
  T out;
  if (!envelope.payload().UnpackTo(&out)) {
    throw PoisonMessage("payload", "expected " + T::descriptor()->full_name() + ", got " + envelope.type());
  }
  return out;
}

}  // namespace orderly::messaging
