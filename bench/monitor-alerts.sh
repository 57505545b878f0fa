#!/usr/bin/env bash
# With `make cluster` and `make monitor` running, shows two alerts firing within their rules'
# `for:` windows (docs/operations.md records the output):
#   1. stops the atelier-serve on 3002 (SIGTERM): AtelierInstanceDown for 127.0.0.1:3002;
#      then starts it again and waits for the alert to resolve;
#   2. freezes (SIGSTOP) the primary's listener backends, and its postmaster so that no
#      listener can reconnect: AtelierListenerDisconnected for every instance; then thaws.
# Exits 1 when an alert does not fire within its window plus two minutes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
prometheus=http://${PROMETHEUS_ADDRESS:-127.0.0.1:9090}
primary_port=${PORT:-54320}
psql=(psql -h 127.0.0.1 -p "$primary_port" -U postgres -d atelier -Atc)

# The instances an alert fires for, space-separated.
firing() {
    curl -s "$prometheus/api/v1/alerts" | python3 -c '
import json, sys
alerts = json.load(sys.stdin)["data"]["alerts"]
print(" ".join(sorted(a["labels"].get("instance", "") for a in alerts
                      if a["labels"]["alertname"] == sys.argv[1] and a["state"] == "firing")))' "$1"
}

# Waits up to $2 seconds for alert $1 to fire for $3 instances (0: to stop firing).
wait_alert() {
    local start=$SECONDS
    while [ $((SECONDS - start)) -le "$2" ]; do
        local now
        now=$(firing "$1")
        if [ "$(wc -w <<<"$now")" = "$3" ]; then
            echo "$((SECONDS - start)) s: $1 $([ "$3" = 0 ] && echo resolved || echo "firing for $now")"
            return 0
        fi
        sleep 1
    done
    echo "$1 did not reach $3 firing instances within $2 s" >&2
    return 1
}

curl -sf "$prometheus/-/ready" >/dev/null || { echo "Prometheus is not running: make monitor" >&2; exit 1; }
for port in 3001 3002 3003; do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "atelier-serve $port is not ready: make cluster" >&2; exit 1; }
done
echo "waiting for Prometheus to see all three instances up"
for _ in $(seq 60); do
    up=$(curl -s "$prometheus/api/v1/query?query=sum(up%7Bjob%3D%22atelier-serve%22%7D)" |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
    [ "$up" = 3 ] && break
    sleep 1
done

echo "== 1. stop atelier-serve on 3002 (rule: up == 0 for 1m; scrape every 5 s)"
kill -TERM "$(cat "$root/.atelier/cluster/serve-3002.pid")"
date -u +"%H:%M:%S stopped"
wait_alert AtelierInstanceDown 180 1
"$root/scripts/cluster.sh" start-instance 3002
date -u +"%H:%M:%S started again"
wait_alert AtelierInstanceDown 120 0

echo "== 2. freeze the listeners' backends and the postmaster (rule: listener_connected == 0 for 1m)"
postmaster=$(head -1 "$root/.atelier/pg/data/postmaster.pid")
listeners=$("${psql[@]}" "SELECT pid FROM pg_stat_activity WHERE application_name = 'atelier-serve-listener'")
echo "listener backends: $(echo $listeners)"
thaw() { kill -CONT $listeners "$postmaster" 2>/dev/null || true; }
trap thaw EXIT
kill -STOP $listeners "$postmaster"
date -u +"%H:%M:%S frozen"
wait_alert AtelierListenerDisconnected 180 3
thaw
date -u +"%H:%M:%S thawed"
wait_alert AtelierListenerDisconnected 120 0
