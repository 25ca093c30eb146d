#!/usr/bin/env bash
# Circuit load on the API & Docs tab (bench/Datakeen.Portal.CircuitLoad): opens CIRCUITS (500) interactive circuits
# on one workspace's tab with a .NET client of the Blazor hub protocol (no browsers), measures the portal process's
# managed heap and RSS per circuit after a full GC, then times CONSUMES (20) consumes from the request to the render
# batch that carries the new balance on every open meter. Prints key=value lines.
#   DATAKEEN_BENCH_POSTGRES  server connection (default: a throwaway cluster, as test.sh does)
#   CIRCUITS (500), WARMUP (20, circuits opened before the baseline), CONSUMES (20), OPEN_PARALLEL (8)
#   PAGE_SECONDS (10), PAGE_CONNECTIONS (8): the signed-in page run (page_cpu_ms, page_queries)
#   PROFILE=1: a second page run under dotnet-trace's thread-time sampling; prints its top frames
#   (bench/speedscope-top.py), files kept in PROFILE_DIR (default /tmp/…)
#   PROFILE=alloc: the second page run traces allocations instead (GCAllocationTick, about one per 100 KB, with type
#   and stack); prints the top types and allocating frames (bench/Datakeen.Portal.AllocTop)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v psql >/dev/null || apt_install postgresql-client

source bench/bench-lib.sh
bench_database circuit-load
export DATAKEEN_TEST_POSTGRES="$DATAKEEN_BENCH_POSTGRES;Pooling=true;Maximum Pool Size=80"
log "Building the circuit load harness (Release)"
dotnet build bench/Datakeen.Portal.CircuitLoad -c Release -nologo -v q >/dev/null
if [ "${PROFILE:-0}" != 0 ]; then
  [ -x .tools/dotnet-trace/dotnet-trace ] || dotnet tool install dotnet-trace --version 10.0.750501 --tool-path .tools/dotnet-trace >/dev/null
  PROFILE_DIR="${PROFILE_DIR:-/tmp/datakeen-page-profile-$(date +%s)}"; mkdir -p "$PROFILE_DIR"
  export PAGE_TRACE="$PWD/.tools/dotnet-trace/dotnet-trace" PAGE_TRACE_OUT="$PROFILE_DIR/page.nettrace"
  [ "$PROFILE" != alloc ] || export PAGE_TRACE_KIND=alloc
fi
log "Opening ${CIRCUITS:-500} circuits"
dotnet bench/Datakeen.Portal.CircuitLoad/bin/Release/net10.0/Datakeen.Portal.CircuitLoad.dll 2> >(grep --line-buffered -v 'XmlKeyManager\|XML encryptor' >&2)
echo "load_average=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"
if [ "${PROFILE:-0}" = 1 ]; then
  .tools/dotnet-trace/dotnet-trace convert --format speedscope "$PAGE_TRACE_OUT" -o "$PROFILE_DIR/page" >/dev/null 2>&1 || true
  python3 bench/speedscope-top.py "$PROFILE_DIR/page.speedscope.json" 60 >"$PROFILE_DIR/page.top.txt" 2>&1 || true
  echo; echo "== page GET: top frames (dotnet-trace dotnet-sampled-thread-time, waits left out)"; head -n 80 "$PROFILE_DIR/page.top.txt"
  echo "profile: $PROFILE_DIR"
elif [ "${PROFILE:-0}" = alloc ]; then
  dotnet run --project bench/Datakeen.Portal.AllocTop -c Release -- "$PAGE_TRACE_OUT" 30 >"$PROFILE_DIR/page.alloc.txt" 2>&1 || true
  echo; echo "== page GET: allocations (GCAllocationTick, by type and by allocating frame)"; head -n 200 "$PROFILE_DIR/page.alloc.txt"
  echo "profile: $PROFILE_DIR"
fi
