#!/usr/bin/env bash
# CPU per request of the API's paths, on one running portal: figures that do not depend on the machine's load
# the way throughput does (docs/benchmarks.md, issue 22). For each path, one wrk run of DURATION seconds while the
# portal's process CPU (user + system, /proc/<pid>/stat) and, with a throwaway cluster, PostgreSQL's (every
# process of the cluster) are read before and after; the figures are CPU microseconds per request served.
# All paths are warmed up first, then measured in ROUNDS alternating rounds. Also the whole machine's CPU per request
# (/proc/stat) and what neither the portal nor PostgreSQL account for (wrk, the kernel's loopback work, other processes).
#   healthz    GET /healthz (the floor: Kestrel, routing, the pipeline)
#   whoami     GET /api/v1/whoami with a test secret key
#   verify     POST /api/v1/keys/verify {"key": …} (no cost) with a client-credentials token of the dev provider
#   authorize  GET /gateway/authorize with the shared secret and the key
#   consume    POST /api/v1/credits/consume, unique Idempotency-Key, over WORKSPACES keys (credits-consume.lua)
# PROFILE=1 also takes dotnet-trace thread-time samples of each path (PROFILE_SECONDS, default 8) and prints its top
# frames (exclusive and inclusive; bench/speedscope-top.py), files kept in PROFILE_DIR (default /tmp/…).
#   DATAKEEN_BENCH_POSTGRES  server connection (default: a throwaway cluster; PostgreSQL's CPU only then)
#   DURATION (10), ROUNDS (2), THREADS (1), CONNECTIONS (16), WORKSPACES (32), WARMUP (10 seconds per path), PATHS (all)
#   FUNCTION_SQL  a file of SQL run once the portal has migrated (e.g. another credits_debit_batch, for consume A/B)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

DURATION="${DURATION:-10}"
THREADS="${THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-16}"
WORKSPACES="${WORKSPACES:-32}"
WARMUP="${WARMUP:-10}"
ROUNDS="${ROUNDS:-2}"
PATHS="${PATHS:-healthz whoami verify authorize consume}"
PROFILE="${PROFILE:-0}"
PROFILE_SECONDS="${PROFILE_SECONDS:-8}"
command -v wrk >/dev/null || apt_install wrk
command -v psql >/dev/null || apt_install postgresql-client

source bench/bench-lib.sh
bench_database api-cpu
export ConnectionStrings__Portal="$DATAKEEN_BENCH_POSTGRES;Database=$DB_NAME"
bench_service_api
bench_portal
if [ -n "${FUNCTION_SQL:-}" ]; then psql_db -q -f "$FUNCTION_SQL" >/dev/null; fi

# WORKSPACES workspaces, each with a test secret key (SPEC §2 format, stored as the portal stores it) and 10^9
# credits granted with the grant-credits verb (so ledger = balance can be checked after).
log "Creating $WORKSPACES workspaces with a test secret key and credits each"
python3 - "$WORKSPACES" "$WORK_DIR" <<'PY'
import hashlib, secrets, sys, zlib
count, work = int(sys.argv[1]), sys.argv[2]
alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def key():
    payload = "dk_test_sk_" + "".join(secrets.choice(alphabet) for _ in range(32))
    crc, check = zlib.crc32(payload.encode()), ""
    for _ in range(6):
        check, crc = alphabet[crc % 62] + check, crc // 62
    return payload + check
with open(f"{work}/keys-all.txt", "w") as keys, open(f"{work}/seed.sql", "w") as sql:
    for n in range(1, count + 1):
        k = key()
        keys.write(k + "\n")
        ws = f"00000000-0000-0000-0000-{n:012d}"
        sql.write(f"INSERT INTO workspaces (id, name, slug, created_at) VALUES ('{ws}', 'Load {n}', 'load-{n}', now());\n")
        sql.write("INSERT INTO api_keys (id, workspace_id, environment, kind, digest, prefix, last_four, created_at) "
                  f"VALUES (gen_random_uuid(), '{ws}', 'Test', 'Secret', decode('{hashlib.sha256(k.encode()).hexdigest()}', 'hex'), "
                  f"'dk_test_sk_', '{k[-4:]}', now());\n")
PY
psql_db -q -f "$WORK_DIR/seed.sql" >/dev/null
KEY="$(head -n 1 "$WORK_DIR/keys-all.txt")"
seq 1 "$WORKSPACES" | DataProtection__CertificatePath="$DP_CERT" DataProtection__CertificatePassword="$DP_CERT_PASSWORD" \
  xargs -P 2 -I{} dotnet src/Datakeen.Portal/bin/Release/net10.0/Datakeen.Portal.dll grant-credits \
  --workspace load-{} --environment test --amount 1000000000 --reason "load test" >"$WORK_DIR/grants.log"

bench_service_token
cat >"$WORK_DIR/verify.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"key":"$KEY"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
verdict="$(curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "{\"key\":\"$KEY\"}" "$URL/api/v1/keys/verify")"
grep -q '"valid":true' <<<"$verdict" || { echo "verify answered $verdict" >&2; exit 1; }

# wrk_path NAME SECONDS: one wrk run of the path NAME, its output in $WORK_DIR/NAME.txt.
wrk_path() {
  local name="$1" seconds="$2"
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency)
  case "$name" in
    healthz) wrk "${args[@]}" "$URL/healthz" ;;
    whoami) wrk "${args[@]}" -H "Authorization: Bearer $KEY" "$URL/api/v1/whoami" ;;
    verify) wrk "${args[@]}" -s "$WORK_DIR/verify.lua" "$URL/api/v1/keys/verify" ;;
    authorize) wrk "${args[@]}" -H "X-Gateway-Secret: $SHARED_SECRET" -H "Authorization: Bearer $KEY" "$URL/gateway/authorize" ;;
    consume) CREDITS_KEYS_FILE="$WORK_DIR/keys-all.txt" wrk "${args[@]}" -s bench/credits-consume.lua "$URL" ;;
  esac >"$WORK_DIR/$name.txt"
}

# CPU clock ticks (user + system) of a process, and of every process of the throwaway cluster.
ticks_of() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
portal_ticks() { ticks_of "$PORTAL_PID"; }
pg_ticks() {
  [ -n "${STARTED_PG:-}" ] || { echo 0; return; }
  local postmaster total=0 pid
  postmaster="$(head -n 1 "$WORK_DIR/pg/postmaster.pid")"
  for pid in "$postmaster" $(pgrep -P "$postmaster"); do total=$(( total + $(ticks_of "$pid") )); done
  echo "$total"
}
HZ="$(getconf CLK_TCK)"
# The whole machine's busy and idle ticks (/proc/stat: user nice system idle iowait irq softirq steal): what the
# portal and PostgreSQL do not account for is wrk, the kernel's loopback work charged to no process, and anything else.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }

if [ "$PROFILE" = 1 ]; then
  [ -x .tools/dotnet-trace/dotnet-trace ] || dotnet tool install dotnet-trace --version 10.0.750501 --tool-path .tools/dotnet-trace >/dev/null
  PROFILE_DIR="${PROFILE_DIR:-/tmp/datakeen-api-cpu-profiles-$(date +%s)}"; mkdir -p "$PROFILE_DIR"
fi

: >"$WORK_DIR/results.txt"
# Every path is warmed up before any is measured: the JIT's tiered (and profile-guided) compilation runs on
# background threads of the same process, and its CPU would otherwise be charged to the first paths measured.
for name in $PATHS; do
  log "$name: warm-up ${WARMUP}s"
  wrk_path "$name" "$WARMUP"
done
for round in $(seq 1 "$ROUNDS"); do
  for name in $PATHS; do
    log "round $round/$ROUNDS, $name: ${DURATION}s measured"
    p0="$(portal_ticks)"; g0="$(pg_ticks)"; read -r m0 i0 <<<"$(machine_ticks)"
    wrk_path "$name" "$DURATION"
    p1="$(portal_ticks)"; g1="$(pg_ticks)"; read -r m1 i1 <<<"$(machine_ticks)"
    requests="$(awk '/requests in/ {print $1; exit}' "$WORK_DIR/$name.txt")"
    rps="$(awk '/Requests\/sec/ {print $2}' "$WORK_DIR/$name.txt")"
    non2xx="$(awk '/Non-2xx/ {print $NF}' "$WORK_DIR/$name.txt")"
    echo "$name $requests $rps $(( p1 - p0 )) $(( g1 - g0 )) ${non2xx:-0} $round $(( m1 - m0 )) $(( i1 - i0 ))" >>"$WORK_DIR/results.txt"
  done
done
if [ "$PROFILE" = 1 ]; then
  for name in $PATHS; do
    log "$name: dotnet-trace thread-time samples for ${PROFILE_SECONDS}s under load"
    wrk_path "$name" $(( PROFILE_SECONDS + 4 )) &
    load=$!
    sleep 1
    .tools/dotnet-trace/dotnet-trace collect -p "$PORTAL_PID" --profile dotnet-sampled-thread-time \
      --duration "00:00:00:$(printf '%02d' "$PROFILE_SECONDS")" -o "$PROFILE_DIR/$name.nettrace" >"$WORK_DIR/$name-trace.log" 2>&1 || true
    wait "$load" || true
    .tools/dotnet-trace/dotnet-trace convert --format speedscope "$PROFILE_DIR/$name.nettrace" \
      -o "$PROFILE_DIR/$name" >>"$WORK_DIR/$name-trace.log" 2>&1 || true
    python3 bench/speedscope-top.py "$PROFILE_DIR/$name.speedscope.json" >"$PROFILE_DIR/$name.top.txt" 2>&1 || true
  done
fi

invariant="$(psql_db -tAc "SELECT count(*) FROM credit_accounts a WHERE a.balance <> (SELECT COALESCE(sum(amount), 0) FROM credit_ledger_entries e WHERE e.account_id = a.id)")"
echo
echo "machine:      $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (CPU per request depends on it less than req/s does, but does: compare builds in interleaved runs)"
echo "settings:     ${DURATION}s per path after ${WARMUP}s of warm-up, $CONNECTIONS connections, $THREADS thread(s)"
echo
echo "round | path      | requests | req/s   | portal CPU us/request | PostgreSQL CPU us/request | machine CPU us/request | rest (wrk, kernel, other) | idle | non-2xx"
awk -v hz="$HZ" -v pg="${STARTED_PG:-}" '{
  portal = $2 > 0 ? 1e6 * $4 / hz / $2 : 0; db = $2 > 0 ? 1e6 * $5 / hz / $2 : 0; machine = $2 > 0 ? 1e6 * $8 / hz / $2 : 0
  printf "%5s | %-9s | %8d | %7.0f | %21.1f | %25s | %22.1f | %25.1f | %3.0f%% | %s\n", $7, $1, $2, $3, portal, pg ? sprintf("%.1f", db) : "n/a",
    machine, machine - portal - db, (($8 + $9) > 0 ? 100 * $9 / ($8 + $9) : 0), $6 }' "$WORK_DIR/results.txt"
# The lowest round per path (the one least disturbed by other processes: caches, preemption), one line per path,
# last, so that bench/all.sh's tail of this output is the summary.
echo
echo "lowest of $ROUNDS rounds, CPU us per request (portal; PostgreSQL):"
awk -v hz="$HZ" -v pg="${STARTED_PG:-}" '$2 > 0 { v = 1e6 * $4 / hz / $2; if (!($1 in m) || v < m[$1]) { m[$1] = v; d[$1] = 1e6 * $5 / hz / $2 }
  if (!($1 in o)) o[$1] = ++n }
  END { for (p in o) k[o[p]] = p; for (i = 1; i <= n; i++) printf "  %-9s %6.1f; %s\n", k[i], m[k[i]], pg ? sprintf("%.1f", d[k[i]]) : "n/a" }' "$WORK_DIR/results.txt"
echo "accounts whose balance differs from the sum of their entries: $invariant"
if [ "$PROFILE" = 1 ]; then
  for name in $PATHS; do echo; echo "== $name: top frames (dotnet-trace dotnet-sampled-thread-time, waits left out)"; head -n 40 "$PROFILE_DIR/$name.top.txt"; done
  echo "profiles: $PROFILE_DIR"
fi
