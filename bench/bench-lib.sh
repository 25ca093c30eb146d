#!/usr/bin/env bash
# Shared by the load scripts: a database (a throwaway cluster unless DATAKEEN_BENCH_POSTGRES is set) and the
# portal in Release on a free loopback port, both removed on exit. Sourced after scripts/lib.sh.

# The portal is measured as it is deployed. A deployment runs a published build (the Dockerfile's `dotnet publish`);
# these scripts run the build output, whose build-time static-assets manifest switches on MapStaticAssets'
# development handler: a fallback route whose constraint stats wwwroot/<path> on every GET (the API's and healthz'
# included), no-cache on every asset, no integrity. Turned off, as a published build has it (docs/benchmarks.md).
export ReloadStaticAssetsAtRuntime=false

# bench_database NAME_PREFIX: sets WORK_DIR, DB_NAME, psql_server/psql_db and the cleanup trap.
bench_database() {
  WORK_DIR="$(mktemp -d "/tmp/datakeen-$1.XXXXXX")"
  chmod 755 "$WORK_DIR"
  PORTAL_PID=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM

  if [ -z "${DATAKEEN_BENCH_POSTGRES:-}" ]; then
    PG_PORT="$(free_port)"
    log "Starting a throwaway PostgreSQL cluster on port $PG_PORT"
    PG_FSYNC=off PG_SYNC_COMMIT=off pg_start "$WORK_DIR/pg" "$PG_PORT"
    STARTED_PG=1
    DATAKEEN_BENCH_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"
  fi
  PG_HOST="$(sed -nE 's/.*Host=([^;]+).*/\1/p' <<<"$DATAKEEN_BENCH_POSTGRES")"
  PG_PORT="$(sed -nE 's/.*Port=([^;]+).*/\1/p' <<<"$DATAKEEN_BENCH_POSTGRES")"
  PG_PORT="${PG_PORT:-5432}"
  DB_NAME="dk_$1_$(date +%s)_$$"
  DB_NAME="${DB_NAME//-/_}"
  psql_server -qc "CREATE DATABASE \"$DB_NAME\"" >/dev/null
}

psql_server() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
psql_db() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d "$DB_NAME" -v ON_ERROR_STOP=1 "$@"; }

bench_cleanup() {
  if [ -n "${PORTAL_PID:-}" ]; then kill "$PORTAL_PID" 2>/dev/null && wait "$PORTAL_PID" 2>/dev/null || true; fi
  if [ -n "${IDP_PID:-}" ]; then kill "$IDP_PID" 2>/dev/null && wait "$IDP_PID" 2>/dev/null || true; fi
  if [ -n "${DB_NAME:-}" ]; then psql_server -qc "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1 || true; fi
  [ -z "${STARTED_PG:-}" ] || pg_stop "$WORK_DIR/pg"
  rm -rf "$WORK_DIR"
}

# bench_certificate: a throwaway key ring certificate in $WORK_DIR (Production refuses to start without one,
# README "Encrypted key ring"); sets DP_CERT and DP_CERT_PASSWORD.
bench_certificate() {
  command -v openssl >/dev/null || apt_install openssl
  DP_CERT="$WORK_DIR/dataprotection.pfx"
  DP_CERT_PASSWORD="bench-$$-$RANDOM"
  openssl req -x509 -newkey rsa:3072 -nodes -days 2 -subj "/CN=datakeen-bench-key-ring" \
    -keyout "$WORK_DIR/dataprotection.key" -out "$WORK_DIR/dataprotection.crt" 2>/dev/null
  openssl pkcs12 -export -inkey "$WORK_DIR/dataprotection.key" -in "$WORK_DIR/dataprotection.crt" \
    -out "$DP_CERT" -passout "pass:$DP_CERT_PASSWORD"
  rm -f "$WORK_DIR/dataprotection.key"
  chmod 600 "$DP_CERT"
}

# bench_portal: builds and starts the portal against $DB_NAME, sets URL and PORTAL_PID, waits until ready.
# The load runs call the API only: the OpenID Connect settings Production requires name a provider never asked.
# The per-key request limit is raised so that runs measure the work, not the limiter's 429s.
# The portal's connection pool is sized for the database, as docs/deploy.md recommends (about 3 connections per
# database core, across all instances): PostgreSQL runs on the same 2 cores here. With Npgsql's default (100),
# 16 concurrent debits keep 16 backends runnable on 2 cores and the kernel's time-slicing becomes the p99
# (77 ms at 100, 44 ms at 10, 15 ms at 6, 18 ms at 4; docs/benchmarks.md). BENCH_POOL_SIZE overrides it.
BENCH_POOL_SIZE="${BENCH_POOL_SIZE:-6}"

bench_portal() {
  log "Building the portal (Release)"
  dotnet build src/Datakeen.Portal -c Release -nologo -v q >/dev/null
  bench_certificate
  local port; port="$(free_port)"
  URL="http://127.0.0.1:$port"
  log "Starting the portal on $URL"
  (
    cd src/Datakeen.Portal
    ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__Portal="$DATAKEEN_BENCH_POSTGRES;Database=$DB_NAME;Maximum Pool Size=$BENCH_POOL_SIZE" \
    Logging__LogLevel__Default=Warning \
    DataProtection__CertificatePath="$DP_CERT" \
    DataProtection__CertificatePassword="$DP_CERT_PASSWORD" \
    Oidc__Authority="https://127.0.0.1:9/bench-no-sign-in" Oidc__ClientId=bench Oidc__ClientSecret="bench-$$" \
    ApiKeys__RequestsPerMinutePerKey=100000000 \
    exec dotnet bin/Release/net10.0/Datakeen.Portal.dll --urls "$URL"
  ) >"$WORK_DIR/portal.log" 2>&1 &
  PORTAL_PID=$!
  for _ in $(seq 1 120); do curl -fsS "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "$URL/readyz" >/dev/null || { cat "$WORK_DIR/portal.log" >&2; exit 1; }
}

# bench_service_api: what the key authority's service paths need, before bench_portal. Builds and starts the
# development OpenID Connect provider on a free loopback port (sets IDP_URL, IDP_PID; stopped by bench_cleanup), draws
# the gateway hook's SHARED_SECRET, and exports the portal's settings for both, with the per-client verify limit
# (6000 a minute by default) beyond reach: the runs measure verification, not refusals.
bench_service_api() {
  log "Building and starting the development OpenID Connect provider"
  dotnet build src/Datakeen.Portal.DevIdentity -c Release -nologo -v q >/dev/null
  IDP_URL="http://127.0.0.1:$(free_port)"
  (cd src/Datakeen.Portal.DevIdentity && ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning \
    exec dotnet bin/Release/net10.0/Datakeen.Portal.DevIdentity.dll --urls "$IDP_URL") >"$WORK_DIR/idp.log" 2>&1 &
  IDP_PID=$!
  for _ in $(seq 1 120); do curl -fsS "$IDP_URL/.well-known/openid-configuration" >/dev/null 2>&1 && break; sleep 0.5; done
  SHARED_SECRET="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  export Gateway__SharedSecret="$SHARED_SECRET" ServiceApi__Authority="$IDP_URL" ServiceApi__RequireHttpsMetadata=false \
    ServiceApi__RequestsPerMinutePerClient=2000000000
}

# bench_service_token: sets TOKEN to a client-credentials token of the development provider with the verify scope.
bench_service_token() {
  TOKEN="$(curl -fsS -d grant_type=client_credentials -d client_id=datakeen-gateway -d client_secret=datakeen-gateway-dev-secret \
    -d scope=datakeen.keys.verify "$IDP_URL/connect/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
}

# bench_dotnet_counters: prints the path of dotnet-counters, installed into .tools/ (gitignored) on first use.
bench_dotnet_counters() {
  local dir=.tools/dotnet-counters
  [ -x "$dir/dotnet-counters" ] || dotnet tool install dotnet-counters --version 10.0.750501 --tool-path "$dir" >/dev/null
  echo "$dir/dotnet-counters"
}

# bench_allocations_per_request NAME REQUESTS_COMMAND...: runs the command (a wrk run of ALLOC_SECONDS, default
# DURATION, writing $WORK_DIR/NAME.txt)
# while dotnet-counters reads the portal's managed allocations (System.Runtime dotnet.gc.heap.total_allocated), and
# prints the bytes allocated per request of that run. The window is the run plus about a second on each side, and
# everything the process allocates in it counts (background jobs included): an upper bound, in bytes.
bench_allocations_per_request() {
  local name="$1"; shift
  local counters; counters="$(bench_dotnet_counters)"
  rm -f "$WORK_DIR/$name-alloc.csv"
  # A fixed window (background jobs ignore SIGINT): the run plus 2 s before and 2 s after.
  local seconds=$(( ${ALLOC_SECONDS:-$DURATION} + 4 ))
  "$counters" collect -p "$PORTAL_PID" --counters 'System.Runtime[dotnet.gc.heap.total_allocated]' --refresh-interval 1 \
    --format csv -o "$WORK_DIR/$name-alloc.csv" --duration "00:00:$(printf '%02d:%02d' $((seconds / 60)) $((seconds % 60)))" \
    >"$WORK_DIR/$name-counters.log" 2>&1 &
  local collector=$!
  sleep 2
  "$@" >/dev/null
  wait "$collector" || true
  local requests; requests="$(awk '/requests in/ {print $1; exit}' "$WORK_DIR/$name.txt")"
  # Rows: Timestamp,Provider,Counter Name,Counter Type,Mean/Increment; increments per interval are summed.
  awk -F, -v n="$requests" '$3 ~ /total_allocated/ {s += $NF} END {if (n > 0) printf "%.0f\n", s / n; else print "n/a"}' \
    "$WORK_DIR/$name-alloc.csv"
}

# bench_load_key: sets KEY to a new Test secret key in the format of SPEC §2 and stores it the way the portal does
# (SHA-256 digest, hint) in a workspace "load" (ids 1111…, key 2222…), for the single-key load scripts.
bench_load_key() {
  KEY="$(python3 - <<'PY'
import secrets, zlib
alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
payload = "dk_test_sk_" + "".join(secrets.choice(alphabet) for _ in range(32))
crc, check = zlib.crc32(payload.encode()), ""
for _ in range(6):
    check, crc = alphabet[crc % 62] + check, crc // 62
print(payload + check)
PY
)"
  local digest
  digest="$(printf '%s' "$KEY" | sha256sum | cut -d' ' -f1)"
  psql_db -q >/dev/null <<SQL
INSERT INTO workspaces (id, name, slug, created_at) VALUES ('11111111-1111-1111-1111-111111111111', 'Load', 'load', now());
INSERT INTO api_keys (id, workspace_id, environment, kind, digest, prefix, last_four, created_at)
VALUES ('22222222-2222-2222-2222-222222222222', '11111111-1111-1111-1111-111111111111', 'Test', 'Secret',
        decode('$digest', 'hex'), 'dk_test_sk_', '${KEY: -4}', now());
SQL
}
