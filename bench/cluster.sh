#!/usr/bin/env bash
# make bench-cluster: the scaled-out deployment (scripts/cluster.sh) with release atelier-serve
# on a generated export (SCALE, default 0.05) in the database bench_cluster. After a warm-up
# through nginx, the storefront mix with 1% helpful votes (wrk -t2 -c64, DURATION s) against
# one instance directly, then through nginx: req/s, p50, p99, errors, and the replica's lag
# meanwhile (atelier_replica_lag_* of an instance, sampled every second). Then the failover
# run: read-only page loads through nginx plus votes at VOTE_RATE/s, and one instance killed
# (SIGKILL) halfway: the GETs must see 0 errors. Exits 1 when a GET failed.
set -euo pipefail

scale=${SCALE:-0.05} duration=${DURATION:-20} vote_rate=${VOTE_RATE:-50}
source "$(dirname "$0")/lib.sh"
state=$root/.atelier/cluster
nginx=http://127.0.0.1:${NGINX_PORT:-8080}

load_export bench_cluster "$scale"
database=$server/bench_cluster
max_product=$(psql -X -tA -d "$database" -c "SELECT max(id) FROM product")
max_question=$(psql -X -tA -d "$database" -c "SELECT max(id) FROM questions")
max_review=$(psql -X -tA -d "$database" -c "SELECT max(id) FROM reviews")
SERVE=$serve DATABASE=bench_cluster "$root/scripts/cluster.sh" start
trap '"$root/scripts/cluster.sh" stop >/dev/null 2>&1 || true' EXIT

mix() {  # URL SECONDS [WRITE_SHARE] -> JSON line
    ROUTE=mix MAX_PRODUCT=$max_product MAX_QUESTION=$max_question MAX_REVIEW=$max_review WRITE_SHARE=${3:-0} \
        wrk -t2 -c64 -d"$2s" --timeout 5s -s "$root/bench/wrk/random.lua" "$1" | tail -n 1
}
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# Samples the replica's lag as instance 3001 sees it, once a second, into FILE.
sample_lag() {  # FILE
    while :; do
        curl -s http://127.0.0.1:3001/metrics | awk '/^atelier_replica_lag_bytes /{b=$2} /^atelier_replica_lag_seconds /{s=$2} END{print b, s}'
        sleep 1
    done >"$1"
}
lag_summary() {  # FILE -> "max bytes / max ms"
    awk '{ if ($1 > b) b = $1; if ($2 > s) s = $2 } END { printf "max %d B, %.0f ms", b, s * 1000 }' "$1"
}

echo "bench-cluster: scale $scale ($max_product products), wrk -t2 -c64 -d${duration}s, storefront mix with 1% votes"
mix "$nginx" 10 0.01 >/dev/null
declare -A result lag
for target in direct nginx; do
    url=$nginx
    [ "$target" = direct ] && url=http://127.0.0.1:3001
    sample_lag "$work/lag-$target.txt" & sampler=$!
    result[$target]=$(mix "$url" "$duration" 0.01)
    kill $sampler
    lag[$target]=$(lag_summary "$work/lag-$target.txt")
done

# Failover: GETs only in one wrk, votes in another; instance 3002 killed halfway.
RATE=$vote_rate ROUTE=mix MAX_PRODUCT=$max_product MAX_QUESTION=$max_question MAX_REVIEW=$max_review \
    WRITE_SHARE=1 THREADS=1 wrk -t1 -c4 -d"${duration}s" --timeout 5s -s "$root/bench/wrk/random.lua" "$nginx" \
    | tail -n 1 >"$work/failover-votes.json" &
votes=$!
( sleep $((duration / 2)); kill -9 "$(cat "$state/serve-3002.pid")" ) &
failover=$(mix "$nginx" "$duration")
wait $votes
votes_result=$(cat "$work/failover-votes.json")

printf '\n%-34s %9s %8s %8s %8s  %s\n' "storefront mix, 1% votes" "req/s" "p50 ms" "p99 ms" errors "replica lag"
for target in direct nginx; do
    json=${result[$target]}
    label="one instance directly (3001)"
    [ "$target" = nginx ] && label="nginx over three instances"
    printf '%-34s %9.0f %8.2f %8.2f %8d  %s\n' "$label" "$(field "$json" rps)" "$(field "$json" p50_ms)" \
        "$(field "$json" p99_ms)" $(($(field "$json" non_2xx) + $(field "$json" socket_errors))) "${lag[$target]}"
done
get_errors=$(($(field "$failover" non_2xx) + $(field "$failover" socket_errors)))
vote_errors=$(($(field "$votes_result" non_2xx) + $(field "$votes_result" socket_errors)))
printf '%-34s %9.0f %8.2f %8.2f %8d\n' "failover: GETs, 3002 killed" "$(field "$failover" rps)" \
    "$(field "$failover" p50_ms)" "$(field "$failover" p99_ms)" "$get_errors"
printf '%-34s %9.0f %8s %8s %8d  (of %d votes; a write is never resent)\n' "failover: votes at $vote_rate/s" \
    "$(field "$votes_result" rps)" - - "$vote_errors" "$(field "$votes_result" requests)"
verdict=met
[ "$get_errors" = 0 ] || verdict=MISSED
echo "failover: 0 failed GETs with an instance killed: $verdict"
[ "$verdict" = met ]
