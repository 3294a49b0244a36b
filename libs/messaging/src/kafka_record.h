#pragma once

#include <librdkafka/rdkafkacpp.h>

#include "orderly/messaging/consumer.h"

namespace orderly::messaging::detail {

/// Copies a consumed librdkafka record, headers included.
inline ConsumedMessage ToConsumedMessage(const RdKafka::Message& record) {
  ConsumedMessage message;
  message.topic = record.topic_name();
  message.partition = record.partition();
  message.offset = record.offset();
  if (record.key() != nullptr) message.key = *record.key();
  message.value.assign(static_cast<const char*>(record.payload()), record.len());
  if (const RdKafka::Headers* headers = const_cast<RdKafka::Message&>(record).headers()) {
    for (const auto& header : headers->get_all()) {
      message.headers.emplace_back(header.key(),
                                   std::string(static_cast<const char*>(header.value()), header.value_size()));
    }
  }
  return message;
}

}  // namespace orderly::messaging::detail
