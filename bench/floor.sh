#!/usr/bin/env bash
# make bench-floor: the floors of GET /products/:product_id. On the bench-api database (run make
# bench-api first), wrk (2 threads, 64 connections, DURATION seconds, random products), each
# after a warm-up run:
# - uncached: a minimal Hummingbird route running its prepared statement through PostgresClient
#   (bench/floor/Floor.swift, `statement`), then atelier-serve with the cache off, both with a
#   pool of POOL (8) connections;
# - cached: a minimal route answering every request with the same bytes (`constant`: product
#   1's answer), then atelier-serve with its cache warmed over every product.
# Prints req/s and p50/p99 for each and atelier-serve's share of each floor.
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
"$floor" statement "$port" 127.0.0.1 "${PORT:-54320}" atelier_api bench_api "$pool" 2>/dev/null &
pid=$!
measure "floor (one route over PostgresClient)"
floor_rps=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rps"])' "$result")
kill $pid; wait $pid 2>/dev/null || true
"$serve" --port "$port" --database-url "$api_server/bench_api" --log-level warning --cache-size 0 --pool-size "$pool" 2>/dev/null &
pid=$!
measure "atelier-serve, cache off"
serve_rps=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rps"])' "$result")
kill $pid; wait $pid 2>/dev/null || true
python3 -c "import sys; print(f'uncached: atelier-serve / floor: {float(sys.argv[2]) / float(sys.argv[1]):.2f}')" "$floor_rps" "$serve_rps"

"$serve" --port "$port" --database-url "$api_server/bench_api" --log-level warning --cache-size 1024 2>/dev/null &
pid=$!
for _ in $(seq 50); do curl -sf -o "$work/floor-body.json" "http://127.0.0.1:$port/products/1" && break; sleep 0.2; done
warm_cache "$port" "$max_product" "/products/{product}"
measure "atelier-serve, cached"
serve_rps=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rps"])' "$result")
kill $pid; wait $pid 2>/dev/null || true
"$floor" constant "$port" "$work/floor-body.json" 2>/dev/null &
pid=$!
measure "floor (the same bytes for every request)"
floor_rps=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rps"])' "$result")
kill $pid; wait $pid 2>/dev/null || true
python3 -c "import sys; print(f'cached: atelier-serve / floor: {float(sys.argv[2]) / float(sys.argv[1]):.2f}')" "$floor_rps" "$serve_rps"
