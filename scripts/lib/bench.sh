# shellcheck shell=bash
# Sourced by scripts/dev: `bench` measures the running local stack against its PostgreSQL commit
# ceiling; `bench micro` runs the Google Benchmark micro-benchmarks.

BENCH_START_RATE=${ORDERLY_BENCH_START_RATE:-40}  # orders/s of the first step
BENCH_STEP_SECONDS=${ORDERLY_BENCH_STEP_SECONDS:-10}
BENCH_HALF_SECONDS=${ORDERLY_BENCH_HALF_SECONDS:-30}
BENCH_SEARCH_SECONDS=150  # the step search stops climbing after this long and refines what it has
BENCH_MAX_RATE=5000

cmd_bench() {
  case "${1:-}" in
    micro) shift; bench_micro "$@" ;;
    "") bench_stack ;;
    *) die "usage: scripts/dev bench [micro [BENCHMARK_FLAGS...]]" ;;
  esac
}

bench_micro() {
  cmd_build -DORDERLY_BUILD_BENCH=ON
  "$BUILD_DIR/tests/bench/orderly_bench" "$@"
}

# From the checkout: the config's auth key path (.run/auth/signing.pem) is relative to it.
loadgen() { (cd "$ROOT" && "$BIN/loadgen/orderly-loadgen" --config "$(realpath "$CONFIG")" "$@"); }

# ---------------------------------------------------------------- processes: CPU and memory

# "name pid" of each process component of the stack: the services, devbroker, redis and each
# shard's postmaster.
bench_components() {
  local entry shard name
  for entry in $ORDERLY_SERVICES; do
    name=${entry%%=*}
    pid_alive "$RUN_DIR/services/$name.pid" "orderly-$name" && echo "$name $(head -n 1 "$RUN_DIR/services/$name.pid")"
  done
  pid_alive "$RUN_DIR/devbroker/devbroker.pid" devbroker && echo "devbroker $(head -n 1 "$RUN_DIR/devbroker/devbroker.pid")"
  pid_alive "$RUN_DIR/redis/redis.pid" redis-server && echo "redis $(head -n 1 "$RUN_DIR/redis/redis.pid")"
  for shard in $ORDERLY_PG_SHARDS; do
    IFS=: read -r name _ _ _ <<<"$shard"
    [ -f "$PG_BASE/$name/postmaster.pid" ] && echo "$name $(head -n 1 "$PG_BASE/$name/postmaster.pid")"
  done
  return 0
}

# "name ticks" for every component: CPU clock ticks (utime + stime) of its process; for a shard,
# those of its postmaster's live children (the backends) and of the children it reaped too. One
# pass over /proc (a process may exit meanwhile); the command name is cut off first, as it may
# hold spaces.
cpu_snapshot() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v spec="$(bench_components | tr '\n' ';')" '
    BEGIN { n = split(spec, items, ";"); for (i = 1; i <= n; i++) if (split(items[i], p, " ") == 2) name[p[2]] = p[1] }
    {
      pid = $1; line = $0; sub(/.*\) /, "", line); split(line, f, " ")
      if (pid in name) total[name[pid]] += f[12] + f[13] + (name[pid] ~ /^shard/ ? f[14] + f[15] : 0)
      else if ((f[2] in name) && name[f[2]] ~ /^shard/) total[name[f[2]]] += f[12] + f[13]
    }
    END { for (k in total) print k, total[k] }'
}

# "name kB" resident memory of every component but the shards (their shared buffers would count once per backend).
rss_snapshot() {
  local name pid
  bench_components | while read -r name pid; do
    [[ $name == shard* ]] && continue
    echo "$name $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
  done
}

# Writes the highest RSS of each component seen so far to file $1, sampling every second until killed.
rss_sampler() {
  local out=$1 name kb
  declare -A peak=()
  while :; do
    while read -r name kb; do
      [ "${kb:-0}" -gt "${peak[$name]:-0}" ] && peak[$name]=$kb
    done < <(rss_snapshot)
    for name in "${!peak[@]}"; do echo "$name ${peak[$name]}"; done >"$out.tmp"
    mv "$out.tmp" "$out"
    sleep 1
  done
}

# "name value" lines on stdin -> one JSON object.
lines_to_json() { jq -Rn '[inputs | select(length > 0) | split(" ") | {(.[0]): (.[1] | tonumber)}] | add // {}'; }

# ---------------------------------------------------------------- fresh topics

# Each measured run restarts the services on topics of their own (a fresh kafka.prefix) and warms
# them up (group joins, caches), so every step starts from the same state and none pays for the
# backlog or the consumer lag an earlier, unsustainable step left. Their databases stay as they are.
bench_restart_services() {
  local entry name
  for entry in $ORDERLY_SERVICES; do
    name=${entry%%=*}
    stop_pidfile "$RUN_DIR/services/$name.pid" "orderly-$name" "$name" >/dev/null
  done
  if [ -n "${1:-}" ]; then export ORDERLY_KAFKA__PREFIX=$1; else unset ORDERLY_KAFKA__PREFIX; fi
  services_up "$RUN_DIR" "$CONFIG" >/dev/null
}

# Restarts the services on fresh topics named after $1 and warms them up (not measured).
bench_fresh_topics() {
  bench_restart_services "bench-$1."
  loadgen --rate 10 --duration 3 --drain 30 --quiet >/dev/null || die "the warm-up run failed; see scripts/dev logs"
}

# ---------------------------------------------------------------- the steps

# pgbench -N on the first shard, in its own database `pgbench` (initialized once): prints the TPS;
# leaves the shard's fsync and synchronous_commit settings in WORK/durability.
bench_pgbench() {
  local name host port
  IFS=: read -r name host port _ <<<"${ORDERLY_PG_SHARDS%% *}"
  local psql=(psql -h "$host" -p "$port" -U postgres -qtA)
  if [ -z "$("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'pgbench'")" ]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE pgbench" >/dev/null
  fi
  if [ "$("${psql[@]}" -d pgbench -c "SELECT to_regclass('pgbench_accounts') IS NOT NULL")" != t ]; then
    "$PG_BIN/pgbench" -h "$host" -p "$port" -U postgres -i -q pgbench >/dev/null 2>&1 || die "pgbench -i failed on $name"
  fi
  "${psql[@]}" -d pgbench -c 'SHOW fsync' -c 'SHOW synchronous_commit' | paste -sd ' ' >"$BENCH_WORK/durability"
  log "pgbench -N on $name: 8 clients, 2 threads, 10 s (fsync, synchronous_commit: $(cat "$BENCH_WORK/durability"))"
  "$PG_BIN/pgbench" -h "$host" -p "$port" -U postgres -N -c 8 -j 2 -T 10 pgbench 2>/dev/null |
    awk '/^tps = / {print $3; exit}'
  # Flushes what pgbench dirtied now, not during the first step.
  "${psql[@]}" -d pgbench -c CHECKPOINT >/dev/null
}

# Runs one open-loop step at $1 orders/s; leaves WORK/step-RATE.{json,cpu0,cpu1,rss}, logs and
# appends "RATE yes" or "RATE no: <why>" to WORK/steps, and succeeds if the rate is sustainable:
# ends keep up (95%), nothing refused, failed or unexpected, the backlog drained within 2 s of the
# step, p99 place -> end under 1 s.
bench_step() {
  local rate=$1 out="$BENCH_WORK/step-$1" sampler status=0 verdict
  bench_fresh_topics "$BENCH_STAMP-$rate"
  cpu_snapshot >"$out.cpu0"
  rss_sampler "$out.rss" >/dev/null &
  sampler=$!
  loadgen --rate "$rate" --duration "$BENCH_STEP_SECONDS" --drain 15 --json --quiet >"$out.json" || status=$?
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  cpu_snapshot >"$out.cpu1"
  [ "$status" -le 1 ] || die "orderly-loadgen failed (exit $status) at $rate/s; is the stack up? (scripts/dev status)"
  verdict=$(jq -r '[
      (if .rates.terminal < 0.95 * .rates.offered then "ended \(.rates.terminal)/s of \(.rates.offered)/s" else empty end),
      (if .orders.refused > 0 then "\(.orders.refused) refused" else empty end),
      (if .orders.failed > 0 then "\(.orders.failed) failed" else empty end),
      (if .orders.unexpected > 0 then "\(.orders.unexpected) unexpected outcomes" else empty end),
      (if .drain_s == null then "\(.orders.pending) still pending" elif .drain_s > 2 then "drain \(.drain_s) s"
       else empty end),
      (if .latency_ms.terminal.ALL.p99 >= 1000 then "p99 \(.latency_ms.terminal.ALL.p99) ms" else empty end)
    ] | if length == 0 then "yes" else "no: " + join(", ") end' "$out.json")
  log "  step $rate/s: $(jq -r '"ended \(.rates.terminal)/s, p99 place->end \(.latency_ms.terminal.ALL.p99) ms"' \
    "$out.json"): sustainable $verdict"
  echo "$rate $verdict" >>"$BENCH_WORK/steps"
  [ "$verdict" = yes ]
}

# Finds the highest sustainable rate: up by half again from BENCH_START_RATE while sustainable (down
# by half while not), then three bisections between the best good and the lowest bad rate (fewer once
# they are within 2.5% of each other). Prints it.
bench_search() {
  local rate=$BENCH_START_RATE good=0 bad=0 deadline=$((SECONDS + BENCH_SEARCH_SECONDS))
  while :; do
    if bench_step "$rate"; then good=$rate; else bad=$rate; fi
    [ "$bad" -eq 0 ] || [ "$good" -eq 0 ] || break
    [ $SECONDS -lt $deadline ] || break
    if [ "$bad" -eq 0 ]; then rate=$((rate * 3 / 2)); else rate=$((rate / 2)); fi
    if [ "$rate" -lt 1 ] || [ "$rate" -gt $BENCH_MAX_RATE ]; then break; fi
  done
  for _ in 1 2 3; do
    if [ "$good" -eq 0 ] || [ "$bad" -eq 0 ]; then break; fi
    rate=$(((good + bad) / 2))
    [ $((bad - good)) -gt $((good / 40 > 1 ? good / 40 : 1)) ] || break
    if bench_step "$rate"; then good=$rate; else bad=$rate; fi
  done
  echo "$good"
}

# ---------------------------------------------------------------- the report

# Every figure of the run as one JSON document, from the files under BENCH_WORK.
bench_json() {
  local tps=$1 best=$2 half=$3 audit_status=$4 steps="[]" rate verdict
  while read -r rate verdict; do
    steps=$(jq -c --arg verdict "$verdict" --argjson list "$steps" '$list + [{rate: (.rate | tonumber),
      sustainable: ($verdict == "yes"), why: ($verdict | sub("^(yes|no: )"; "")), ended_per_s: .rates.terminal,
      p99_place_to_end_ms: .latency_ms.terminal.ALL.p99, refused: .orders.refused, drain_s: .drain_s}]' \
      "$BENCH_WORK/step-$rate.json")
  done <"$BENCH_WORK/steps"
  local step_json='{}' cpu0='{}' cpu1='{}' peak_rss='{}'
  if [ "$best" -gt 0 ]; then
    step_json=$(cat "$BENCH_WORK/step-$best.json")
    cpu0=$(lines_to_json <"$BENCH_WORK/step-$best.cpu0")
    cpu1=$(lines_to_json <"$BENCH_WORK/step-$best.cpu1")
    peak_rss=$(lines_to_json <"$BENCH_WORK/step-$best.rss")
  fi
  # shellcheck disable=SC1091
  jq -n --arg stamp "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson cpus "$(nproc)" \
    --arg cpu_model "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" \
    --argjson memory_gib "$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)" \
    --arg os "$(. /etc/os-release && echo "$PRETTY_NAME")" \
    --arg durability "$(cat "$BENCH_WORK/durability")" --argjson tps "$tps" --argjson best "$best" \
    --argjson half "$half" --argjson steps "$steps" \
    --argjson step "$step_json" --slurpfile half_run "$BENCH_WORK/half.json" --slurpfile bare "$BENCH_WORK/bare.json" \
    --argjson cpu0 "$cpu0" --argjson cpu1 "$cpu1" --argjson peak "$peak_rss" \
    --argjson idle "$(lines_to_json <"$BENCH_WORK/rss-idle")" --argjson hz "$(getconf CLK_TCK)" \
    --argjson audit_clean "$([ "$audit_status" -eq 0 ] && echo true || echo false)" \
    --arg audit "$(cat "$BENCH_WORK/audit.txt")" '
    def mib: if . == null then null else (. / 1024 * 10 | round / 10) end;
    def services: ["order", "inventory", "payment", "orchestrator", "analytics"];
    ($half_run[0]) as $h | ($bare[0].bare_vs_place) as $b | ($step.orders.terminal // 0) as $sagas |
    # Rounded down, so a ratio just short of a target never shows, or passes, as reaching it.
    ($best * 10000 / $tps | floor / 100) as $pct |
    # The largest of the services, or null unless each was measured.
    def largest($rss): [services[] as $s | $rss[$s]] | if any(. == null) then null else max | mib end;
    largest($idle) as $idle_max | largest($peak) as $peak_max |
    {
      timestamp: $stamp,
      machine: {cpus: $cpus, cpu_model: $cpu_model, memory_gib: $memory_gib, os: $os},
      pgbench: {tps: $tps, shard: "shard0", clients: 8, threads: 2, seconds: 10, mode: "-N",
                fsync: ($durability | split(" ")[0]), synchronous_commit: ($durability | split(" ")[1])},
      steps: $steps,
      sustainable_rate: $best,
      sagas_per_s: ($step.rates.terminal // 0),
      sagas_pct_of_pgbench_tps: $pct,
      half_rate: {rate: $half, confirmed_p50_ms: $h.latency_ms.terminal.CONFIRMED.p50,
                  confirmed_p99_ms: $h.latency_ms.terminal.CONFIRMED.p99,
                  place_order_p50_ms: $h.latency_ms.place_order.p50, place_order_p99_ms: $h.latency_ms.place_order.p99,
                  unexpected: $h.orders.unexpected, refused: $h.orders.refused, loadgen: $h},
      bare_vs_place: ($b + {ratio: $b.p50_ratio}),
      processes: ([($idle + $cpu1) | keys[] as $name | {($name): {
        cpu_ms_per_saga: (if $sagas > 0 and $cpu1[$name] != null and $cpu0[$name] != null
                          then (($cpu1[$name] - $cpu0[$name]) / $hz * 1000 / $sagas * 100 | round / 100) else null end),
        rss_idle_mib: ($idle[$name] | mib), rss_peak_mib: ($peak[$name] | mib)}}] | add),
      audit: {clean: $audit_clean, output: $audit},
      targets: [
        {name: "sustainable sagas/s >= 8% of pgbench TPS", value: "\($pct) %", pass: ($pct >= 8)},
        {name: "place->CONFIRMED p99 at half rate <= 100 ms", value: "\($h.latency_ms.terminal.CONFIRMED.p99) ms",
         pass: ($h.latency_ms.terminal.CONFIRMED.count > 0 and $h.latency_ms.terminal.CONFIRMED.p99 <= 100)},
        {name: "place->CONFIRMED p50 at half rate <= 30 ms", value: "\($h.latency_ms.terminal.CONFIRMED.p50) ms",
         pass: ($h.latency_ms.terminal.CONFIRMED.count > 0 and $h.latency_ms.terminal.CONFIRMED.p50 <= 30)},
        {name: "services RSS idle <= 50 MiB", value: "\($idle_max // "-") MiB",
         pass: ($idle_max != null and $idle_max <= 50)},
        {name: "services RSS at the highest rate <= 200 MiB", value: "\($peak_max // "-") MiB",
         pass: ($peak_max != null and $peak_max <= 200)},
        {name: "no unexpected outcome at half rate", value: "\($h.orders.unexpected)", pass: ($h.orders.unexpected == 0)},
        {name: "orderlyctl audit clean", value: (if $audit_clean then "clean" else "violations" end), pass: $audit_clean}
      ]
    }'
}

# The tables of a bench JSON document (file $1).
# Prints jq program $2's tab-separated lines from file $1 as aligned columns, then a blank line.
bench_section() {
  jq -r "$2" "$1" | column -t -s $'\t'
  echo
}

bench_table() {
  local file=$1
  jq -r '"Orderly bench \(.timestamp): \(.machine.cpus) x \(.machine.cpu_model), \(.machine.memory_gib) GiB, \(.machine.os)"' "$file"
  echo
  bench_section "$file" '"STEP (open loop)\tENDED/S\tP99 PLACE->END\tDRAIN\tSUSTAINABLE",
    (.steps[] | "\(.rate)/s\t\(.ended_per_s)\t\(.p99_place_to_end_ms) ms\t\(.drain_s // "-") s\t\(if .sustainable then "yes" else "no: \(.why)" end)")'
  bench_section "$file" '"FIGURE\tVALUE",
    "pgbench -N TPS (shard0, 8 clients, 10 s, fsync \(.pgbench.fsync))\t\(.pgbench.tps | round)",
    "highest sustainable saga rate\t\(.sustainable_rate)/s (ended \(.sagas_per_s)/s)",
    "sagas/s / pgbench TPS\t\(.sagas_pct_of_pgbench_tps) %",
    "place->CONFIRMED p50 / p99 at \(.half_rate.rate)/s\t\(.half_rate.confirmed_p50_ms) / \(.half_rate.confirmed_p99_ms) ms",
    "PlaceOrder p50 / p99 at \(.half_rate.rate)/s\t\(.half_rate.place_order_p50_ms) / \(.half_rate.place_order_p99_ms) ms",
    "bare health call p50 (sequential)\t\(.bare_vs_place.health_check_ms.p50) ms",
    "PlaceOrder p50 (sequential)\t\(.bare_vs_place.place_order_ms.p50) ms",
    "PlaceOrder / bare call (p50)\t\(.bare_vs_place.ratio)"'
  bench_section "$file" '"PROCESS\tCPU MS/SAGA\tRSS IDLE MiB\tRSS AT HIGHEST RATE MiB",
    (.processes | to_entries[] | "\(.key)\t\(.value.cpu_ms_per_saga // "-")\t\(.value.rss_idle_mib // "-")\t\(.value.rss_peak_mib // "-")")'
  jq -r '"TARGET\tVALUE\tRESULT", (.targets[] | "\(.name)\t\(.value)\t\(if .pass then "PASS" else "FAIL" end)")' "$file" |
    column -t -s $'\t'
}

# The local stack running (built and started if it is not), with the load generator and orderlyctl built.
stack_for_load() {
  cmd_deps
  configure
  if stack_status "$RUN_DIR" >/dev/null 2>&1; then
    cmake --build "$BUILD_DIR" --target orderly-loadgen orderlyctl -- -j"$(nproc)" >&2
  else
    cmd_up >&2
  fi
  load_stack "$RUN_DIR"
}

bench_stack() {
  stack_for_load
  local stamp out_dir tps best half status=0 audit_status=0
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  BENCH_STAMP=$stamp
  trap 'bench_restart_services >&2' EXIT  # back on the stack's own topics, however the bench ends
  out_dir="$BUILD_DIR/bench"
  BENCH_WORK="$out_dir/work-$stamp"
  mkdir -p "$BENCH_WORK"
  : >"$BENCH_WORK/steps"
  tps=$(bench_pgbench)
  [ -n "$tps" ] || die "pgbench printed no TPS"
  log "pgbench: $tps TPS"
  rss_snapshot >"$BENCH_WORK/rss-idle"  # the services have been idle during pgbench
  log "step search from $BENCH_START_RATE/s, $BENCH_STEP_SECONDS s per step, each on fresh topics after a warm-up"
  best=$(bench_search)
  half=$((best / 2 > 0 ? best / 2 : 1))
  log "half the highest sustainable rate: $half/s for $BENCH_HALF_SECONDS s (5% out of stock, 5% poor, 5% cancelled)"
  bench_fresh_topics "$stamp-half"
  loadgen --rate "$half" --duration "$BENCH_HALF_SECONDS" --drain 30 --out-of-stock 0.05 --poor 0.05 --cancel 0.05 \
    --json --quiet >"$BENCH_WORK/half.json" || status=$?
  [ "$status" -le 1 ] || die "orderly-loadgen failed (exit $status) at $half/s"
  log "bare gRPC call vs PlaceOrder, 500 sequential calls each"
  loadgen --bare-vs-place 500 --json >"$BENCH_WORK/bare.json" || die "orderly-loadgen --bare-vs-place failed"
  log "orderlyctl audit"
  ctl audit >"$BENCH_WORK/audit.txt" 2>&1 || audit_status=$?
  bench_json "$tps" "$best" "$half" "$audit_status" >"$out_dir/bench-$stamp.json"
  cp "$out_dir/bench-$stamp.json" "$out_dir/latest.json"
  echo
  bench_table "$out_dir/latest.json"
  echo
  echo "written: $out_dir/bench-$stamp.json (and latest.json); raw runs in $BENCH_WORK"
  [ "$audit_status" -eq 0 ] || { cat "$BENCH_WORK/audit.txt" >&2; return 1; }
  [ "$(jq '.half_rate.unexpected' "$out_dir/latest.json")" = 0 ] || return 1
}
