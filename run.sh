#!/usr/bin/env bash
# Brings up everything on a fresh machine with embedded defaults: a local PostgreSQL cluster in .data/
# (installed from the OS packages if missing), the development OpenID Connect provider, migrations,
# demo workspaces, and the portal on http://localhost:5080. Ctrl-C stops everything it started.
#   ConnectionStrings__Portal set -> uses that database, starts no cluster.
#   Oidc__Authority set           -> uses that provider, starts no development provider.
#   Smtp__Host set                -> mails through that server, starts no development mail server (smtp4dev).
#   --replicas N (N >= 2)         -> Redis, N portal instances on loopback ports and nginx on :5080 as the
#                                    only entry (docs/deploy.md); .data/cluster.json lists the instances.
#   DATAKEEN_PORTAL_PORT, DATAKEEN_IDENTITY_PORT, DATAKEEN_PG_PORT -> other ports (defaults 5080, 5081, 55432).
#   DATAKEEN_MAIL_WEB_PORT, DATAKEEN_SMTP_PORT -> the mail server's ports (defaults 5082, 2525; when unset and
#                                    taken, free ports instead).
#   DATAKEEN_DATA_DIR, DATAKEEN_NO_BUILD=1 -> another data directory (the cluster tests run a second copy side
#                                    by side), no build.
# ./run.sh restart: a rolling restart of the running `./run.sh --replicas N` (the same DATAKEEN_DATA_DIR), one
#   instance at a time: TERM (it hands its open tabs off to the others), start it again, wait until ready, next
#   (docs/deploy.md, "Rolling restart"). It ends when the restart has, with the outcome.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(pwd)"
source scripts/lib.sh
source scripts/cluster.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

REPLICAS=0
VERB=""
while [ $# -gt 0 ]; do
  case "$1" in
    restart) VERB=restart; shift ;;
    --replicas) REPLICAS="${2:-}"; shift 2 || true ;;
    --replicas=*) REPLICAS="${1#--replicas=}"; shift ;;
    *) echo "usage: ./run.sh [--replicas N] | ./run.sh restart" >&2; exit 2 ;;
  esac
done
if [ "$REPLICAS" != 0 ] && ! [[ "$REPLICAS" =~ ^[0-9]+$ && "$REPLICAS" -ge 2 && "$REPLICAS" -le 16 ]]; then
  echo "--replicas takes a number from 2 to 16" >&2; exit 2
fi

PORTAL_PORT="${DATAKEEN_PORTAL_PORT:-5080}"
IDENTITY_PORT="${DATAKEEN_IDENTITY_PORT:-5081}"
DATA_DIR="${DATAKEEN_DATA_DIR:-$ROOT/.data}"
if [ "$VERB" = restart ]; then
  cluster_request_restart "$DATA_DIR"
  exit
fi
PORTAL_URL="http://localhost:$PORTAL_PORT"
IDENTITY_URL="http://localhost:$IDENTITY_PORT"
PG_DATA="$DATA_DIR/pg"
PG_PORT="${DATAKEEN_PG_PORT:-55432}"
PIDS=()

cleanup() {
  trap - EXIT INT TERM
  set +e
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  cluster_stop
  wait 2>/dev/null || true
  rm -f "$DATA_DIR/cluster.json"
  if [ -n "${STARTED_PG:-}" ]; then log "Stopping PostgreSQL"; pg_stop "$PG_DATA"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# `./run.sh restart` asks for a rolling restart with USR1 (handled once everything is up, at the end).
RESTART_REQUESTED=""
if [ "$REPLICAS" != 0 ]; then trap 'RESTART_REQUESTED=1' USR1; fi

for port in "$PORTAL_PORT" "$IDENTITY_PORT"; do
  if ! port_is_free "$port"; then echo "Port $port is already in use: is ./run.sh already running?" >&2; exit 1; fi
done

mkdir -p "$DATA_DIR"
chmod 755 "$DATA_DIR"
if [ -z "${ConnectionStrings__Portal:-}" ]; then
  PG_DATA="$(pg_local_datadir "$DATA_DIR")"
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

# A failed build shows its errors and stops here (quiet when it succeeds).
build() {
  local out
  if ! out="$(dotnet build "$1" -c Release -nologo -v q 2>&1)"; then
    grep -E ': (error|warning) ' <<<"$out" | sort -u >&2 || true
    printf '%s\n' "$out" | tail -n 3 >&2
    echo "The build of $1 failed (the errors are above)." >&2
    exit 1
  fi
}
if [ -z "${DATAKEEN_NO_BUILD:-}" ]; then
  log "Building"
  build src/Datakeen.Portal
fi
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# The key ring's certificate (created by the portal in Development when missing); never in the database.
export DataProtection__CertificatePath="${DataProtection__CertificatePath:-$ROOT/.data/dataprotection-dev.pfx}"

if [ -z "${Oidc__Authority:-}" ] && [ -d src/Datakeen.Portal.DevIdentity ]; then
  [ -n "${DATAKEEN_NO_BUILD:-}" ] || build src/Datakeen.Portal.DevIdentity
  log "Starting the development OpenID Connect provider on $IDENTITY_URL"
  (cd src/Datakeen.Portal.DevIdentity && exec dotnet bin/Release/net10.0/Datakeen.Portal.DevIdentity.dll --urls "$IDENTITY_URL") &
  PIDS+=($!)
  STARTED_IDENTITY=1
  export Oidc__Authority="$IDENTITY_URL"
  export Oidc__ClientId="${Oidc__ClientId:-datakeen-portal}"
  export Oidc__ClientSecret="${Oidc__ClientSecret:-datakeen-portal-dev-secret}"
  export DemoData__Enabled="${DemoData__Enabled:-true}"
fi

# The development mail server is started once, for the single portal and for every replica alike: the
# Smtp__* settings are exported before any instance starts.
if [ -z "${Smtp__Host:-}" ]; then
  MAIL_WEB_PORT="${DATAKEEN_MAIL_WEB_PORT:-5082}"
  SMTP_PORT="${DATAKEEN_SMTP_PORT:-2525}"
  # Default ports give way to free ones when taken (a second copy side by side, e.g. the cluster tests).
  if [ -z "${DATAKEEN_MAIL_WEB_PORT:-}" ] && ! port_is_free "$MAIL_WEB_PORT"; then MAIL_WEB_PORT="$(free_port)"; fi
  while [ -z "${DATAKEEN_SMTP_PORT:-}" ] && { ! port_is_free "$SMTP_PORT" || [ "$SMTP_PORT" = "$MAIL_WEB_PORT" ]; }; do
    SMTP_PORT="$(free_port)"
  done
  MAIL_URL="http://localhost:$MAIL_WEB_PORT"
  log "Starting the development mail server (smtp4dev): inbox on $MAIL_URL, SMTP on port $SMTP_PORT"
  smtp4dev_start "$MAIL_WEB_PORT" "$SMTP_PORT" "$DATA_DIR/smtp4dev.log"
  # Stopped with the cluster's groups (cluster_stop in cleanup); not in PIDS, so the script does not end with it.
  CLUSTER_PGIDS+=("$SMTP4DEV_PGID")
  export Smtp__Host=localhost Smtp__Port="$SMTP_PORT" Smtp__Security=None
fi
export Smtp__PortalUrl="${Smtp__PortalUrl:-$PORTAL_URL}"

if [ "$REPLICAS" = 0 ]; then
  log "Starting the portal on $PORTAL_URL"
  (cd src/Datakeen.Portal && exec dotnet bin/Release/net10.0/Datakeen.Portal.dll --urls "$PORTAL_URL") &
  PIDS+=($!)
else
  ensure_curl
  REDIS_PORT="$(free_port)"
  log "Starting Redis on 127.0.0.1:$REDIS_PORT (.data/redis)"
  redis_start "$DATA_DIR/redis" "$REDIS_PORT"
  REDIS_PID="$LAST_PGID"
  export Redis__Configuration="127.0.0.1:$REDIS_PORT"
  # nginx on loopback is the only client of the instances: believe its X-Forwarded-* headers, nobody else's.
  # (nginx itself believes a client's only from DATAKEEN_TLS_FRONT, a CIDR; by default from nobody.)
  export ForwardedHeaders__KnownProxies="${ForwardedHeaders__KnownProxies:-127.0.0.1}"
  # Each instance serves Prometheus' /metrics on its own loopback port; nginx refuses /metrics.
  export Telemetry__PrometheusEnabled="${Telemetry__PrometheusEnabled:-true}"
  # Several instances stand for a deployment, which runs a published build: no MapStaticAssets development handler
  # (the build output's manifest switches it on), so fingerprinted assets keep their long-lived cache headers instead
  # of no-cache (a tab reloaded after a failover asks again for its page only) and no GET stats wwwroot/<path>.
  export ReloadStaticAssetsAtRuntime="${ReloadStaticAssetsAtRuntime:-false}"
  DEMO_DATA="${DemoData__Enabled:-false}"
  mkdir -p "$DATA_DIR/logs"
  INSTANCES=() UPSTREAM_PORTS=()
  # start_instance I PORT: portal-I on that loopback port, in a group of its own (INSTANCES[I-1] names it).
  start_instance() {
    local i="$1" port="$2" demo=false
    # Demo workspaces are created by the first instance only: the others would just collide on the slugs.
    [ "$i" = 1 ] && demo="$DEMO_DATA"
    start_group "$DATA_DIR/logs/portal-$i.log" env Portal__InstanceName="portal-$i" DemoData__Enabled="$demo" \
      dotnet src/Datakeen.Portal/bin/Release/net10.0/Datakeen.Portal.dll \
      --contentRoot "$ROOT/src/Datakeen.Portal" --urls "http://127.0.0.1:$port"
    INSTANCES[$((i - 1))]="portal-$i|$LAST_PGID|http://127.0.0.1:$port"
  }
  for i in $(seq 1 "$REPLICAS"); do
    port="$(free_port)"
    while [[ " ${UPSTREAM_PORTS[*]:-} " == *" $port "* ]]; do port="$(free_port)"; done
    log "Starting portal-$i on http://127.0.0.1:$port"
    start_instance "$i" "$port"
    UPSTREAM_PORTS+=("$port")
    # The first instance migrates the database and creates the shared Data Protection key before the
    # others start, so they all read one key ring instead of racing to create their own.
    if [ "$i" = 1 ]; then wait_ready "http://127.0.0.1:$port" "$DATA_DIR/logs/portal-1.log"; fi
  done
  log "Starting nginx on $PORTAL_URL (config from deploy/nginx/templates/, logs in .data/nginx/logs)"
  nginx_start "$DATA_DIR/nginx" "$ROOT/deploy/nginx/templates/portal.conf.template" "$PORTAL_PORT" "${UPSTREAM_PORTS[@]}"
  # The script lives as long as its entry point: an instance that dies is failover, not the end.
  PIDS+=("$LAST_PGID")
  NGINX_PID="$LAST_PGID"
  write_cluster() {
    write_cluster_json "$DATA_DIR/cluster.json" "$REDIS_PID" "redis://127.0.0.1:$REDIS_PORT" \
      "$NGINX_PID" "$PORTAL_URL" "${INSTANCES[@]}"
  }
  write_cluster
  for i in $(seq 2 "$REPLICAS"); do
    wait_ready "http://127.0.0.1:${UPSTREAM_PORTS[$((i - 1))]}" "$DATA_DIR/logs/portal-$i.log"
  done
fi

for _ in $(seq 1 120); do
  if [ -n "${STARTED_IDENTITY:-}" ] && command -v curl >/dev/null; then
    curl -fsS "$IDENTITY_URL/.well-known/openid-configuration" >/dev/null 2>&1 || { sleep 0.5; continue; }
  fi
  if command -v curl >/dev/null; then curl -fsS "$PORTAL_URL/readyz" >/dev/null 2>&1 && break
  elif ! port_is_free "$PORTAL_PORT"; then break; fi
  sleep 0.5
done

cat <<INFO

  Datakeen portal:  $PORTAL_URL${REDIS_PORT:+  ($REPLICAS instances behind nginx; see $DATA_DIR/cluster.json)}
  Sign in with (password: demo):
    admin@acme.test    Admin of Acme
    member@acme.test   Member of Acme
    admin@globex.test  Admin of Globex
  Service client (POST /api/v1/keys/verify, scope datakeen.keys.verify): datakeen-gateway / datakeen-gateway-dev-secret

  Mail inbox:       ${MAIL_URL:-(Smtp__Host is set: mail goes to $Smtp__Host)}

  Press Ctrl-C to stop.${REDIS_PORT:+  Rolling restart: ./run.sh restart}
INFO

# One instance at a time: TERM (it hands its open tabs off to the others and exits), start it again on its
# port, wait until it is ready, next. The outcome goes to restart.status, which `./run.sh restart` waits for.
rolling_restart() {
  local i entry pgid status=done
  for i in $(seq 1 "$REPLICAS"); do
    entry="${INSTANCES[$((i - 1))]}"; pgid="${entry#*|}"; pgid="${pgid%%|*}"
    log "Rolling restart: stopping portal-$i (its open tabs move to the other instances)"
    stop_group "$pgid" 60
    log "Rolling restart: starting portal-$i again"
    start_instance "$i" "${UPSTREAM_PORTS[$((i - 1))]}"
    write_cluster
    if ! wait_ready "http://127.0.0.1:${UPSTREAM_PORTS[$((i - 1))]}" "$DATA_DIR/logs/portal-$i.log"; then
      status="failed: portal-$i did not become ready"; break
    fi
  done
  log "Rolling restart: $status"
  echo "$status" >"$DATA_DIR/restart.status"
}
while :; do
  rc=0
  wait -n "${PIDS[@]}" || rc=$?
  if [ -n "$RESTART_REQUESTED" ]; then
    RESTART_REQUESTED=""
    rolling_restart
    continue
  fi
  exit "$rc"
done
