#!/usr/bin/env bash
# Tabs outlive their instance (bench/Datakeen.Portal.Failover, headless Chromium): `./run.sh --replicas 3` with TABS (50)
# open API & Docs tabs; the time until a tab works again after SIGKILL of its instance, and the tabs lost in a
# rolling restart (`./run.sh restart`). Prints key=value lines, then the figures with their targets.
#   DATAKEEN_BENCH_POSTGRES  server connection (default: a throwaway cluster, as test.sh does)
#   TABS (50), CONTEXTS (5, browser contexts: each signs in and gets its own sticky instance),
#   ROLLING_RESTART (1; 0: the SIGKILL part only), BROWSERS (1: Chromium processes the contexts share, round robin)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v psql >/dev/null || apt_install postgresql-client

source bench/bench-lib.sh
bench_database failover
export DATAKEEN_TEST_POSTGRES="$DATAKEEN_BENCH_POSTGRES;Pooling=true;Maximum Pool Size=80"
export DATAKEEN_TEST_CHROMIUM="${DATAKEEN_TEST_CHROMIUM:-/usr/bin/chromium}"
log "Building the portal and the failover harness (Release)"
dotnet build src/Datakeen.Portal.DevIdentity -c Release -nologo -v q >/dev/null
dotnet build bench/Datakeen.Portal.Failover -c Release -nologo -v q >/dev/null
log "Opening ${TABS:-50} tabs on ./run.sh --replicas 3, then SIGKILL and a rolling restart"
dotnet bench/Datakeen.Portal.Failover/bin/Release/net10.0/Datakeen.Portal.Failover.dll | tee "$WORK_DIR/failover.out"
echo "load_average=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"
value() { grep -o "$1=[0-9a-z.-]*" "$WORK_DIR/failover.out" | head -1 | cut -d= -f2; }
echo
echo "| figure | measured | target |"
echo "|---|---|---|"
echo "| tabs lost in a rolling restart of 3 instances, $(value rolling_restart_tabs) open tabs | $(value tabs_lost) ($(value tabs_resumed_in_place) resumed in place, $(value tabs_reloaded) reloaded) | 0 |"
echo "| an open tab works again after SIGKILL of its instance ($(value sigkill_tabs) tabs), no click: eye enabled / secret revealed by a click | p50 $(value sigkill_enabled_p50_ms) / $(value sigkill_back_p50_ms) ms, max $(value sigkill_enabled_max_ms) / $(value sigkill_back_max_ms) ms | <= 5 s |"
for phase in enabled back; do
cpu_line="$(grep -m1 "^sigkill_cpu_until_$phase " "$WORK_DIR/failover.out" | cut -d' ' -f2- || true)"
[ "$phase" = enabled ] && until="the last eye was enabled" || until="the last secret was revealed"
if [ -n "$cpu_line" ]; then
  cpu() { printf '%s\n' "$cpu_line" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
  groups="$(printf '%s\n' "$cpu_line" | tr ' ' '\n' | grep -vE '^(window_s|capacity_cpu_s|busy_cpu_s)=' | sed 's/=/ /' | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
  echo "| CPU seconds from the SIGKILL until $until ($(cpu window_s) s, $(nproc) cores: $(cpu capacity_cpu_s) available) | busy $(cpu busy_cpu_s): $groups | (explains the time above) |"
fi
done
