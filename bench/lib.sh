# Shared by the benchmark scripts (sourced): paths, fresh databases, a loaded generated export,
# and a release server with a warmed response cache. PORT is the embedded cluster's port.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
etl=$root/.build/release/atelier-etl
serve=$root/.build/release/atelier-serve
# Generates the exports whichever build is measured, so that every build gets the same files.
generator=$etl
work=$root/.atelier/bench
server=postgresql://postgres@127.0.0.1:${PORT:-54320}
# atelier-serve connects as the API's least-privilege role, as `make serve` does.
api_server=postgresql://atelier_api@127.0.0.1:${PORT:-54320}
mkdir -p "$work"

fresh_database() {  # NAME
    psql -X -q -v ON_ERROR_STOP=1 -d "$server/postgres" -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

generate() {  # DIR SCALE SEED RATE: once; the same arguments always give the same files
    [ -f "$1/generated.json" ] && return
    echo "generating scale $2 (seed $3, defects $4) into $1"
    "$generator" generate --scale "$2" --seed "$3" --defects "$4" --out "$1" 2>/dev/null
}

load_export() {  # NAME SCALE: a fresh database NAME holding the clean export at SCALE
    local data=$work/data-$2-seed1
    generate "$data" "$2" 1 0
    fresh_database "$1"
    "$etl" load "$data" --database-url "$server/$1" --reject-dir "$work/rejects" >/dev/null
}

start_server() {  # PORT DATABASE CACHE_MB: in the background, warnings to $work/serve-PORT.log; sets server_pid
    "$serve" --port "$1" --database-url "$api_server/$2" --log-level warning --cache-size "$3" 2>"$work/serve-$1.log" &
    server_pid=$!
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return; sleep 0.2; done
}

warm_cache() {  # PORT MAX_ID ROUTE: asks for every id of ROUTE once (bench/wrk/random.lua)
    ROUTE=$3 SEQUENTIAL=1 THREADS=2 MAX_PRODUCT=$2 MAX_QUESTION=$2 \
        wrk -t2 -c64 -d$(($2 / 2500 + 2))s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$1" >/dev/null
}

hot_set_bounds() {  # HOT_SET: for hot_mix on bench_hot, sets max_product and hot_reviews (the
    # largest review id of the hot set's products)
    max_product=$(psql -X -tA -d "$server/bench_hot" -c "SELECT max(id) FROM product")
    hot_reviews=$(psql -X -tA -d "$server/bench_hot" -c "SELECT max(id) FROM reviews WHERE product_id <= $1")
}

hot_mix() {  # PORT SECONDS WRITE_SHARE: the storefront mix over products 1..$hot_set, that share
    # of it helpful votes (after hot_set_bounds) -> wrk's JSON line
    ROUTE=mix HOT_SET=$hot_set MAX_PRODUCT=$max_product MAX_QUESTION=1 MAX_REVIEW=$hot_reviews WRITE_SHARE=$3 \
        wrk -t2 -c64 -d"$2"s --timeout 2s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$1" | tail -n 1
}

cpu_ticks() {  # PID...: the user and system clock ticks those processes used (one gone counts 0)
    local total=0 pid fields
    for pid in "$@"; do
        fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
        total=$((total + $(awk '{print $12 + $13}' <<<"$fields")))
    done
    echo "$total"
}

baseline_build() {  # COMMIT: a release build of COMMIT's atelier-etl and atelier-serve, once; sets
    # baseline_etl and baseline_serve
    local dir=$work/baseline-$1
    baseline_etl=$dir/.build/release/atelier-etl baseline_serve=$dir/.build/release/atelier-serve
    [ -x "$baseline_serve" ] && [ -x "$baseline_etl" ] && return
    echo "building $1's atelier-etl and atelier-serve for release in $dir"
    rm -rf "$dir" && mkdir -p "$dir"
    git -C "$root" archive "$1" | tar -x -C "$dir"
    (cd "$dir" && swift build -c release --product atelier-etl >/dev/null && swift build -c release --product atelier-serve >/dev/null)
}

# The storefront's page load for one product, as bench/wrk/random.lua's "mix" asks for it.
page_load_routes=("/products/{product}" "/products/{product}/styles" "/products/{product}/related"
    "/reviews?product_id={product}" "/reviews/meta?product_id={product}" "/qa/questions?product_id={product}")

load_hot_exports() {  # SCALE BASELINE: the export at SCALE in bench_hot, by this build's atelier-etl,
    # and in bench_hot_base, by BASELINE's (built by baseline_build)
    baseline_build "$2"
    load_export bench_hot "$1"
    fresh_database bench_hot_base
    "$baseline_etl" load "$work/data-$1-seed1" --database-url "$server/bench_hot_base" --reject-dir "$work/rejects" >/dev/null
}

# BUILD=COMMIT: the benchmark loads with and serves from COMMIT's build (baseline_build)
# instead of this checkout's, on the same generated export: run it with and without on the same
# machine for figures side by side.
if [ -n "${BUILD:-}" ]; then
    baseline_build "$BUILD"
    etl=$baseline_etl serve=$baseline_serve
    echo "measuring $BUILD's build"
fi
