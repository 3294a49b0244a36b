#include "orderly/common/clock.h"

namespace orderly {

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace orderly
