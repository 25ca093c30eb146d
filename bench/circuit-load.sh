#!/usr/bin/env bash
# Circuit load on the API & Docs tab (bench/Datakeen.Portal.CircuitLoad): opens CIRCUITS (500) interactive circuits
# on one workspace's tab with a .NET client of the Blazor hub protocol (no browsers), measures the portal process's
# managed heap and RSS per circuit after a full GC, then times CONSUMES (20) consumes from the request to the render
# batch that carries the new balance on every open meter. Prints key=value lines.
#   DATAKEEN_BENCH_POSTGRES  server connection (default: a throwaway cluster, as test.sh does)
#   CIRCUITS (500), WARMUP (20, circuits opened before the baseline), CONSUMES (20), OPEN_PARALLEL (8)
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
log "Opening ${CIRCUITS:-500} circuits"
dotnet bench/Datakeen.Portal.CircuitLoad/bin/Release/net10.0/Datakeen.Portal.CircuitLoad.dll 2> >(grep --line-buffered -v 'XmlKeyManager\|XML encryptor' >&2)
echo "load_average=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"
