#!/usr/bin/env bash
# make bench-api: loads a generated export (SCALE, default 0.05) into a fresh database, runs
# pgbench on each read route's SQL (64 clients, prepared), then starts a release atelier-serve
# twice: cache off, and with a CACHE MB (1024) response cache warmed by asking for every id once.
# Each time wrk (2 threads, 64 connections, DURATION seconds, random existing ids) per read route
# and the storefront page-load mix; with the cache, also the mix over a hot set of HOT_SET (5000)
# products without writes and with 1% helpful votes on their reviews. Prints per route pgbench,
# cached, uncached, the limit 1/(1/pgbench + 1/cached) and uncached/limit. Exits 1 when a target
# is missed. Settings: SCALE, DURATION (15), CACHE, HOT_SET, PORT (54320), API_PORT (3090).
set -euo pipefail

scale=${SCALE:-0.05} duration=${DURATION:-15} cache_mb=${CACHE:-1024} api_port=${API_PORT:-3090}
hot_set=${HOT_SET:-5000}
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

declare -A cached uncached
status=0
for cache in 0 "$cache_mb"; do
    start_server "$api_port" bench_api "$cache"
    trap 'kill $server_pid 2>/dev/null' EXIT
    if [ "$cache" != 0 ]; then
        echo "response cache: ${cache} MB, warming: every id of every route once"
        while IFS=$'\t' read -r route slug; do
            max=$max_product; [[ ${url[$route]} == *"{question}"* ]] && max=$max_question
            warm_cache "$api_port" "$max" "${url[$route]}"
        done <"$work/pgbench/routes.tsv"
    else
        echo "response cache: off"
    fi
    while IFS=$'\t' read -r route slug; do
        if [ "$cache" = 0 ]; then uncached[$route]=$(run_wrk "${url[$route]}"); else cached[$route]=$(run_wrk "${url[$route]}"); fi
    done <"$work/pgbench/routes.tsv"
    if [ "$cache" = 0 ]; then
        uncached[mix]=$(run_wrk mix)
    else
        cached[mix]=$(run_wrk mix)
        # The hot set: page loads over HOT_SET products, without writes and with 1% helpful votes
        # on those products' reviews.
        hot_reviews=$(psql -X -tA -d "$database" -c "SELECT max(id) FROM reviews WHERE product_id <= $hot_set")
        for share in 0 0.01; do
            cached[hot-$share]=$(ROUTE=mix HOT_SET=$hot_set MAX_PRODUCT=$max_product MAX_QUESTION=$max_question \
                MAX_REVIEW=$hot_reviews WRITE_SHARE=$share \
                wrk -t2 -c64 -d"${duration}s" --timeout 2s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$api_port" | tail -n 1)
        done
    fi
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
    trap - EXIT
done

# Per route: the database's limit (pgbench), the server's own cost (cached), and what an
# uncached request can at best reach when both share the two cores: 1 / (1/pgbench + 1/cached).
echo
printf '%-38s %9s %9s %9s %8s %9s %6s\n' route pgbench cached uncached "p99 ms" limit ratio
while IFS=$'\t' read -r route slug; do
    on=$(field "${cached[$route]}" rps) off=$(field "${uncached[$route]}" rps)
    limit=$(echo "1 / (1 / ${tps[$route]} + 1 / $on)" | bc -l)
    ratio=$(echo "$off / $limit" | bc -l)
    verdict=pass; [ "$(echo "$ratio >= 0.8" | bc -l)" = 1 ] || { verdict=MISS; status=1; }
    errors=$(($(field "${cached[$route]}" non_2xx) + $(field "${cached[$route]}" socket_errors) + $(field "${uncached[$route]}" non_2xx) + $(field "${uncached[$route]}" socket_errors)))
    printf '%-38s %9.0f %9.0f %9.0f %8.2f %9.0f %6.2f %s%s\n' "$route" "${tps[$route]}" "$on" "$off" \
        "$(field "${uncached[$route]}" p99_ms)" "$limit" "$ratio" "$verdict" "$([ "$errors" = 0 ] || echo ", $errors errors")"
done <"$work/pgbench/routes.tsv"

echo
printf '%-44s %9s %8s %8s %8s\n' "mix (cache ${cache_mb} MB unless noted)" "req/s" "p50 ms" "p99 ms" errors
report_mix() {  # LABEL JSON
    printf '%-44s %9.0f %8.2f %8.2f %8d\n' "$1" "$(field "$2" rps)" "$(field "$2" p50_ms)" "$(field "$2" p99_ms)" \
        "$(($(field "$2" non_2xx) + $(field "$2" socket_errors)))"
}
report_mix "storefront mix, cache off" "${uncached[mix]}"
report_mix "storefront mix" "${cached[mix]}"
report_mix "hot set of $hot_set, no writes" "${cached[hot-0]}"
report_mix "hot set of $hot_set, 1% helpful votes" "${cached[hot-0.01]}"
rps=$(field "${cached[mix]}" rps) p99=$(field "${cached[mix]}" p99_ms)
errors=$(($(field "${cached[mix]}" non_2xx) + $(field "${cached[mix]}" socket_errors)))
verdict=pass; { [ "$(echo "$rps >= 10000 && $p99 <= 50" | bc -l)" = 1 ] && [ "$errors" = 0 ]; } || { verdict=MISS; status=1; }
echo "storefront mix: target >= 10000 req/s, p99 <= 50 ms, 0 errors: $verdict"
hot=$(field "${cached[hot-0.01]}" rps) cold=$(field "${cached[hot-0]}" rps) p99=$(field "${cached[hot-0.01]}" p99_ms)
errors=$(($(field "${cached[hot-0.01]}" non_2xx) + $(field "${cached[hot-0.01]}" socket_errors)))
share=$(echo "$hot / $cold" | bc -l)
verdict=pass; { [ "$(echo "$share >= 0.8 && $p99 <= 50" | bc -l)" = 1 ] && [ "$errors" = 0 ]; } || { verdict=MISS; status=1; }
printf 'hot set with 1%% votes: %.2f of its no-write rate (target >= 0.8, p99 <= 50 ms, 0 errors): %s\n' "$share" "$verdict"
exit $status
