#!/usr/bin/env bash
# Load run for POST /api/v1/credits/consume, next to the raw PostgreSQL ceiling of the same writes, same run.
# Starts the portal (Release) on a loopback port against a fresh database, creates WORKSPACES workspaces with
# a test secret key each, grants them plenty of credits with the grant-credits verb, then measures with wrk
# (unique Idempotency-Key per request, credits-consume.lua):
#   many:  requests rotate over all WORKSPACES keys        hot:  every request on workspace 1
# and with pgbench -f on the same database:
#   core:  the conditional UPDATE + ledger INSERT          full: every statement the API issues per consume
# Alternates the runs for ROUNDS rounds; prints every round, the medians and the median ratios.
#   DATAKEEN_BENCH_POSTGRES  server connection (default: a throwaway cluster, as test.sh does)
#   DURATION (10), THREADS (1), CONNECTIONS (16), WORKSPACES (32), ROUNDS (3), WARMUP (30 seconds of consumes first)
#   FUNCTION_SQL  a file of SQL run once the portal has migrated (e.g. another version of credits_debit_batch, for A/B)
# Also prints the mean batch size of the group commit (debits per call of credits_debit_batch, track_functions), and
# the whole machine's CPU per debit of each run (/proc/stat), which bounds the API/core ratio when the CPU is the limit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

DURATION="${DURATION:-10}"
THREADS="${THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-16}"
WORKSPACES="${WORKSPACES:-32}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-30}"
command -v wrk >/dev/null || apt_install wrk
command -v pgbench >/dev/null || apt_install postgresql-contrib
command -v psql >/dev/null || apt_install postgresql-client

source bench/bench-lib.sh
bench_database credits-load
export ConnectionStrings__Portal="$DATAKEEN_BENCH_POSTGRES;Database=$DB_NAME"
# Counts the calls of credits_debit_batch (pg_stat_user_functions), for the mean batch size.
psql_server -qc "ALTER DATABASE \"$DB_NAME\" SET track_functions = 'pl'" >/dev/null
bench_portal
if [ -n "${FUNCTION_SQL:-}" ]; then psql_db -q -f "$FUNCTION_SQL" >/dev/null; fi
PORTAL_DLL="src/Datakeen.Portal/bin/Release/net10.0/Datakeen.Portal.dll"

# Workspace n: id 00000000-0000-0000-0000-<n as 12 digits>, slug load-<n>, one test secret key in the
# format of SPEC §2 stored as the portal stores it (SHA-256 digest, hint). Plaintexts stay in $WORK_DIR.
log "Creating $WORKSPACES workspaces with a test secret key each"
python3 - "$WORKSPACES" "$WORK_DIR" <<'PY'
import hashlib, secrets, sys
count, work = int(sys.argv[1]), sys.argv[2]
alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def key():
    payload = "dk_test_sk_" + "".join(secrets.choice(alphabet) for _ in range(32))
    crc, check = __import__("zlib").crc32(payload.encode()), ""
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
head -n 1 "$WORK_DIR/keys-all.txt" >"$WORK_DIR/keys-hot.txt"

log "Granting 1000000000 test credits to each workspace with the grant-credits verb"
# The verb runs on the portal's own composition: it opens the same certificate-encrypted key ring.
seq 1 "$WORKSPACES" | DataProtection__CertificatePath="$DP_CERT" DataProtection__CertificatePassword="$DP_CERT_PASSWORD" \
  xargs -P 2 -I{} dotnet "$PORTAL_DLL" grant-credits \
  --workspace load-{} --environment test --amount 1000000000 --reason "load test" >"$WORK_DIR/grants.log"
tail -n 1 "$WORK_DIR/grants.log" >&2

HOT_KEY="$(cat "$WORK_DIR/keys-hot.txt")"
status="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $HOT_KEY" \
  -H "Idempotency-Key: smoke-$$" "$URL/api/v1/credits/consume")"
[ "$status" = 201 ] || { echo "consume answered $status" >&2; cat "$WORK_DIR/portal.log" >&2; exit 1; }

run_wrk_healthz() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$URL/healthz" | tee "$WORK_DIR/healthz.txt" >&2
  awk '/Requests\/sec/ {print $2}' "$WORK_DIR/healthz.txt"
}

# The whole machine's busy CPU ticks (/proc/stat: user nice system irq softirq steal), read around each run: its
# CPU per debit, whoever spent it (portal, PostgreSQL, wrk or pgbench, the kernel), in $WORK_DIR/NAME.cpu.
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
HZ="$(getconf CLK_TCK)"
cpu_per_debit() { # name, busy ticks before, debits
  awk -v b0="$2" -v b1="$(machine_busy)" -v n="$3" -v hz="$HZ" 'BEGIN { printf "%.0f\n", (n > 0 ? 1e6 * (b1 - b0) / hz / n : 0) }' >"$WORK_DIR/$1.cpu"
}

run_wrk() { # name, keys file
  local args=(-t"$THREADS" -c"$CONNECTIONS" --latency -s bench/credits-consume.lua "$URL") busy
  busy="$(machine_busy)"
  CREDITS_KEYS_FILE="$2" wrk "${args[@]}" -d"${DURATION}s" | tee "$WORK_DIR/$1.txt" >&2
  cpu_per_debit "$1" "$busy" "$(awk '/requests in/ {print $1; exit}' "$WORK_DIR/$1.txt")"
  awk '/Requests\/sec/ {print $2}' "$WORK_DIR/$1.txt"
}

run_pgbench() { # name, script, workspaces
  local busy; busy="$(machine_busy)"
  pgbench -h "$PG_HOST" -p "$PG_PORT" -U postgres -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" \
    -D workspaces="$3" -f "$2" "$DB_NAME" 2>&1 | tee "$WORK_DIR/$1.txt" >&2
  cpu_per_debit "$1" "$busy" "$(awk '/^number of transactions actually processed/ {print $NF; exit}' "$WORK_DIR/$1.txt")"
  awk '/^tps/ {print $3; exit}' "$WORK_DIR/$1.txt"
}

# The machine is shared and its load drifts: the runs alternate, round after round, and each ratio is taken
# within one round (API and pgbench seconds apart), then the median of the rounds is reported.
# Warm-up: the JIT's tiered compilation (and its profile-guided re-compilation) of the whole request path
# takes tens of seconds of load on 2 cores; measured rounds that include it measure the JIT (30-40 % slower).
log "Warm-up: ${WARMUP}s of consumes"
CREDITS_KEYS_FILE="$WORK_DIR/keys-all.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/credits-consume.lua "$URL" >/dev/null
log "wrk /healthz (the HTTP ceiling of this machine, for scale)"
HEALTHZ="$(run_wrk_healthz)"
: >"$WORK_DIR/rounds.txt"
: >"$WORK_DIR/cpu.txt"
for round in $(seq 1 "$ROUNDS"); do
  log "round $round/$ROUNDS: API many, pgbench core many, pgbench full many, API hot, pgbench core hot, pgbench full hot"
  api_many="$(run_wrk "api-many-$round" "$WORK_DIR/keys-all.txt")"
  core_many="$(run_pgbench "pg-core-many-$round" bench/credits-pgbench-core.sql "$WORKSPACES")"
  full_many="$(run_pgbench "pg-full-many-$round" bench/credits-pgbench-full.sql "$WORKSPACES")"
  api_hot="$(run_wrk "api-hot-$round" "$WORK_DIR/keys-hot.txt")"
  core_hot="$(run_pgbench "pg-core-hot-$round" bench/credits-pgbench-core.sql 1)"
  full_hot="$(run_pgbench "pg-full-hot-$round" bench/credits-pgbench-full.sql 1)"
  non2xx="$(cat "$WORK_DIR/api-many-$round.txt" "$WORK_DIR/api-hot-$round.txt" | awk '/Non-2xx/ {s += $NF} END {print s + 0}')"
  echo "$round $api_many $core_many $full_many $api_hot $core_hot $full_hot $non2xx" >>"$WORK_DIR/rounds.txt"
  echo "$round $(for n in api-many pg-core-many pg-full-many api-hot pg-core-hot pg-full-hot; do cat "$WORK_DIR/$n-$round.cpu"; done | xargs)" \
    >>"$WORK_DIR/cpu.txt"
done

# Allocations per consume (issue 22): the portal's managed bytes allocated during one API-many run, per request.
log "Allocations per consume: one ${DURATION}s API-many run under dotnet-counters"
ALLOC="$(bench_allocations_per_request api-alloc run_wrk api-alloc "$WORK_DIR/keys-all.txt")"

invariant="$(psql_db -tAc "SELECT count(*) FROM credit_accounts a WHERE a.balance <> (SELECT COALESCE(sum(amount), 0) FROM credit_ledger_entries e WHERE e.account_id = a.id)")"
# The portal's backends report their function calls when they end: stop it first. Every consume debits (a fresh
# key, credits to spare): the API's entries (keys bench-… and smoke-…) over the calls left when pgbench full's
# (one debit per call, a uuid key) are taken out is the API's mean batch size over the whole run.
kill "$PORTAL_PID" && wait "$PORTAL_PID" 2>/dev/null || true
PORTAL_PID=""
BATCH="$(psql_db -tAc "SELECT round(count(*) FILTER (WHERE idempotency_key LIKE 'bench-%' OR idempotency_key LIKE 'smoke-%')::numeric
  / nullif((SELECT sum(calls) FROM pg_stat_user_functions WHERE funcname = 'credits_debit_batch')
           - count(*) FILTER (WHERE idempotency_key NOT LIKE 'bench-%' AND idempotency_key NOT LIKE 'smoke-%'), 0), 1)
  FROM credit_ledger_entries WHERE type = 'Consume'")"
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
column_median() { awk -v c="$1" '{print $c}' "$WORK_DIR/rounds.txt" | median; }
ratio_median() { awk -v a="$1" -v b="$2" '{printf "%.4f\n", $a / $b}' "$WORK_DIR/rounds.txt" | median | awk '{printf "%.0f%%", 100 * $1}'; }

echo
echo "machine:       $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "settings:      ${DURATION}s per run, $ROUNDS rounds, $CONNECTIONS connections, $THREADS thread(s), $WORKSPACES workspaces"
echo "load average:  $(cut -d' ' -f1-3 /proc/loadavg) (other processes share the machine)"
echo "healthz:       $HEALTHZ req/s (the HTTP ceiling of this machine, for scale)"
echo
echo "round | API many req/s | pgbench core many tps | pgbench full many tps | API hot req/s | pgbench core hot tps | pgbench full hot tps | API non-2xx"
awk '{printf "%5s | %14.0f | %21.0f | %21.0f | %13.0f | %20.0f | %20.0f | %s\n", $1, $2, $3, $4, $5, $6, $7, $8}' "$WORK_DIR/rounds.txt"
printf "%5s | %14.0f | %21.0f | %21.0f | %13.0f | %20.0f | %20.0f |\n" median "$(column_median 2)" "$(column_median 3)" \
  "$(column_median 4)" "$(column_median 5)" "$(column_median 6)" "$(column_median 7)"
echo
echo "ratio many workspaces: API/core $(ratio_median 2 3) (target >= 60%), API/full $(ratio_median 2 4)   (medians of per-round ratios)"
echo "ratio hot workspace:   API/core $(ratio_median 5 6), API/full $(ratio_median 5 7)"
# What each debit cost the whole machine (2 cores, everything that ran): when the machine is busy throughout, the
# ratio of throughputs cannot exceed the inverse ratio of these, whatever the batching.
echo "machine CPU us per debit (portal or pgbench client, PostgreSQL, wrk, kernel; /proc/stat), by round:"
echo "round | API many | pgbench core many | pgbench full many | API hot | pgbench core hot | pgbench full hot"
awk '{printf "%5s | %8s | %17s | %17s | %7s | %16s | %16s\n", $1, $2, $3, $4, $5, $6, $7}' "$WORK_DIR/cpu.txt"
cpu_median() { awk -v c="$1" '{print $c}' "$WORK_DIR/cpu.txt" | median; }
echo "CPU ceiling of API/core (core's CPU per debit / the API's, medians): many $(awk -v a="$(cpu_median 3)" -v b="$(cpu_median 2)" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * a / b : 0) }'), hot $(awk -v a="$(cpu_median 6)" -v b="$(cpu_median 5)" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * a / b : 0) }')"
echo "accounts whose balance differs from the sum of their entries: $invariant"
echo "debits per batch (mean over the whole run, API many and hot): ${BATCH:-n/a}"
# wrk's latency distribution, API with many workspaces: the 99th percentile of each round, in ms, and their median.
p99_ms() { awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
  printf "%.2f\n", (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : (u == "m") ? v * 60000 : v }' "$1"; }
P99S="$(for round in $(seq 1 "$ROUNDS"); do p99_ms "$WORK_DIR/api-many-$round.txt"; done)"
echo "allocations per consume: $ALLOC B (managed bytes allocated by the portal during one API-many run / its requests)"
echo "consume p99 many workspaces ($CONNECTIONS connections): $(median <<<"$P99S") ms (target <= 10 ms; rounds: $(echo $P99S))"
