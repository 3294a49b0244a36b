// devbroker: an embedded Kafka for development and tests, on librdkafka's mock cluster.
//
// Clients reach each mock broker through devbroker's own listener (the first on --port), which
// relays their requests to the mock (groups, offsets, producer ids, metadata) but keeps the records
// itself: it appends produced batches to its own partition logs, one per partition whichever broker
// took them, and answers fetches and list-offsets from them (see broker_proxy.h). Everything is in memory, so
// a restarted devbroker is empty. SIGUSR1 takes every broker down, SIGUSR2 brings them back
// (outage tests); sent with sigqueue and a broker id as value, they take down or bring back that
// broker alone, its partitions and groups moving to the others. SIGTERM/SIGINT exit cleanly.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "broker_proxy.h"
#include "cluster_control.h"
#include "partition_log.h"
#include "orderly/messaging/topics.h"

namespace {

struct Options {
  int port = 9092;
  int brokers = 1;
  int partitions = 3;
  int retention_mb = 64;
  std::vector<std::string> extra_topics;
};

[[noreturn]] void Usage(const char* problem) {
  std::fprintf(stderr,
               "devbroker: %s\n"
               "usage: devbroker [--port N] [--brokers N] [--partitions N] [--retention-mb N] [--topic NAME]...\n"
               "  --port N          the first broker's port on 127.0.0.1, the bootstrap address (default 9092)\n"
               "  --brokers N       mock brokers, 1..9 (default 1); the others listen on free ports\n"
               "  --partitions N    partitions per topic, 1..64 (default 3)\n"
               "  --retention-mb N  the newest N MiB of each partition are kept, 1..4096 (default 64)\n"
               "  --topic NAME      create NAME too (repeatable); Orderly's topics are always created\n",
               problem);
  std::exit(2);
}

int ParseInt(const char* text, int min, int max, const char* flag) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < min || value > max) {
    Usage((std::string(flag) + " must be an integer in " + std::to_string(min) + ".." + std::to_string(max)).c_str());
  }
  return static_cast<int>(value);
}

Options Parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") Usage("help");
    if (i + 1 >= argc) Usage((flag + " needs a value").c_str());
    const char* value = argv[++i];
    if (flag == "--port") {
      options.port = ParseInt(value, 1, 65535, "--port");
    } else if (flag == "--brokers") {
      options.brokers = ParseInt(value, 1, 9, "--brokers");
    } else if (flag == "--partitions") {
      options.partitions = ParseInt(value, 1, 64, "--partitions");
    } else if (flag == "--retention-mb") {
      options.retention_mb = ParseInt(value, 1, 4096, "--retention-mb");
    } else if (flag == "--topic") {
      options.extra_topics.emplace_back(value);
    } else {
      Usage(("unknown flag " + flag).c_str());
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);

  // Every thread (the mock's included) inherits this mask; only sigwait below sees the signals.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signo : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&signals, signo);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (handle == nullptr) {
    std::fprintf(stderr, "devbroker: cannot create the librdkafka handle: %s\n", error);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, options.brokers);
  if (cluster == nullptr) {
    std::fprintf(stderr, "devbroker: cannot create the mock cluster\n");
    return 1;
  }
  std::vector<std::string> topics = orderly::messaging::AllTopics();
  topics.insert(topics.end(), options.extra_topics.begin(), options.extra_topics.end());
  for (const auto& topic : topics) {
    const rd_kafka_resp_err_t created =
        rd_kafka_mock_topic_create(cluster, topic.c_str(), options.partitions, std::min(options.brokers, 3));
    if (created != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "devbroker: cannot create topic %s: %s\n", topic.c_str(), rd_kafka_err2str(created));
      return 1;
    }
  }
  // The mock lists its brokers in id order: "127.0.0.1:PORT,...".
  std::vector<int> mock_ports;
  for (std::string rest = rd_kafka_mock_cluster_bootstraps(cluster); !rest.empty();) {
    const size_t comma = rest.find(',');
    const std::string broker = rest.substr(0, comma);
    mock_ports.push_back(std::stoi(broker.substr(broker.rfind(':') + 1)));
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
  }
  orderly::devbroker::LogStore logs(static_cast<size_t>(options.retention_mb) * 1024 * 1024);
  for (const auto& topic : topics) {
    for (int partition = 0; partition < options.partitions; ++partition) (void)logs.Get(topic, partition);
  }
  orderly::devbroker::ClusterControl control(cluster, options.brokers, logs);
  orderly::devbroker::PortMap ports;
  std::vector<std::unique_ptr<orderly::devbroker::BrokerProxy>> proxies;
  std::string listening;
  try {
    for (size_t i = 0; i < mock_ports.size(); ++i) {
      proxies.push_back(std::make_unique<orderly::devbroker::BrokerProxy>(i == 0 ? options.port : 0, mock_ports[i],
                                                                          ports, logs, [&control](std::string_view group) {
                                                                            control.OnCoordinatorLookup(group);
                                                                          }));
      ports[mock_ports[i]] = proxies.back()->port();
      listening += (i == 0 ? "" : ",") + std::string("127.0.0.1:") + std::to_string(proxies.back()->port());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "devbroker: %s\n", e.what());
    return 1;
  }
  for (auto& proxy : proxies) proxy->Start();
  std::printf("devbroker ready bootstrap=127.0.0.1:%d brokers=%s topics=%zu partitions=%d\n", options.port,
              listening.c_str(), topics.size(), options.partitions);
  std::fflush(stdout);

  for (;;) {
    siginfo_t info{};
    const int signo = sigwaitinfo(&signals, &info);
    if (signo < 0) continue;
    if (signo != SIGUSR1 && signo != SIGUSR2) break;
    const bool up = signo == SIGUSR2;
    const int one = info.si_code == SI_QUEUE ? info.si_value.sival_int : 0;
    if (one < 0 || one > options.brokers) {
      std::fprintf(stderr, "devbroker: no broker %d\n", one);
      continue;
    }
    std::vector<int> ids;
    for (int id = 1; id <= options.brokers; ++id) {
      if (one == 0 || id == one) ids.push_back(id);
    }
    // Down: devbroker's listeners drop their connections first; up: they serve once the mock does.
    if (!up) {
      for (int id : ids) proxies[static_cast<size_t>(id) - 1]->SetUp(false);
    }
    control.SetBrokersUp(ids, up);
    for (int id : ids) {
      if (up) {
        rd_kafka_mock_broker_set_up(cluster, id);
        proxies[static_cast<size_t>(id) - 1]->SetUp(true);
      } else {
        rd_kafka_mock_broker_set_down(cluster, id);
      }
    }
    if (one == 0) {
      std::printf("devbroker brokers %s\n", up ? "up" : "down");
    } else {
      std::printf("devbroker broker %d %s\n", one, up ? "up" : "down");
    }
    std::fflush(stdout);
  }
  for (auto& proxy : proxies) proxy->Stop();
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  std::printf("devbroker stopped\n");
  return 0;
}
