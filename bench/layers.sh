#!/usr/bin/env bash
# make bench-layers: what one cached answer costs the server, and where it goes. On bench-hot's
# export (loaded here), each server is warmed, then wrk (-t2 -c64) asks for DURATION (10) s for
# GET /products/:product_id of products 1..HOT (1000), or with ROUTE=mix for the storefront's
# page loads over those products, all cached, while perf samples the
# server (-e cpu-clock, the only event these machines have) and its CPU time is read from
# /proc; the server runs on one core and wrk on the other (PIN=0: both wherever the scheduler
# puts them, as in bench-hot). Servers: the current atelier-serve,
# BASELINE's (69beb90), and atelier-floor's constant body (the same bytes with nothing else).
# Prints the server's CPU microseconds per request for each, and by layer (bench/layers.py
# groups the sampled functions by what they belong to). RUNS (3) rounds, alternating; the
# medians are what to compare. Valgrind would count instructions exactly, but Debian's 3.19
# crashes on these programs as soon as they start threads.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scale=${SCALE:-0.05} duration=${DURATION:-10} route=${ROUTE:-/products/{product\}} baseline=${BASELINE:-69beb90} runs=${RUNS:-3} hot=${HOT:-1000}
port=3094 floor=$root/.build/release/atelier-floor pin_server=(taskset -c 0) pin_wrk=(taskset -c 1)
if [ "${PIN:-1}" = 0 ]; then pin_server=() pin_wrk=(); fi
command -v perf >/dev/null || apt-get install -y -qq linux-perf >/dev/null

load_hot_exports "$scale" "$baseline"

ask() {  # SECONDS: requests for products 1..$hot -> wrk's JSON line
    ROUTE=$route HOT_SET=$hot MAX_PRODUCT=$hot MAX_QUESTION=1 \
        "${pin_wrk[@]}" wrk -t2 -c64 -d"$1"s --timeout 5s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$port" | tail -n 1
}

measure() {  # NAME COMMAND...: the server's CPU per request and its profile, into $work/layers.NAME.*
    local name=$1 result before after
    shift
    "${pin_server[@]}" "$@" 2>/dev/null &
    local pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/products/1" && break; sleep 0.2; done
    local warm=("$route")
    [ "$route" = mix ] && warm=("${page_load_routes[@]}")
    for path in "${warm[@]}"; do warm_cache "$port" "$hot" "$path"; done
    ask 3 >/dev/null
    before=$(cpu_ticks "$pid")
    perf record -q -e cpu-clock -F 999 -p "$pid" -o "$work/layers.$name.perf" 2>/dev/null &
    local perf_pid=$!
    result=$(ask "$duration")
    after=$(cpu_ticks "$pid")
    kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
    kill "$pid"; wait "$pid" 2>/dev/null || true
    python3 - "$result" "$name" "$before" "$after" "$(getconf CLK_TCK)" >>"$work/layers.runs" <<'PYTHON'
import json, sys
result, name, before, after, ticks = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
assert result["non_2xx"] + result["socket_errors"] == 0, result
print(json.dumps({"name": name, "requests": result["requests"], "rps": result["rps"],
                  "cpu_us": (after - before) / ticks * 1e6 / result["requests"]}))
PYTHON
    perf report -i "$work/layers.$name.perf" --no-children --sort dso,symbol --stdio 2>/dev/null \
        | swift demangle --simplified >"$work/layers.$name.txt"
}

# The floor answers product 1's answer, as the current server gives it, to every request.
"$serve" --port "$port" --database-url "$api_server/bench_hot" --log-level error --cache-size 0 2>/dev/null &
pid=$!
for _ in $(seq 100); do curl -sf -o "$work/floor-body-layers.json" "http://127.0.0.1:$port/products/1" && break; sleep 0.2; done
kill "$pid"; wait "$pid" 2>/dev/null || true

rm -f "$work/layers.runs"
echo "bench-layers: cached $route (products 1..$hot), wrk -t2 -c64 for $duration s, $runs rounds, $([ ${#pin_server[@]} -gt 0 ] && echo "server on core 0, wrk on core 1" || echo "unpinned")"
for round in $(seq "$runs"); do
    measure "current-$round" "$serve" --port "$port" --database-url "$api_server/bench_hot" --log-level error --cache-size 256
    measure "baseline-$round" "$baseline_serve" --port "$port" --database-url "$server/bench_hot_base" --log-level error --cache-size 256
    measure "floor-$round" "$floor" constant "$port" "$work/floor-body-layers.json"
done
python3 "$root/bench/layers.py" "$work" "$runs"
