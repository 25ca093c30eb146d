#!/usr/bin/env bash
# Runs every test of the solution (unit, bUnit, integration on a real PostgreSQL, browser end-to-end
# in headless Chromium), the compose checks and the script tests, against a throwaway PostgreSQL cluster that
# it creates and always removes. Whatever happens (a failed install or build, a hang, Ctrl-C), the last line
# is "N passed, N failed"; skipped tests are counted on the line before it. Exits non-zero on any failure.
#   DATAKEEN_TEST_HANG_TIMEOUT     one test running longer than this fails its project (default 10m;
#                                  dotnet test --blame-hang-timeout: the test host is killed, its tests count as failed)
#   DATAKEEN_TEST_PROJECT_TIMEOUT  a whole project longer than this is killed (default 60m)
#   DATAKEEN_TEST_PROJECTS         test projects to run (default tests/*/*.csproj); DATAKEEN_TEST_FILTER: dotnet test --filter
#   DATAKEEN_TEST_SCRIPTS          script tests to run (default tests/scripts/*.sh; empty: none)
set -uo pipefail
cd "$(dirname "$0")"
source scripts/lib.sh
source scripts/cluster.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
HANG_TIMEOUT="${DATAKEEN_TEST_HANG_TIMEOUT:-10m}"
PROJECT_TIMEOUT="${DATAKEEN_TEST_PROJECT_TIMEOUT:-60m}"

total_passed=0 total_failed=0 total_skipped=0
status=0 finished="" WORK_DIR="" PG_DATA=""
skipped_names=()

# The one place the summary is printed: on every exit, early or not.
finish() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$PG_DATA" ] && pg_stop "$PG_DATA"
  [ -n "$WORK_DIR" ] && rm -rf "$WORK_DIR"
  if [ -z "$finished" ] && [ "$total_failed" -eq 0 ]; then
    # Ended before the end without a counted failure (an interrupt, an unexpected error): that is a failure.
    total_failed=$((total_failed + 1))
  fi
  [ "$total_failed" -eq 0 ] || rc=1
  if [ "$total_skipped" -gt 0 ]; then
    echo "$total_skipped skipped:${skipped_names[*]:+ ${skipped_names[*]}}"
  fi
  echo "$total_passed passed, $total_failed failed"
  exit "$rc"
}
trap finish EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# fail_early REASON: counted as one failure, then the summary (finish).
fail_early() {
  echo "$1" >&2
  total_failed=$((total_failed + 1))
  exit 1
}

ensure_chromium || fail_early "Chromium could not be installed"
# The cluster tests run ./run.sh --replicas 3: Redis, nginx and curl from the OS packages.
ensure_redis || fail_early "redis-server could not be installed"
ensure_nginx || fail_early "nginx could not be installed"
ensure_curl || fail_early "curl could not be installed"
ensure_node || fail_early "Node.js $NODE_MIN or later is needed (see above)"
PG_BIN="$(pg_bindir)" || fail_early "PostgreSQL could not be installed"

WORK_DIR="$(mktemp -d /tmp/datakeen-test.XXXXXX)"
chmod 755 "$WORK_DIR"
PG_DATA="$WORK_DIR/pg"

PG_PORT="$(free_port)"
log "Starting a throwaway PostgreSQL cluster on port $PG_PORT ($PG_DATA)"
# Durability is irrelevant for a throwaway cluster; turning it off makes the suite faster.
PG_FSYNC=off PG_SYNC_COMMIT=off pg_start "$PG_DATA" "$PG_PORT" || { cat "$PG_DATA/server.log" >&2; fail_early "PostgreSQL did not start"; }
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
  (cd "$DATAKEEN_NODE_TOOLS" && npm ci --no-audit --no-fund --loglevel=error >&2) || fail_early "npm ci of the API client tools failed"
fi

log "Building"
dotnet tool restore >/dev/null || fail_early "dotnet tool restore failed"
build_log="$WORK_DIR/build.log"
# DATAKEEN_TEST_NO_BUILD=1: the solution is built already (tests/scripts/test-sh-summary.sh runs this script again).
if [ -z "${DATAKEEN_TEST_NO_BUILD:-}" ] && ! dotnet build Datakeen.Portal.sln -c Release -nologo -v q >"$build_log" 2>&1; then
  grep -E ': (error|warning) ' "$build_log" | sort -u | tail -n 40 >&2
  tail -n 5 "$build_log" >&2
  fail_early "The build failed"
fi

# count LOG: echoes "passed failed skipped" from dotnet test's summary lines ("Passed!  - Failed: 0, Passed: 9, ...").
count() {
  local p=0 f=0 s=0 line n
  while IFS= read -r line; do
    n="$(sed -nE 's/.*Passed:\s*([0-9]+).*/\1/p' <<<"$line")"; p=$((p + ${n:-0}))
    n="$(sed -nE 's/.*Failed:\s*([0-9]+),.*/\1/p' <<<"$line")"; f=$((f + ${n:-0}))
    n="$(sed -nE 's/.*Skipped:\s*([0-9]+),.*/\1/p' <<<"$line")"; s=$((s + ${n:-0}))
  done < <(grep -E '(Passed|Failed)!\s+-' "$1")
  echo "$p $f $s"
}

filter=()
[ -z "${DATAKEEN_TEST_FILTER:-}" ] || filter=(--filter "$DATAKEEN_TEST_FILTER")
for project in ${DATAKEEN_TEST_PROJECTS:-tests/*/*.csproj}; do
  name="$(basename "$project" .csproj)"
  grep -q 'Microsoft.NET.Test.Sdk' "$project" || continue
  log "Testing $name (a test hanging past $HANG_TIMEOUT fails it)"
  out="$WORK_DIR/$name.log"
  # --blame-hang-timeout kills a test host whose test runs past the limit (the run then fails and names the
  # test); timeout(1) bounds the whole project in case the host itself cannot be ended.
  { timeout --kill-after=30s "$PROJECT_TIMEOUT" dotnet test "$project" -c Release --no-build -nologo "${filter[@]}" \
      --blame-hang-timeout "$HANG_TIMEOUT" --blame-hang-dump-type none \
      --results-directory "$WORK_DIR/results/$name" 2>&1; echo $? >"$out.rc"; } | tee "$out" \
    | grep -vE '^(Test run for|A total of|Starting test execution|\s*$)' || true
  rc="$(cat "$out.rc")"
  read -r passed failed skipped < <(count "$out")
  if ! grep -qE '(Passed|Failed)!\s+-' "$out"; then
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then echo "$name: killed after $PROJECT_TIMEOUT" >&2
    else echo "$name: the test run ended without a summary (a hang, a crash or a build problem)" >&2; fi
    failed=$((failed + 1))
  elif grep -q 'The active test run was aborted' "$out"; then
    # A hang (or a crash): the summary counts what finished; the test that did not is a failure too.
    echo "$name: the test run was aborted:" >&2
    grep -E 'hang|aborted|crash' "$out" | grep -v '^\s*$' | sort -u | head -n 5 >&2
    failed=$((failed + 1))
  fi
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
  if [ "$skipped" -gt 0 ]; then
    while IFS= read -r test; do skipped_names+=("$test"); done < <(sed -nE 's/^\s*Skipped\s+([^ ]+).*/\1/p' "$out" | sort -u)
    echo "$name: $skipped skipped" >&2
  fi
  [ "$rc" -eq 0 ] || status=1
done

log "Checking docker-compose.yml (scripts/check-compose.sh)"
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
# Shell-driven tests of the scripts and documents (tests/scripts/*.sh): exit 0 passed, 77 skipped, else failed.
for script in ${DATAKEEN_TEST_SCRIPTS-tests/scripts/*.sh}; do
  [ -f "$script" ] || continue
  name="$(basename "$script" .sh)"
  log "Testing $name"
  rc=0; timeout --kill-after=30s "$PROJECT_TIMEOUT" "$script" 2>&1 | tail -n 40 || rc="${PIPESTATUS[0]}"
  if [ "$rc" -eq 0 ]; then total_passed=$((total_passed + 1))
  elif [ "$rc" -eq 77 ]; then total_skipped=$((total_skipped + 1)); skipped_names+=("tests/scripts/$name.sh")
  else total_failed=$((total_failed + 1)); status=1; fi
done

finished=1
[ "$total_failed" -eq 0 ] || status=1
exit "$status"
