#!/usr/bin/env bash
# make bench-memory: does the cache's budget bound the process? For each cache size in CACHES
# (MB, "0 64 256"), a release atelier-serve on a generated export (SCALE 0.05) serves
# MINUTES (10) of the storefront mix with WRITE_SHARE (1%) helpful votes over the first
# HOT_SET (20000) products, at full speed (wrk -t2 -c64); its RSS is sampled every 30 s.
# Prints each curve, the largest RSS minus the budget (the base the budget does not cover),
# and passes when that stays at or under BASE MB (96) for every size.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scale=${SCALE:-0.05} minutes=${MINUTES:-10} caches=${CACHES:-0 64 256} hot=${HOT_SET:-20000}
share=${WRITE_SHARE:-0.01} base_limit=${BASE:-96} port=3096

load_export bench_soak "$scale"
max_product=$(psql -X -tA -d "$server/bench_soak" -c "SELECT max(id) FROM product")
max_review=$(psql -X -tA -d "$server/bench_soak" -c "SELECT max(id) FROM reviews")
rss_mb() { echo $(($(ps -o rss= -p "$1") / 1024)); }
verdict=met
printf '%-8s %9s %8s %8s %9s  %s\n' "cache" "req/s" "p99 ms" "errors" "base MB" "RSS every 30 s (MB)"
for cache in $caches; do
    start_server "$port" bench_soak "$cache"
    samples=()
    ROUTE=mix HOT_SET=$hot MAX_PRODUCT=$max_product MAX_QUESTION=1 MAX_REVIEW=$max_review WRITE_SHARE=$share \
        wrk -t2 -c64 -d"${minutes}m" --timeout 2s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$port" \
        | tail -n 1 >"$work/memory-$cache.json" &
    load=$!
    while kill -0 $load 2>/dev/null; do
        sleep 30
        samples+=("$(rss_mb "$server_pid")")
    done
    wait $load
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    peak=$(printf '%s\n' "${samples[@]}" | sort -n | tail -n 1)
    base=$((peak - cache))
    [ "$base" -le "$base_limit" ] || verdict=MISSED
    json=$(cat "$work/memory-$cache.json")
    read -r rps p99 errors < <(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(round(j["rps"]), j["p99_ms"], j["non_2xx"] + j["socket_errors"])' "$json")
    printf '%-8s %9s %8s %8s %9s  %s\n' "${cache} MB" "$rps" "$p99" "$errors" "$base" "${samples[*]}"
done
echo "RSS within the cache budget + ${base_limit} MB at every size: $verdict"
[ "$verdict" = met ]
