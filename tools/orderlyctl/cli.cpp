#include "cli.h"

#include <cstdio>
#include <cstdlib>

namespace orderly::ctl {

std::string FormatMoney(const v1::Money& money) {
  const int64_t units = money.minor_units();
  char text[64];
  std::snprintf(text, sizeof text, "%s%lld.%02lld %s", units < 0 ? "-" : "",
                static_cast<long long>(std::llabs(units) / 100), static_cast<long long>(std::llabs(units) % 100),
                money.currency().c_str());
  return text;
}

}  // namespace orderly::ctl
