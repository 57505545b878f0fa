#!/usr/bin/env bash
# make bench-etl: on fresh databases, times (a) `atelier-etl load DIR` against (b) the fastest
# plain-SQL route on the same generated files (psql \copy into bare tables, then the same keys,
# indexes and foreign keys, then ANALYZE), RUNS times each, alternating. Then (c) a reload: a
# second complete export (seed SEED+1) over the loaded one, timed against (b); and (d) the same
# reload back while a release atelier-serve answers the storefront mix offered at MIX_RATE
# (1000) req/s: requests served, errors, p99 and the slowest request. Each run's switch reports
# how long it held its locks. Last, loads a copy with planted defects and checks the loader's
# report against what the generator planted.
# With OLD_ETL=PATH (another build of atelier-etl, e.g. of an earlier commit), each run also
# times (a') that build's load in the same alternation, and the script stops after the medians.
# Settings (environment): SCALE (0.05), RUNS (3), DEFECTS (0.01), SEED (1), MIX_RATE (1000),
# OLD_ETL, PORT (54320).
set -euo pipefail

scale=${SCALE:-0.05} runs=${RUNS:-3} defects=${DEFECTS:-0.01} seed=${SEED:-1} mix_rate=${MIX_RATE:-1000}
source "$(dirname "$0")/lib.sh"
clean=$work/data-$scale-seed$seed
other=$work/data-$scale-seed$((seed + 1))
dirty=$work/data-$scale-seed$seed-defects$defects

generate "$clean" "$scale" "$seed" 0
generate "$other" "$scale" "$((seed + 1))" 0
generate "$dirty" "$scale" "$seed" "$defects"
"$etl" schema --baseline "$clean" >"$work/baseline.sql"
read -r rows bytes < <(python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"]; print(sum(x["rows"] for x in f), sum(x["bytes"] for x in f))' "$clean/generated.json")
printf 'bench-etl: scale %s, seed %s: %s rows, %.1f MB in 14 files\n' "$scale" "$seed" "$rows" "$(echo "$bytes/1000000" | bc -l)"
printf '%-4s %-26s %-22s %s\n' run "(a) atelier-etl load" "(b) psql \\copy + keys" "a/b"

# Each timed command starts on an empty database with nothing left to write back, so neither
# side pays for the other's pages; the order alternates between runs.
quiet_database() {  # NAME
    fresh_database "$1"
    sync
    psql -X -q -d "$server/postgres" -c CHECKPOINT
}
# The seconds the last load's switch held its locks, from its report.
lock_time() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["switch"]["lock_seconds"])' "$work/report.json"; }
time_loader() {
    quiet_database bench_loader
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$etl" load "$clean" --database-url "$server/bench_loader" \
        --reject-dir "$work/rejects" --report "$work/report.json" >"$work/load.txt"
    read -r a kb <"$work/time.txt"
    locks+=("$(lock_time)")
}
time_old() {
    quiet_database bench_old
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$OLD_ETL" load "$clean" --database-url "$server/bench_old" \
        --reject-dir "$work/rejects" >/dev/null
    read -r old kb_old <"$work/time.txt"
}
time_plain() {
    quiet_database bench_plain
    /usr/bin/time -f "%e" -o "$work/time.txt" \
        psql -X -q -1 -v ON_ERROR_STOP=1 -d "$server/bench_plain" -f "$work/baseline.sql" >/dev/null
    read -r b <"$work/time.txt"
}
a_times=() b_times=() old_times=() rss=() locks=()
for run in $(seq 1 "$runs"); do
    if [ $((run % 2)) = 1 ]; then
        time_loader; [ -z "${OLD_ETL:-}" ] || time_old; time_plain
    else
        time_plain; [ -z "${OLD_ETL:-}" ] || time_old; time_loader
    fi
    a_times+=("$a") b_times+=("$b") rss+=("$kb")
    printf '%-4s %-26s %-22s %.2f  (switch: locks held %s s)\n' "$run" "$a s (peak RSS $((kb / 1024)) MB)" "$b s" \
        "$(echo "$a/$b" | bc -l)" "${locks[-1]}"
    if [ -n "${OLD_ETL:-}" ]; then
        old_times+=("$old")
        printf "     (a') %s: %s s (peak RSS %d MB), a'/b %.2f\n" "$OLD_ETL" "$old" "$((kb_old / 1024))" \
            "$(echo "$old/$b" | bc -l)"
    fi
done

# Same rows on both sides, and the loader's database passes its own verify.
for table in product features styles photos skus related questions answers answers_photos reviews reviews_photos characteristics characteristic_reviews cart; do
    a_count=$(psql -X -tA -d "$server/bench_loader" -c "SELECT count(*) FROM $table")
    b_count=$(psql -X -tA -d "$server/bench_plain" -c "SELECT count(*) FROM $table")
    [ "$a_count" = "$b_count" ] || { echo "row counts differ in $table: loader $a_count, plain $b_count" >&2; exit 1; }
done
"$etl" verify --database-url "$server/bench_loader" >/dev/null

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
a=$(median "${a_times[@]}") b=$(median "${b_times[@]}") peak=$(printf '%s\n' "${rss[@]}" | sort -g | tail -1)
ratio=$(echo "$a/$b" | bc -l)
verdict() { if [ "$(echo "$1" | bc -l)" = 1 ]; then echo pass; else echo MISS; fi; }
printf 'median: (a) %.2f s  (b) %.2f s  a/b %.2f  (target <= 0.50: %s)\n' "$a" "$b" "$ratio" "$(verdict "$ratio <= 0.5")"
printf 'loader: %.0f rows/s, %.1f MB/s, peak RSS %d MB  (target <= 300 MB: %s)\n' \
    "$(echo "$rows/$a" | bc -l)" "$(echo "$bytes/1000000/$a" | bc -l)" "$((peak / 1024))" "$(verdict "$peak <= 300*1024")"
if [ -n "${OLD_ETL:-}" ]; then
    old=$(median "${old_times[@]}")
    printf "median (a') %.2f s: a'/b %.2f, a/a' %.2f\n" "$old" "$(echo "$old/$b" | bc -l)" "$(echo "$a/$old" | bc -l)"
    exit 0
fi

# (c) A reload: the other export over the loaded one, every table replaced at one switch. The
# plain route's database is dropped first: its pages in the page cache are no part of a reload.
psql -X -q -d "$server/postgres" -c "DROP DATABASE IF EXISTS bench_plain"
sync
psql -X -q -d "$server/postgres" -c CHECKPOINT
/usr/bin/time -f "%e %M" -o "$work/time.txt" "$etl" load "$other" --database-url "$server/bench_loader" \
    --reject-dir "$work/rejects" --report "$work/report.json" >"$work/load.txt"
read -r c kb <"$work/time.txt"
printf 'reload: (c) %.2f s against (b) %.2f s: c/b %.2f (target <= 0.50: %s), peak RSS %d MB, switch: locks held %s s\n' \
    "$c" "$b" "$(echo "$c/$b" | bc -l)" "$(verdict "$c <= 0.5 * $b")" "$((kb / 1024))" "$(lock_time)"
"$etl" verify --database-url "$server/bench_loader" >/dev/null

# (d) The reload back, while a server answers the storefront mix at a constant rate.
port=3097
start_server "$port" bench_loader 256
max_product=$(psql -X -tA -d "$server/bench_loader" -c "SELECT max(id) FROM product")
ROUTE=mix MAX_PRODUCT=$max_product MAX_QUESTION=1 RATE=$mix_rate \
    wrk -t2 -c64 -d3600s --timeout 5s -s "$root/bench/wrk/random.lua" "http://127.0.0.1:$port" >"$work/mix.txt" &
mix=$!
# A failed reload must not leave wrk running: it would load every benchmark after this one.
trap 'kill $server_pid $mix 2>/dev/null || true' EXIT
sleep 5
/usr/bin/time -f "%e %M" -o "$work/time.txt" "$etl" load "$clean" --database-url "$server/bench_loader" \
    --reject-dir "$work/rejects" --report "$work/report.json" >"$work/load.txt"
read -r d kb <"$work/time.txt"
sleep 5
kill -INT $mix
wait $mix || true
kill $server_pid
python3 - "$(tail -n 1 "$work/mix.txt")" "$d" "$(lock_time)" "$mix_rate" <<'PY'
import json, sys
mix = json.loads(sys.argv[1])
errors = mix["non_2xx"] + mix["socket_errors"]
print(f"reload under the storefront mix ({sys.argv[4]} req/s offered): load {float(sys.argv[2]):.2f} s, switch locks held "
      f"{sys.argv[3]} s; served {mix['requests']:,} requests ({mix['rps']:.0f}/s), {errors} errors, "
      f"p50 {mix['p50_ms']} ms, p99 {mix['p99_ms']} ms, slowest {mix['max_ms']} ms")
sys.exit(1 if errors else 0)
PY
"$etl" verify --database-url "$server/bench_loader" >/dev/null

fresh_database bench_defects
/usr/bin/time -f "%e %M" -o "$work/time.txt" "$etl" load "$dirty" --database-url "$server/bench_defects" \
    --report "$work/defects-report.json" --reject-dir "$work/rejects" >/dev/null
read -r d kb <"$work/time.txt"
python3 - "$dirty/generated.json" "$work/defects-report.json" "$d" "$((kb / 1024))" "$defects" <<'PY'
import json, sys
generated = {f["file"]: f for f in json.load(open(sys.argv[1]))["files"]}
report = {f["file"]: f for f in json.load(open(sys.argv[2]))["files"]}
wrong = []
for name, g in generated.items():
    r = report[name]
    e = g["expected"]
    got = (r["rows_read"], r["rows_loaded"], r["rows_repaired"], {k: v for k, v in r["rejected"].items() if v})
    want = (g["rows"], e["loaded"], e["repaired"], {k: v for k, v in e["rejected"].items() if v})
    if got != want: wrong.append(f"{name}: report {got}, generator {want}")
read = sum(r["rows_read"] for r in report.values())
rejected = sum(sum(r["rejected"].values()) for r in report.values())
repaired = sum(r["rows_repaired"] for r in report.values())
print(f"with {float(sys.argv[5]):.0%} planted defects: {float(sys.argv[3]):.2f} s ({read / float(sys.argv[3]):,.0f} rows/s), "
      f"peak RSS {sys.argv[4]} MB, {rejected:,} rejected, {repaired:,} repaired; "
      + ("report matches generated.json" if not wrong else "REPORT DIFFERS from generated.json"))
for line in wrong: print("  " + line)
sys.exit(1 if wrong else 0)
PY
