#!/usr/bin/env bash
# make soak: the storefront mix (bench/wrk/random.lua) with WRITE_SHARE (1%) helpful votes against a release
# atelier-serve (cache CACHE MB, 256) on a generated export (SCALE, 0.05): first the peak
# (wrk -t2 -c64, PEAK_SECONDS (60) at full speed, which also fills the response cache to its
# budget, so that the soak measures the steady state), then MINUTES (10) offered at a constant
# 80% of it (RATE in random.lua: requests sent on a schedule, not after each answer, so a slower
# answer does not lower the rate offered). Passes when the server kept that rate (at least 97%
# of it answered), with 0 errors and its RSS at the end within 10% of its RSS after the first
# minute; prints the RSS and the cache's bytes and answers every 30 s. PORT is the embedded
# cluster's port.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scale=${SCALE:-0.05} minutes=${MINUTES:-10} cache=${CACHE:-256} share=${WRITE_SHARE:-0.01}
peak_seconds=${PEAK_SECONDS:-60} port=3095 connections=128

load_export bench_soak "$scale"
max_product=$(psql -X -tA -d "$server/bench_soak" -c "SELECT max(id) FROM product")
max_review=$(psql -X -tA -d "$server/bench_soak" -c "SELECT max(id) FROM reviews")
start_server "$port" bench_soak "$cache"
trap 'kill $server_pid 2>/dev/null || true' EXIT
run_wrk() {  # CONNECTIONS SECONDS RATE (0: as fast as possible)
    ROUTE=mix MAX_PRODUCT=$max_product MAX_QUESTION=1 MAX_REVIEW=$max_review WRITE_SHARE=$share RATE=$3 \
        wrk -t2 -c"$1" -d"$2"s --timeout 2s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$port" | tail -n 1
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$2'])" "$1"; }

peak=$(run_wrk 64 "$peak_seconds" 0)
peak_rps=$(field "$peak" rps)
target=$(python3 -c "print(round(0.8 * $peak_rps))")
echo "peak: $peak"
echo "soak: $minutes min offered at $target req/s (80%) over $connections connections"

rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server_pid/status"; }
cache_held() {  # the cache's bytes (MB) and answers, from /metrics
    curl -s "http://127.0.0.1:$port/metrics" |
        awk '/^atelier_cache_held_bytes / {b = int($2 / 1048576)} /^atelier_cache_held_answers / {a = $2} END {print b, a}'
}
rss_log=$work/soak-rss.txt
: >"$rss_log"
( for i in $(seq 0 $((minutes * 2))); do echo "$((i * 30)) $(rss) $(cache_held)" >>"$rss_log"; sleep 30; done ) &
sampler=$!
soak=$(run_wrk "$connections" $((minutes * 60)) "$target")
sleep 1
kill $sampler 2>/dev/null || true
end_rss=$(rss)
first_minute=$(awk '$1 == 60 {print $2}' "$rss_log")
echo "soak: $soak"
echo "server RSS (MB) every 30 s: $(awk '{printf "%s ", $2}' "$rss_log")"
echo "cache held (MB, answers) every 30 s: $(awk '{printf "%s/%s ", $3, $4}' "$rss_log")"
python3 - "$soak" "$peak_rps" "$target" "$first_minute" "$end_rss" <<'PY'
import json, sys
soak, peak, target = json.loads(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
first, end = int(sys.argv[4]), int(sys.argv[5])
errors = soak["non_2xx"] + soak["socket_errors"]
growth = (end - first) / first
print(f"soak: {soak['rps']:.0f} req/s of {target:.0f} offered ({soak['rps'] / peak:.0%} of the peak {peak:.0f}), "
      f"p50 {soak['p50_ms']} ms, p99 {soak['p99_ms']} ms, {errors} errors; "
      f"RSS {first} MB after the first minute, {end} MB at the end ({growth:+.1%})")
ok = errors == 0 and abs(growth) <= 0.10 and soak["rps"] >= 0.97 * target
print("soak: " + ("PASS" if ok else "FAIL") + " (the 80% rate held, 0 errors, RSS within 10%)")
sys.exit(0 if ok else 1)
PY
