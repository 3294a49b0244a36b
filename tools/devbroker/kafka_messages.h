#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "partition_log.h"

namespace orderly::devbroker {

/// The requests devbroker reads, by Kafka api key.
enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kFindCoordinator = 10,
};

/// The mock brokers' ports and the devbroker ports clients reach them at.
using PortMap = std::map<int32_t, int32_t>;

/// A request frame's header (request header v1: api key, version, correlation id, client id).
struct RequestHeader {
  int16_t api_key = -1;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  size_t body_at = 0;  // where a non-flexible request's body starts
};
/// @throws WireError for a frame too short for a header.
[[nodiscard]] RequestHeader ParseRequestHeader(std::string_view frame);

/// The versions devbroker answers itself (Produce v3 to v7, Fetch v4 to v11, ListOffsets v1 to v5);
/// any other request or version goes to the mock broker.
[[nodiscard]] bool AnsweredLocally(const RequestHeader& header);

/// Appends each record batch of a Produce request (v3 to v7) to its partition's log
/// (PartitionLog::Append checks an idempotent producer's sequence) and returns the answer: each
/// batch's base offset or error, UNKNOWN_TOPIC_OR_PARTITION for a partition no metadata answer
/// named. With acks=0 the batches are appended and the answer is empty: none is sent.
/// @throws WireError.
[[nodiscard]] std::string AnswerProduce(const RequestHeader& header, std::string_view frame, LogStore& logs);

/// A Fetch request (v4 to v11).
struct FetchRequest {
  struct Partition {
    int32_t partition = 0;
    int64_t offset = 0;
    int32_t max_bytes = 0;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
  };
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = 0;
  std::vector<Topic> topics;
};
/// @throws WireError.
[[nodiscard]] FetchRequest ParseFetch(const RequestHeader& header, std::string_view frame);
/// The answer to a fetch, as the request's version frames it.
struct FetchAnswer {
  std::string frame;
  size_t record_bytes = 0;  // the size of the records it carries
  bool errors = false;      // a partition is unknown or its offset out of range: answer at once
};
[[nodiscard]] FetchAnswer AnswerFetch(const RequestHeader& header, const FetchRequest& request, LogStore& logs);

/// The answer to a ListOffsets request (v1 to v5) from `logs`: the earliest (-2) or latest (-1)
/// offset of each partition; -1 for any other timestamp, as the mock answers. @throws WireError.
[[nodiscard]] std::string AnswerListOffsets(const RequestHeader& header, std::string_view frame, LogStore& logs);

/// Rewrites, in a Metadata (v0 to v2) or FindCoordinator (v0 to v2) answer, each mock broker port
/// to devbroker's, so clients come back through devbroker. A Metadata answer also makes `logs`
/// know every partition it names. @throws WireError; answers of other versions pass unchanged.
void RewriteMetadata(const RequestHeader& header, std::string& response, const PortMap& ports, LogStore& logs);
void RewriteFindCoordinator(const RequestHeader& header, std::string& response, const PortMap& ports);
/// The consumer group a FindCoordinator request (v0 to v2) looks up; nullopt for a transactional
/// id or another version. @throws WireError.
[[nodiscard]] std::optional<std::string> FindCoordinatorGroup(const RequestHeader& header, std::string_view frame);

}  // namespace orderly::devbroker
