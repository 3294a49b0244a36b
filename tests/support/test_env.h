#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "orderly/app/platform_settings.h"

namespace orderly::testing {

/// The shared test servers' settings, from $ORDERLY_TEST_DIR/config.yaml (written by
/// `scripts/dev testenv up`). Fails the test, never skips it, when the environment is missing.
[[nodiscard]] const app::PlatformSettings& TestPlatform();

/// A name unique to this process and call, usable as a schema, topic or key prefix.
[[nodiscard]] std::string UniqueName(const std::string& prefix);

/// Polls `condition` until it holds or `timeout` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// A loopback port nothing listens on right now.
[[nodiscard]] int FreePort();

/// Paths of the tools under test, from the build.
[[nodiscard]] std::string DevbrokerBinary();
[[nodiscard]] std::string OrderlyConfigBinary();

/// $name, or a test failure naming it.
[[nodiscard]] std::string RequiredEnv(const char* name);

}  // namespace orderly::testing
