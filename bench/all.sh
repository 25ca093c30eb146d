#!/usr/bin/env bash
# Every benchmark of the portal, one after the other on this machine, then one table of figures with their
# targets (docs/benchmarks.md reproduces it). Each benchmark starts what it needs (a throwaway PostgreSQL cluster,
# the portal in Release) and removes it; their full output stays in $LOG_DIR (printed at the end).
#   BDN=0          skip the BenchmarkDotNet run (the cpu-time run of the same operations still runs)
#   ROUNDS, DURATION, CIRCUITS, CONSUMES are passed on to the scripts that take them.
# Any other bench/*.sh script (e.g. one added by another change) is run too and its last lines are printed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LOG_DIR="$(mktemp -d /tmp/datakeen-bench-all.XXXXXX)"
STARTED="$(date -u '+%Y-%m-%d %H:%M UTC')"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

run() { # name, command...
  local name="$1"; shift
  log "bench/all.sh: $name"
  "$@" >"$LOG_DIR/$name.out" 2>"$LOG_DIR/$name.err" || log "bench/all.sh: $name FAILED (exit $?), see $LOG_DIR/$name.err"
}
field() { grep -m1 "$2" "$LOG_DIR/$1.out" 2>/dev/null | sed -E "$3" || true; }

run verification-build dotnet build bench/Datakeen.Portal.Benchmarks -c Release -nologo -v q
run verification-cpu dotnet bench/Datakeen.Portal.Benchmarks/bin/Release/net10.0/Datakeen.Portal.Benchmarks.dll cpu-time
if [ "${BDN:-1}" = 1 ]; then
  run verification-bdn bash -c 'cd bench/Datakeen.Portal.Benchmarks && dotnet bin/Release/net10.0/Datakeen.Portal.Benchmarks.dll \
    --filter "*KeyVerificationBenchmarks.VerifyWarm*" --job short --iterationCount 5 --memory --inProcess'
fi
run whoami bench/load-whoami.sh
run credits bench/credits-load.sh
run circuits bench/circuit-load.sh
run verify bench/verify-gateway-load.sh
for script in bench/*.sh; do
  case "$(basename "$script")" in
    all.sh|bench-lib.sh|load-whoami.sh|credits-load.sh|circuit-load.sh|verify-gateway-load.sh) ;;
    gcdump-types.sh) ;; # a tool that reads two heap dumps (its arguments), not a benchmark
    *) run "other-$(basename "$script" .sh)" "$script" ;;
  esac
done

verify_cpu="$(field verification-cpu '^VerifyWarm' 's/.*cpu +([0-9]+) ns\/op.*/\1 ns/')"
verify_alloc="$(field verification-cpu '^VerifyWarm' 's/.*allocated +([0-9.]+) B\/op.*/\1 B/')"
verify_bdn="$(grep -h '| *VerifyWarm' bench/Datakeen.Portal.Benchmarks/BenchmarkDotNet.Artifacts/results/*-report-github.md 2>/dev/null | tail -1 | tr -s ' ' | cut -c1-120)"
whoami_ratio="$(field whoami '^ratio:' 's/^ratio: +([0-9]+%).*/\1/')"
credits_ratio="$(field credits '^ratio many workspaces' 's/.*API\/core ([0-9]+%).*/\1/')"
credits_hot="$(field credits '^ratio hot workspace' 's/.*API\/core ([0-9]+%).*/\1/')"
credits_ceiling="$(field credits '^CPU ceiling of API/core' 's/.*medians\): //')"
credits_p99="$(field credits '^consume p99' 's/.*: ([0-9.]+ ms).*/\1/')"
credits_invariant="$(field credits 'differs from the sum' 's/.*: //')"
credits_alloc="$(field credits '^allocations per consume' 's/^allocations per consume: ([0-9n\/a]+).*/\1/')"
verify_ratio="$(field verify '^verify / healthz' 's/.*median ([0-9]+%).*/\1/')"
authorize_ratio="$(field verify '^authorize / healthz' 's/.*median ([0-9]+%).*/\1/')"
circuits_open="$(field circuits '^circuits_open=' 's/.*=//')"
heap="$(field circuits '^heap_per_circuit_kb=' 's/.*=([0-9]+)/\1 KB/')"
rss="$(field circuits '^rss_per_circuit_kb=' 's/.*=([0-9]+)/\1 KB/')"
fanout="$(field circuits '^fanout_last_meter_p50_ms=' 's/fanout_last_meter_p50_ms=([0-9]+) fanout_last_meter_p99_ms=([0-9]+).*/p50 \1 ms, p99 \2 ms/')"
fanout_meter="$(field circuits '^fanout_meter_p50_ms=' 's/fanout_meter_p50_ms=([0-9]+) fanout_meter_p99_ms=([0-9]+).*/p50 \1 ms, p99 \2 ms/')"
missed="$(field circuits 'missed_updates=' 's/.*missed_updates=//')"
stock_heap="$(field other-stock-circuit '^stock_circuits=' 's/.*stock_heap_per_circuit_kb=([0-9]+)[.0-9]* stock_rss_per_circuit_kb=([0-9]+).*/\1 KB (RSS \2 KB)/')"
pages="$(field circuits '^page_renders_per_second=' 's/page_renders_per_second=([0-9]+) page_p50_ms=([0-9.]+) page_p99_ms=([0-9.]+).*/\1\/s, p50 \2 ms, p99 \3 ms/')"

echo
echo "bench/all.sh, $STARTED to $(date -u '+%H:%M UTC')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GB"
echo "load average: $LOAD_BEFORE at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
echo "| figure | measured | target |"
echo "|---|---|---|"
echo "| consume API / pgbench core, 32 workspaces | ${credits_ratio:-n/a} | >= 60 % (stretch >= 100 %) |"
echo "| consume API / pgbench core, one hot workspace | ${credits_hot:-n/a} | >= 100 % |"
echo "| the same ratios if the machine's CPU were the only limit (pgbench core's machine CPU per debit / the API's) | ${credits_ceiling:-n/a} | (what the two targets above can reach on this machine) |"
echo "| consume p99 latency, 16 connections | ${credits_p99:-n/a} | <= 10 ms |"
echo "| allocations per consume (dotnet-counters, whole process) | ${credits_alloc:-n/a} B | half of release 3's (docs/benchmarks.md) |"
echo "| managed heap per open tab circuit | ${heap:-n/a} (RSS ${rss:-n/a}; ${circuits_open:-?} circuits) | <= 100 KB |"
echo "| stock dotnet new blazor --interactivity Server /counter, same harness | ${stock_heap:-n/a} (bench/stock-circuit.sh) | reported beside it |"
echo "| signed-in tab pages rendered per second (prerender, 8 connections, harness host) | ${pages:-n/a} | >= 320/s, p50 <= 25 ms |"
echo "| fan-out, one consume -> last of ${circuits_open:-?} open meters | ${fanout:-n/a} (per meter ${fanout_meter:-n/a}; missed ${missed:-?}) | p99 <= 250 ms |"
echo "| whoami / healthz | ${whoami_ratio:-n/a} | >= 90 % |"
echo "| verify (no cost) / healthz | ${verify_ratio:-n/a} | >= 90 % |"
echo "| gateway authorize / healthz | ${authorize_ratio:-n/a} | >= 90 % |"
echo "| verification, CPU time / allocation per call (cpu-time) | ${verify_cpu:-n/a} / ${verify_alloc:-n/a} | <= 1 us / 0 B |"
echo
echo "BenchmarkDotNet VerifyWarm: ${verify_bdn:-not run}"
echo "credit accounts whose balance differs from their ledger: ${credits_invariant:-n/a}"
for out in "$LOG_DIR"/other-*.out; do
  [ -e "$out" ] || continue
  echo; echo "$(basename "$out" .out):"; tail -n 8 "$out"
done
echo
echo "full output: $LOG_DIR"
