#!/usr/bin/env bash
# Create, start or stop the benchmark's own PostgreSQL 15 cluster on 127.0.0.1.
#
#   bench/pg_cluster.sh start [DIR] [PORT]   # default DIR=/tmp/helpdesk-bench-pg PORT=5499
#   bench/pg_cluster.sh stop  [DIR]
#
# The cluster is separate from any shared one, so loading a million tickets and the
# measurements neither disturb nor are disturbed by other databases. Settings are those of
# a small managed instance, except wal_level=minimal, which lets the generator's COPY skip
# the write-ahead log.
set -euo pipefail

action=${1:?usage: bench/pg_cluster.sh start|stop [DIR] [PORT]}
dir=${2:-/tmp/helpdesk-bench-pg}
port=${3:-5499}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_postgres() {
  # initdb and postgres reject running as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      as_postgres "$bin/initdb" -D "$dir" -U postgres -A trust >/dev/null
      cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_buffers = 2GB
effective_cache_size = 8GB
work_mem = 16MB
maintenance_work_mem = 512MB
max_connections = 100
wal_level = minimal
max_wal_senders = 0
random_page_cost = 1.1
CONF
    fi
    as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start >/dev/null
    echo "PostgreSQL for the benchmark: postgres://postgres@127.0.0.1:$port/"
    ;;
  stop)
    as_postgres "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    ;;
  *)
    echo "Unknown action $action: use start or stop." >&2
    exit 2
    ;;
esac
