#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "orderly/common/errors.h"

namespace orderly::messaging::detail {

/// Builds a librdkafka global configuration. @throws InvalidArgument naming the rejected property.
/// Every client sends small requests at once: with Nagle's algorithm on, a produce or commit can
/// wait for the peer's delayed ACK (40 ms on Linux).
inline std::unique_ptr<RdKafka::Conf> MakeConf(const std::vector<std::pair<std::string, std::string>>& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  if (conf->set("socket.nagle.disable", "true", error) != RdKafka::Conf::CONF_OK) {
    throw InvalidArgument("kafka.socket.nagle.disable", error);
  }
  for (const auto& [name, value] : properties) {
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
      throw InvalidArgument("kafka." + name, error);
    }
  }
  return conf;
}

}  // namespace orderly::messaging::detail
