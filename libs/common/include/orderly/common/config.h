#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orderly/common/errors.h"

namespace YAML {
class Node;
}

namespace orderly::config {

/// A configuration problem; the message is one line starting with the key's path.
class ConfigError final : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

namespace detail {
struct DocumentState;
}

/// A view of one mapping in a configuration document. Reading a key declares it: after parsing,
/// Document::RejectUnknownKeys() fails on every key no parser read. Copyable, not thread-safe.
class Node final {
 public:
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] bool Has(std::string_view key) const;

  /// @throws ConfigError when present with the wrong type or out of range.
  [[nodiscard]] std::string String(std::string_view key, std::string_view fallback) const;
  [[nodiscard]] std::string RequiredString(std::string_view key) const;
  [[nodiscard]] int64_t Int(std::string_view key, int64_t fallback, int64_t min, int64_t max) const;
  [[nodiscard]] bool Bool(std::string_view key, bool fallback) const;
  /// One of `allowed`, e.g. a log format.
  [[nodiscard]] std::string OneOf(std::string_view key, std::string_view fallback,
                                  const std::vector<std::string>& allowed) const;
  /// "host:port" with a port in min_port..65535 (0 lets a listener pick a free port).
  [[nodiscard]] std::string HostPort(std::string_view key, std::string_view fallback, int min_port = 1) const;
  [[nodiscard]] std::vector<std::string> StringList(std::string_view key) const;

  /// A nested mapping; an absent key gives an empty section, so every default applies.
  [[nodiscard]] Node Section(std::string_view key) const;
  /// A list of mappings.
  [[nodiscard]] std::vector<Node> SectionList(std::string_view key) const;

  /// Fails with this node's path, for checks across keys (e.g. "no shards listed").
  [[noreturn]] void Fail(std::string_view key, std::string_view message) const;

 private:
  friend class Document;
  Node(std::shared_ptr<detail::DocumentState> state, std::string path, std::shared_ptr<YAML::Node> yaml);
  [[nodiscard]] std::shared_ptr<YAML::Node> Declare(std::string_view key) const;
  [[nodiscard]] std::string Scalar(std::string_view key, const YAML::Node& value) const;
  [[nodiscard]] std::string KeyPath(std::string_view key) const;

  std::shared_ptr<detail::DocumentState> state_;
  std::string path_;
  std::shared_ptr<YAML::Node> yaml_;
};

/// A YAML configuration document with ORDERLY_* environment overrides applied.
///
/// An override variable names a key path with "__" between levels, upper-cased:
/// ORDERLY_LOG__LEVEL=debug sets log.level; ORDERLY_KAFKA__BROKERS=h:9092 sets kafka.brokers.
/// Variables without "__" (ORDERLY_CONFIG, ORDERLY_ROOT) are not overrides.
class Document final {
 public:
  /// @throws ConfigError if the file is missing or not valid YAML, or an override is malformed.
  static Document LoadFile(const std::string& file, const std::vector<std::string>& environment);
  static Document LoadString(std::string_view yaml, const std::vector<std::string>& environment = {});

  [[nodiscard]] Node Root() const;
  /// @throws ConfigError naming the first key no parser read, the known keys and the nearest one.
  void RejectUnknownKeys() const;

 private:
  explicit Document(std::shared_ptr<detail::DocumentState> state);
  std::shared_ptr<detail::DocumentState> state_;
};

/// The process environment as "NAME=value" strings.
[[nodiscard]] std::vector<std::string> ProcessEnvironment();

/// Edit distance between two keys; picks the "did you mean" suggestion.
[[nodiscard]] size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace orderly::config
