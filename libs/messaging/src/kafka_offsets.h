#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "orderly/common/errors.h"

namespace orderly::messaging::detail {

/// @throws Unavailable naming `what` unless `code` is no error.
inline void CheckKafka(RdKafka::ErrorCode code, const std::string& what) {
  if (code != RdKafka::ERR_NO_ERROR) throw Unavailable("kafka: " + what + ": " + RdKafka::err2str(code));
}

/// The partition count of `topic`; 0 if it does not exist. @throws Unavailable.
inline int32_t PartitionCount(RdKafka::Handle& handle, const std::string& topic, int timeout_ms) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> named(RdKafka::Topic::create(&handle, topic, nullptr, error));
  if (!named) throw InvalidArgument("topic", topic + ": " + error);
  RdKafka::Metadata* raw = nullptr;
  CheckKafka(handle.metadata(false, named.get(), &raw, timeout_ms), "metadata of " + topic);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  for (const RdKafka::TopicMetadata* entry : *metadata->topics()) {
    if (entry->topic() == topic && entry->err() == RdKafka::ERR_NO_ERROR) {
      return static_cast<int32_t>(entry->partitions()->size());
    }
  }
  return 0;
}

/// The first and end offsets of each partition of `topic`, by partition. @throws Unavailable.
inline std::vector<std::pair<int64_t, int64_t>> Watermarks(RdKafka::Handle& handle, const std::string& topic,
                                                           int timeout_ms) {
  std::vector<std::pair<int64_t, int64_t>> marks;
  for (int32_t partition = 0, count = PartitionCount(handle, topic, timeout_ms); partition < count; ++partition) {
    int64_t first = 0;
    int64_t end = 0;
    CheckKafka(handle.query_watermark_offsets(topic, partition, &first, &end, timeout_ms), "offsets of " + topic);
    marks.emplace_back(first, end);
  }
  return marks;
}

}  // namespace orderly::messaging::detail
