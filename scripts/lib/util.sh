# shellcheck shell=bash
# Sourced by scripts/dev: logging and process helpers shared by every command.

log() { printf '[dev] %s\n' "$*" >&2; }
die() { printf '[dev] error: %s\n' "$*" >&2; exit 1; }

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# True if pid file $1 names a live process whose command line contains $2 (guards pid reuse).
pid_alive() {
  local file=$1 name=$2 pid
  [ -f "$file" ] || return 1
  pid=$(head -n 1 "$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$name"
}

# Waits until command "$@" succeeds, for up to WAIT_SECONDS.
wait_for() {
  local what=$1 deadline=$((SECONDS + WAIT_SECONDS))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what did not become ready within ${WAIT_SECONDS}s"
    sleep 0.2
  done
}

# Something listens on port $1: a server of ours cannot start there.
port_in_use() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
# Any socket uses port $1 (also closing connections): not a port to hand out.
port_busy() { ss -Htan "sport = :$1" 2>/dev/null | grep -q .; }

# A free loopback port not in the space-separated list $1, below the kernel's ephemeral range so
# that no outgoing connection can take it between this check and the server's bind.
free_port() {
  local taken=" ${1:-} " port first_ephemeral
  first_ephemeral=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  while :; do
    port=$((20000 + RANDOM % (first_ephemeral - 20000)))
    [[ $taken == *" $port "* ]] && continue
    port_busy "$port" || { echo "$port"; return; }
  done
}

# The directory for PostgreSQL data: under the run dir if the postgres user can reach it (CI may
# clone below a private home), else a private directory under /tmp.
pg_base_for() {
  local run=$1 base
  mkdir -p "$run/pg"
  if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$run/pg" 2>/dev/null; then
    base="$run/pg"
  else
    base="/tmp/orderly-pg-$(printf '%s' "$run" | md5sum | cut -c1-12)"
    mkdir -p -m 700 "$base"
  fi
  [ "$(id -u)" -ne 0 ] || chown postgres: "$base"
  echo "$base"
}
