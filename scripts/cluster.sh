#!/usr/bin/env bash
# Helpers for `./run.sh --replicas N`: Redis, portal instances and nginx on this machine. Sourced after
# scripts/lib.sh, not executed. Every process is started in its own process group (setsid) and its
# group id appended to CLUSTER_PGIDS, so that cluster_stop ends it with everything it spawned.

CLUSTER_PGIDS=()

# start_group LOGFILE COMMAND...: runs COMMAND in a new session; its pid (also its process group id) is
# left in LAST_PGID. Without job control a background job is no group leader, so setsid execs in place.
start_group() {
  local logfile="$1"; shift
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  LAST_PGID=$!
  CLUSTER_PGIDS+=("$LAST_PGID")
}

# cluster_stop: TERM to every group, a grace period, then KILL to what is left.
cluster_stop() {
  local pgid alive
  for pgid in "${CLUSTER_PGIDS[@]:-}"; do [ -n "$pgid" ] && kill -TERM -- "-$pgid" 2>/dev/null; done
  for _ in $(seq 1 50); do
    alive=0
    for pgid in "${CLUSTER_PGIDS[@]:-}"; do [ -n "$pgid" ] && kill -0 -- "-$pgid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pgid in "${CLUSTER_PGIDS[@]:-}"; do [ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null; done
  CLUSTER_PGIDS=()
  return 0
}

# stop_group PGID SECONDS: TERM to the group, KILL to what is left after SECONDS; it leaves CLUSTER_PGIDS.
stop_group() {
  local pgid="$1" left="$(( $2 * 5 ))" kept=() g
  kill -TERM -- "-$pgid" 2>/dev/null || true
  while kill -0 -- "-$pgid" 2>/dev/null && [ "$left" -gt 0 ]; do sleep 0.2; left=$((left - 1)); done
  kill -KILL -- "-$pgid" 2>/dev/null || true
  for g in "${CLUSTER_PGIDS[@]:-}"; do [ -n "$g" ] && [ "$g" != "$pgid" ] && kept+=("$g"); done
  CLUSTER_PGIDS=("${kept[@]:-}")
  return 0
}

# cluster_request_restart DATA_DIR: asks the `./run.sh --replicas N` that wrote DATA_DIR/cluster.json for a
# rolling restart (USR1) and waits for its outcome in DATA_DIR/restart.status (done, or failed: why).
cluster_request_restart() {
  local dir="$1" pid status
  [ -f "$dir/cluster.json" ] || { echo "No ./run.sh --replicas N is running with $dir (no cluster.json)" >&2; return 1; }
  pid="$(sed -n 's/^  "script": { "pid": \([0-9][0-9]*\) }.*/\1/p' "$dir/cluster.json")"
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then echo "The ./run.sh of $dir/cluster.json is not running" >&2; return 1; fi
  rm -f "$dir/restart.status"
  log "Rolling restart of the instances in $dir/cluster.json (one at a time; open tabs move to the others)"
  kill -USR1 "$pid"
  for _ in $(seq 1 3000); do
    if [ -s "$dir/restart.status" ]; then
      status="$(<"$dir/restart.status")"
      log "Rolling restart: $status"
      [ "$status" = done ]; return
    fi
    kill -0 "$pid" 2>/dev/null || { echo "./run.sh ($pid) ended during the rolling restart" >&2; return 1; }
    sleep 0.2
  done
  echo "The rolling restart did not finish within 10 minutes" >&2; return 1
}

ensure_curl() {
  command -v curl >/dev/null || { log "curl not found: installing the OS package"; apt_install curl; }
}

ensure_redis() {
  command -v redis-server >/dev/null || { log "redis-server not found: installing the OS package"; apt_install_service redis-server redis-server; }
}

ensure_nginx() {
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || { log "nginx not found: installing the OS package"; apt_install_service nginx nginx-light; }
}

# redis_start DIR PORT: Redis on 127.0.0.1:PORT with its data (an append-only file) in DIR.
redis_start() {
  local dir="$1" port="$2"
  ensure_redis
  mkdir -p "$dir"; chmod 700 "$dir"
  start_group "$dir/redis.log" redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
    --appendonly yes --save "" --protected-mode yes --daemonize no
  for _ in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then return 0; fi
    sleep 0.1
  done
  tail -n 20 "$dir/redis.log" >&2; return 1
}

# nginx_render TEMPLATE LISTEN SERVERS RESOLVER [TLS_FRONT]: the shared template with its placeholders filled.
# TLS_FRONT (a CIDR, e.g. DATAKEEN_TLS_FRONT) is the only address whose X-Forwarded-For/-Proto nginx believes;
# without it nobody's are.
nginx_render() {
  local text real_ip="" fronts=""; text="$(<"$1")"
  if [ -n "${5:-}" ]; then real_ip="set_real_ip_from $5;"; fronts="$5 1;"; fi
  text="${text//'${PORTAL_LISTEN}'/$2}"
  text="${text//'${PORTAL_SERVERS}'/$3}"
  text="${text//'${PORTAL_RESOLVER}'/$4}"
  text="${text//'${PORTAL_REAL_IP}'/$real_ip}"
  text="${text//'${PORTAL_TRUSTED_FRONTS}'/$fronts}"
  printf '%s\n' "$text"
}

# nginx_start DIR TEMPLATE LISTEN_PORT UPSTREAM_PORT...: nginx in the foreground of its own group,
# everything it writes (pid, logs, temp files) under DIR.
nginx_start() {
  local dir="$1" template="$2" listen="$3"; shift 3
  local servers="" port
  ensure_nginx
  for port in "$@"; do servers+="server 127.0.0.1:$port max_fails=1 fail_timeout=5s; "; done
  mkdir -p "$dir/temp" "$dir/logs"
  # The workers read only this config: as root they run as nobody, which must be able to read it.
  chmod 755 "$dir"
  nginx_render "$template" "127.0.0.1:$listen" "$servers" "" "${DATAKEEN_TLS_FRONT:-}" >"$dir/portal.conf"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  # When it ended (\$msec), how long it took, and which instance answered how fast (a failover's trace, docs/operations.md).
  log_format timed '\$msec \$request_time \$status \$request_method \$uri \$upstream_addr \$upstream_status \$upstream_connect_time \$upstream_response_time';
  access_log $dir/logs/access.log timed;
  # As root the workers run as nobody, who may not traverse a clone under a 0700 home: stream responses
  # instead of spilling them to temp files (request bodies fit client_body_buffer_size in the template).
  proxy_max_temp_file_size 0;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  include $dir/portal.conf;
}
CONF
  local nginx_bin; nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
  "$nginx_bin" -t -q -p "$dir" -c "$dir/nginx.conf" || return 1
  start_group "$dir/logs/nginx.out" "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
}

# write_cluster_json FILE REDIS_PID REDIS_URL NGINX_PID NGINX_URL NAME|PID|URL...: also the pid of this script
# (./run.sh), which `./run.sh restart` signals.
write_cluster_json() {
  local file="$1" redis_pid="$2" redis_url="$3" nginx_pid="$4" nginx_url="$5"; shift 5
  local entry name pid url sep="" body=""
  for entry in "$@"; do
    name="${entry%%|*}"; entry="${entry#*|}"; pid="${entry%%|*}"; url="${entry#*|}"
    body+="$sep    { \"name\": \"$name\", \"pid\": $pid, \"url\": \"$url\" }"; sep=$',\n'
  done
  printf '{\n  "instances": [\n%s\n  ],\n  "redis": { "pid": %s, "url": "%s" },\n  "nginx": { "pid": %s, "url": "%s" },\n  "script": { "pid": %s }\n}\n' \
    "$body" "$redis_pid" "$redis_url" "$nginx_pid" "$nginx_url" "$$" >"$file.tmp" && mv "$file.tmp" "$file"
}

# wait_ready URL LOGFILE: until URL/readyz answers 200 (two minutes at most; the log's tail otherwise).
wait_ready() {
  for _ in $(seq 1 240); do
    curl -fsS "$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$1 did not become ready; the end of $2:" >&2; tail -n 20 "$2" >&2; return 1
}
