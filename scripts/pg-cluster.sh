#!/usr/bin/env bash
# The embedded PostgreSQL cluster: a private cluster in a git-ignored folder of the checkout,
# on loopback only. Usage:
#   pg-cluster.sh start DIR PORT [--throwaway]   create if needed, start if stopped, create db "atelier"
#   pg-cluster.sh stop DIR                       stop if running
#   pg-cluster.sh primary DIR PORT               let the running cluster feed streaming replicas
#                                                (wal_level replica; restarts it if needed)
#   pg-cluster.sh standby DIR PORT PRIMARY_PORT  a hot standby of that primary, made with
#                                                pg_basebackup (afresh each time), started
# --throwaway starts from an empty cluster and turns durability off (for tests).
# initdb and pg_ctl refuse to run as root, so as root they run as the postgres user, which is
# given just enough access (traverse) to reach DIR even under a private home directory.
set -euo pipefail

action=$1 dir=$(realpath -m "$2")

# A server started or restarted here outlives this script, and would hold every descriptor it
# inherits: a test runner's pipes (the runner would wait for it) and its database sockets (a
# connection the runner closes would stay a live session until the server stops). Keep only
# the standard streams. 255 too: bash keeps its script there unless that number is taken, and
# moves the script away from a descriptor it is asked to close.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pgbin" ] || { echo "PostgreSQL server binaries not found; run 'make deps'" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Let the postgres user traverse every folder above DIR: the 'x' bit only, by ACL, or for
# everyone where the filesystem has no ACLs.
grant_access() {
    [ "$(id -u)" = 0 ] || return 0
    local path
    path=$(dirname "$dir")
    while [ "$path" != "/" ]; do
        if ! runuser -u postgres -- test -x "$path"; then
            setfacl -m u:postgres:x "$path" 2>/dev/null || chmod o+x "$path"
            echo "granted the postgres user traverse access to $path"
        fi
        path=$(dirname "$path")
    done
}

case "$action" in
start)
    port=$3 throwaway=${4:-}
    mkdir -p "$dir"
    if [ "$throwaway" = "--throwaway" ] && [ -d "$dir/data" ]; then
        as_owner "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$dir/data"
    fi
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    grant_access
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "$pgbin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log"
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = ''"
            echo "shared_buffers = 512MB"
            echo "maintenance_work_mem = 512MB"
            echo "max_wal_size = 8GB"
            echo "checkpoint_timeout = 30min"
            # COPY into a table truncated in the same transaction then writes no WAL.
            echo "wal_level = minimal"
            echo "max_wal_senders = 0"
            if [ "$throwaway" = "--throwaway" ]; then
                echo "fsync = off"
                echo "synchronous_commit = off"
                echo "full_page_writes = off"
                echo "shared_buffers = 128MB"
                # Test suites run in parallel, each server holding its pool open, with its
                # listener and probes.
                echo "max_connections = 1000"
            fi
        } | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    fi
    if ! as_owner "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 start >/dev/null \
            || { cat "$dir/data/server.log" >&2; exit 1; }
    fi
    if ! psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'atelier'" | grep -q 1; then
        psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE atelier"
    fi
    echo "PostgreSQL is running: postgresql://postgres@127.0.0.1:$port/atelier (data in $dir/data)"
    ;;
primary)
    port=$3
    sql() { psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAqc "$1"; }
    if [ "$(sql "SHOW wal_level")" != replica ] || [ "$(sql "SHOW max_wal_senders")" = 0 ]; then
        sql "ALTER SYSTEM SET wal_level = replica" >/dev/null
        sql "ALTER SYSTEM SET max_wal_senders = 8" >/dev/null
        sql "ALTER SYSTEM SET wal_keep_size = '1GB'" >/dev/null
        as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 -m fast restart >/dev/null \
            || { cat "$dir/data/server.log" >&2; exit 1; }
    fi
    echo "PostgreSQL on port $port feeds streaming replicas"
    ;;
standby)
    port=$3 primary_port=$4
    if [ -f "$dir/data/PG_VERSION" ]; then
        as_owner "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$dir/data"
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    grant_access
    # -R writes primary_conninfo and standby.signal: the copy starts as a streaming hot standby.
    as_owner "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/data" -R -X stream -c fast
    echo "port = $port" | as_owner tee -a "$dir/data/postgresql.auto.conf" >/dev/null
    as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/data/server.log" >&2; exit 1; }
    echo "Hot standby of port $primary_port is running: postgresql://postgres@127.0.0.1:$port/atelier (data in $dir/data)"
    ;;
stop)
    if [ -f "$dir/data/PG_VERSION" ]; then
        as_owner "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    fi
    ;;
*)
    echo "usage: $0 start DIR PORT [--throwaway] | stop DIR | primary DIR PORT | standby DIR PORT PRIMARY_PORT" >&2
    exit 1
    ;;
esac
