#!/usr/bin/env bash
# make bench-votes: where the machine's CPU goes when 1% of the hot-set mix are helpful votes
# (`make bench-hot`'s third check). One release atelier-serve (cache 1024 MB) on the export of
# `make bench-hot` (bench_hot, loaded if missing), warmed over the hot set (HOT_SET, 5000);
# ROUNDS (2) rounds of three DURATION (10) s runs of wrk -t2 -c64, each after a 3 s warm-up: no
# writes; 1% votes; no writes beside a pgbench load of PGRATE (2000) single-row reads a second
# (about the PostgreSQL CPU the votes cost; pgbench's own client runs beside). Per run: req/s,
# the CPU seconds of the server and of PostgreSQL (from /proc), and the server's CPU µs per
# request. Then, with FIXED (20000) requests a second offered, no writes and 1% votes in turn:
# the CPU a vote adds to each, in ms (votes counted as 1% of the requests). At one offered rate
# both runs do the same work but the votes, so this moves with what a vote costs, not with the
# machine's run-to-run spread in req/s; FIXED=0 leaves it out. Prints figures, judges nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=${DURATION:-10} rounds=${ROUNDS:-2} hot_set=${HOT_SET:-5000} pgrate=${PGRATE:-2000} port=3094
fixed=${FIXED:-20000}

if ! psql -X -tA -d "$server/bench_hot" -c "SELECT 1 FROM product LIMIT 1" >/dev/null 2>&1; then
    load_export bench_hot "${SCALE:-0.05}"
fi
hot_set_bounds "$hot_set"
start_server "$port" bench_hot 1024
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
for route in "${page_load_routes[@]}"; do warm_cache "$port" "$hot_set" "$route"; done
printf '\\set id random(1, %s)\nSELECT * FROM reviews WHERE id = :id;\n' "$hot_reviews" >"$work/votes-pgbench.sql"

measured_mix() {  # SHARE: DURATION s of hot_mix; sets result, server_used and postgres_used (ticks)
    local server_before postgres_before
    server_before=$(cpu_ticks "$server_pid") postgres_before=$(cpu_ticks $(pgrep -u postgres))
    result=$(hot_mix "$port" "$duration" "$1")
    server_used=$(($(cpu_ticks "$server_pid") - server_before))
    postgres_used=$(($(cpu_ticks $(pgrep -u postgres)) - postgres_before))
}

hz=$(getconf CLK_TCK)
echo "bench-votes: hot set of $hot_set, wrk -t2 -c64, ${duration} s runs; CPU seconds from /proc"
printf '%-22s %9s %11s %11s %13s\n' run req/s "server CPU" "postgres CPU" "server µs/req"
for _ in $(seq "$rounds"); do
    for run in no-writes votes pgbench; do
        share=0
        [ "$run" != votes ] || share=0.01
        hot_mix "$port" 3 "$share" >/dev/null
        load=
        if [ "$run" = pgbench ]; then
            pgbench -n -c 2 -R "$pgrate" -T $((duration + 1)) -f "$work/votes-pgbench.sql" "$server/bench_hot" \
                >/dev/null 2>&1 &
            load=$!
        fi
        measured_mix "$share"
        [ -z "$load" ] || wait "$load"
        python3 - "$run" "$result" "$server_used" "$postgres_used" "$hz" <<'PYTHON'
import json, sys
run, result, server, postgres, hz = sys.argv[1], json.loads(sys.argv[2]), *map(int, sys.argv[3:])
print("%-22s %9.0f %10.2fs %10.2fs %13.1f" % (
    run, result["rps"], server / hz, postgres / hz, server / hz / result["requests"] * 1e6))
PYTHON
    done
done

[ "$fixed" -gt 0 ] || exit 0
echo "bench-votes: $fixed req/s offered, ${duration} s runs; the CPU 1% votes add, per vote"
printf '%-8s %11s %11s %13s %13s\n' round "req/s" "votes/s" "server ms" "postgres ms"
for round in $(seq "$rounds"); do
    declare -A used=()
    for share in 0 0.01; do
        RATE=$fixed hot_mix "$port" 3 "$share" >/dev/null
        RATE=$fixed measured_mix "$share"
        used[$share]="$server_used $postgres_used"
    done
    python3 - "$round" "$result" "$duration" "$hz" ${used[0]} ${used[0.01]} <<'PYTHON'
import json, sys
round, result, duration, hz = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
server_none, postgres_none, server_votes, postgres_votes = map(int, sys.argv[5:9])
votes = result["requests"] * 0.01
print("%-8s %11.0f %11.0f %13.2f %13.2f" % (
    round, result["rps"], votes / duration, (server_votes - server_none) / hz / votes * 1e3,
    (postgres_votes - postgres_none) / hz / votes * 1e3))
PYTHON
done
