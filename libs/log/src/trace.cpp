#include "orderly/log/trace.h"

#include <cstdio>
#include <random>

namespace orderly::log {
namespace {

thread_local std::string t_traceparent;

bool LowerHex(std::string_view text) {
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(std::string_view text) { return text.find_first_not_of('0') == std::string_view::npos; }

std::string RandomHex(size_t bytes) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::string out;
  while (out.size() < bytes * 2) {
    char chunk[17];
    std::snprintf(chunk, sizeof chunk, "%016llx", static_cast<unsigned long long>(engine()));
    out += chunk;
  }
  out.resize(bytes * 2);
  return AllZero(out) ? RandomHex(bytes) : out;  // all zeros is invalid (astronomically rare)
}

}  // namespace

std::optional<TraceParent> ParseTraceparent(std::string_view header) {
  // 2 + 1 + 32 + 1 + 16 + 1 + 2 characters.
  if (header.size() != 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  const std::string_view version = header.substr(0, 2);
  const std::string_view trace_id = header.substr(3, 32);
  const std::string_view span_id = header.substr(36, 16);
  const std::string_view flags = header.substr(53, 2);
  if (version != "00" || !LowerHex(trace_id) || !LowerHex(span_id) || !LowerHex(flags)) return std::nullopt;
  if (AllZero(trace_id) || AllZero(span_id)) return std::nullopt;
  return TraceParent{std::string(trace_id), std::string(span_id), std::string(flags)};
}

std::string NewTraceparent() { return TraceParent{RandomHex(16), RandomHex(8), "01"}.ToString(); }

std::string ChildTraceparent(std::string_view parent) {
  std::optional<TraceParent> parsed = ParseTraceparent(parent);
  if (!parsed) return NewTraceparent();
  parsed->span_id = RandomHex(8);
  return parsed->ToString();
}

std::string TraceIdOf(std::string_view traceparent) {
  const std::optional<TraceParent> parsed = ParseTraceparent(traceparent);
  return parsed ? parsed->trace_id : "";
}

ScopedTrace::ScopedTrace(std::string traceparent)
    : previous_(std::exchange(t_traceparent, std::move(traceparent))), fields_({{"trace_id", TraceIdOf(t_traceparent)}}) {}

ScopedTrace::~ScopedTrace() { t_traceparent = std::move(previous_); }

const std::string& CurrentTraceparent() { return t_traceparent; }

}  // namespace orderly::log
