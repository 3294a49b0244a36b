#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "orderly/log/log.h"

namespace orderly::log {

/// A W3C Trace Context `traceparent`: "00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>".
struct TraceParent {
  std::string trace_id;
  std::string span_id;
  std::string flags = "01";

  [[nodiscard]] std::string ToString() const { return "00-" + trace_id + "-" + span_id + "-" + flags; }
};

/// The parsed header, or nullopt when it is not a valid version-00 traceparent (wrong length or
/// separators, upper-case or non-hex digits, an all-zero trace or span id). Untrusted input: never throws.
[[nodiscard]] std::optional<TraceParent> ParseTraceparent(std::string_view header);

/// A new trace: random trace and span ids, sampled.
[[nodiscard]] std::string NewTraceparent();

/// A child of `parent` (same trace id and flags, a new span id); a new trace if `parent` is not valid.
[[nodiscard]] std::string ChildTraceparent(std::string_view parent);

/// The trace id of `traceparent`, or "" if it is not valid.
[[nodiscard]] std::string TraceIdOf(std::string_view traceparent);

/// While alive, `traceparent` is this thread's current trace (CurrentTraceparent) and every line the
/// thread logs carries its trace_id. Nests; not movable.
class ScopedTrace final {
 public:
  explicit ScopedTrace(std::string traceparent);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  std::string previous_;
  ScopedFields fields_;
};

/// The traceparent of the innermost ScopedTrace on this thread, or "".
[[nodiscard]] const std::string& CurrentTraceparent();

}  // namespace orderly::log
