#include "kafka_messages.h"

#include <algorithm>

#include "wire.h"

namespace orderly::devbroker {
namespace {

constexpr int16_t kOffsetOutOfRange = 1;
constexpr int16_t kUnknownTopicOrPartition = 3;
constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;

bool Is(const RequestHeader& header, ApiKey key) { return header.api_key == static_cast<int16_t>(key); }

void RewritePort(WireReader& reader, std::string& response, const PortMap& ports) {
  const size_t at = reader.position();
  const auto found = ports.find(reader.Int32());
  if (found != ports.end()) PatchInt32(response, at, found->second);
}

}  // namespace

RequestHeader ParseRequestHeader(std::string_view frame) {
  WireReader reader(frame);
  RequestHeader header;
  header.api_key = reader.Int16();
  header.api_version = reader.Int16();
  header.correlation_id = reader.Int32();
  (void)reader.String();  // client id
  header.body_at = reader.position();
  return header;
}

bool AnsweredLocally(const RequestHeader& header) {
  if (Is(header, ApiKey::kProduce)) return header.api_version >= 3 && header.api_version <= 7;
  if (Is(header, ApiKey::kFetch)) return header.api_version >= 4 && header.api_version <= 11;
  if (Is(header, ApiKey::kListOffsets)) return header.api_version >= 1 && header.api_version <= 5;
  return false;
}

std::string AnswerProduce(const RequestHeader& header, std::string_view frame, LogStore& logs) {
  WireReader reader(frame);
  reader.Skip(header.body_at);
  (void)reader.String();  // transactional id: no transactions here
  const int16_t acks = reader.Int16();
  (void)reader.Int32();  // timeout
  WireWriter out;
  out.Int32(header.correlation_id);
  const int32_t topics = reader.ArrayCount();
  out.Int32(topics);
  for (int32_t t = 0; t < topics; ++t) {
    const std::string_view topic = reader.String();
    out.String(topic);
    const int32_t partitions = reader.ArrayCount();
    out.Int32(partitions);
    for (int32_t p = 0; p < partitions; ++p) {
      const int32_t partition = reader.Int32();
      const std::string_view records = reader.Bytes();
      PartitionLog* log = logs.Find(topic, partition);
      const Produced produced = log ? log->Append(std::string(records)) : Produced{kUnknownTopicOrPartition};
      out.Int32(partition);
      out.Int16(produced.error);
      out.Int64(produced.base);
      out.Int64(-1);  // log append time: the producer's create time stands
      if (header.api_version >= 5) out.Int64(log ? log->offsets().start : -1);
    }
  }
  out.Int32(0);  // throttle time
  if (acks == 0) return {};
  return std::move(out.out());
}

FetchRequest ParseFetch(const RequestHeader& header, std::string_view frame) {
  const int16_t version = header.api_version;
  WireReader reader(frame);
  reader.Skip(header.body_at);
  FetchRequest request;
  (void)reader.Int32();  // replica id
  request.max_wait_ms = reader.Int32();
  request.min_bytes = reader.Int32();
  request.max_bytes = reader.Int32();
  (void)reader.Int8();  // isolation level: no transactions here, so both levels read the same
  if (version >= 7) reader.Skip(8);  // session id and epoch: every fetch is a full one
  for (int32_t t = reader.ArrayCount(); t > 0; --t) {
    FetchRequest::Topic topic{std::string(reader.String()), {}};
    for (int32_t p = reader.ArrayCount(); p > 0; --p) {
      FetchRequest::Partition partition;
      partition.partition = reader.Int32();
      if (version >= 9) (void)reader.Int32();  // current leader epoch
      partition.offset = reader.Int64();
      if (version >= 5) (void)reader.Int64();  // the follower's log start offset
      partition.max_bytes = reader.Int32();
      topic.partitions.push_back(partition);
    }
    request.topics.push_back(std::move(topic));
  }
  return request;
}

FetchAnswer AnswerFetch(const RequestHeader& header, const FetchRequest& request, LogStore& logs) {
  const int16_t version = header.api_version;
  FetchAnswer answer;
  size_t* record_bytes = &answer.record_bytes;
  WireWriter out;
  out.Int32(header.correlation_id);
  out.Int32(0);  // throttle time
  if (version >= 7) {
    out.Int16(0);  // error
    out.Int32(0);  // session id: none
  }
  std::string records;
  out.Int32(static_cast<int32_t>(request.topics.size()));
  for (const auto& topic : request.topics) {
    out.String(topic.name);
    out.Int32(static_cast<int32_t>(topic.partitions.size()));
    for (const auto& partition : topic.partitions) {
      int16_t error = 0;
      LogOffsets offsets;
      records.clear();
      PartitionLog* log = logs.Find(topic.name, partition.partition);
      // The first records always come, a whole batch at least; past the request's byte budget a
      // partition is answered with its offsets only.
      const int64_t left = int64_t{request.max_bytes} - static_cast<int64_t>(*record_bytes);
      const int64_t budget = std::min<int64_t>(partition.max_bytes, left);
      if (log == nullptr) {
        error = kUnknownTopicOrPartition;
      } else if (!log->Read(partition.offset, budget > 0 ? static_cast<size_t>(budget) : 0, &records, &offsets)) {
        error = kOffsetOutOfRange;
      } else if (budget <= 0 && *record_bytes > 0) {
        records.clear();
      }
      *record_bytes += records.size();
      answer.errors = answer.errors || error != 0;
      out.Int32(partition.partition);
      out.Int16(error);
      out.Int64(log ? offsets.end : -1);  // high watermark
      out.Int64(log ? offsets.end : -1);  // last stable offset
      if (version >= 5) out.Int64(log ? offsets.start : -1);
      out.Int32(0);  // aborted transactions
      if (version >= 11) out.Int32(-1);  // preferred read replica
      out.Bytes(records);
    }
  }
  answer.frame = std::move(out.out());
  return answer;
}

std::string AnswerListOffsets(const RequestHeader& header, std::string_view frame, LogStore& logs) {
  const int16_t version = header.api_version;
  WireReader reader(frame);
  reader.Skip(header.body_at);
  (void)reader.Int32();                  // replica id
  if (version >= 2) (void)reader.Int8();  // isolation level
  WireWriter out;
  out.Int32(header.correlation_id);
  if (version >= 2) out.Int32(0);  // throttle time
  const int32_t topics = reader.ArrayCount();
  out.Int32(topics);
  for (int32_t t = 0; t < topics; ++t) {
    const std::string_view topic = reader.String();
    out.String(topic);
    const int32_t partitions = reader.ArrayCount();
    out.Int32(partitions);
    for (int32_t p = 0; p < partitions; ++p) {
      const int32_t partition = reader.Int32();
      if (version >= 4) (void)reader.Int32();  // current leader epoch
      const int64_t timestamp = reader.Int64();
      PartitionLog* log = logs.Find(topic, partition);
      const LogOffsets offsets = log ? log->offsets() : LogOffsets{};
      out.Int32(partition);
      out.Int16(log ? 0 : kUnknownTopicOrPartition);
      out.Int64(-1);  // timestamp
      out.Int64(!log ? -1 : timestamp == kLatest ? offsets.end : timestamp == kEarliest ? offsets.start : -1);
      if (version >= 4) out.Int32(-1);  // leader epoch: unknown, so clients do not validate by it
    }
  }
  return std::move(out.out());
}

void RewriteMetadata(const RequestHeader& header, std::string& response, const PortMap& ports, LogStore& logs) {
  const int16_t version = header.api_version;
  if (version > 2) return;
  WireReader reader(response);
  (void)reader.Int32();  // correlation id
  for (int32_t b = reader.ArrayCount(); b > 0; --b) {
    (void)reader.Int32();   // node id
    (void)reader.String();  // host
    RewritePort(reader, response, ports);
    if (version >= 1) (void)reader.String();  // rack
  }
  if (version >= 2) (void)reader.String();  // cluster id
  if (version >= 1) (void)reader.Int32();   // controller id
  for (int32_t t = reader.ArrayCount(); t > 0; --t) {
    const int16_t topic_error = reader.Int16();
    const std::string_view topic = reader.String();
    if (version >= 1) (void)reader.Int8();  // is internal
    for (int32_t p = reader.ArrayCount(); p > 0; --p) {
      const int16_t error = reader.Int16();
      const int32_t partition = reader.Int32();
      (void)reader.Int32();  // leader
      for (int32_t r = reader.ArrayCount(); r > 0; --r) (void)reader.Int32();  // replicas
      for (int32_t r = reader.ArrayCount(); r > 0; --r) (void)reader.Int32();  // in-sync replicas
      if (topic_error == 0 && error == 0) (void)logs.Get(topic, partition);
    }
  }
}

void RewriteFindCoordinator(const RequestHeader& header, std::string& response, const PortMap& ports) {
  const int16_t version = header.api_version;
  if (version > 2) return;
  WireReader reader(response);
  (void)reader.Int32();                     // correlation id
  if (version >= 1) (void)reader.Int32();   // throttle time
  (void)reader.Int16();                     // error
  if (version >= 1) (void)reader.String();  // error message
  (void)reader.Int32();                     // node id
  (void)reader.String();                    // host
  RewritePort(reader, response, ports);
}

std::optional<std::string> FindCoordinatorGroup(const RequestHeader& header, std::string_view frame) {
  if (!Is(header, ApiKey::kFindCoordinator) || header.api_version > 2) return std::nullopt;
  WireReader reader(frame);
  reader.Skip(header.body_at);
  std::string key(reader.String());
  const int8_t key_type = header.api_version >= 1 ? reader.Int8() : 0;
  if (key_type != 0) return std::nullopt;  // 1: a transaction coordinator
  return key;
}

}  // namespace orderly::devbroker
