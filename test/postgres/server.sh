#!/usr/bin/env bash
# A throwaway PostgreSQL for Chronicle's tests and CI: one cluster per port in a temporary
# directory, listening on 127.0.0.1 only, trust authentication, no durability (fsync off) unless
# created with --durable (fsync, synchronous_commit and full_page_writes on, as in production: for
# benchmarks of durable commits, e.g. `npm run bench -- --only PGW --durable-url …`).
#
#   test/postgres/server.sh start   [--port 55432] [--no-install] [--durable]   # prints DATABASE_URL=postgres://…
#   test/postgres/server.sh stop    [--port 55432]                  # stops it, keeps its data
#   test/postgres/server.sh destroy [--port 55432]                  # stops it and deletes its data
#
# `start` installs Debian's PostgreSQL with apt when no server binaries are found (unless
# --no-install), creates the cluster on first use, starts it if it is not running and creates the
# database `chronicle`. --durable applies when the cluster is created (an existing cluster keeps its
# settings: destroy it first). Only the DATABASE_URL=… line goes to stdout, so CI can write
#   export "$(test/postgres/server.sh start)"
# Run as root, the server runs as the `postgres` user (the one the Debian package creates).
set -euo pipefail

command=${1:-start}
shift || true
port=55432
install=1
durability=off
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --durable) durability=on; shift ;;
    *) echo "server.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

dir="${TMPDIR:-/tmp}/chronicle-postgres-$port"
database=chronicle
url="postgres://postgres@127.0.0.1:$port/$database"

log() { echo "server.sh: $*" >&2; }

# The newest server binaries Debian installed, or those on PATH.
bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$found" ] && [ -x "$found/pg_ctl" ]; then echo "$found"; return; fi
  if command -v pg_ctl >/dev/null; then dirname "$(command -v pg_ctl)"; fi
}

# initdb and the server refuse to run as root: run them as `postgres` then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin=$(bindir)

running() { [ -n "$bin" ] && [ -f "$dir/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; }

case "$command" in
  start)
    if [ -z "$bin" ]; then
      if [ "$install" = 0 ]; then log "no PostgreSQL server binaries found"; exit 1; fi
      log "installing PostgreSQL with apt"
      apt-get update >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2
      bin=$(bindir)
    fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      log "creating a cluster in $dir"
      mkdir -p "$dir"
      if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
      chmod 700 "$dir"
      as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >&2
      cat >>"$dir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = $durability
synchronous_commit = $durability
full_page_writes = $durability
EOF
    fi
    if ! running; then
      log "starting PostgreSQL on 127.0.0.1:$port"
      as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >&2 || { cat "$dir/server.log" >&2; exit 1; }
    fi
    if [ -z "$(as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
      as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database"
    fi
    echo "DATABASE_URL=$url"
    ;;
  stop)
    if running; then as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >&2; fi
    ;;
  destroy)
    if running; then as_owner "$bin/pg_ctl" -D "$dir" -m immediate -w stop >&2; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: server.sh start|stop|destroy [--port N] [--no-install] [--durable]" >&2
    exit 2
    ;;
esac
