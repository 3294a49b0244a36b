#!/usr/bin/env bash
# The image smoke test (ctest deploy.image_smoke, label deploy): the five services of the image run
# with `podman run --network=host` against the shared test servers, isolated as tests/e2e's
# ProcessStack is (their own database on every shard, their own Kafka prefix, free ports). Through the
# image's own orderlyctl an order is placed and must end CONFIRMED with its stock committed and its
# payment captured; each container's HEALTHCHECK must pass while it serves, and each must exit 0 on
# SIGTERM (podman stop) within its drain. Auth is on, with a key pair of the test's own mounted where the
# image's config expects it. Proves the runtime stage has every library and file it needs.
#
# Needs ORDERLY_BUILD_DIR (the host build, for orderly-config) and ORDERLY_TEST_DIR (the `stack`
# fixture's servers); the image comes from the `image` fixture (scripts/dev image).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${ORDERLY_BUILD_DIR:?set ORDERLY_BUILD_DIR to the build directory}
TEST_DIR=${ORDERLY_TEST_DIR:?set ORDERLY_TEST_DIR to the test servers directory (scripts/dev testenv up)}
WAIT_SECONDS=60
# shellcheck source=scripts/lib/util.sh
source "$ROOT/scripts/lib/util.sh"
# shellcheck source=scripts/lib/stack.sh
source "$ROOT/scripts/lib/stack.sh"
# shellcheck source=scripts/lib/image.sh
source "$ROOT/scripts/lib/image.sh"

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# podman 4.3 (Debian 12) schedules a systemd timer for every container whose image has a HEALTHCHECK
# and logs an error for each where systemd does not run, as here (podman#16644, fixed in 4.4); the
# check itself still runs through `podman healthcheck run`. Only those lines are dropped.
podman_quiet() { podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }

podman_env
podman image exists "$IMAGE" || fail "no image $IMAGE; build it with scripts/dev image"

SERVICES=(inventory payment order orchestrator analytics)  # start order: order prices through inventory
NAME=smoke_$(date +%s)_$$  # database and Kafka prefix
CONTAINER=orderly-smoke-$$  # container name prefix
DIR=$BUILD_DIR/deploy-smoke/$NAME
mkdir -p "$DIR"

eval "$("$BUILD_DIR/tools/orderly-config/orderly-config" stack-env "$TEST_DIR/config.yaml")"

on_every_shard() {
  local shard name host port
  for shard in $ORDERLY_PG_SHARDS; do
    IFS=: read -r name host port _ <<<"$shard"
    "$@" -h "$host" -p "$port" -U postgres "$NAME"
  done
}

cleanup() {
  local status=$? svc
  for svc in "${SERVICES[@]}"; do
    if podman container exists "$CONTAINER-$svc"; then
      if [ $status -ne 0 ]; then
        echo "==> podman logs $CONTAINER-$svc (last 30 lines)" >&2
        podman logs --tail 30 "$CONTAINER-$svc" >&2 || true
      fi
      podman_quiet rm -f -t 0 "$CONTAINER-$svc" >/dev/null || true
    fi
  done
  on_every_shard dropdb --force >/dev/null 2>&1 || true
  if [ $status -eq 0 ]; then rm -rf "$DIR"; else echo "smoke test files kept in $DIR" >&2; fi
}
trap cleanup EXIT

on_every_shard createdb
# The services verify tokens against this JWKS and sign their own with its key, as does orderlyctl for
# its admin tokens; the key is this test's alone, made readable for the image's uid 10001.
auth_keys "$DIR" smoke-1
chmod 644 "$DIR/auth/signing.pem"
taken="" port=""
declare -A LISTEN
for svc in "${SERVICES[@]}"; do
  port=$(free_port "$taken")
  taken="$taken $port"
  LISTEN[$svc]=127.0.0.1:$port
done
{
  echo "log: {level: info}"
  echo "postgres:"
  echo "  pool_size: 4"
  echo "  shards:"
  for shard in $ORDERLY_PG_SHARDS; do
    IFS=: read -r name host port _ <<<"$shard"
    echo "    - {name: $name, host: $host, port: $port, dbname: $NAME, user: postgres}"
  done
  echo "redis: {host: $ORDERLY_REDIS_HOST, port: $ORDERLY_REDIS_PORT, cooldown_ms: 300}"
  echo "kafka: {brokers: '$ORDERLY_KAFKA_BROKERS', prefix: $NAME., fetch_wait_max_ms: 500, delivery_timeout_ms: 3000," \
    "session_timeout_ms: 6000, max_attempts: 3, retry_backoff_ms: 20}"
  echo "outbox: {poll_interval_ms: 200, failure_backoff_ms: 200}"
  echo "services:"
  echo "  inventory: {listen: ${LISTEN[inventory]}}"
  echo "  payment: {listen: ${LISTEN[payment]}}"
  echo "  order: {listen: ${LISTEN[order]}, inventory: {target: ${LISTEN[inventory]}}}"
  echo "  orchestrator: {listen: ${LISTEN[orchestrator]}}"
  echo "  analytics: {listen: ${LISTEN[analytics]}}"
  echo "auth: {enabled: true, jwks_file: /etc/orderly/auth/jwks.json, service_key_file: /etc/orderly/auth/signing.pem," \
    "service_key_id: smoke-1}"
} >"$DIR/config.yaml"
chmod 644 "$DIR/config.yaml"  # read by the image's user, uid 10001

# Every container reads this config and these keys at the image's paths for them.
CONFIG_MOUNT=(-v "$DIR/config.yaml:/etc/orderly/config.yaml:ro" -v "$DIR/auth:/etc/orderly/auth:ro")

start_container() {
  local svc=$1 name=$CONTAINER-$1 deadline=$((SECONDS + WAIT_SECONDS))
  podman_quiet run -d --name "$name" --network=host "${CONFIG_MOUNT[@]}" "$IMAGE" "orderly-$svc" >/dev/null
  # The image's HEALTHCHECK (orderly-probe on the service's configured port) must turn healthy.
  until podman healthcheck run "$name" >/dev/null 2>&1; do
    [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] ||
      fail "$svc exited during start-up (exit code $(podman inspect --format '{{.State.ExitCode}}' "$name"))"
    [ $SECONDS -lt $deadline ] || fail "$svc did not turn healthy within ${WAIT_SECONDS}s"
    sleep 0.5
  done
  [ "$(podman exec "$name" id -u)" = 10001 ] || fail "$svc does not run as uid 10001"
  echo "  $svc: healthy in container $name, listening on ${LISTEN[$svc]}"
}

ctl() { podman run --rm --no-healthcheck --network=host "${CONFIG_MOUNT[@]}" "$IMAGE" orderlyctl "$@"; }

# Polls `ctl --json ARGS` until jq filter $1 prints "true", for up to WAIT_SECONDS; returns its last output.
await() {
  local filter=$1 output deadline=$((SECONDS + WAIT_SECONDS))
  shift
  while :; do
    output=$(ctl --json "$@")
    [ "$(jq -r "$filter" <<<"$output")" = true ] && return 0
    [ $SECONDS -lt $deadline ] || { echo "$output"; return 1; }
    sleep 0.5
  done
}

echo "image $IMAGE ($(podman image inspect --format '{{.Id}}' "$IMAGE" | cut -c1-12)); services:"
for svc in "${SERVICES[@]}"; do start_container "$svc"; done

# Auth is on: a call with a malformed token is refused (exit 1, a failed call), naming the failed check.
code=0
refused=$(podman run --rm --no-healthcheck --network=host "${CONFIG_MOUNT[@]}" -e ORDERLY_TOKEN=not-a-token "$IMAGE" \
  orderlyctl products list 2>&1) || code=$?
if [ $code -ne 1 ] || [[ $refused != "error: inventory: malformed"* ]]; then
  fail "a call with a malformed token was not refused by authentication (exit $code): $refused"
fi

sku=SMOKE-$$
customer=smoke-customer-$$
ctl products add "$sku" "Smoke test book" 1500 EUR >/dev/null
ctl stock restock "$sku" 3 >/dev/null
ctl accounts open "$customer" EUR >/dev/null
ctl accounts deposit "$customer" 5000 EUR >/dev/null
order_id=$(ctl --json orders place smoke-1 "$customer" EUR "$sku:2" | jq -r .order.order_id)
[[ $order_id =~ ^[0-9a-f-]{36}$ ]] || fail "PlaceOrder returned no order id: '$order_id'"
echo "  order $order_id placed: 2 x $sku at 15.00 EUR"
await '.order.status != "ORDER_STATUS_PENDING"' orders get "$order_id" >/dev/null ||
  fail "order $order_id still PENDING after ${WAIT_SECONDS}s"
status=$(ctl --json orders get "$order_id" | jq -r .order.status)
[ "$status" = ORDER_STATUS_CONFIRMED ] || { ctl sagas get "$order_id" >&2 || true; fail "order $order_id ended $status"; }
echo "  order $order_id: CONFIRMED"
# Proto JSON leaves out zero values and writes int64 as strings.
stock_done='(.stock.on_hand // "0") == "1" and (.stock.reserved // "0") == "0" and (.stock.committed // "0") == "2"'
await "$stock_done" stock get "$sku" >&2 || fail "stock of $sku is not 1 on hand, 0 reserved, 2 committed"
money_done='(.account.available.minor_units // "0") == "2000" and (.account.held.minor_units // "0") == "0"'
await "$money_done" accounts get "$customer" EUR >&2 || fail "account of $customer is not 20.00 EUR available, none held"
echo "  stock committed (1 on hand, 2 committed), payment captured (20.00 EUR left)"
ctl audit >&2 || fail "orderlyctl audit found violations"
sold='[.windows[] | .confirmed // "0" | tonumber] | add == 1'
await "$sold" analytics sales --last 1h >/dev/null || fail "analytics counts no confirmed order in the last hour"
echo "  analytics: 1 order confirmed in the last hour"

# SIGTERM (the image's STOPSIGNAL) must drain and exit 0 well before podman's SIGKILL at 30 s.
for svc in analytics order orchestrator payment inventory; do
  started=$SECONDS
  podman_quiet stop -t 30 "$CONTAINER-$svc" >/dev/null
  code=$(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER-$svc")
  [ "$code" = 0 ] || fail "$svc exited $code on SIGTERM"
  podman logs "$CONTAINER-$svc" 2>&1 | grep -q 'shutdown complete' || fail "$svc did not log its drain"
  echo "  $svc: stopped by SIGTERM, exit 0 in $((SECONDS - started)) s"
done
echo "PASS"
