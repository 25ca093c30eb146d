#!/usr/bin/env bash
# ./run.sh as root from a fresh clone under a 0700 directory (as /root is, or any mktemp -d): the portal answers
# /readyz 200, and TERM stops everything it started (no PostgreSQL, no dotnet of that clone left running).
# Clones HEAD of this checkout; ports are free ones, so it runs beside a user's ./run.sh. Exit 77 = skipped.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
source "$REPO/scripts/lib.sh"

if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then exec sudo -n -E "$0" "$@"; fi
  echo "skipped: needs root (or passwordless sudo)"; exit 77
fi

PRIVATE="$(mktemp -d)"
chmod 700 "$PRIVATE"
CLONE="$PRIVATE/portal"
RUN_PID=""
CLUSTER=""
finish() {
  if [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; then kill -TERM "$RUN_PID"; wait "$RUN_PID" || true; fi
  case "$CLUSTER" in /var/lib/datakeen/clusters/?*) rm -rf "$CLUSTER" ;; esac
  rm -rf "$PRIVATE"
}
trap finish EXIT

git clone -q "$REPO" "$CLONE"

ports=()
while [ "${#ports[@]}" -lt 3 ]; do
  p="$(free_port)"
  [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
LOG="$PRIVATE/run.log"
# Created here, before tail follows it: the background job below opens it only when it gets to run.
: >"$LOG"
(
  unset ConnectionStrings__Portal Oidc__Authority Oidc__ClientId Oidc__ClientSecret
  export DATAKEEN_PORTAL_PORT="${ports[0]}" DATAKEEN_IDENTITY_PORT="${ports[1]}" DATAKEEN_PG_PORT="${ports[2]}"
  exec "$CLONE/run.sh"
) >>"$LOG" 2>&1 &
RUN_PID=$!

# run.sh prints its banner once /readyz answers (or once it gives up waiting); it dies on failure.
if ! grep -q -m1 'Press Ctrl-C to stop' < <(tail -n +1 -f --pid="$RUN_PID" "$LOG"); then
  echo "FAIL: ./run.sh ended before serving the portal:" >&2; tail -n 30 "$LOG" >&2; exit 1
fi
CLUSTER="$(readlink -f "$CLONE/.data/pg")"
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ports[0]}/readyz")"
if [ "$code" != 200 ]; then echo "FAIL: /readyz answered $code" >&2; tail -n 30 "$LOG" >&2; exit 1; fi

kill -TERM "$RUN_PID"
rc=0; wait "$RUN_PID" || rc=$?
RUN_PID=""

left=()
for proc in /proc/[0-9]*; do
  cwd="$(readlink "$proc/cwd" 2>/dev/null)" || continue
  case "$cwd" in "$CLONE"|"$CLONE"/*|"$CLUSTER"|"$CLUSTER"/*) left+=("${proc#/proc/} $(tr '\0' ' ' <"$proc/cmdline")") ;; esac
done
if [ "${#left[@]}" -gt 0 ]; then printf 'FAIL: still running after TERM: %s\n' "${left[@]}" >&2; exit 1; fi
if [ -f "$CLUSTER/postmaster.pid" ]; then echo "FAIL: PostgreSQL still has $CLUSTER/postmaster.pid" >&2; exit 1; fi
for p in "${ports[@]}"; do
  port_is_free "$p" || { echo "FAIL: port $p still in use after TERM" >&2; exit 1; }
done
echo "passed: ./run.sh from a 0700 directory served /readyz 200 and left nothing running (exit $rc after TERM)"
