#include "service_harness.h"

#include "test_tokens.h"

#include "orderly/common/ids.h"
#include "orderly/messaging/envelope.h"
#include "orderly/rpc/channel.h"
#include "test_env.h"

namespace orderly::testing {

ServiceHarness::ServiceHarness(app::ServiceDefinition definition, const std::string& kafka_prefix,
                               const std::string& schema)
    : definition_(std::move(definition)),
      settings_(TestPlatform()),
      schema_(schema.empty() ? UniqueName(definition_.schema) : schema),
      address_("127.0.0.1:" + std::to_string(FreePort())) {
  settings_.kafka.prefix = kafka_prefix.empty() ? schema_ + "." : kafka_prefix;
}

ServiceHarness::~ServiceHarness() { Stop(); }

void ServiceHarness::Start() {
  runtime_ = std::make_unique<app::Runtime>(settings_, schema_, definition_.migrations);
  module_ = definition_.build(*runtime_);
  rpc::ServerSettings server_settings = definition_.server_settings(settings_);
  server_settings.listen = address_;
  server_ = std::make_unique<rpc::Server>(server_settings);
  app::HostModule(*server_, *runtime_, *module_);  // the same interceptor chain as RunService
  server_->Start();
}

void ServiceHarness::Stop() {
  if (server_) server_->Shutdown();
  if (module_) module_->Stop();
  server_.reset();
  module_.reset();
  runtime_.reset();
}

std::string ServiceHarness::Address() const { return address_; }

std::shared_ptr<grpc::Channel> ServiceHarness::Channel() const {
  rpc::ClientSettings client;
  client.target = Address();
  return rpc::CreateChannel(client, AdminTokens());
}

TopicReader& ServiceHarness::Reader(std::string_view topic) {
  auto& reader = readers_[std::string(topic)];
  if (!reader) reader = std::make_unique<TopicReader>(settings_.kafka, Topic(topic));
  return *reader;
}

void ServiceHarness::SendRaw(std::string_view topic, const std::string& key, const std::string& value) {
  if (!test_producer_) test_producer_ = std::make_unique<messaging::Producer>(settings_.kafka);
  const auto results = test_producer_->PublishBatch({{Topic(topic), key, value, {}}});
  if (!results.front().delivered) throw std::runtime_error("test publish failed: " + results.front().error);
}

void ServiceHarness::SendEnvelope(std::string_view topic, const v1::Envelope& envelope) {
  SendRaw(topic, envelope.order_id(), messaging::Encode(envelope));
}

v1::Envelope ServiceHarness::Send(std::string_view topic, const std::string& order_id,
                                  const google::protobuf::Message& payload) {
  static UuidV7Generator ids(SystemClock::Instance());
  const v1::Envelope envelope =
      messaging::MakeEnvelope(payload, {order_id, "saga-" + order_id, "", "", ""}, ids, SystemClock::Instance());
  SendEnvelope(topic, envelope);
  return envelope;
}

TopicReader::TopicReader(const messaging::KafkaSettings& kafka, const std::string& topic)
    : dead_letters_(kafka),
      consumer_(kafka, UniqueName("reader"), {topic},
                [this](const messaging::ConsumedMessage& message) {
                  v1::Envelope envelope = messaging::Decode(message.value);
                  std::lock_guard lock(mutex_);
                  received_.push_back(std::move(envelope));
                },
                dead_letters_) {}

std::vector<v1::Envelope> TopicReader::Received() {
  std::lock_guard lock(mutex_);
  return received_;
}

bool TopicReader::WaitFor(size_t count) {
  return WaitUntil([&] { return Received().size() >= count; }, std::chrono::seconds(30));
}

std::optional<v1::Envelope> TopicReader::WaitFor(const std::string& type, const std::string& order_id) {
  std::optional<v1::Envelope> found;
  WaitUntil(
      [&] {
        for (const auto& envelope : Received()) {
          if (envelope.type() == type && envelope.order_id() == order_id) found = envelope;
        }
        return found.has_value();
      },
      std::chrono::seconds(30));
  return found;
}

}  // namespace orderly::testing
