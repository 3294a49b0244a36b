// GCC 12's ThreadSanitizer intercepts the pthread functions but not their C11 counterparts, with
// which Debian's librdkafka starts its threads and locks its queues: such a thread has no TSan state
// and crashes in its first malloc (confluentinc/librdkafka#4929), and what it hands over through its
// queues (a delivery report about a message our thread produced) looks like a race. `scripts/dev
// test --sanitize thread` preloads this library, so librdkafka's threads, mutexes and condition
// variables go through the pthread functions TSan sees; glibc's own C11 functions are the same
// calls on the same types. Built uninstrumented: it
// is preloaded into every process of the run (PostgreSQL, Redis and the shell too), where it is inert.
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t) && sizeof(cnd_t) == sizeof(pthread_cond_t));

namespace {

struct Start {
  thrd_start_t function;
  void* argument;
};

pthread_mutex_t* Mutex(mtx_t* mutex) { return reinterpret_cast<pthread_mutex_t*>(mutex); }
pthread_cond_t* Condition(cnd_t* condition) { return reinterpret_cast<pthread_cond_t*>(condition); }

int Result(int code) {
  if (code == 0) return thrd_success;
  if (code == ETIMEDOUT) return thrd_timedout;
  if (code == EBUSY) return thrd_busy;
  return code == ENOMEM ? thrd_nomem : thrd_error;
}

void* Run(void* start) {
  const Start copy = *static_cast<Start*>(start);
  delete static_cast<Start*>(start);
  return reinterpret_cast<void*>(static_cast<intptr_t>(copy.function(copy.argument)));
}

}  // namespace

extern "C" int thrd_create(thrd_t* thread, thrd_start_t function, void* argument) {
  auto* start = new (std::nothrow) Start{function, argument};
  if (start == nullptr) return thrd_nomem;
  const int code = pthread_create(thread, nullptr, Run, start);
  if (code == 0) return thrd_success;
  delete start;
  return code == EAGAIN ? thrd_nomem : thrd_error;
}

extern "C" int thrd_join(thrd_t thread, int* result) {
  void* value = nullptr;
  if (pthread_join(thread, &value) != 0) return thrd_error;
  if (result != nullptr) *result = static_cast<int>(reinterpret_cast<intptr_t>(value));
  return thrd_success;
}

extern "C" int mtx_init(mtx_t* mutex, int type) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  if ((type & mtx_recursive) != 0) pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
  const int code = pthread_mutex_init(Mutex(mutex), &attributes);
  pthread_mutexattr_destroy(&attributes);
  return Result(code);
}
extern "C" int mtx_lock(mtx_t* mutex) { return Result(pthread_mutex_lock(Mutex(mutex))); }
extern "C" int mtx_trylock(mtx_t* mutex) { return Result(pthread_mutex_trylock(Mutex(mutex))); }
extern "C" int mtx_timedlock(mtx_t* __restrict mutex, const struct timespec* __restrict until) {
  return Result(pthread_mutex_timedlock(Mutex(mutex), until));
}
extern "C" int mtx_unlock(mtx_t* mutex) { return Result(pthread_mutex_unlock(Mutex(mutex))); }
extern "C" void mtx_destroy(mtx_t* mutex) { pthread_mutex_destroy(Mutex(mutex)); }

extern "C" int cnd_init(cnd_t* condition) { return Result(pthread_cond_init(Condition(condition), nullptr)); }
extern "C" int cnd_signal(cnd_t* condition) { return Result(pthread_cond_signal(Condition(condition))); }
extern "C" int cnd_broadcast(cnd_t* condition) { return Result(pthread_cond_broadcast(Condition(condition))); }
extern "C" int cnd_wait(cnd_t* condition, mtx_t* mutex) {
  return Result(pthread_cond_wait(Condition(condition), Mutex(mutex)));
}
extern "C" int cnd_timedwait(cnd_t* __restrict condition, mtx_t* __restrict mutex,
                             const struct timespec* __restrict until) {
  return Result(pthread_cond_timedwait(Condition(condition), Mutex(mutex), until));
}
extern "C" void cnd_destroy(cnd_t* condition) { pthread_cond_destroy(Condition(condition)); }
