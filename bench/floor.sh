#!/usr/bin/env bash
# make bench-floor: the floor of the uncached path. On the bench-api database (run make bench-api
# first), wrk (2 threads, 64 connections, DURATION seconds, random products) against a minimal
# Hummingbird route running GET /products/:product_id's prepared statement through PostgresClient
# (bench/floor/Floor.swift), then against atelier-serve with the cache off, each after a warm-up
# run; both with a pool of POOL (8) connections. Prints req/s and p50/p99 for both and the ratio.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=${DURATION:-15} pool=${POOL:-8} port=3096
floor=$root/.build/release/atelier-floor
max_product=$(psql -X -tA -d "$server/bench_api" -c "SELECT max(id) FROM product")
run_wrk() {
    ROUTE="/products/{product}" MAX_PRODUCT=$max_product MAX_QUESTION=1 \
        wrk -t2 -c64 -d"$1"s --timeout 2s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$port" | tail -n 1
}
measure() {  # LABEL: warm up, then measure the server listening on $port
    for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/products/1" && break; sleep 0.2; done
    run_wrk 5 >/dev/null
    result=$(run_wrk "$duration")
    echo "$1: $result"
}
"$floor" "$port" 127.0.0.1 "${PORT:-54320}" atelier_api bench_api "$pool" 2>/dev/null &
pid=$!
measure "floor (one route over PostgresClient)"
floor_rps=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rps"])' "$result")
kill $pid; wait $pid 2>/dev/null || true
"$serve" --port "$port" --database-url "$api_server/bench_api" --log-level warning --cache-size 0 --pool-size "$pool" 2>/dev/null &
pid=$!
measure "atelier-serve, cache off"
serve_rps=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rps"])' "$result")
kill $pid; wait $pid 2>/dev/null || true
python3 -c "import sys; print(f'atelier-serve / floor: {float(sys.argv[2]) / float(sys.argv[1]):.2f}')" "$floor_rps" "$serve_rps"
