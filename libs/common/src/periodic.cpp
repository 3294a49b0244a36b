#include "orderly/common/periodic.h"

namespace orderly {

PeriodicThread::PeriodicThread(std::chrono::milliseconds interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)), thread_([this] { Run(); }) {}

PeriodicThread::~PeriodicThread() { Stop(); }

void PeriodicThread::Stop() {
  {
    std::lock_guard lock(mutex_);
    running_ = false;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicThread::Run() {
  std::unique_lock lock(mutex_);
  while (running_) {
    lock.unlock();
    task_();
    lock.lock();
    wake_.wait_for(lock, interval_, [&] { return !running_; });
  }
}

}  // namespace orderly
