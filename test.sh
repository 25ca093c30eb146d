#!/usr/bin/env bash
# Runs every test of the solution (unit, bUnit, integration on a real PostgreSQL, browser end-to-end
# in headless Chromium) against a throwaway PostgreSQL cluster that it creates and always removes.
# Ends with the line "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/lib.sh
source scripts/cluster.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

ensure_chromium
# The cluster tests run ./run.sh --replicas 3: Redis, nginx and curl from the OS packages.
ensure_redis; ensure_nginx; ensure_curl
ensure_node
PG_BIN="$(pg_bindir)" || exit 1

WORK_DIR="$(mktemp -d /tmp/datakeen-test.XXXXXX)"
chmod 755 "$WORK_DIR"
PG_DATA="$WORK_DIR/pg"
cleanup() {
  pg_stop "$PG_DATA"
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PG_PORT="$(free_port)"
log "Starting a throwaway PostgreSQL cluster on port $PG_PORT ($PG_DATA)"
# Durability is irrelevant for a throwaway cluster; turning it off makes the suite faster.
PG_FSYNC=off PG_SYNC_COMMIT=off pg_start "$PG_DATA" "$PG_PORT" || { cat "$PG_DATA/server.log" >&2; exit 1; }
export DATAKEEN_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Pooling=true;Maximum Pool Size=200"
export DATAKEEN_TEST_CHROMIUM=/usr/bin/chromium

# The npm tools of the API reference tests (tests/api-client: @redocly/cli, openapi-typescript, openapi-fetch,
# typescript), installed from the lock file into .tools/ (ignored) and reused while the lock file is unchanged.
export DATAKEEN_NODE_TOOLS="${DATAKEEN_NODE_TOOLS:-$PWD/.tools/api-client}"
if ! cmp -s tests/api-client/package-lock.json "$DATAKEEN_NODE_TOOLS/package-lock.json" \
   || [ ! -x "$DATAKEEN_NODE_TOOLS/node_modules/.bin/redocly" ]; then
  log "Installing the API client tools from npm ($DATAKEEN_NODE_TOOLS)"
  mkdir -p "$DATAKEEN_NODE_TOOLS"
  cp tests/api-client/package.json tests/api-client/package-lock.json "$DATAKEEN_NODE_TOOLS/"
  (cd "$DATAKEEN_NODE_TOOLS" && npm ci --no-audit --no-fund --loglevel=error >&2) || { echo "0 passed, 1 failed"; exit 1; }
fi

log "Building"
dotnet tool restore >/dev/null
if ! dotnet build Datakeen.Portal.sln -c Release -nologo -v q 2>&1 | tail -n 30; then
  echo "0 passed, 1 failed"
  exit 1
fi

total_passed=0
total_failed=0
status=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  grep -q 'Microsoft.NET.Test.Sdk' "$project" || continue
  log "Testing $name"
  out="$WORK_DIR/$name.log"
  { dotnet test "$project" -c Release --no-build -nologo 2>&1; echo $? >"$out.rc"; } | tee "$out" \
    | grep -vE '^(Test run for|A total of|Starting test execution|\s*$)' || true
  rc="$(cat "$out.rc")"
  summary="$(grep -E '(Passed|Failed)!\s+-' "$out" | tail -n 1)"
  passed="$(sed -nE 's/.*Passed:\s*([0-9]+).*/\1/p' <<<"$summary")"
  failed="$(sed -nE 's/.*Failed:\s*([0-9]+),.*/\1/p' <<<"$summary")"
  if [ -z "$summary" ]; then
    echo "$name: the test run ended without a summary (crash or build problem)" >&2
    passed=0; failed=1
  fi
  if [ "$rc" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + ${passed:-0}))
  total_failed=$((total_failed + ${failed:-0}))
  [ "$rc" -eq 0 ] || status=1
done

log "Checking docker-compose.yml (Compose v1: docker-compose config)"
compose_out="$WORK_DIR/compose.log"
# Its own summary line stays in its log: the last line of this script is the only "N passed, N failed".
bash scripts/check-compose.sh >"$compose_out" 2>&1; grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$compose_out"
compose_summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$compose_out" | tail -n 1)"
if [ -z "$compose_summary" ]; then
  total_failed=$((total_failed + 1))
else
  total_passed=$((total_passed + ${compose_summary%% passed*}))
  compose_failed="${compose_summary#*, }"; total_failed=$((total_failed + ${compose_failed%% failed*}))
fi
# Shell-driven tests of the scripts themselves (tests/scripts/*.sh): exit 0 passed, 77 skipped, else failed.
for script in tests/scripts/*.sh; do
  [ -f "$script" ] || continue
  name="$(basename "$script" .sh)"
  log "Testing $name"
  rc=0; "$script" 2>&1 | tail -n 40 || rc="${PIPESTATUS[0]}"
  if [ "$rc" -eq 0 ]; then total_passed=$((total_passed + 1))
  elif [ "$rc" -ne 77 ]; then total_failed=$((total_failed + 1)); status=1; fi
done

[ "$total_failed" -eq 0 ] || status=1
echo "$total_passed passed, $total_failed failed"
exit "$status"
