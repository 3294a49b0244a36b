# shellcheck shell=bash
# Sourced by scripts/dev: installing packages, configuring and building, running the tests.

# Every Debian package the build, the tests and the local stack need.
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev libabsl-dev
  librdkafka-dev libpq-dev libhiredis-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
  libjwt-dev nlohmann-json3-dev  # JWT verification and minting behind libs/auth (JWKS parsing)
  postgresql postgresql-client redis-server redis-tools kcat
  procps iproute2 util-linux jq bsdextrautils
  podman buildah runc debootstrap  # scripts/dev image and its smoke test (tests/deploy)
  docker-compose python3-yaml python3-jsonschema  # offline checks of docker-compose.yml and deploy/k8s (tests/deploy)
  libcpp-httplib-dev prometheus  # each service's /metrics endpoint; promtool checks metrics and alert rules
  clang-14 libfuzzer-14-dev  # scripts/dev fuzz
)

cmd_deps() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
  log "dependencies installed"
}

# configure [CMAKE_ARGS...]: (re)configures the build dir when it is new or options are given.
configure() {
  if [ ! -f "$BUILD_DIR/build.ninja" ] || [ $# -gt 0 ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  fi
}

cmd_build() {
  cmd_deps
  configure "$@"
  cmake --build "$BUILD_DIR" -- -j"$(nproc)"
}

cmd_test() {
  if [ "${1:-}" = "--sanitize" ]; then
    shift
    sanitized_test "$@"
    return
  fi
  cmd_build -DORDERLY_BUILD_TESTS=ON
  local status=0
  ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j"$(nproc)" --timeout 300 "$@" || status=$?
  print_fault_figures
  return "$status"
}

# The figures line each fault test printed (FAULT ...), which ctest shows only for failed tests.
print_fault_figures() {
  local log="$BUILD_DIR/Testing/Temporary/LastTest.log"
  [ -f "$log" ] || return 0
  grep -h '^FAULT ' "$log" | sort | sed 's/^/[dev] /' || true
}

# sanitized_test address|thread [CTEST_ARGS...]: an instrumented build in its own directory, then
# the suites that run under it (thread: unit and integration; address: e2e too). A report fails the
# test: halt_on_error everywhere; suppressions only for third-party code (tests/sanitizers/).
sanitized_test() {
  local kind=${1:-} labels
  case "$kind" in
    address) labels='unit|integration|e2e' ;;
    thread) labels='unit|integration' ;;
    *) die "--sanitize takes address (ASan + UBSan) or thread (TSan), not '${kind}'" ;;
  esac
  shift
  BUILD_DIR="$ROOT/build-$kind"
  cmd_build -DORDERLY_BUILD_TESTS=ON -DORDERLY_SANITIZE="$kind"
  local supp="$ROOT/tests/sanitizers"
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0"
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp"
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp"
  # GCC's TSan does not see threads librdkafka starts with thrd_create (tests/sanitizers/c11_threads_for_tsan.cpp).
  if [ "$kind" = thread ]; then export LD_PRELOAD="$BUILD_DIR/liborderly_tsan_c11_threads.so"; fi
  local status=0
  ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -L "$labels" -j"$(nproc)" --timeout 900 "$@" ||
    status=$?
  print_fault_figures
  return "$status"
}

FUZZ_TARGETS=(fuzz_envelope fuzz_dead_letter fuzz_config fuzz_requests)

# fuzz [SECONDS]: builds the fuzz targets with clang and libFuzzer (ASan + UBSan) into build-fuzz/
# and runs each for SECONDS (600), as many at once as there are cores, from the seed corpus in
# tests/fuzz/corpus plus what earlier runs found interesting (build-fuzz/corpus). A crash, leak or
# timeout leaves its input in build-fuzz/findings/ and fails the run.
cmd_fuzz() {
  local seconds=${1:-600} dir="$ROOT/build-fuzz" target status=0 pids=() failed=()
  [[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "fuzz takes the SECONDS each target runs, not '${seconds}'"
  cmd_deps
  cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DORDERLY_BUILD_TESTS=OFF -DORDERLY_FUZZ=ON >/dev/null
  cmake --build "$dir" --target "${FUZZ_TARGETS[@]}" -- -j"$(nproc)"
  mkdir -p "$dir/findings"
  log "fuzzing ${FUZZ_TARGETS[*]} for $seconds s each, $(nproc) at a time; logs in $dir/fuzz-TARGET.log"
  for target in "${FUZZ_TARGETS[@]}"; do
    mkdir -p "$dir/corpus/$target"
    "$dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$dir/findings/$target-" "$dir/corpus/$target" "$ROOT/tests/fuzz/corpus/$target" \
      >"$dir/fuzz-$target.log" 2>&1 &
    pids+=("$!:$target")
    if [ ${#pids[@]} -ge "$(nproc)" ]; then fuzz_reap "${pids[0]}" || failed+=("${pids[0]#*:}"); pids=("${pids[@]:1}"); fi
  done
  for target in "${pids[@]}"; do fuzz_reap "$target" || failed+=("${target#*:}"); done
  if [ ${#failed[@]} -gt 0 ]; then
    log "findings in ${failed[*]}: inputs in $dir/findings/; once fixed, add each to tests/fuzz/corpus/TARGET/"
    status=1
  else
    log "no findings"
  fi
  return "$status"
}

# fuzz_reap PID:TARGET: waits for one fuzzer and prints its summary; fails if it found something.
fuzz_reap() {
  local pid=${1%%:*} target=${1#*:} code=0 log="$ROOT/build-fuzz/fuzz-${1#*:}.log"
  wait "$pid" || code=$?
  log "$target: $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?') runs," \
    "exit $code$(grep -m1 -Eo 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)[^\n]*' "$log" | sed 's/^/, /')"
  return "$code"
}
