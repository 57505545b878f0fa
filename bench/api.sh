#!/usr/bin/env bash
# make bench-api: loads a generated export (SCALE, default 0.05) into a fresh database, starts a
# release atelier-serve, and for each read route runs wrk (2 threads, 64 connections, DURATION
# seconds, random existing ids) and pgbench running the same SQL (64 clients, prepared); then the
# storefront page-load mix. Once per cache setting in CACHE (default "0 256": cache off, then a
# 256 MB response cache). Settings: SCALE, DURATION (15), CACHE, PORT (54320), API_PORT (3090).
set -euo pipefail

scale=${SCALE:-0.05} duration=${DURATION:-15} caches=${CACHE:-0 256} port=${PORT:-54320} api_port=${API_PORT:-3090}
root=$(cd "$(dirname "$0")/.." && pwd)
etl=$root/.build/release/atelier-etl serve=$root/.build/release/atelier-serve
work=$root/.atelier/bench
data=$work/data-$scale-seed1
database=postgresql://postgres@127.0.0.1:$port/bench_api
mkdir -p "$work/pgbench"

[ -f "$data/generated.json" ] || "$etl" generate --scale "$scale" --out "$data" 2>/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "postgresql://postgres@127.0.0.1:$port/postgres" -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS bench_api" -c "CREATE DATABASE bench_api"
"$etl" load "$data" --database-url "$database" --reject-dir "$work/rejects" >/dev/null
max_product=$(psql -X -tA -d "$database" -c "SELECT max(id) FROM product")
max_question=$(psql -X -tA -d "$database" -c "SELECT max(id) FROM questions")
echo "bench-api: scale $scale ($max_product products, $max_question questions), wrk -t2 -c64 -d${duration}s, pgbench -c64 -j2 -M prepared -T$duration"

# One pgbench script per route, from the SQL the server itself prints.
"$serve" --print-sql | python3 -c '
import json, re, sys
names = {"product_id": ":product", "question_id": ":question", "count": ":count", "offset": ":offset", "page": ":page", "newest": "(:newest = 1)"}
for line in sys.stdin:
    entry = json.loads(line)
    slug = re.sub(r"[^a-z]+", "-", entry["route"].lower()).strip("-")
    sql = entry["sql"]
    for index in range(len(entry["parameters"]), 0, -1):
        sql = sql.replace("$%d" % index, names[entry["parameters"][index - 1]])
    with open(sys.argv[1] + "/" + slug + ".sql", "w") as out:
        out.write("\\set product random(1, %s)\n\\set question random(1, %s)\n\\set page random(1, 10000)\n" % (sys.argv[2], sys.argv[3]))
        out.write("\\set count 5\n\\set offset (:page - 1) * 5\n\\set newest 0\n")
        out.write(" ".join(sql.split()) + ";\n")
    print(entry["route"] + "\t" + slug)
' "$work/pgbench" "$max_product" "$max_question" >"$work/pgbench/routes.tsv"

declare -A url=(
    ["GET /products"]="/products?page={page}"
    ["GET /products/:product_id"]="/products/{product}"
    ["GET /products/:product_id/styles"]="/products/{product}/styles"
    ["GET /products/:product_id/related"]="/products/{product}/related"
    ["GET /reviews"]="/reviews?product_id={product}"
    ["GET /reviews/meta"]="/reviews/meta?product_id={product}"
    ["GET /qa/questions"]="/qa/questions?product_id={product}"
    ["GET /qa/questions/:question_id/answers"]="/qa/questions/{question}/answers"
)
declare -A tps

run_wrk() {  # ROUTE -> JSON line
    ROUTE=$1 MAX_PRODUCT=$max_product MAX_QUESTION=$max_question \
        wrk -t2 -c64 -d"${duration}s" --timeout 2s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$api_port" | tail -n 1
}
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

while IFS=$'\t' read -r route slug; do
    tps[$route]=$(pgbench -n -M prepared -c 64 -j 2 -T "$duration" -f "$work/pgbench/$slug.sql" "$database" 2>&1 \
        | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
done <"$work/pgbench/routes.tsv"

status=0
for cache in $caches; do
    "$serve" --port "$api_port" --database-url "$database" --log-level error --cache-size "$cache" &
    pid=$!
    trap 'kill $pid 2>/dev/null' EXIT
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$api_port/health" >/dev/null && break; sleep 0.2; done
    echo
    echo "response cache: ${cache} MB"
    printf '%-38s %9s %8s %8s %8s %10s %6s\n' route "req/s" "p50 ms" "p99 ms" "non-2xx" "pgbench" ratio
    while IFS=$'\t' read -r route slug; do
        result=$(run_wrk "${url[$route]}")
        rps=$(field "$result" rps)
        ratio=$(echo "$rps / ${tps[$route]}" | bc -l)
        verdict=pass; [ "$(echo "$ratio >= 0.8" | bc -l)" = 1 ] || { verdict=MISS; status=1; }
        printf '%-38s %9.0f %8.2f %8.2f %8d %10.0f %6.2f %s\n' "$route" "$rps" "$(field "$result" p50_ms)" \
            "$(field "$result" p99_ms)" "$(($(field "$result" non_2xx) + $(field "$result" socket_errors)))" "${tps[$route]}" "$ratio" "$verdict"
    done <"$work/pgbench/routes.tsv"
    result=$(run_wrk mix)
    rps=$(field "$result" rps) p99=$(field "$result" p99_ms) errors=$(($(field "$result" non_2xx) + $(field "$result" socket_errors)))
    verdict=pass
    if [ "$(echo "$rps >= 10000 && $p99 <= 50" | bc -l)" != 1 ] || [ "$errors" != 0 ]; then verdict=MISS; status=1; fi
    printf '%-38s %9.0f %8.2f %8.2f %8d   (target >= 10000 req/s, p99 <= 50 ms, 0 errors: %s)\n' \
        "storefront mix" "$rps" "$(field "$result" p50_ms)" "$p99" "$errors" "$verdict"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    trap - EXIT
done
exit $status
