#!/usr/bin/env bash
# make bench-api: loads a generated export (SCALE, default 0.05) into a fresh database, starts a
# release atelier-serve, and for each read route runs wrk (2 threads, 64 connections, DURATION
# seconds, random existing ids) and pgbench running the same SQL (64 clients, prepared); then the
# storefront page-load mix. Once per cache setting in CACHE (default "0 1024": cache off, then a
# 1 GB response cache, warmed first by asking for every id once, so that the figures are the
# steady state). Exits 1 when a target is missed with the cache on (the shipped default); the
# cache-off run shows the database-bound figures. Settings: SCALE, DURATION (15), CACHE, PORT
# (54320), API_PORT (3090).
set -euo pipefail

scale=${SCALE:-0.05} duration=${DURATION:-15} caches=${CACHE:-0 1024} api_port=${API_PORT:-3090}
source "$(dirname "$0")/lib.sh"
database=$server/bench_api
mkdir -p "$work/pgbench"

load_export bench_api "$scale"
max_product=$(psql -X -tA -d "$database" -c "SELECT max(id) FROM product")
max_question=$(psql -X -tA -d "$database" -c "SELECT max(id) FROM questions")
echo "bench-api: scale $scale ($max_product products, $max_question questions), wrk -t2 -c64 -d${duration}s, pgbench -c64 -j2 -M prepared -T$duration"

# One pgbench script per route, from the SQL the server itself prints.
"$serve" --print-sql | python3 -c '
import json, re, sys
names = {"product_id": "(:product)::int4", "question_id": "(:question)::int4", "count": "(:count)::int8",
         "offset": "(:offset)::int8", "page": "(:page)::int8", "newest": "((:newest)::int4 = 1)"}
for line in sys.stdin:
    entry = json.loads(line)
    slug = re.sub(r"[^a-z]+", "-", entry["route"].lower()).strip("-")
    # pgbench would read the colons of the date format as variables: spell them as chr(58).
    sql = entry["sql"].replace("HH24:MI:SS", "HH24\" || chr(58) || \"MI\" || chr(58) || \"SS".replace("\"", "\x27"))
    for index in range(len(entry["parameters"]), 0, -1):
        sql = sql.replace("$%d" % index, names[entry["parameters"][index - 1]])
    with open(sys.argv[1] + "/" + slug + ".sql", "w") as out:
        out.write("\\set product random(1, %s)\n\\set question random(1, %s)\n\\set page random(1, 100)\n" % (sys.argv[2], sys.argv[3]))
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
    start_server "$api_port" bench_api "$cache"
    trap 'kill $server_pid 2>/dev/null' EXIT
    echo
    if [ "$cache" != 0 ]; then
        echo "response cache: ${cache} MB, warming: every id of every route once"
        while IFS=$'\t' read -r route slug; do
            max=$max_product; [[ ${url[$route]} == *"{question}"* ]] && max=$max_question
            warm_cache "$api_port" "$max" "${url[$route]}"
        done <"$work/pgbench/routes.tsv"
    else
        echo "response cache: off"
    fi
    printf '%-38s %9s %8s %8s %8s %10s %6s\n' route "req/s" "p50 ms" "p99 ms" "non-2xx" "pgbench" ratio
    while IFS=$'\t' read -r route slug; do
        result=$(run_wrk "${url[$route]}")
        rps=$(field "$result" rps)
        ratio=$(echo "$rps / ${tps[$route]}" | bc -l)
        verdict=pass; [ "$(echo "$ratio >= 0.8" | bc -l)" = 1 ] || { verdict=MISS; [ "$cache" = 0 ] || status=1; }
        printf '%-38s %9.0f %8.2f %8.2f %8d %10.0f %6.2f %s\n' "$route" "$rps" "$(field "$result" p50_ms)" \
            "$(field "$result" p99_ms)" "$(($(field "$result" non_2xx) + $(field "$result" socket_errors)))" "${tps[$route]}" "$ratio" "$verdict"
    done <"$work/pgbench/routes.tsv"
    result=$(run_wrk mix)
    rps=$(field "$result" rps) p99=$(field "$result" p99_ms) errors=$(($(field "$result" non_2xx) + $(field "$result" socket_errors)))
    verdict=pass
    if [ "$(echo "$rps >= 10000 && $p99 <= 50" | bc -l)" != 1 ] || [ "$errors" != 0 ]; then
        verdict=MISS; [ "$cache" = 0 ] || status=1
    fi
    printf '%-38s %9.0f %8.2f %8.2f %8d   (target >= 10000 req/s, p99 <= 50 ms, 0 errors: %s)\n' \
        "storefront mix" "$rps" "$(field "$result" p50_ms)" "$p99" "$errors" "$verdict"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
    trap - EXIT
done
exit $status
