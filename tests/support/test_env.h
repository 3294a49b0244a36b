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

/// A loopback port nothing uses right now, below the kernel's ephemeral range so that no outgoing
/// connection takes it before the test binds it.
[[nodiscard]] int FreePort();

/// What a shell command printed (stdout and stderr) and its exit code.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
/// Runs `command` with /bin/sh, stderr merged into the output.
[[nodiscard]] CommandResult RunCommand(const std::string& command);

/// Paths of the tools under test, from the build.
[[nodiscard]] std::string DevbrokerBinary();
[[nodiscard]] std::string OrderlyConfigBinary();

/// $name, or a test failure naming it.
[[nodiscard]] std::string RequiredEnv(const char* name);

}  // namespace orderly::testing
