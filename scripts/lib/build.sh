# shellcheck shell=bash
# Sourced by scripts/dev: installing packages, configuring and building, running the tests.

# Every Debian package the build, the tests and the local stack need.
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev libabsl-dev
  librdkafka-dev libpqxx-dev libpq-dev libhiredis-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
  libjwt-dev nlohmann-json3-dev  # JWT verification and minting behind libs/auth (JWKS parsing)
  postgresql postgresql-client redis-server redis-tools kcat
  procps iproute2 util-linux jq bsdextrautils
  podman buildah runc debootstrap  # scripts/dev image and its smoke test (tests/deploy)
  docker-compose python3-yaml python3-jsonschema  # offline checks of docker-compose.yml and deploy/k8s (tests/deploy)
  libcpp-httplib-dev prometheus  # each service's /metrics endpoint; promtool checks metrics and alert rules
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
  cmd_build -DORDERLY_BUILD_TESTS=ON
  ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j"$(nproc)" --timeout 300 "$@"
}
