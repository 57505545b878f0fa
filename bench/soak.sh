#!/usr/bin/env bash
# make soak: the storefront mix (bench/wrk/random.lua) with WRITE_SHARE (1%) helpful votes against a release
# atelier-serve (cache CACHE MB, 256) on a generated export (SCALE, 0.05): first the peak
# (wrk -t2 -c64, PEAK_SECONDS (60) at full speed, which also fills the response cache to its
# budget, so that the soak measures the steady state), then MINUTES (10) at 80% of it, held by
# a pause per connection. Passes with 0 errors and the server's RSS at the end within 10% of its RSS
# after the first minute; prints the RSS every 30 s. PORT is the embedded cluster's port.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scale=${SCALE:-0.05} minutes=${MINUTES:-10} cache=${CACHE:-256} share=${WRITE_SHARE:-0.01}
peak_seconds=${PEAK_SECONDS:-60} port=3095 pause_ms=10

load_export bench_soak "$scale"
max_product=$(psql -X -tA -d "$server/bench_soak" -c "SELECT max(id) FROM product")
max_review=$(psql -X -tA -d "$server/bench_soak" -c "SELECT max(id) FROM reviews")
start_server "$port" bench_soak "$cache"
trap 'kill $server_pid 2>/dev/null || true' EXIT
run_wrk() {  # CONNECTIONS SECONDS DELAY_MS
    ROUTE=mix MAX_PRODUCT=$max_product MAX_QUESTION=1 MAX_REVIEW=$max_review WRITE_SHARE=$share DELAY_MS=$3 \
        wrk -t2 -c"$1" -d"$2"s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$port" | tail -n 1
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$2'])" "$1"; }

peak=$(run_wrk 64 "$peak_seconds" 0)
peak_rps=$(field "$peak" rps)
target=$(python3 -c "print(round(0.8 * $peak_rps))")
# Each connection sends one request per pause plus its latency: a first guess, then one
# 20 s calibration run that scales the connections to the rate it reached.
connections=$(python3 -c "print(max(2, round($target * ($pause_ms + 1) / 1000)))")
calibration=$(run_wrk "$connections" 20 "$pause_ms")
connections=$(python3 -c "print(max(2, round($connections * $target / $(field "$calibration" rps))))")
echo "peak: $peak"
echo "calibration: $calibration"
echo "soak: $minutes min at about $target req/s (80%): $connections connections, ${pause_ms} ms pause each"

rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server_pid/status"; }
rss_log=$work/soak-rss.txt
: >"$rss_log"
( for i in $(seq 0 $((minutes * 2))); do echo "$((i * 30)) $(rss)" >>"$rss_log"; sleep 30; done ) &
sampler=$!
soak=$(run_wrk "$connections" $((minutes * 60)) "$pause_ms")
sleep 1
kill $sampler 2>/dev/null || true
end_rss=$(rss)
first_minute=$(awk '$1 == 60 {print $2}' "$rss_log")
echo "soak: $soak"
echo "server RSS (MB) every 30 s: $(awk '{printf "%s ", $2}' "$rss_log")"
python3 - "$soak" "$peak_rps" "$first_minute" "$end_rss" <<'PY'
import json, sys
soak, peak, first, end = json.loads(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
errors = soak["non_2xx"] + soak["socket_errors"]
growth = (end - first) / first
print(f"soak: {soak['rps']:.0f} req/s ({soak['rps'] / peak:.0%} of the peak {peak:.0f}), p99 {soak['p99_ms']} ms, "
      f"{errors} errors; RSS {first} MB after the first minute, {end} MB at the end ({growth:+.1%})")
ok = errors == 0 and abs(growth) <= 0.10
print("soak: " + ("PASS" if ok else "FAIL") + " (0 errors, RSS within 10%)")
sys.exit(0 if ok else 1)
PY
