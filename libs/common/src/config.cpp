#include "orderly/common/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

extern char** environ;

namespace orderly::config {
namespace detail {

struct DocumentState {
  std::string source;
  YAML::Node root;
  // Keys each parser read, by the path of their mapping; a key outside its set is unknown.
  std::map<std::string, std::set<std::string>, std::less<>> declared;
  // Keys set from the environment, so an error can name the variable.
  std::map<std::string, std::string, std::less<>> env_origin;
};

}  // namespace detail

namespace {

constexpr std::string_view kEnvPrefix = "ORDERLY_";

std::string Join(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::vector<std::string> SplitOverride(std::string_view name) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t pos; (pos = name.find("__", start)) != std::string_view::npos; start = pos + 2) {
    parts.push_back(ToLower(name.substr(start, pos - start)));
  }
  parts.push_back(ToLower(name.substr(start)));
  return parts;
}

YAML::Node ParseOverrideValue(const std::string& value) {
  try {
    YAML::Node parsed = YAML::Load(value);
    if (parsed.IsScalar() || parsed.IsSequence()) return parsed;
  } catch (const YAML::Exception&) {
    // Not YAML (e.g. "a: b" fragments): take the text as a plain string.
  }
  return YAML::Node(value);
}

void ApplyOverride(detail::DocumentState& state, const std::string& variable, const std::string& value) {
  const auto parts = SplitOverride(std::string_view(variable).substr(kEnvPrefix.size()));
  std::string path;
  YAML::Node node = state.root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    path = Join(path, parts[i]);
    YAML::Node child = node[parts[i]];
    if (child.IsDefined() && !child.IsNull() && !child.IsMap()) {
      throw ConfigError(path, "is not a section, so " + variable + " cannot set a key below it");
    }
    if (!child.IsMap()) node[parts[i]] = YAML::Node(YAML::NodeType::Map);
    node.reset(node[parts[i]]);
  }
  node[parts.back()] = ParseOverrideValue(value);
  state.env_origin[Join(path, parts.back())] = variable;
}

bool ParseBool(std::string text, bool& out) {
  text = ToLower(text);
  if (text == "true" || text == "yes" || text == "on" || text == "1") return out = true, true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return out = false, true;
  return false;
}

std::string JoinNames(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) out.emplace_back(*entry);
  return out;
}

// ---- Document ----

Document::Document(std::shared_ptr<detail::DocumentState> state) : state_(std::move(state)) {}

Document Document::LoadString(std::string_view yaml, const std::vector<std::string>& environment) {
  auto state = std::make_shared<detail::DocumentState>();
  state->source = "<inline>";
  try {
    state->root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ConfigError("<document>", "not valid YAML: " + e.msg + " at line " + std::to_string(e.mark.line + 1));
  }
  if (state->root.IsNull()) state->root = YAML::Node(YAML::NodeType::Map);
  if (!state->root.IsMap()) throw ConfigError("<document>", "the top level must be a mapping of sections");
  for (const auto& entry : environment) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || entry.rfind(kEnvPrefix, 0) != 0) continue;
    const std::string name = entry.substr(0, eq);
    if (name.find("__") == std::string::npos) continue;
    ApplyOverride(*state, name, entry.substr(eq + 1));
  }
  return Document(std::move(state));
}

Document Document::LoadFile(const std::string& file, const std::vector<std::string>& environment) {
  std::ifstream in(file);
  if (!in) throw ConfigError("<document>", "cannot read config file '" + file + "'");
  std::stringstream text;
  text << in.rdbuf();
  try {
    Document document = LoadString(text.str(), environment);
    document.state_->source = file;
    return document;
  } catch (const ConfigError& e) {
    throw ConfigError(e.field(), std::string(e.what()).substr(e.field().size() + 2) + " (in " + file + ")");
  }
}

Node Document::Root() const { return Node(state_, "", std::make_shared<YAML::Node>(state_->root)); }

void Document::RejectUnknownKeys() const {
  const auto check = [this](const auto& self, const YAML::Node& node, const std::string& path) -> void {
    if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) self(self, node[i], path + "[" + std::to_string(i) + "]");
      return;
    }
    const auto declared = state_->declared.find(path);
    if (!node.IsMap() || declared == state_->declared.end()) return;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) {
        throw ConfigError(path.empty() ? "(top level)" : path,
                          "has a key that is a list or mapping, not a name (in " + state_->source + ")");
      }
      const std::string key = entry.first.Scalar();
      const std::string key_path = Join(path, key);
      if (declared->second.count(key) != 0) {
        self(self, entry.second, key_path);
        continue;
      }
      std::string message = "unknown key";
      if (const auto origin = state_->env_origin.find(key_path); origin != state_->env_origin.end()) {
        message += " (set by " + origin->second + ")";
      }
      message += " in " + state_->source + "; known keys: " + JoinNames(declared->second);
      const auto nearest = std::min_element(declared->second.begin(), declared->second.end(),
                                            [&](const std::string& a, const std::string& b) {
                                              return EditDistance(key, a) < EditDistance(key, b);
                                            });
      if (nearest != declared->second.end() && EditDistance(key, *nearest) <= std::max<size_t>(2, key.size() / 3)) {
        message += "; did you mean '" + *nearest + "'?";
      }
      throw ConfigError(key_path, message);
    }
  };
  check(check, state_->root, "");
}

// ---- Node ----

Node::Node(std::shared_ptr<detail::DocumentState> state, std::string path, std::shared_ptr<YAML::Node> yaml)
    : state_(std::move(state)), path_(std::move(path)), yaml_(std::move(yaml)) {
  state_->declared[path_];
}

std::string Node::KeyPath(std::string_view key) const { return Join(path_, key); }

void Node::Fail(std::string_view key, std::string_view message) const {
  throw ConfigError(KeyPath(key), std::string(message) + " (in " + state_->source + ")");
}

std::shared_ptr<YAML::Node> Node::Declare(std::string_view key) const {
  state_->declared[path_].insert(std::string(key));
  if (!yaml_->IsMap()) return nullptr;
  for (const auto& entry : *yaml_) {
    // A key that is a list or mapping is never ours; RejectUnknownKeys names it.
    if (entry.first.IsScalar() && entry.first.Scalar() == key && !entry.second.IsNull()) {
      return std::make_shared<YAML::Node>(entry.second);
    }
  }
  return nullptr;
}

bool Node::Has(std::string_view key) const { return Declare(key) != nullptr; }

std::string Node::Scalar(std::string_view key, const YAML::Node& value) const {
  if (!value.IsScalar()) Fail(key, "expected a single value, got a list or mapping");
  return value.Scalar();
}

std::string Node::String(std::string_view key, std::string_view fallback) const {
  const auto value = Declare(key);
  return value == nullptr ? std::string(fallback) : Scalar(key, *value);
}

std::string Node::RequiredString(std::string_view key) const {
  const auto value = Declare(key);
  if (value == nullptr) Fail(key, "is required");
  std::string text = Scalar(key, *value);
  if (text.empty()) Fail(key, "must not be empty");
  return text;
}

int64_t Node::Int(std::string_view key, int64_t fallback, int64_t min, int64_t max) const {
  const auto value = Declare(key);
  if (value == nullptr) return fallback;
  const std::string text = Scalar(key, *value);
  int64_t parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (error != std::errc{} || end != text.data() + text.size()) {
    Fail(key, "expected an integer, got '" + text + "'");
  }
  if (parsed < min || parsed > max) {
    Fail(key, "must be in " + std::to_string(min) + ".." + std::to_string(max) + ", got " + text);
  }
  return parsed;
}

bool Node::Bool(std::string_view key, bool fallback) const {
  const auto value = Declare(key);
  if (value == nullptr) return fallback;
  const std::string text = Scalar(key, *value);
  bool parsed = false;
  if (!ParseBool(text, parsed)) Fail(key, "expected true or false, got '" + text + "'");
  return parsed;
}

std::string Node::OneOf(std::string_view key, std::string_view fallback, const std::vector<std::string>& allowed) const {
  std::string value = String(key, fallback);
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  std::string names;
  for (const auto& name : allowed) names += (names.empty() ? "" : ", ") + name;
  Fail(key, "must be one of " + names + ", got '" + value + "'");
}

std::string Node::HostPort(std::string_view key, std::string_view fallback, int min_port) const {
  std::string value = String(key, fallback);
  const size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) Fail(key, "expected host:port, got '" + value + "'");
  const std::string port = value.substr(colon + 1);
  int parsed = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), parsed);
  if (error != std::errc{} || end != port.data() + port.size() || parsed < min_port || parsed > 65535) {
    Fail(key, "port must be in " + std::to_string(min_port) + "..65535, got '" + port + "'");
  }
  return value;
}

std::vector<std::string> Node::StringList(std::string_view key) const {
  const auto value = Declare(key);
  if (value == nullptr) return {};
  if (value->IsScalar()) return {value->Scalar()};
  if (!value->IsSequence()) Fail(key, "expected a list of values");
  std::vector<std::string> out;
  for (const auto& item : *value) {
    if (!item.IsScalar()) Fail(key, "expected a list of single values");
    out.push_back(item.Scalar());
  }
  return out;
}

Node Node::Section(std::string_view key) const {
  const auto value = Declare(key);
  if (value != nullptr && !value->IsMap()) Fail(key, "expected a mapping of keys");
  auto yaml = std::make_shared<YAML::Node>(value != nullptr ? *value : YAML::Node(YAML::NodeType::Map));
  return Node(state_, KeyPath(key), std::move(yaml));
}

std::vector<Node> Node::SectionList(std::string_view key) const {
  const auto value = Declare(key);
  if (value == nullptr) return {};
  if (!value->IsSequence()) Fail(key, "expected a list of mappings");
  std::vector<Node> out;
  for (size_t i = 0; i < value->size(); ++i) {
    const YAML::Node item = (*value)[i];
    const std::string item_path = KeyPath(key) + "[" + std::to_string(i) + "]";
    if (!item.IsMap()) throw ConfigError(item_path, "expected a mapping of keys (in " + state_->source + ")");
    out.push_back(Node(state_, item_path, std::make_shared<YAML::Node>(item)));
  }
  return out;
}

}  // namespace orderly::config
