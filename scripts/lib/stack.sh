# shellcheck shell=bash
# Sourced by scripts/dev: starting, stopping and checking the components of a stack.

# Loads the stack's endpoints: from the config when starting, from the run dir afterwards, so
# `down` and `status` act on exactly what `up` started.
load_stack() {
  local run=$1 config=${2:-}
  if [ -n "$config" ]; then
    [ -x "$BIN/orderly-config/orderly-config" ] || die "build first: scripts/dev build"
    local env
    env=$("$BIN/orderly-config/orderly-config" stack-env "$config") || exit 1
    mkdir -p "$run"
    { echo "$env"; echo "PG_BASE='$(pg_base_for "$run")'"; } >"$run/stack.env"
  fi
  [ -f "$run/stack.env" ] || return 1
  # shellcheck disable=SC1091
  source "$run/stack.env"
}

pg_healthy() { "$PG_BIN/pg_isready" -q -h "$1" -p "$2" -t 2; }

start_pg() {
  local name=$1 host=$2 port=$3 db=$4 data="$PG_BASE/$1"
  if as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "  postgres $name: already running"
    return
  fi
  port_in_use "$port" && die "postgres $name: port $port is taken by another process"
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$data"
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_BASE/$name.initdb.log" 2>&1 ||
      die "initdb for $name failed; see $PG_BASE/$name.initdb.log"
  fi
  # A checkpoint at most every 15 min, not each time 1 GB of WAL is written (every minute at a few
  # hundred orders/s, each followed by a burst of full-page images); durability settings stay as they are.
  local tuning="-c shared_buffers=512MB -c max_wal_size=4GB -c checkpoint_timeout=15min"
  as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$PG_BASE/$name.log" -w -t "$WAIT_SECONDS" \
    -o "-p $port -k $PG_BASE -c listen_addresses=$host $tuning ${ORDERLY_PG_OPTIONS:-}" start >/dev/null ||
    die "postgres $name did not start; see $PG_BASE/$name.log"
  wait_for "postgres $name" pg_healthy "$host" "$port"
  if [ -z "$(psql -h "$host" -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    psql -h "$host" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE \"$db\"" >/dev/null
  fi
  echo "  postgres $name: started"
}

stop_pg() {
  local name=$1 data="$PG_BASE/$1"
  if as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null && echo "  postgres $name: stopped"
  fi
}

redis_healthy() { [ "$(redis-cli -h "$ORDERLY_REDIS_HOST" -p "$ORDERLY_REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

start_redis() {
  local dir="$1/redis"
  mkdir -p "$dir"
  if pid_alive "$dir/redis.pid" redis-server; then
    echo "  redis: already running"
    return
  fi
  port_in_use "$ORDERLY_REDIS_PORT" && die "redis: port $ORDERLY_REDIS_PORT is taken by another process"
  redis-server --port "$ORDERLY_REDIS_PORT" --bind "$ORDERLY_REDIS_HOST" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null
  wait_for redis redis_healthy
  echo "  redis: started"
}

# Sends TERM to the process in pid file $1 (if it is $2) and waits for it to exit.
stop_pidfile() {
  local file=$1 name=$2 label=$3 pid deadline=$((SECONDS + WAIT_SECONDS))
  if pid_alive "$file" "$name"; then
    pid=$(head -n 1 "$file")
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do
      [ $SECONDS -lt $deadline ] || { kill -KILL "$pid" 2>/dev/null || true; break; }
      sleep 0.1
    done
    echo "  $label: stopped"
  fi
  rm -f "$file"
}

broker_port() { echo "${ORDERLY_KAFKA_BROKERS##*:}"; }
broker_healthy() { kcat -b "$ORDERLY_KAFKA_BROKERS" -L -m 2 >/dev/null 2>&1; }

start_devbroker() {
  local dir="$1/devbroker" port
  port=$(broker_port)
  mkdir -p "$dir"
  if pid_alive "$dir/devbroker.pid" devbroker; then
    echo "  devbroker: already running"
    return
  fi
  port_in_use "$port" && die "devbroker: port $port is taken by another process"
  # setsid: the broker outlives this shell and its terminal; its stdio goes to the log only.
  setsid "$BIN/devbroker/devbroker" --port "$port" --partitions 3 </dev/null >"$dir/devbroker.log" 2>&1 &
  echo $! >"$dir/devbroker.pid"
  wait_for devbroker grep -q 'devbroker ready' "$dir/devbroker.log"
  echo "  devbroker: started"
}

# Writes an EC P-256 signing key (ES256) and its JWKS with kid $2 under $1/auth, unless both are
# there: the services verify tokens with the JWKS and sign their own service tokens with the key, and
# orderlyctl mints tokens with it. Private to the run dir, which git ignores.
auth_keys() {
  local dir=$1/auth kid=$2
  [ -f "$dir/signing.pem" ] && [ -f "$dir/jwks.json" ] && return 0
  mkdir -p "$dir"
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/signing.pem" 2>/dev/null) ||
    die "openssl cannot generate the signing key in $dir"
  # The public point is the last 64 bytes of the key's DER SubjectPublicKeyInfo: x then y.
  local der x y
  der=$(mktemp)
  openssl pkey -in "$dir/signing.pem" -pubout -outform DER -out "$der" 2>/dev/null || die "openssl cannot read $dir/signing.pem"
  x=$(tail -c 64 "$der" | head -c 32 | basenc --base64url | tr -d '=\n')
  y=$(tail -c 32 "$der" | basenc --base64url | tr -d '=\n')
  rm -f "$der"
  printf '{"keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "%s", "x": "%s", "y": "%s"}]}\n' \
    "$kid" "$x" "$y" >"$dir/jwks.json"
}

service_healthy() { "$BIN/orderly-probe/orderly-probe" "$1" >/dev/null 2>&1; }

# Starts service $1 listening on $2 with config $3, logs and pid under run dir $4.
start_service() {
  local name=$1 address=$2 config=$3 dir="$4/services"
  mkdir -p "$dir"
  if pid_alive "$dir/$name.pid" "orderly-$name"; then
    echo "  $name: already running"
    return
  fi
  port_in_use "${address##*:}" && die "$name: port ${address##*:} is taken by another process"
  # From the checkout, so that paths in the config (.run/auth/...) mean the same to every process.
  config=$(realpath "$config")
  (cd "$ROOT" && exec setsid "$BUILD_DIR/services/$name/orderly-$name" --config "$config" </dev/null >>"$dir/$name.log" 2>&1) &
  echo $! >"$dir/$name.pid"
  local deadline=$((SECONDS + WAIT_SECONDS))
  until service_healthy "$address"; do
    if ! pid_alive "$dir/$name.pid" "orderly-$name"; then
      tail -n 5 "$dir/$name.log" >&2
      die "$name exited during start-up; see $dir/$name.log"
    fi
    [ $SECONDS -lt $deadline ] || die "$name did not report SERVING within ${WAIT_SECONDS}s; see $dir/$name.log"
    sleep 0.2
  done
  echo "  $name: started"
}

services_up() {
  local run=$1 config=$2 entry
  for entry in $ORDERLY_SERVICES; do start_service "${entry%%=*}" "${entry#*=}" "$config" "$run"; done
  wait_consumers_joined
}

# "yes" if every consumer the service at metrics endpoint $1 (host:port) reports has partitions
# assigned (orderly_kafka_consumer_assigned_partitions), "no" if one has none or it did not answer.
consumers_joined() {
  local body
  # shellcheck disable=SC2016  # $0 and $1 are the inner shell's: host and port
  body=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3' \
    "${1%:*}" "${1##*:}" 2>/dev/null) || { echo no; return; }
  awk '/^orderly_kafka_consumer_assigned_partitions[{ ]/ {seen = 1; if ($NF + 0 == 0) idle = 1}
       END {print (seen && !idle) ? "yes" : "no"}' <<<"$body"
}

# Waits up to WAIT_SECONDS for every service's consumers to join their groups: a service answers
# calls at once, but consumes nothing until its group gave it partitions (the broker holds a new
# group's first assignment about 3 s for more members), so the first orders would wait for that.
# Services whose metrics endpoint has no fixed port (the default, 127.0.0.1:0) are not waited for.
wait_consumers_joined() {
  local entry waiting deadline=$((SECONDS + WAIT_SECONDS))
  while :; do
    waiting=""
    for entry in ${ORDERLY_METRICS:-}; do
      [[ ${entry#*=} == *:* && ${entry##*:} != 0 ]] || continue
      [ "$(consumers_joined "${entry#*=}")" = yes ] || waiting+=" ${entry%%=*}"
    done
    [ -n "$waiting" ] || return 0
    if [ $SECONDS -ge $deadline ]; then
      echo "  still joining their consumer groups after ${WAIT_SECONDS}s:$waiting (is the broker up?)"
      return 0
    fi
    sleep 0.2
  done
}

stack_up() {
  local run=$1 config=$2 shard
  load_stack "$run" "$config"
  for shard in $ORDERLY_PG_SHARDS; do
    IFS=: read -r name host port db <<<"$shard"
    start_pg "$name" "$host" "$port" "$db"
  done
  start_redis "$run"
  start_devbroker "$run"
}

# Unsent rows in every outbox (any schema) on every shard.
unsent_outbox_rows() {
  local shard name host port db query total=0 count
  for shard in $ORDERLY_PG_SHARDS; do
    IFS=: read -r name host port db <<<"$shard"
    query=$(psql -h "$host" -p "$port" -U postgres -d "$db" -tAc \
      "SELECT string_agg(format('SELECT count(*) FROM %I.outbox WHERE sent_at IS NULL', table_schema), ' UNION ALL ')
       FROM information_schema.tables WHERE table_name = 'outbox'") || return 1
    [ -n "$query" ] || continue
    for count in $(psql -h "$host" -p "$port" -U postgres -d "$db" -tAc "$query"); do total=$((total + count)); done
  done
  echo "$total"
}

# Messages the services' consumer groups have yet to consume.
consumer_lag() {
  "$BIN/orderlyctl/orderlyctl" --json --config "$CONFIG" groups list | jq '[.groups[].lag] | add // 0'
}

# Waits, up to ORDERLY_DRAIN_SECONDS (30), for every outbox to be published and every message to be
# consumed: devbroker keeps its log in memory, so what is in flight at `down` is lost with it. Says
# what it leaves behind; the orchestrator sends the steps it concerns again after `up`.
drain_stack() {
  local limit=${ORDERLY_DRAIN_SECONDS:-30} unsent lag
  local deadline=$((SECONDS + limit))
  while :; do
    if ! unsent=$(unsent_outbox_rows) || ! lag=$(consumer_lag 2>/dev/null); then
      echo "  cannot see the outboxes or the consumer lag: stopping without draining"
      return 0
    fi
    if [ "$unsent" -eq 0 ] && [ "$lag" -eq 0 ]; then
      echo "  drained: every outbox published, every message consumed"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      echo "  not drained after $limit s: $unsent outbox rows stay unsent (published after up); $lag messages not yet"
      echo "  consumed are lost with devbroker's log, and the orchestrator sends the steps they concern again"
      echo "  (services.orchestrator.resend_after_ms after up)"
      return 0
    fi
    sleep 0.5
  done
}

stack_down() {
  local run=$1 shard
  load_stack "$run" || { echo "  nothing to stop in $run"; return 0; }
  local entry name
  for entry in ${ORDERLY_SERVICES:-}; do
    name=${entry%%=*}
    stop_pidfile "$run/services/$name.pid" "orderly-$name" "$name"
  done
  stop_pidfile "$run/devbroker/devbroker.pid" devbroker devbroker
  stop_pidfile "$run/redis/redis.pid" redis-server redis
  for shard in $ORDERLY_PG_SHARDS; do
    IFS=: read -r name _ _ _ <<<"$shard"
    stop_pg "$name"
  done
}

# Prints one row per component; returns 1 if any is unhealthy.
stack_status() {
  local run=$1 shard healthy=0 state
  load_stack "$run" || { echo "stack not set up in $run (scripts/dev up)"; return 1; }
  printf '%-12s %-10s %s\n' COMPONENT STATUS ENDPOINT
  for shard in $ORDERLY_PG_SHARDS; do
    IFS=: read -r name host port db <<<"$shard"
    if pg_healthy "$host" "$port"; then state=healthy; else state=down; healthy=1; fi
    printf '%-12s %-10s %s\n' "$name" "$state" "postgresql://postgres@$host:$port/$db"
  done
  if redis_healthy; then state=healthy; else state=down; healthy=1; fi
  printf '%-12s %-10s %s\n' redis "$state" "redis://$ORDERLY_REDIS_HOST:$ORDERLY_REDIS_PORT"
  if pid_alive "$run/devbroker/devbroker.pid" devbroker && broker_healthy; then state=healthy; else state=down; healthy=1; fi
  printf '%-12s %-10s %s\n' devbroker "$state" "kafka://$ORDERLY_KAFKA_BROKERS"
  local entry
  for entry in ${ORDERLY_SERVICES:-}; do
    if pid_alive "$run/services/${entry%%=*}.pid" "orderly-${entry%%=*}" && service_healthy "${entry#*=}"; then
      state=serving
    else
      state=down
      healthy=1
    fi
    printf '%-12s %-10s %s\n' "${entry%%=*}" "$state" "grpc://${entry#*=}"
  done
  # Prometheus scrapes each service's GET /metrics (services.<name>.metrics_listen).
  for entry in ${ORDERLY_METRICS:-}; do
    printf '%-12s %-10s %s\n' "${entry%%=*}" metrics "http://${entry#*=}/metrics"
  done
  return $healthy
}


# ---------------------------------------------------------------- commands

cmd_up() {
  cmd_build
  echo "starting the Orderly stack in $RUN_DIR (config $CONFIG)"
  # The dev signing key and JWKS config/local.yaml names (auth section), always under the checkout.
  auth_keys "$ROOT/.run" local-1
  stack_up "$RUN_DIR" "$CONFIG"
  services_up "$RUN_DIR" "$CONFIG"
  echo
  stack_status "$RUN_DIR"
  echo
  echo "stop it with: scripts/dev down"
}


cmd_down() {
  echo "stopping the Orderly stack in $RUN_DIR"
  if load_stack "$RUN_DIR" && pid_alive "$RUN_DIR/devbroker/devbroker.pid" devbroker; then drain_stack; fi
  stack_down "$RUN_DIR"
}

cmd_status() { stack_status "$RUN_DIR"; }

cmd_logs() {
  local filter=${1:-} file
  load_stack "$RUN_DIR" || die "no stack in $RUN_DIR"
  for file in "$PG_BASE"/*.log "$RUN_DIR"/redis/redis.log "$RUN_DIR"/devbroker/devbroker.log "$RUN_DIR"/services/*.log; do
    [ -f "$file" ] || continue
    [[ -z $filter || $(basename "$file") == "$filter"* ]] || continue
    echo "==> $file"
    tail -n 20 "$file"
  done
}
