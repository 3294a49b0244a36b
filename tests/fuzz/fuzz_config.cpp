// A config file as every Orderly process loads it: YAML, the whole platform's settings, unknown
// keys. Anything but ConfigError (an InvalidArgument naming the key) is a finding.
#include <cstdint>
#include <string_view>

#include "orderly/app/platform_settings.h"
#include "orderly/common/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto document =
        orderly::config::Document::LoadString(std::string_view(reinterpret_cast<const char*>(data), size));
    (void)orderly::app::PlatformSettings::Parse(document.Root());
    document.RejectUnknownKeys();
  } catch (const orderly::InvalidArgument&) {
  }
  return 0;
}
