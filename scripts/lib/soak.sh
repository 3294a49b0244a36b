# shellcheck shell=bash
# Sourced by scripts/dev (after bench.sh, whose process helpers it uses): `soak` runs the load
# generator for a long while at half the sustainable rate and checks that nothing grows without bound.

SOAK_SAMPLE_SECONDS=10
SOAK_WARMUP_SAMPLES=6  # the first minute only fills caches, pools and buffers: the baseline is after it

# Half the last bench's highest sustainable rate, ORDERLY_SOAK_RATE if set, else 30/s.
soak_rate() {
  local latest="$BUILD_DIR/bench/latest.json" best=0
  if [ -n "${ORDERLY_SOAK_RATE:-}" ]; then echo "$ORDERLY_SOAK_RATE"; return; fi
  [ -f "$latest" ] && best=$(jq '.sustainable_rate // 0' "$latest")
  if [ "$best" -ge 2 ]; then echo $((best / 2)); else echo 30; fi
}

# One value: the sum over every shard of the first column $1 returns.
shards_sum() {
  local shard name host port db total=0 value
  for shard in $ORDERLY_PG_SHARDS; do
    IFS=: read -r name host port db <<<"$shard"
    value=$(psql -h "$host" -p "$port" -U postgres -d "$db" -tAc "$1") || return 1
    total=$((total + ${value:-0}))
  done
  echo "$total"
}

# SQL summing $1 (an aggregate over an outbox or inbox table, e.g. count(*)) over every schema's table $2.
all_schemas() {
  echo "SELECT coalesce(sum(n), 0) FROM (SELECT (xpath('/row/n/text()', query_to_xml(format(
    'SELECT $1 AS n FROM %I.$2', table_schema), false, true, '')))[1]::text::bigint AS n
    FROM information_schema.tables WHERE table_name = '$2') t"
}

# One sample as a JSON object: time, RSS (kB) and open file descriptors per service, PostgreSQL
# connections, outbox rows (all, unsent), inbox rows, consumer lag, and the load generator's p99 so far.
soak_sample() {
  local elapsed=$1 progress=$2 name pid rss fds json='{}' p99
  while read -r name pid; do
    [[ $name == shard* || $name == redis || $name == devbroker ]] && continue
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    json=$(jq -c --arg n "$name" --argjson rss "${rss:-0}" --argjson fds "$fds" '.rss_kb[$n] = $rss | .fds[$n] = $fds' <<<"$json")
  done < <(bench_components)
  p99=$(tail -n 1 "$progress" 2>/dev/null | sed -n 's/.* end \([0-9.]*\) ms$/\1/p')
  jq -c --argjson t "$elapsed" --argjson connections "$(shards_sum "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")" \
    --argjson outbox "$(shards_sum "$(all_schemas 'count(*)' outbox)")" \
    --argjson unsent "$(shards_sum "$(all_schemas 'count(*) FILTER (WHERE sent_at IS NULL)' outbox)")" \
    --argjson inbox "$(shards_sum "$(all_schemas 'count(*)' inbox)")" \
    --argjson lag "$(consumer_lag)" --argjson p99 "${p99:-null}" \
    '. + {t: $t, connections: $connections, outbox: $outbox, unsent: $unsent, inbox: $inbox, lag: $lag, p99_ms: $p99}' <<<"$json"
}

# Every sample as a table, one row each.
soak_table() {
  jq -rs '(["T S", "RSS MiB (" + (.[0].rss_kb | keys | join(" ")) + ")", "OPEN FILES (same order)", "PG CONNS", "OUTBOX", "UNSENT",
            "INBOX", "LAG", "P99 END MS"] | @tsv),
          (.[] | [.t, (.rss_kb as $r | $r | keys | map($r[.] / 1024 | floor | tostring) | join(" ")),
                  (.fds as $f | $f | keys | map($f[.] | tostring) | join(" ")), .connections, .outbox, .unsent, .inbox, .lag,
                  (.p99_ms // "-")] | @tsv)' "$1" | column -t -s $'\t'
}

# The verdicts, one line each "PASS|FAIL what": after the warm-up baseline, no service's RSS grows by
# more than 20% (plus 4 MiB of slack for allocator noise) or its descriptors by more than 20%; PostgreSQL
# connections stay within their pools; the unsent outbox and the consumer lag stay bounded (1,000 plus
# what the offset commit interval holds back) and end at zero.
soak_verdicts() {
  jq -rs --argjson warmup "$SOAK_WARMUP_SAMPLES" --argjson commit_s "$(jq -n "${ORDERLY_KAFKA_COMMIT_INTERVAL_MS:-200} / 1000")" '
    (if length > $warmup then $warmup else 0 end) as $i | .[$i] as $base | .[$i:] as $after | .[-1] as $last |
    # Messages handled per second (one inbox row each); that many times the commit interval are handled
    # records whose offsets are not committed yet: consumer lag that is no backlog.
    (if $last.t > $base.t then ($last.inbox - $base.inbox) / ($last.t - $base.t) else 0 end) as $handled_per_s |
    (1000 + $handled_per_s * $commit_s | floor) as $backlog_cap |
    ($after | map(.rss_kb) | reduce .[] as $s ({}; reduce ($s | keys[]) as $k (.; .[$k] = ([.[$k] // 0, $s[$k]] | max))))
      as $peak_rss |
    ($after | map(.fds) | reduce .[] as $s ({}; reduce ($s | keys[]) as $k (.; .[$k] = ([.[$k] // 0, $s[$k]] | max))))
      as $peak_fds |
    [($base.rss_kb | keys[] as $k |
       {ok: ($peak_rss[$k] <= $base.rss_kb[$k] * 1.2 + 4096),
        what: "\($k) RSS \($base.rss_kb[$k] / 1024 | floor) MiB after warm-up, at most \($peak_rss[$k] / 1024 | floor) MiB after"}),
     ($base.fds | keys[] as $k |
       {ok: ($peak_fds[$k] <= ($base.fds[$k] * 1.2 | ceil)),
        what: "\($k) open files \($base.fds[$k]) after warm-up, at most \($peak_fds[$k]) after"}),
     {ok: (([$after[].connections] | max) <= $base.connections + 4),
      what: "PostgreSQL connections \($base.connections) after warm-up, at most \([$after[].connections] | max) after"},
     {ok: ($last.unsent == 0 and $last.lag == 0),
      what: "unsent outbox rows and consumer lag at the end: \($last.unsent) and \($last.lag)"},
     {ok: (([$after[].unsent + $after[].lag] | max) <= $backlog_cap),
      what: ("unsent outbox rows + consumer lag at most \([$after[].unsent + $after[].lag] | max) during the run " +
             "(bound \($backlog_cap): 1,000 + \($handled_per_s | floor) messages/s x \($commit_s) s before a commit)")}]
    | .[] | "\(if .ok then "PASS" else "FAIL" end)  \(.what)"' "$1"
}

cmd_soak() {
  local minutes=${1:-10}
  [[ $minutes =~ ^[1-9][0-9]*$ ]] || die "usage: scripts/dev soak [MINUTES]   (a whole number, default 10)"
  stack_for_load
  local rate work samples loadgen_pid status=0 start=$SECONDS next
  rate=$(soak_rate)
  work="$BUILD_DIR/soak/soak-$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$work"
  samples="$work/samples.jsonl"
  log "soak: $rate orders/s for $minutes min (5% each out of stock, poor, cancelled), a sample every $SOAK_SAMPLE_SECONDS s"
  loadgen --rate "$rate" --duration $((minutes * 60)) --drain 60 --out-of-stock 0.05 --poor 0.05 --cancel 0.05 \
    --json >"$work/loadgen.json" 2>"$work/progress.txt" &
  loadgen_pid=$!
  next=0
  while kill -0 "$loadgen_pid" 2>/dev/null; do
    soak_sample $((SECONDS - start)) "$work/progress.txt" >>"$samples"
    log "  $(jq -r '"\(.t) s: RSS \(.rss_kb as $r | $r | keys | map($r[.] / 1024 | floor | tostring) | join("/")) MiB, \(.connections) connections, \(.unsent) unsent, lag \(.lag), p99 \(.p99_ms // "-") ms"' <(tail -n 1 "$samples"))"
    next=$((next + SOAK_SAMPLE_SECONDS))  # on a fixed schedule, however long a sample took
    [ $((start + next)) -le $SECONDS ] || sleep $((start + next - SECONDS))
  done
  wait "$loadgen_pid" || status=$?
  soak_sample $((SECONDS - start)) "$work/progress.txt" >>"$samples"
  echo
  soak_table "$samples" | tee "$work/table.txt"
  echo
  soak_verdicts "$samples" | tee "$work/verdicts.txt"
  local audit=0
  ctl audit >"$work/audit.txt" 2>&1 || audit=$?
  if [ "$audit" -eq 0 ]; then echo "PASS  orderlyctl audit clean"; else echo "FAIL  orderlyctl audit: $(tail -n 1 "$work/audit.txt")"; fi
  echo "loadgen exit $status: $(jq -r '"\(.orders.accepted) accepted, \(.orders.unexpected) unexpected outcomes, \(.orders.pending) pending"' "$work/loadgen.json")"
  echo "written: $work"
  [ "$status" -eq 0 ] && [ "$audit" -eq 0 ] && ! grep -q '^FAIL' "$work/verdicts.txt"
}
