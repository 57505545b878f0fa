#!/usr/bin/env bash
# Runs the libFuzzer build of atelier-fuzz-csv for FUZZ_SECONDS (600), seeded with every CSV in
# data-samples/ (each under its own table, as is and behind the table's header) and a few
# shapes the tests use: unclosed quotes, a line longer than the read block, CRLF, a BOM.
# Crashes and the grown corpus stay in .atelier/fuzz/ (git-ignored). Prints libFuzzer's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzzer=.build-fuzz/debug/atelier-fuzz-csv
work=.atelier/fuzz
mkdir -p "$work/corpus" "$work/crashes"

python3 - "$work/corpus" <<'PY'
import os, sys
out = sys.argv[1]
tables = ["product", "features", "styles", "photos", "skus", "related", "questions", "answers",
          "answers_photos", "reviews", "reviews_photos", "characteristics", "characteristic_reviews", "cart"]
def seed(name, table, mode, body):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([tables.index(table), mode]) + body)
for folder in ["data-samples", "data-samples/older"]:
    for entry in sorted(os.listdir(folder)):
        table = entry[:-4]
        if entry.endswith(".csv") and table in tables:
            body = open(os.path.join(folder, entry), "rb").read()
            tag = folder.replace("/", "-")
            seed(f"{tag}-{table}-as-is", table, 1, body)
            seed(f"{tag}-{table}-small-blocks", table, 3, body)
            rows = body.split(b"\n", 1)[1] if b"\n" in body else b""
            seed(f"{tag}-{table}-rows", table, 0, rows)
seed("unclosed-quote", "photos", 0, b'1,1,"https://a/b?w=1&q=80","https://a/t?q=80\n2,1,"u","t"\n')
seed("long-line", "features", 2, b"1,1," + b"x" * 5000 + b",v\n2,1,f,v\n")
seed("crlf-bom", "cart", 1, b"\xef\xbb\xbfid,user_session,product_id,active\r\n1,1,1,true\r\n2,1,2,0")
PY

seconds=${FUZZ_SECONDS:-600}
log="$work/fuzz.log"
set +e
"$fuzzer" "$work/corpus" -max_total_time="$seconds" -artifact_prefix="$work/crashes/" -print_final_stats=1 \
    -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1
status=$?
set -e
grep -E "^stat::|Done [0-9]+ runs|ERROR|SUMMARY" "$log" || true
tail -n 3 "$log" | grep -E "cov:|ft:" || true
echo "crashes: $(ls "$work/crashes" | wc -l) (in $work/crashes); log: $log"
exit $status
