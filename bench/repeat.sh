#!/usr/bin/env bash
# Runs the tests matching FILTER RUNS times in a row while HOGS processes keep every core busy,
# and counts the runs that failed: the check for tests that used to fail only on a loaded
# machine. Expects the built tests and the throwaway cluster (`make repeat` sets both up).
#   FILTER="sigtermLetsAnInFlightRequestFinishThenExitsZero" RUNS=50 HOGS=3 bench/repeat.sh
set -u
filter=${FILTER:?set FILTER to a swift test filter}
runs=${RUNS:-50}
hogs=${HOGS:-3}
log=${LOG:-.atelier/repeat.log}
mkdir -p "$(dirname "$log")"
: >"$log"
pids=()
for _ in $(seq "$hogs"); do
    (while :; do :; done) &
    pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
failed=0
for run in $(seq "$runs"); do
    if swift test --skip-build --filter "$filter" >>"$log" 2>&1; then
        echo "run $run: passed"
    else
        failed=$((failed + 1))
        echo "run $run: FAILED (see $log)"
    fi
done
echo "$filter: $failed of $runs runs failed under $hogs CPU hogs"
[ "$failed" -eq 0 ]
