#include "broker_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "wire.h"

namespace orderly::devbroker {
namespace {

constexpr size_t kMaxFrame = 100 * 1024 * 1024;  // Kafka's socket.request.max.bytes

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

void NoDelay(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool WriteFully(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads size-prefixed frames through a buffer: one read usually brings a whole frame, often
// several, where reading the size and then the payload took two system calls per frame.
class FrameReader final {
 public:
  explicit FrameReader(int fd) : fd_(fd), buffer_(kChunk) {}

  // The next frame's payload (after its int32 size); nullopt once the peer closed.
  std::optional<std::string> Next() {
    for (;;) {
      const size_t available = end_ - begin_;
      if (available >= 4) {
        WireReader size_reader(std::string_view(buffer_.data() + begin_, 4));
        const int32_t size = size_reader.Int32();
        if (size < 0 || static_cast<size_t>(size) > kMaxFrame) {
          throw WireError("frame of " + std::to_string(size) + " bytes");
        }
        if (available >= 4 + static_cast<size_t>(size)) {
          std::string payload(buffer_.data() + begin_ + 4, static_cast<size_t>(size));
          begin_ += 4 + static_cast<size_t>(size);
          return payload;
        }
        MakeRoom(4 + static_cast<size_t>(size));
      } else {
        MakeRoom(4);
      }
      if (!Fill()) return std::nullopt;
    }
  }

 private:
  static constexpr size_t kChunk = 64 * 1024;

  // Moves the unread bytes to the front and grows the buffer to hold a frame of `frame_size`.
  void MakeRoom(size_t frame_size) {
    std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(begin_), buffer_.begin() + static_cast<std::ptrdiff_t>(end_),
              buffer_.begin());
    end_ -= begin_;
    begin_ = 0;
    if (buffer_.size() < frame_size) buffer_.resize(frame_size);
  }

  bool Fill() {
    for (;;) {
      const ssize_t n = read(fd_, buffer_.data() + end_, buffer_.size() - end_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      end_ += static_cast<size_t>(n);
      return true;
    }
  }

  const int fd_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

bool WriteFrame(int fd, std::string_view payload) {
  WireWriter framed;
  framed.Int32(static_cast<int32_t>(payload.size()));
  framed.Raw(payload);
  return WriteFully(fd, framed.out());
}

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const sockaddr_in address = Loopback(port);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  NoDelay(fd);
  return fd;
}

}  // namespace

BrokerProxy::BrokerProxy(int port, int upstream_port, const PortMap& ports, LogStore& logs,
                         std::function<void(std::string_view group)> on_group_lookup)
    : upstream_port_(upstream_port), ports_(ports), logs_(logs), on_group_lookup_(std::move(on_group_lookup)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address = Loopback(port);
  socklen_t length = sizeof address;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listen_fd_, 128) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string reason = std::strerror(errno);
    close(listen_fd_);
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + reason);
  }
  port_ = ntohs(address.sin_port);
}

BrokerProxy::~BrokerProxy() { Stop(); }

void BrokerProxy::Start() {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

void BrokerProxy::SetUp(bool up) {
  up_ = up;
  if (up) return;
  std::lock_guard lock(mutex_);
  for (int fd : sockets_) shutdown(fd, SHUT_RDWR);
  for (Waiter* waiter : waiters_) waiter->Wake();
}

void BrokerProxy::Stop() {
  if (stopping_.exchange(true)) return;
  SetUp(false);
  shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  close(listen_fd_);
  std::unique_lock lock(mutex_);
  sessions_done_.wait(lock, [&] { return sessions_ == 0; });
}

void BrokerProxy::AcceptLoop() {
  while (!stopping_) {
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      break;  // the listener was shut down by Stop
    }
    if (!up_) {  // a broker that is down takes connections and drops them, as the mock does
      close(client);
      continue;
    }
    std::lock_guard lock(mutex_);
    ++sessions_;
    std::thread([this, client] { Serve(client); }).detach();  // Stop waits for it
  }
}

void BrokerProxy::Serve(int client) {
  NoDelay(client);
  const int upstream = ConnectLoopback(upstream_port_);
  {
    std::lock_guard lock(mutex_);
    sockets_.insert(client);
    if (upstream >= 0) sockets_.insert(upstream);
  }
  if (upstream >= 0 && up_) {
    try {
      Relay(client, upstream);
    } catch (const WireError& e) {
      std::fprintf(stderr, "devbroker: closing a connection on port %d: %s\n", port_, e.what());
    }
  }
  std::lock_guard lock(mutex_);
  sockets_.erase(client);
  close(client);
  if (upstream >= 0) {
    sockets_.erase(upstream);
    close(upstream);
  }
  if (--sessions_ == 0) sessions_done_.notify_all();
}

void BrokerProxy::Relay(int client, int upstream) {
  FrameReader requests(client);
  FrameReader responses(upstream);
  while (up_) {
    const std::optional<std::string> frame = requests.Next();
    if (!frame) return;
    const RequestHeader header = ParseRequestHeader(*frame);
    if (AnsweredLocally(header)) {
      const std::string answer = Answer(header, *frame);
      if (!answer.empty() && !WriteFrame(client, answer)) return;  // an acks=0 produce gets no answer
      continue;
    }
    if (const std::optional<std::string> group = FindCoordinatorGroup(header, *frame)) on_group_lookup_(*group);
    if (!WriteFrame(upstream, *frame)) return;
    std::optional<std::string> response = responses.Next();
    if (!response) return;
    if (header.api_key == static_cast<int16_t>(ApiKey::kMetadata)) {
      RewriteMetadata(header, *response, ports_, logs_);
    } else if (header.api_key == static_cast<int16_t>(ApiKey::kFindCoordinator)) {
      RewriteFindCoordinator(header, *response, ports_);
    }
    if (!WriteFrame(client, *response)) return;
  }
}

std::string BrokerProxy::Answer(const RequestHeader& header, std::string_view frame) {
  switch (static_cast<ApiKey>(header.api_key)) {
    case ApiKey::kProduce:
      return AnswerProduce(header, frame, logs_);
    case ApiKey::kFetch:
      return Fetch(header, frame);
    default:
      return AnswerListOffsets(header, frame, logs_);
  }
}

std::string BrokerProxy::Fetch(const RequestHeader& header, std::string_view frame) {
  const FetchRequest request = ParseFetch(header, frame);
  Waiter waiter;
  std::vector<PartitionLog*> watched;
  for (const auto& topic : request.topics) {
    for (const auto& partition : topic.partitions) {
      if (PartitionLog* log = logs_.Find(topic.name, partition.partition)) watched.push_back(log);
    }
  }
  // Registered before the first look, so an append in between still wakes it.
  for (PartitionLog* log : watched) log->AddWaiter(&waiter);
  {
    std::lock_guard lock(mutex_);
    waiters_.insert(&waiter);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(request.max_wait_ms, 0));
  FetchAnswer answer;
  for (;;) {
    answer = AnswerFetch(header, request, logs_);
    const bool enough = answer.record_bytes >= static_cast<size_t>(std::max(request.min_bytes, 1));
    if (enough || answer.errors || !up_ || std::chrono::steady_clock::now() >= deadline) break;
    (void)waiter.WaitUntil(deadline);
  }
  for (PartitionLog* log : watched) log->RemoveWaiter(&waiter);
  std::lock_guard lock(mutex_);
  waiters_.erase(&waiter);
  return std::move(answer.frame);
}

}  // namespace orderly::devbroker
