#!/usr/bin/env bash
# What recording key activity costs per request, in figures the machine's load does not move (issue 24):
# GET /api/v1/whoami with one valid key under wrk for DURATION seconds, then
#   - the portal's CPU time per request (utime + stime of its process from /proc, divided by the requests served),
#   - managed bytes allocated per request (dotnet-counters, as bench/load-whoami.sh),
#   - key_activity rows written per second and per request (the requests they stand for, when the table counts them).
# Starts the portal (Release) on a loopback port against a fresh database, as the other load scripts do.
#   DATAKEEN_BENCH_POSTGRES  server connection (default: a throwaway cluster)
#   DURATION (10, seconds per run), THREADS (1), CONNECTIONS (16), WARMUP (15)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

DURATION="${DURATION:-10}"
THREADS="${THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-16}"
command -v wrk >/dev/null || apt_install wrk
command -v psql >/dev/null || apt_install postgresql-client

source bench/bench-lib.sh
bench_database activity
bench_portal

bench_load_key

whoami() { # name, seconds
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2s" -H "Authorization: Bearer $KEY" "$URL/api/v1/whoami" >"$WORK_DIR/$1.txt"
}
# utime + stime of the portal, in clock ticks (fields 14 and 15 of /proc/PID/stat; the name field has no space here).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PORTAL_PID/stat"; }
requests_of() { awk '/requests in/ {print $1; exit}' "$WORK_DIR/$1.txt"; }
# Rows and the requests they stand for (a table without the requests column has one row per request).
activity() {
  if [ "$(psql_db -tAc "SELECT count(*) FROM information_schema.columns WHERE table_name = 'key_activity' AND column_name = 'requests'")" = 1 ]; then
    psql_db -tAc "SELECT count(*) || ' ' || coalesce(sum(requests), 0) FROM key_activity"
  else
    psql_db -tAc "SELECT count(*) || ' ' || count(*) FROM key_activity"
  fi
}

WARMUP="${WARMUP:-15}"
log "Warming up (${WARMUP} s)"
whoami warmup "$WARMUP"
sleep 3 # the writer's flush of the warm-up
read -r ROWS0 RECORDED0 <<<"$(activity)"
log "whoami for ${DURATION} s, CPU and activity rows measured"
TICKS0="$(cpu_ticks)"
whoami cpu "$DURATION"
TICKS1="$(cpu_ticks)"
sleep 3 # the writer's flush of the run's last requests
read -r ROWS1 RECORDED1 <<<"$(activity)"
REQUESTS="$(requests_of cpu)"
log "Allocations per whoami: one ${DURATION} s run under dotnet-counters"
ALLOC="$(ALLOC_SECONDS="$DURATION" bench_allocations_per_request alloc whoami alloc "$DURATION")"
HZ="$(getconf CLK_TCK)"

echo
echo "machine:  $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$REQUESTS" -v d="$DURATION" 'BEGIN { printf "whoami:   %d requests in %d s (%.0f req/s)\n", n, d, n / d }'
awk -v t="$((TICKS1 - TICKS0))" -v hz="$HZ" -v n="$REQUESTS" 'BEGIN { printf "CPU per whoami: %.1f us (portal process, utime + stime)\n", 1e6 * t / hz / n }'
echo "allocations per whoami: $ALLOC B"
awk -v r="$((ROWS1 - ROWS0))" -v q="$((RECORDED1 - RECORDED0))" -v n="$REQUESTS" -v d="$DURATION" \
  'BEGIN { printf "key_activity: %d rows (%.1f rows/s) for %d recorded requests of %d served (%.0f requests per row)\n", r, r / d, q, n, (r > 0 ? q / r : 0) }'
