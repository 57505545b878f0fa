#!/usr/bin/env bash
# The scaled-out deployment on this one machine (docs/deploy.md):
#   cluster.sh start   the embedded cluster as primary (port 54320, loaded by `make load`), a
#                      hot standby of it (54322), three atelier-serve (3001-3003) reading from
#                      the standby, nginx on 8080 in front; returns once all of it answers
#   cluster.sh stop    stops all of it, the primary included
#   cluster.sh start-instance PORT
#                      starts the atelier-serve on PORT again (after bench/monitor-alerts.sh
#                      stopped it), returns once it is ready
# SERVE picks the atelier-serve binary, DATABASE the database it serves (bench-cluster uses the
# release build and a generated export).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=$root/.atelier/cluster
primary_port=${PORT:-54320} standby_port=${STANDBY_PORT:-54322} nginx_port=${NGINX_PORT:-8080}
serve=${SERVE:-$root/.build/debug/atelier-serve}
ports=(3001 3002 3003)
database=${DATABASE:-atelier}
api_url="postgresql://atelier_api@127.0.0.1:$primary_port/$database"
read_url="postgresql://atelier_api@127.0.0.1:$standby_port/$database"

stop() {
    if [ -f "$state/nginx.pid" ]; then
        kill "$(cat "$state/nginx.pid")" 2>/dev/null || true
        rm -f "$state/nginx.pid"
    fi
    local pids=()
    for port in "${ports[@]}"; do
        if [ -f "$state/serve-$port.pid" ]; then
            pids+=("$(cat "$state/serve-$port.pid")")
            rm -f "$state/serve-$port.pid"
        fi
    done
    # SIGTERM: each server finishes its requests in flight, then exits; wait up to 10 s.
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 100); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    "$root/scripts/pg-cluster.sh" stop "$root/.atelier/replica"
    "$root/scripts/pg-cluster.sh" stop "$root/.atelier/pg"
}

# Waits up to 30 s for URL to answer 200.
wait_ready() {
    for _ in $(seq 300); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0
        sleep 0.1
    done
    echo "$1 did not become ready" >&2
    return 1
}

start_instance() {
    setsid "$serve" --host 127.0.0.1 --port "$1" --database-url "$api_url" --read-database-url "$read_url" \
        --log-level notice </dev/null >>"$state/serve-$1.log" 2>&1 &
    echo $! >"$state/serve-$1.pid"
}

start() {
    command -v nginx >/dev/null || {
        echo "installing: nginx"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null \
            || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
    }
    command -v curl >/dev/null || apt-get install -y -qq curl >/dev/null
    stop 2>/dev/null || true
    mkdir -p "$state/tmp"
    "$root/scripts/pg-cluster.sh" start "$root/.atelier/pg" "$primary_port"
    "$root/scripts/pg-cluster.sh" primary "$root/.atelier/pg" "$primary_port"
    "$root/scripts/pg-cluster.sh" standby "$root/.atelier/replica" "$standby_port" "$primary_port"
    for port in "${ports[@]}"; do
        : >"$state/serve-$port.log"
        start_instance "$port"
    done
    sed "s|/etc/atelier/nginx-proxy.conf|$root/deploy/nginx/nginx-proxy.conf|; s|listen 8080|listen $nginx_port|" \
        "$root/deploy/nginx/atelier.conf" >"$state/atelier.conf"
    cat >"$state/nginx.conf" <<CONF
worker_processes 2;
pid $state/nginx.pid;
error_log $state/nginx-error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $state/tmp/body;
    proxy_temp_path $state/tmp/proxy;
    fastcgi_temp_path $state/tmp/fastcgi;
    uwsgi_temp_path $state/tmp/uwsgi;
    scgi_temp_path $state/tmp/scgi;
    include $state/atelier.conf;
}
CONF
    nginx -c "$state/nginx.conf" -p "$state"
    for port in "${ports[@]}"; do wait_ready "http://127.0.0.1:$port/ready"; done
    wait_ready "http://127.0.0.1:$nginx_port/ready"
    echo "Atelier cluster is up: http://127.0.0.1:$nginx_port (nginx -> atelier-serve on ${ports[*]}; primary $primary_port, standby $standby_port)"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
start-instance)
    start_instance "$2"
    wait_ready "http://127.0.0.1:$2/ready"
    ;;
*)
    echo "usage: $0 start|stop|start-instance PORT" >&2
    exit 1
    ;;
esac
