#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "orderly/rpc/server.h"

namespace orderly::rpc {
namespace {

int g_pipe[2] = {-1, -1};
struct sigaction g_previous_term;
struct sigaction g_previous_int;

void OnSignal(int signo) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(signo);
  [[maybe_unused]] const auto written = write(g_pipe[1], &byte, 1);
  errno = saved;
}

}  // namespace

ShutdownSignal::ShutdownSignal() {
  if (g_pipe[0] != -1) throw std::logic_error("only one ShutdownSignal may exist");
  if (pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create the shutdown pipe");
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, &g_previous_term);
  sigaction(SIGINT, &action, &g_previous_int);
}

ShutdownSignal::~ShutdownSignal() {
  sigaction(SIGTERM, &g_previous_term, nullptr);
  sigaction(SIGINT, &g_previous_int, nullptr);
  close(g_pipe[0]);
  close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

int ShutdownSignal::Wait() {
  for (;;) {
    pollfd fd{g_pipe[0], POLLIN, 0};
    if (poll(&fd, 1, -1) < 0 && errno != EINTR) throw std::runtime_error("poll on the shutdown pipe failed");
    unsigned char byte = 0;
    if (read(g_pipe[0], &byte, 1) == 1) return byte;
  }
}

void ShutdownSignal::Trigger() {
  const unsigned char byte = 0;
  [[maybe_unused]] const auto written = write(g_pipe[1], &byte, 1);
}

}  // namespace orderly::rpc
