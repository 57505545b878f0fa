#!/usr/bin/env bash
# make bench-etl-jobs: `atelier-etl load --jobs N` for each N of JOBS_LIST ("1 2 4") on an empty
# database, against (b) the plain route of bench/etl.sh (psql \copy into bare tables, then the
# same keys, indexes, foreign keys and ANALYZE), on the same generated export (SCALE, 0.05). For
# each: wall time, a/b, peak RSS, the loader's CPU, the server's CPU (every PostgreSQL process:
# backends, parallel workers, checkpointer, WAL writer) and both as shares of the two cores'
# time, and how much of the cores' time was idle. The loads' JSON reports (per file: waited,
# copy, keys, finish, encoding CPU) and a per-second trace of idle cores are kept in
# .atelier/bench/jobs-N.json and jobs-N.idle.
# With WAL_LEVEL=replica the embedded cluster is first made `make cluster`'s primary
# (wal_level = replica) with a streaming hot standby attached, so every byte written is also
# WAL sent to a replica; afterwards it goes back to wal_level = minimal and the standby is removed.
set -euo pipefail

scale=${SCALE:-0.05} seed=${SEED:-1} jobs_list=${JOBS_LIST:-1 2 4} wal_level=${WAL_LEVEL:-minimal}
source "$(dirname "$0")/lib.sh"
clean=$work/data-$scale-seed$seed
generate "$clean" "$scale" "$seed" 0
"$etl" schema --baseline "$clean" >"$work/baseline.sql"
psql -X -q -d "$server/postgres" -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS bench_loader" -c "DROP DATABASE IF EXISTS bench_plain" \
    -c "DROP DATABASE IF EXISTS bench_old" -c "DROP DATABASE IF EXISTS bench_defects"

pgdata=$(psql -X -tA -d "$server/postgres" -c "SHOW data_directory")
pgbin=$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || echo /usr/lib/postgresql/15/bin/pg_ctl)")")
set_wal_level() {  # minimal | replica: restarts the embedded cluster with it
    if [ "$1" = replica ]; then
        "$root/scripts/pg-cluster.sh" primary "$(dirname "$pgdata")" "${PORT:-54320}" >/dev/null
        "$root/scripts/pg-cluster.sh" standby "$root/.atelier/bench-standby" 54329 "${PORT:-54320}" >/dev/null
    else
        "$root/scripts/pg-cluster.sh" stop "$root/.atelier/bench-standby" >/dev/null
        rm -rf "$root/.atelier/bench-standby"
        psql -X -q -d "$server/postgres" -c "ALTER SYSTEM RESET wal_level" -c "ALTER SYSTEM RESET max_wal_senders" \
            -c "ALTER SYSTEM RESET wal_keep_size"
        su postgres -c "$pgbin/pg_ctl -D $pgdata -w -t 60 -m fast restart -l $pgdata/server.log" >/dev/null
    fi
}
if [ "$wal_level" = replica ]; then
    set_wal_level replica
    trap 'set_wal_level minimal' EXIT
fi
postmaster=$(head -n 1 "$pgdata/postmaster.pid")

# CPU seconds of every PostgreSQL process so far: the postmaster, the children it has reaped
# (backends that ended) and those still running.
server_cpu() {
    python3 - "$postmaster" <<'PY'
import os, sys
postmaster = sys.argv[1]
def fields(pid):
    text = open(f"/proc/{pid}/stat").read()
    return text[text.rindex(")") + 2:].split()
ticks = sum(int(x) for x in fields(postmaster)[11:15])
for pid in os.listdir("/proc"):
    if pid.isdigit() and pid != postmaster:
        try:
            f = fields(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        if f[1] == postmaster:
            ticks += int(f[11]) + int(f[12])
print(ticks / os.sysconf("SC_CLK_TCK"))
PY
}
# Per second, the share of the machine's cores that were idle, until told to stop.
trace_idle() {  # FILE
    local prev now
    prev=$(awk '/^cpu /{print $5+$6, $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
    while sleep 1; do
        now=$(awk '/^cpu /{print $5+$6, $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
        echo "$prev $now" | awk '{printf "%.2f\n", ($3-$1)/($4-$2)}'
        prev=$now
    done >"$1"
}
cores=$(nproc)
# Runs the command after --, on a fresh database NAME, and prints: wall peak_kb own_cpu server_cpu idle_share
measure() {  # NAME -- COMMAND...
    local name=$1
    shift 2
    fresh_database "$name"
    sync
    psql -X -q -d "$server/postgres" -c CHECKPOINT
    local before idle_pid
    before=$(server_cpu)
    trace_idle "$work/$name.idle" >/dev/null &
    idle_pid=$!
    /usr/bin/time -f "%e %M %U %S" -o "$work/time.txt" "$@" >/dev/null || { kill $idle_pid; return 1; }
    kill $idle_pid
    wait $idle_pid 2>/dev/null || true
    read -r wall kb user sys <"$work/time.txt"
    local spent
    spent=$(echo "$(server_cpu) - $before" | bc -l)
    idle=$(awk '{s+=$1; n++} END {printf "%.2f", n ? s/n : 0}' "$work/$name.idle")
    echo "$wall $kb $(echo "$user + $sys" | bc -l) $spent $idle"
}

read -r rows bytes < <(python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"]; print(sum(x["rows"] for x in f), sum(x["bytes"] for x in f))' "$clean/generated.json")
printf 'bench-etl-jobs: scale %s, seed %s: %s rows, %.1f MB in 14 files; wal_level %s; %d cores\n' \
    "$scale" "$seed" "$rows" "$(echo "$bytes/1000000" | bc -l)" "$wal_level" "$cores"
read -r b _ _ b_server b_idle < <(measure bench_plain -- \
    psql -X -q -1 -v ON_ERROR_STOP=1 -d "$server/bench_plain" -f "$work/baseline.sql")
# Only (b)'s time is needed: its database goes, so that a standby's copy and the loads fit on disk.
psql -X -q -d "$server/postgres" -c "DROP DATABASE bench_plain"
printf '%-14s %9s %6s %9s %12s %12s %6s\n' what time a/b "peak RSS" "loader CPU" "server CPU" idle
share() { echo "$1 / ($2 * $cores)" | bc -l; }
printf '%-14s %8.2fs %6s %9s %12s %5.0fs %4.0f%% %5.0f%%\n' "(b) plain" "$b" "" "" "" "$b_server" \
    "$(echo "100 * $(share "$b_server" "$b")" | bc -l)" "$(echo "100 * $b_idle" | bc -l)"
for jobs in $jobs_list; do
    read -r a kb own spent idle < <(measure bench_loader -- "$etl" load "$clean" --jobs "$jobs" \
        --database-url "$server/bench_loader" --reject-dir "$work/rejects" --report "$work/jobs-$jobs.json")
    mv "$work/bench_loader.idle" "$work/jobs-$jobs.idle"
    printf '%-14s %8.2fs %6.2f %6d MB %5.0fs %4.0f%% %5.0fs %4.0f%% %5.0f%%\n' "(a) --jobs $jobs" "$a" \
        "$(echo "$a/$b" | bc -l)" "$((kb / 1024))" "$own" "$(echo "100 * $(share "$own" "$a")" | bc -l)" \
        "$spent" "$(echo "100 * $(share "$spent" "$a")" | bc -l)" "$(echo "100 * $idle" | bc -l)"
done
"$etl" verify --database-url "$server/bench_loader" >/dev/null
psql -X -q -d "$server/postgres" -c "DROP DATABASE bench_loader"
