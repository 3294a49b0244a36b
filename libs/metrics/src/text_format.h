#pragma once

// The pieces of the Prometheus text exposition format (0.0.4) the families write.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace orderly::metrics::detail {

/// A sample value as Prometheus parses it: shortest round-trip form, +Inf, -Inf, NaN.
[[nodiscard]] std::string FormatValue(double value);

/// Appends `name{l1="v1",...,extra_name="extra_value"} value\n`, label values escaped.
void AppendSample(std::string& out, std::string_view name, std::span<const std::string> label_names,
                  std::span<const std::string> label_values, std::string_view value,
                  std::string_view extra_name = {}, std::string_view extra_value = {});

/// HELP text with backslash and newline escaped.
[[nodiscard]] std::string EscapeHelp(std::string_view help);

/// Whether `name` is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or label name
/// ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__").
[[nodiscard]] bool ValidMetricName(std::string_view name);
[[nodiscard]] bool ValidLabelName(std::string_view name);

}  // namespace orderly::metrics::detail
