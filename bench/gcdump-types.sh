#!/usr/bin/env bash
# The managed heap by type, per circuit (issue 21): what a circuit holds, from two dotnet-gcdump files of the portal
# taken with BASE and FULL circuits open (bench/circuit-load.sh with HOLD_SECONDS, once with CIRCUITS=BASE and once
# with CIRCUITS=FULL, FOOTPRINT alike in both: `dotnet-gcdump collect -p <portal pid> -o <file>` while it holds).
# Prints, by type, (bytes and objects in FULL's dump − in BASE's) / (FULL − BASE), largest first.
#   bench/gcdump-types.sh base.gcdump BASE full.gcdump FULL        TOP (60): rows
#   bench/gcdump-types.sh one.gcdump                               one dump by type
#   bench/gcdump-types.sh collect PID out.gcdump                   dotnet-gcdump collect (installs it under .tools/)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -x .tools/dotnet-gcdump/dotnet-gcdump ] || dotnet tool install dotnet-gcdump --version 10.0.750501 --tool-path .tools/dotnet-gcdump >/dev/null
if [ "${1:-}" = collect ]; then
  exec .tools/dotnet-gcdump/dotnet-gcdump collect -p "$2" -o "$3"
fi
dotnet build bench/Datakeen.Portal.GcdumpTypes -c Release -nologo -v q >/dev/null
tool=bench/Datakeen.Portal.GcdumpTypes/bin/Release/net10.0/Datakeen.Portal.GcdumpTypes.dll
case $# in
  1) exec dotnet "$tool" "$1" ;;
  4) exec dotnet "$tool" "$1" "$3" "$(( $4 - $2 ))" ;;
  *) sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
