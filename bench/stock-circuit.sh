#!/usr/bin/env bash
# The reference beside the tab's circuit cost (issue 21): the stock `dotnet new blazor --interactivity Server` app,
# generated here from the SDK's own template, with ONE line added for measuring (GET /_heap: the managed heap after
# two forced full, compacting collections, and the working set — what the tab's harness measures in the portal
# process). The circuit harness (bench/Datakeen.Portal.CircuitLoad, "stock" mode) opens CIRCUITS (500) circuits on
# its /counter with the same Blazor hub client and prints stock_heap_per_circuit_kb. Nothing else is changed.
#   CIRCUITS (500), WARMUP (20), OPEN_PARALLEL (8)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work="$(mktemp -d /tmp/datakeen-stock.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -- "-$server_pid" 2>/dev/null || kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

log "Generating the stock template (dotnet new blazor --interactivity Server)"
dotnet new blazor --interactivity Server -o "$work/stock" -n StockBlazor >/dev/null
measure='app.MapGet("/_heap", () => { GC.Collect(2, GCCollectionMode.Forced, true, true); GC.WaitForPendingFinalizers(); GC.Collect(2, GCCollectionMode.Forced, true, true); return new { heap = GC.GetTotalMemory(false), rss = Environment.WorkingSet }; });'
# The template writes CRLF line ends.
grep -qE '^app\.Run\(\);'$'\r''?$' "$work/stock/Program.cs" || { echo "the template's Program.cs has no 'app.Run();' line" >&2; exit 1; }
sed -i -E "s|^app\.Run\(\);(\r?)\$|$measure\1\napp.Run();\1|" "$work/stock/Program.cs"
log "Building the stock app and the circuit harness (Release)"
dotnet build "$work/stock" -c Release -nologo -v q >/dev/null
dotnet build bench/Datakeen.Portal.CircuitLoad -c Release -nologo -v q >/dev/null

port="$(free_port)"
(cd "$work/stock" && exec setsid env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
  Logging__LogLevel__Default=Warning dotnet bin/Release/net10.0/StockBlazor.dll) >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/counter" -o /dev/null 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
log "Opening ${CIRCUITS:-500} circuits on the stock /counter"
dotnet bench/Datakeen.Portal.CircuitLoad/bin/Release/net10.0/Datakeen.Portal.CircuitLoad.dll stock "http://127.0.0.1:$port"
echo "load_average=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"
