#!/usr/bin/env bash
# The database side of a debit alone: PostgreSQL's CPU per debit through credits_debit_batch, one debit per call
# (bench/credits-pgbench-full.sql: a lone request's batch) and busy batches (bench/credits-pgbench-batch.sql: SIZE
# debits over at most 4 accounts per call, as the group commit sends them under load). pgbench drives a throwaway
# cluster (fsync off, as bench/credits-load.sh); every process of the cluster is read before and after each run
# (user + system, /proc/<pid>/stat), the debits are counted in the ledger: CPU microseconds per debit, a figure
# that depends on the machine's load much less than transactions per second do.
#   many: WORKSPACES workspaces        hot: one workspace (every debit on one account)
#   DURATION (10), ROUNDS (2), CONNECTIONS (16, the one-debit runs), BATCH_CONNECTIONS (1: one batch in flight per
#   instance, DebitBatches), SIZE (16), WORKSPACES (32)
#   FUNCTION_SQL   a file of SQL run after the migrations (e.g. another version of credits_debit_batch, for A/B)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
BATCH_CONNECTIONS="${BATCH_CONNECTIONS:-1}"
SIZE="${SIZE:-16}"
WORKSPACES="${WORKSPACES:-32}"
command -v pgbench >/dev/null || apt_install postgresql-contrib
command -v psql >/dev/null || apt_install postgresql-client

source bench/bench-lib.sh
# Always a throwaway cluster: its processes are the ones measured.
unset DATAKEEN_BENCH_POSTGRES
bench_database credits-db-cpu

log "Building the portal (Release) and applying the migrations"
dotnet build src/Datakeen.Portal -c Release -nologo -v q >/dev/null
ConnectionStrings__Portal="$DATAKEEN_BENCH_POSTGRES;Database=$DB_NAME" \
  dotnet src/Datakeen.Portal/bin/Release/net10.0/Datakeen.Portal.dll migrate >"$WORK_DIR/migrate.log" 2>&1 \
  || { cat "$WORK_DIR/migrate.log" >&2; exit 1; }
if [ -n "${FUNCTION_SQL:-}" ]; then psql_db -q -f "$FUNCTION_SQL" >/dev/null; fi

# Workspace n: id 00000000-0000-0000-0000-<n as 12 digits>, a test account of 10^12 credits and its grant entry.
psql_db -q >/dev/null <<SQL
INSERT INTO workspaces (id, name, slug, created_at)
SELECT ('00000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid, 'Load ' || n, 'load-' || n, now()
FROM generate_series(1, $WORKSPACES) n;
INSERT INTO credit_accounts (id, workspace_id, environment, balance, created_at, updated_at)
SELECT gen_random_uuid(), id, 'Test', 1000000000000, now(), now() FROM workspaces;
INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after,
  is_welcome_grant, created_at)
SELECT gen_random_uuid(), id, workspace_id, 'Test', 'Grant', balance, balance, false, now() FROM credit_accounts;
SQL

# pgbench's backends end with its run: their CPU is then in the postmaster's cutime + cstime (it reaps them).
ticks_of() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
  local postmaster total pid
  postmaster="$(head -n 1 "$WORK_DIR/pg/postmaster.pid")"
  total="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster/stat")"
  for pid in $(pgrep -P "$postmaster"); do total=$(( total + $(ticks_of "$pid") )); done
  echo "$total"
}
HZ="$(getconf CLK_TCK)"
# A backend's CPU reaches the postmaster's cutime only once it is reaped: wait (up to 2 s) until the cluster has no
# more processes than when idle (its own background processes) before reading.
children() { pgrep -c -P "$(head -n 1 "$WORK_DIR/pg/postmaster.pid")" || true; }
IDLE_CHILDREN="$(children)"
settle() { for _ in $(seq 1 40); do [ "$(children)" -le "$IDLE_CHILDREN" ] && return; sleep 0.05; done; }
debits() { psql_db -tAc "SELECT count(*) FROM credit_ledger_entries WHERE type = 'Consume'"; }

run() { # name, script, clients, workspaces, round
  local t0 g0 d0 g1 d1 tps
  d0="$(debits)"; settle; g0="$(pg_ticks)"
  pgbench -h "$PG_HOST" -p "$PG_PORT" -U postgres -n -M prepared -c "$3" -j 1 -T "$DURATION" \
    -D workspaces="$4" -D size="$SIZE" -f "$2" "$DB_NAME" >"$WORK_DIR/$1-$5.txt" 2>&1 \
    || { cat "$WORK_DIR/$1-$5.txt" >&2; exit 1; }
  settle; g1="$(pg_ticks)"; d1="$(debits)"
  tps="$(awk '/^tps/ {print $3; exit}' "$WORK_DIR/$1-$5.txt")"
  echo "$5 $1 $(( d1 - d0 )) $tps $(( g1 - g0 ))" >>"$WORK_DIR/results.txt"
}

log "Warm-up: ${DURATION}s of each script"
run warmup-full bench/credits-pgbench-full.sql "$CONNECTIONS" "$WORKSPACES" 0
run warmup-batch bench/credits-pgbench-batch.sql "$BATCH_CONNECTIONS" "$WORKSPACES" 0
: >"$WORK_DIR/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  log "round $round/$ROUNDS: one debit per call and batches of $SIZE, many workspaces and one hot workspace"
  run full-many bench/credits-pgbench-full.sql "$CONNECTIONS" "$WORKSPACES" "$round"
  run batch-many bench/credits-pgbench-batch.sql "$BATCH_CONNECTIONS" "$WORKSPACES" "$round"
  run full-hot bench/credits-pgbench-full.sql "$CONNECTIONS" 1 "$round"
  run batch-hot bench/credits-pgbench-batch.sql "$BATCH_CONNECTIONS" 1 "$round"
done
invariant="$(psql_db -tAc "SELECT count(*) FROM credit_accounts a WHERE a.balance <> (SELECT COALESCE(sum(amount), 0) FROM credit_ledger_entries e WHERE e.account_id = a.id)")"

echo
echo "machine:       $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "settings:      ${DURATION}s per run, $ROUNDS rounds, one debit per call on $CONNECTIONS connections, batches of $SIZE on $BATCH_CONNECTIONS, $WORKSPACES workspaces"
echo "round | run        | debits  | calls/s  | debits/s | PostgreSQL CPU us/debit"
awk -v hz="$HZ" -v size="$SIZE" '{ per = ($2 ~ /^batch/) ? size : 1
  printf "%5s | %-10s | %7d | %8.0f | %8.0f | %.1f\n", $1, $2, $3, $4, $4 * per, $5 * 1000000 / hz / ($3 > 0 ? $3 : 1) }' \
  "$WORK_DIR/results.txt"
for name in full-many batch-many full-hot batch-hot; do
  awk -v hz="$HZ" -v n="$name" '$2 == n { v = $5 * 1000000 / hz / ($3 > 0 ? $3 : 1); if (best == "" || v < best) best = v }
    END { printf "PostgreSQL CPU per debit, %s: %.1f us (lowest of the rounds)\n", n, best }' "$WORK_DIR/results.txt"
done
echo "accounts whose balance differs from the sum of their ledger entries: $invariant"
