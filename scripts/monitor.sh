#!/usr/bin/env bash
# Debian's Prometheus watching `make cluster` (docs/operations.md):
#   monitor.sh start   Prometheus on http://127.0.0.1:9090 with deploy/prometheus/prometheus.yml
#                      and its alert rules, data in .atelier/prometheus; returns once it is ready
#   monitor.sh stop    stops it
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=$root/.atelier/prometheus
address=${PROMETHEUS_ADDRESS:-127.0.0.1:9090}

stop() {
    if [ -f "$state/prometheus.pid" ]; then
        kill "$(cat "$state/prometheus.pid")" 2>/dev/null || true
        rm -f "$state/prometheus.pid"
    fi
}

start() {
    command -v prometheus >/dev/null || {
        echo "installing: prometheus"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    }
    stop
    mkdir -p "$state"
    setsid prometheus --config.file="$root/deploy/prometheus/prometheus.yml" --storage.tsdb.path="$state/data" \
        --web.listen-address="$address" </dev/null >"$state/prometheus.log" 2>&1 &
    echo $! >"$state/prometheus.pid"
    for _ in $(seq 300); do
        curl -sf "http://$address/-/ready" >/dev/null && {
            echo "Prometheus is up: http://$address (alerts: http://$address/alerts)"
            return 0
        }
        sleep 0.1
    done
    echo "Prometheus did not become ready; see $state/prometheus.log" >&2
    return 1
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 1
    ;;
esac
