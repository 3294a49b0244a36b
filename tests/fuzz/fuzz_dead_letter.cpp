// A record read back from a dead-letter topic (`orderlyctl dlq list|replay`): its headers come from
// whoever wrote to the topic. The input is split at NUL bytes into value, key and header name/value
// pairs. Anything but InvalidArgument is a finding.
#include <cstdint>
#include <string>
#include <vector>

#include "orderly/messaging/dead_letters.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      parts.emplace_back();
    } else {
      parts.back().push_back(static_cast<char>(data[i]));
    }
  }
  orderly::messaging::ConsumedMessage record;
  record.topic = "payment.commands.dlq";
  record.value = parts[0];
  if (parts.size() > 1) record.key = parts[1];
  for (size_t i = 2; i + 1 < parts.size(); i += 2) record.headers.emplace_back(parts[i], parts[i + 1]);
  try {
    const auto letter = orderly::messaging::ParseDeadLetter(record);
    (void)orderly::messaging::Redelivery(letter);
  } catch (const orderly::InvalidArgument&) {
  }
  return 0;
}
