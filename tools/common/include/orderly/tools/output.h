#pragma once

#include <google/protobuf/message.h>

#include <functional>
#include <string>
#include <vector>

namespace orderly::tools {

/// Output on stdout: a table by default, one JSON document with --json. Stateless after
/// construction; prints from the calling thread.
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

}  // namespace orderly::tools
