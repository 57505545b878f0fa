#!/usr/bin/env bash
# make bench-hot: the cached path against the build of BASELINE (69beb90, before the layers that
# slowed it) and against its floor, side by side in one run. The same generated export (SCALE,
# 0.05) is loaded twice, by each build's own atelier-etl; three release servers listen at once,
# each warmed: the current atelier-serve and the baseline's (cache CACHE MB, 1024) over every
# answer of the hot set, and atelier-floor's constant-body route (the same bytes for every GET,
# as long as the mix's mean answer: a cached answer with nothing else). ROUNDS (3) rounds of
# DURATION (12) s each, alternating: baseline, current, floor, current with 1% helpful votes,
# each the storefront mix over HOT_SET (5000) products with wrk -t2 -c64 after a 5 s warm-up.
# Prints every round and the medians, and judges the median of the rounds' ratios (a round's
# runs follow each other on the same machine state); exits 1 when a target is missed: current
# >= 1.0 x the baseline and >= 0.8 x the floor without writes; with 1% votes >= 0.8 x its
# no-write rate; no errors; p99 <= 20 ms.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scale=${SCALE:-0.05} duration=${DURATION:-12} rounds=${ROUNDS:-3} cache=${CACHE:-1024} hot_set=${HOT_SET:-5000}
baseline=${BASELINE:-69beb90}
floor=$root/.build/release/atelier-floor
declare -A port=([baseline]=3091 [current]=3092 [floor]=3093)

load_hot_exports "$scale" "$baseline"
hot_set_bounds "$hot_set"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
wait_for() {  # PORT PATH
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$1$2" && return; sleep 0.2; done
    echo "nothing answers on port $1" >&2; exit 1
}
"$serve" --port "${port[current]}" --database-url "$api_server/bench_hot" --log-level warning --cache-size "$cache" \
    2>"$work/serve-hot-current.log" &
pids+=($!)
"$baseline_serve" --port "${port[baseline]}" --database-url "$server/bench_hot_base" --log-level error \
    --cache-size "$cache" 2>"$work/serve-hot-baseline.log" &
pids+=($!)
wait_for "${port[current]}" /health
wait_for "${port[baseline]}" /health

for name in baseline current; do
    for route in "${page_load_routes[@]}"; do warm_cache "${port[$name]}" "$hot_set" "$route"; done
done
# The floor's body: as long as the current server's mean answer in the mix, headers excluded.
mean=$(python3 -c '
import sys, urllib.request
paths = sys.argv[2:]
sizes = [len(urllib.request.urlopen("http://127.0.0.1:%s" % sys.argv[1] + path.replace("{product}", str(product))).read())
         for product in range(1, 201) for path in paths]
print(round(sum(sizes) / len(sizes)))' "${port[current]}" "${page_load_routes[@]}")
python3 -c 'import sys; body = "{\"floor\":\"" ; print(body + "x" * (int(sys.argv[1]) - len(body) - 2) + "\"}", end="")' \
    "$mean" >"$work/floor-body.json"
"$floor" constant "${port[floor]}" "$work/floor-body.json" 2>/dev/null &
pids+=($!)
wait_for "${port[floor]}" /products/1
echo "bench-hot: scale $scale, hot set of $hot_set products, baseline $baseline, floor body $mean bytes; wrk -t2 -c64, ${duration} s rounds"

declare -A results
runs=(baseline current floor current-votes)
for round in $(seq "$rounds"); do
    for run in "${runs[@]}"; do
        name=${run%-votes} share=0
        [ "$run" = current-votes ] && share=0.01
        hot_mix "${port[$name]}" 5 "$share" >/dev/null
        result=$(hot_mix "${port[$name]}" "$duration" "$share")
        results[$run]+="$result"$'\n'
        printf 'round %d %-14s %s\n' "$round" "$run" "$result"
    done
done

python3 - "$rounds" <<PYTHON
import json, statistics, sys
runs = {name: [json.loads(line) for line in text.splitlines() if line] for name, text in (
    ("baseline", """${results[baseline]}"""), ("current", """${results[current]}"""),
    ("floor", """${results[floor]}"""), ("current-votes", """${results[current-votes]}"""))}
median = {name: statistics.median(r["rps"] for r in results) for name, results in runs.items()}
print()
print("%-14s %10s %8s %8s %7s" % ("server", "median/s", "p50 ms", "p99 ms", "errors"))
for name, results in runs.items():
    print("%-14s %10.0f %8.2f %8.2f %7d" % (name, median[name], max(r["p50_ms"] for r in results),
          max(r["p99_ms"] for r in results), sum(r["non_2xx"] + r["socket_errors"] for r in results)))
# Each round's runs ran back to back on the same machine state: the median of the rounds'
# ratios is what is judged.
def paired(a, b):
    return statistics.median(x["rps"] / y["rps"] for x, y in zip(runs[a], runs[b]))
checks = [
    ("current / baseline", paired("current", "baseline"), 1.0),
    ("current / floor", paired("current", "floor"), 0.8),
    ("1% votes / no writes", paired("current-votes", "current"), 0.8),
]
failed = False
for label, ratio, target in checks:
    verdict = "pass" if ratio >= target else "MISS"
    failed |= verdict == "MISS"
    print("%-22s %.2f (target >= %.1f): %s" % (label, ratio, target, verdict))
current = runs["current"] + runs["current-votes"]
errors = sum(r["non_2xx"] + r["socket_errors"] for r in current)
p99 = max(r["p99_ms"] for r in current)
verdict = "pass" if errors == 0 and p99 <= 20 else "MISS"
failed |= verdict == "MISS"
print("current: %d errors, worst p99 %.2f ms (target 0, <= 20 ms): %s" % (errors, p99, verdict))
sys.exit(1 if failed else 0)
PYTHON
