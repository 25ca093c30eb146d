#!/usr/bin/env bash
# Load run: GET /api/v1/whoami with a valid key vs GET /healthz, on the same running portal, same run.
# Starts the portal (Release) on a loopback port against a fresh database, inserts a workspace and a key,
# runs wrk for DURATION seconds per endpoint (in alternating rounds, after a warm-up), prints req/s and the ratio.
#   DATAKEEN_BENCH_POSTGRES  server connection (default: a throwaway cluster, as test.sh does)
#   DURATION (10, seconds per endpoint), ROUNDS (2), THREADS (1), CONNECTIONS (16)
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
bench_database load
bench_portal

bench_load_key
status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$URL/api/v1/whoami")"
[ "$status" = 200 ] || { echo "whoami answered $status" >&2; cat "$WORK_DIR/portal.log" >&2; exit 1; }

run_wrk() { # name, path, [header]
  local args=(-t"$THREADS" -c"$CONNECTIONS" --latency)
  [ -n "${3:-}" ] && args+=(-H "$3")
  wrk "${args[@]}" -d"${ROUND_SECONDS}s" "$URL$2" | tee "$WORK_DIR/$1.txt" >&2
  awk '/Requests\/sec/ {print $2}' "$WORK_DIR/$1.txt"
}

# Warm up both paths (JIT, tiered compilation, connection pools), then alternate the two endpoints in
# ROUNDS rounds, so that load drifting on a shared machine hits both alike.
# The JIT's tiered (and profile-guided) compilation of a request path takes tens of seconds of load on 2 cores.
WARMUP="${WARMUP:-15}"
log "Warming up (${WARMUP} s each)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$URL/healthz" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $KEY" "$URL/api/v1/whoami" >/dev/null
ROUNDS="${ROUNDS:-4}"
ROUND_SECONDS=$(( (DURATION + ROUNDS - 1) / ROUNDS ))
HEALTHZ_RUNS=(); WHOAMI_RUNS=(); non2xx=""
for round in $(seq 1 "$ROUNDS"); do
  log "Round $round/$ROUNDS: wrk $URL/healthz (${ROUND_SECONDS}s, $THREADS thread(s), $CONNECTIONS connections)"
  HEALTHZ_RUNS+=("$(run_wrk healthz /healthz)")
  log "Round $round/$ROUNDS: wrk $URL/api/v1/whoami with a valid key (${ROUND_SECONDS}s)"
  WHOAMI_RUNS+=("$(run_wrk whoami /api/v1/whoami "Authorization: Bearer $KEY")")
  non2xx+="$(awk '/Non-2xx/ {print $NF}' "$WORK_DIR/whoami.txt")"
done
# Allocations per whoami: insensitive to the machine's load, unlike the ratio (bench_allocations_per_request).
log "Allocations per whoami: one ${ROUND_SECONDS}s run under dotnet-counters"
ALLOC="$(ALLOC_SECONDS="$ROUND_SECONDS" bench_allocations_per_request whoami-alloc \
  run_wrk whoami-alloc /api/v1/whoami "Authorization: Bearer $KEY")"
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.0f", s / NR }'; }
HEALTHZ="$(mean "${HEALTHZ_RUNS[@]}")"
WHOAMI="$(mean "${WHOAMI_RUNS[@]}")"

echo
echo "machine:  $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "healthz:  $HEALTHZ req/s (rounds: ${HEALTHZ_RUNS[*]})"
echo "whoami:   $WHOAMI req/s (rounds: ${WHOAMI_RUNS[*]})${non2xx:+ (non-2xx: $non2xx)}"
# The machine's load drifts between rounds: the ratio is taken within each round (healthz and whoami seconds
# apart), and the median of the rounds is reported.
RATIOS="$(for i in "${!HEALTHZ_RUNS[@]}"; do awk -v w="${WHOAMI_RUNS[$i]}" -v h="${HEALTHZ_RUNS[$i]}" 'BEGIN { printf "%.4f\n", w / h }'; done)"
RATIO="$(sort -g <<<"$RATIOS" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')"
awk -v r="$RATIO" -v rounds="$(echo $RATIOS)" 'BEGIN { printf "ratio:    %.0f%% of healthz (median of per-round ratios: %s; target >= 90%%)\n", 100 * r, rounds }'
echo "allocations per whoami: $ALLOC B (managed bytes allocated by the portal during one whoami run / its requests)"
