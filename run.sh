#!/usr/bin/env bash
# Brings up everything on a fresh machine with embedded defaults: a local PostgreSQL cluster in .data/
# (installed from the OS packages if missing), the development OpenID Connect provider, migrations,
# demo workspaces, and the portal on http://localhost:5080. Ctrl-C stops everything it started.
#   ConnectionStrings__Portal set -> uses that database, starts no cluster.
#   Oidc__Authority set           -> uses that provider, starts no development provider.
#   DATAKEEN_PORTAL_PORT, DATAKEEN_IDENTITY_PORT, DATAKEEN_PG_PORT -> other ports (defaults 5080, 5081, 55432).
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(pwd)"
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

PORTAL_PORT="${DATAKEEN_PORTAL_PORT:-5080}"
IDENTITY_PORT="${DATAKEEN_IDENTITY_PORT:-5081}"
PORTAL_URL="http://localhost:$PORTAL_PORT"
IDENTITY_URL="http://localhost:$IDENTITY_PORT"
PG_PORT="${DATAKEEN_PG_PORT:-55432}"
PIDS=()

cleanup() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${STARTED_PG:-}" ]; then log "Stopping PostgreSQL"; pg_stop "$PG_DATA"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for port in "$PORTAL_PORT" "$IDENTITY_PORT"; do
  if ! port_is_free "$port"; then echo "Port $port is already in use: is ./run.sh already running?" >&2; exit 1; fi
done

if [ -z "${ConnectionStrings__Portal:-}" ]; then
  PG_DATA="$(pg_local_datadir "$ROOT/.data")"
  if [ -f "$PG_DATA/postmaster.pid" ] && ! port_is_free "$PG_PORT"; then
    log "PostgreSQL already running in .data/pg on port $PG_PORT"
  else
    rm -f "$PG_DATA/postmaster.pid"
    port_is_free "$PG_PORT" || { echo "Port $PG_PORT is taken; set DATAKEEN_PG_PORT" >&2; exit 1; }
    log "Starting PostgreSQL (.data/pg, port $PG_PORT)"
    pg_start "$PG_DATA" "$PG_PORT" || { tail -n 20 "$PG_DATA/server.log" >&2; exit 1; }
    STARTED_PG=1
  fi
  export ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Database=datakeen_portal;Username=postgres"
  "$(pg_bindir)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'datakeen_portal'" | grep -q 1 \
    || "$(pg_bindir)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE datakeen_portal" >/dev/null
fi

log "Building"
dotnet build src/Datakeen.Portal -c Release -nologo -v q >/dev/null
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# The key ring's certificate (created by the portal in Development when missing); never in the database.
export DataProtection__CertificatePath="${DataProtection__CertificatePath:-$ROOT/.data/dataprotection-dev.pfx}"

if [ -z "${Oidc__Authority:-}" ] && [ -d src/Datakeen.Portal.DevIdentity ]; then
  dotnet build src/Datakeen.Portal.DevIdentity -c Release -nologo -v q >/dev/null
  log "Starting the development OpenID Connect provider on $IDENTITY_URL"
  (cd src/Datakeen.Portal.DevIdentity && exec dotnet bin/Release/net10.0/Datakeen.Portal.DevIdentity.dll --urls "$IDENTITY_URL") &
  PIDS+=($!)
  export Oidc__Authority="$IDENTITY_URL"
  export Oidc__ClientId="${Oidc__ClientId:-datakeen-portal}"
  export Oidc__ClientSecret="${Oidc__ClientSecret:-datakeen-portal-dev-secret}"
  export DemoData__Enabled="${DemoData__Enabled:-true}"
fi

log "Starting the portal on $PORTAL_URL"
(cd src/Datakeen.Portal && exec dotnet bin/Release/net10.0/Datakeen.Portal.dll --urls "$PORTAL_URL") &
PIDS+=($!)

for _ in $(seq 1 120); do
  if command -v curl >/dev/null; then curl -fsS "$PORTAL_URL/readyz" >/dev/null 2>&1 && break
  elif ! port_is_free "$PORTAL_PORT"; then break; fi
  sleep 0.5
done

cat <<INFO

  Datakeen portal:  $PORTAL_URL
  Sign in with (password: demo):
    admin@acme.test    Admin of Acme
    member@acme.test   Member of Acme
    admin@globex.test  Admin of Globex

  Press Ctrl-C to stop.
INFO
wait -n "${PIDS[@]}"
