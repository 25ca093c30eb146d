#!/usr/bin/env bash
# Shared helpers for run.sh and test.sh: installing and running a local PostgreSQL cluster,
# finding free ports, installing Chromium. Sourced, not executed.

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

apt_install() {
  if [ -z "${_APT_UPDATED:-}" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    _APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# apt_install_service "SERVICE..." PACKAGE...: installs packages whose Debian scripts would start and enable a
# system service (postgresql on :5432, redis-server on :6379, nginx's default site on :80). The scripts run
# their own instances on other ports, so the system's are kept stopped and disabled: nothing is left listening.
apt_install_service() {
  local services="$1"; shift
  local guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # Debian's documented switch: invoke-rc.d starts nothing while policy-rc.d exits 101.
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null && as_root chmod 755 /usr/sbin/policy-rc.d && guard=1
  fi
  apt_install "$@"; local rc=$?
  [ -z "$guard" ] || as_root rm -f /usr/sbin/policy-rc.d
  disable_services $services
  return "$rc"
}

# disable_services SERVICE...: stopped now and not started at boot (systemd, or sysvinit in containers).
disable_services() {
  local s
  for s in "$@"; do
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      as_root systemctl disable --now "$s" >/dev/null 2>&1 || true
    else
      as_root service "$s" stop >/dev/null 2>&1 || true
      command -v update-rc.d >/dev/null && as_root update-rc.d "$s" disable >/dev/null 2>&1 || true
    fi
  done
  log "Installed without leaving the system service running or enabled: $*"
}

# Echoes the directory holding initdb/pg_ctl/postgres, installing the OS packages when missing.
pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(readlink -f "$(command -v initdb)")"; return 0
  fi
  log "PostgreSQL server binaries not found: installing the OS packages"
  apt_install_service postgresql postgresql postgresql-contrib >&2
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  echo "could not install PostgreSQL" >&2; return 1
}

# PostgreSQL refuses to run as root: as root, run the cluster as the 'postgres' user.
pg_user() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || as_root useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    echo postgres
  else
    id -un
  fi
}

run_as_pg_user() {
  local user; user="$(pg_user)"
  if [ "$(id -un)" = "$user" ]; then "$@"; else
    # runuser keeps no environment surprises; cd / avoids "could not change directory" noise
    (cd / && runuser -u "$user" -- "$@")
  fi
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for _ in $(seq 1 200); do
    # Below the kernel's ephemeral range (ip_local_port_range, 32768+ on Debian): a port there can be taken by
    # an outgoing connection between this check and the server's bind ("Address already in use").
    port=$(( (RANDOM % 12000) + 20000 ))
    if port_is_free "$port"; then echo "$port"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}

# pg_local_datadir DATA_DIR: echoes the directory for the local cluster of DATA_DIR (a clone's .data/).
# As root the cluster runs as 'postgres', which cannot enter a clone under a 0700 directory (/root, mktemp -d).
# Then the cluster lives under /var/lib/datakeen/clusters/<sha256 of DATA_DIR's path>, and DATA_DIR/pg is a
# symlink to it: the clone still owns its cluster (`rm -rf .data` starts afresh; the next run replaces the stale
# target), and postgres is only ever given a path it can traverse. Otherwise DATA_DIR/pg itself.
pg_local_datadir() {
  local data="$1" user key target
  mkdir -p "$data"
  chmod 755 "$data"
  user="$(pg_user)"
  if [ ! -L "$data/pg" ] && { [ -f "$data/pg/PG_VERSION" ] || [ "$(id -un)" = "$user" ] \
       || run_as_pg_user test -x "$data"; }; then
    echo "$data/pg"; return 0
  fi
  key="$(cd "$data" && pwd -P | sha256sum | cut -c1-16)"
  target="${DATAKEEN_PG_CLUSTERS:-/var/lib/datakeen/clusters}/$key"
  if [ ! -L "$data/pg" ]; then
    rm -rf "$data/pg" "$target"
    ln -s "$target" "$data/pg"
  fi
  (umask 022 && mkdir -p "$target")
  echo "$target"
}

# pg_start DATADIR PORT: initialises DATADIR if empty, then starts the cluster on 127.0.0.1:PORT.
pg_start() {
  local datadir="$1" port="$2" bindir user
  bindir="$(pg_bindir)"; user="$(pg_user)"
  mkdir -p "$datadir"
  chown "$user" "$datadir" 2>/dev/null || true
  chmod 700 "$datadir"
  if [ ! -f "$datadir/PG_VERSION" ]; then
    run_as_pg_user "$bindir/initdb" -D "$datadir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null \
      || run_as_pg_user "$bindir/initdb" -D "$datadir" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
  fi
  run_as_pg_user "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300 -c fsync=${PG_FSYNC:-on} -c synchronous_commit=${PG_SYNC_COMMIT:-on} -c full_page_writes=${PG_FSYNC:-on}" \
    start >/dev/null
}

pg_stop() {
  local datadir="$1" bindir
  [ -f "$datadir/postmaster.pid" ] || return 0
  bindir="$(pg_bindir)"
  run_as_pg_user "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "Chromium not found: installing the OS package"
    apt_install chromium fonts-liberation
  fi
}

# smtp4dev_start WEB_PORT SMTP_PORT LOGFILE: the development mail server (the Rnwood.Smtp4dev dotnet tool of
# dotnet-tools.json) with its web inbox on http://localhost:WEB_PORT, in memory, in its own session (setsid);
# its pid, also its process group id, is then in SMTP4DEV_PGID (end it with kill -- -$SMTP4DEV_PGID).
smtp4dev_start() {
  local web="$1" smtp="$2" logfile="$3" imap pop3
  dotnet tool restore >/dev/null
  imap="$(free_port)"; pop3="$(free_port)"
  setsid dotnet smtp4dev --urls="http://localhost:$web" --smtpport="$smtp" --imapport="$imap" --pop3port="$pop3" \
    --db= --nousersettings --hostname=localhost >"$logfile" 2>&1 </dev/null &
  SMTP4DEV_PGID=$!
}

# Node.js 20.19 or later and npm, for the API client tests (tests/api-client). Installed from the OS packages
# when missing; when the node found (or the OS's, e.g. Debian 12's 18.19) is older, stops with what to do.
NODE_MIN=20.19
ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "Node.js not found: installing the OS packages"
    apt_install nodejs npm || return 1
  fi
  local version; version="$(node --version 2>/dev/null | sed 's/^v//')"
  if ! printf '%s\n%s\n' "$NODE_MIN" "$version" | sort -V -C; then
    cat >&2 <<MSG
Node.js $NODE_MIN or later is needed (the API client tests' tools require it); this machine has ${version:-none}
($(command -v node || echo 'no node')). Debian 12's own package is 18.19. Install a current one, e.g. from
NodeSource (https://github.com/nodesource/distributions: setup_22.x, then apt-get install nodejs) or with nvm,
then run this again.
MSG
    return 1
  fi
}