#!/usr/bin/env bash
# Load run for the key authority's service paths, all against one running portal in the same run:
#   healthz   GET /healthz (the cheapest endpoint: the reference)
#   verify    POST /api/v1/keys/verify {"key": …} with a client-credentials token of the dev provider
#   hook      GET /gateway/authorize (what nginx's auth_request calls), with the shared secret and the key
#   upstream  GET on the stand-in upstream served by nginx directly (no authentication)
#   gateway   GET /backend/… through deploy/gateway/ (auth_request → portal → upstream)
# Gateway overhead per request = mean latency(gateway) − mean latency(upstream) at the same concurrency.
# Alternating rounds after a warm-up, so drifting load on a shared machine hits every path alike.
#   DATAKEEN_BENCH_POSTGRES  server connection (default: a throwaway cluster)
#   DURATION (10, seconds per path), ROUNDS (2), THREADS (1), CONNECTIONS (16)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

DURATION="${DURATION:-10}"
THREADS="${THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-2}"
command -v wrk >/dev/null || apt_install wrk
command -v psql >/dev/null || apt_install postgresql-client
[ -x /usr/sbin/nginx ] || apt_install nginx-light
command -v envsubst >/dev/null || apt_install gettext-base

source bench/bench-lib.sh
bench_database verify
NGINX_PREFIX=""
cleanup_all() {
  if [ -n "$NGINX_PREFIX" ] && [ -f "$NGINX_PREFIX/nginx.pid" ]; then
    /usr/sbin/nginx -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e stderr -s stop 2>/dev/null || true
  fi
  bench_cleanup
}
trap cleanup_all EXIT

bench_service_api
bench_portal

bench_load_key
psql_db -q >/dev/null <<SQL
INSERT INTO credit_accounts (id, workspace_id, environment, balance, created_at, updated_at)
VALUES ('33333333-3333-3333-3333-333333333333', '11111111-1111-1111-1111-111111111111', 'Test', 20, now(), now());
SQL

bench_service_token
cat >"$WORK_DIR/verify.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"key":"$KEY"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
verdict="$(curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "{\"key\":\"$KEY\"}" "$URL/api/v1/keys/verify")"
grep -q '"valid":true' <<<"$verdict" || { echo "verify answered $verdict" >&2; exit 1; }

log "Starting nginx with deploy/gateway/gateway.conf.template"
NGINX_PREFIX="$WORK_DIR/nginx"; mkdir -p "$NGINX_PREFIX"
GATEWAY_PORT="$(free_port)"; UPSTREAM_PORT="$(free_port)"
export GATEWAY_LISTEN="127.0.0.1:$GATEWAY_PORT" DATAKEEN_PORTAL_UPSTREAM="${URL#http://}" \
  DATAKEEN_GATEWAY_SHARED_SECRET="$SHARED_SECRET" JOURNEY_PRODUCTION_UPSTREAM="127.0.0.1:$UPSTREAM_PORT" \
  JOURNEY_SANDBOX_UPSTREAM="127.0.0.1:$UPSTREAM_PORT" DOCUMENTS_PRODUCTION_UPSTREAM="127.0.0.1:$UPSTREAM_PORT" \
  DOCUMENTS_SANDBOX_UPSTREAM="127.0.0.1:$UPSTREAM_PORT"
envsubst '${GATEWAY_LISTEN} ${DATAKEEN_PORTAL_UPSTREAM} ${DATAKEEN_GATEWAY_SHARED_SECRET} ${JOURNEY_PRODUCTION_UPSTREAM} ${JOURNEY_SANDBOX_UPSTREAM} ${DOCUMENTS_PRODUCTION_UPSTREAM} ${DOCUMENTS_SANDBOX_UPSTREAM}' \
  <deploy/gateway/gateway.conf.template >"$NGINX_PREFIX/gateway.conf"
cat >"$NGINX_PREFIX/nginx.conf" <<NGINX
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
pid $NGINX_PREFIX/nginx.pid;
error_log $NGINX_PREFIX/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $NGINX_PREFIX/client_body; proxy_temp_path $NGINX_PREFIX/proxy;
  fastcgi_temp_path $NGINX_PREFIX/fastcgi; uwsgi_temp_path $NGINX_PREFIX/uwsgi; scgi_temp_path $NGINX_PREFIX/scgi;
  include $NGINX_PREFIX/gateway.conf;
  server { listen 127.0.0.1:$UPSTREAM_PORT; location / { return 204; } }
}
NGINX
/usr/sbin/nginx -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e stderr
GATEWAY="http://127.0.0.1:$GATEWAY_PORT"
status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$GATEWAY/backend/load")"
[ "$status" = 204 ] || { echo "gateway answered $status" >&2; cat "$NGINX_PREFIX/error.log" >&2; exit 1; }

# run_wrk NAME URL [wrk args…]: req/s and mean latency (µs) into $WORK_DIR/NAME.rps / NAME.lat (one line per round).
run_wrk() {
  local name="$1" url="$2"; shift 2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${ROUND_SECONDS}s" --latency "$@" "$url" | tee "$WORK_DIR/$name.txt" >&2
  awk '/Requests\/sec/ {print $2}' "$WORK_DIR/$name.txt" >>"$WORK_DIR/$name.rps"
  awk '/^ +Latency +[0-9]/ { v=$2; if (v ~ /ms$/) { sub(/ms/,"",v); v*=1000 } else if (v ~ /us$/) { sub(/us/,"",v) } else if (v ~ /s$/) { sub(/s/,"",v); v*=1000000 } print v }' \
    "$WORK_DIR/$name.txt" >>"$WORK_DIR/$name.lat"
  if grep -q Non-2xx "$WORK_DIR/$name.txt"; then echo "$name: $(grep Non-2xx "$WORK_DIR/$name.txt")" >>"$WORK_DIR/non2xx"; fi
}
paths() { # round runner: every path once
  run_wrk healthz "$URL/healthz"
  run_wrk verify "$URL/api/v1/keys/verify" -s "$WORK_DIR/verify.lua"
  run_wrk hook "$URL/gateway/authorize" -H "X-Gateway-Secret: $SHARED_SECRET" -H "Authorization: Bearer $KEY"
  run_wrk upstream "http://127.0.0.1:$UPSTREAM_PORT/backend/load"
  run_wrk gateway "$GATEWAY/backend/load" -H "Authorization: Bearer $KEY"
}

# The JIT's tiered (and profile-guided) compilation of a request path takes tens of seconds of load on 2 cores.
WARMUP="${WARMUP:-8}"
log "Warming up (${WARMUP} s each)"
ROUND_SECONDS="$WARMUP"; paths >/dev/null 2>&1; rm -f "$WORK_DIR"/*.rps "$WORK_DIR"/*.lat "$WORK_DIR/non2xx"
ROUND_SECONDS=$(( (DURATION + ROUNDS - 1) / ROUNDS ))
for round in $(seq 1 "$ROUNDS"); do
  log "Round $round/$ROUNDS (${ROUND_SECONDS}s per path, $THREADS thread(s), $CONNECTIONS connections)"
  paths
done

mean() { awk '{ s += $1 } END { printf "%.0f", s / NR }' "$1"; }
rounds() { paste -sd' ' "$1"; }
echo
echo "machine:   $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for p in healthz verify hook upstream gateway; do
  printf '%-9s  %6s req/s  mean latency %6s us  (rounds: %s)\n' "$p:" "$(mean "$WORK_DIR/$p.rps")" "$(mean "$WORK_DIR/$p.lat")" "$(rounds "$WORK_DIR/$p.rps")"
done
[ ! -f "$WORK_DIR/non2xx" ] || { echo "non-2xx answers:"; cat "$WORK_DIR/non2xx"; }
# Within-round ratios are the comparable figures on a busy machine (both paths met the same load).
paste "$WORK_DIR/verify.rps" "$WORK_DIR/healthz.rps" | awk '{ r = 100 * $1 / $2; printf "%.0f\n", r }' | sort -n >"$WORK_DIR/ratios"
echo "verify / healthz per round: $(paste -sd' ' "$WORK_DIR/ratios" | sed 's/\([0-9]*\)/\1%/g'); median $(awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }' "$WORK_DIR/ratios")% (target >= 90%)"
paste "$WORK_DIR/hook.rps" "$WORK_DIR/healthz.rps" | awk '{ r = 100 * $1 / $2; printf "%.0f\n", r }' | sort -n >"$WORK_DIR/hook-ratios"
echo "authorize / healthz per round: $(paste -sd' ' "$WORK_DIR/hook-ratios" | sed 's/\([0-9]*\)/\1%/g'); median $(awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }' "$WORK_DIR/hook-ratios")% (target >= 90%)"
paste "$WORK_DIR/gateway.lat" "$WORK_DIR/upstream.lat" | awk '{ printf "%.0f\n", $1 - $2 }' | sort -n >"$WORK_DIR/overheads"
echo "gateway overhead per round (us): $(paste -sd' ' "$WORK_DIR/overheads")"
awk -v g="$(mean "$WORK_DIR/gateway.lat")" -v u="$(mean "$WORK_DIR/upstream.lat")" \
  'BEGIN { printf "gateway overhead: %.0f us per request (mean latency through the gateway minus direct to the upstream, %s connections)\n", g - u, '"$CONNECTIONS"' }'
