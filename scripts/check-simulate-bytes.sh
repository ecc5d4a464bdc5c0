#!/usr/bin/env bash
# Checks that `tally simulate` writes the same bytes as a recorded baseline.
#
#   scripts/check-simulate-bytes.sh BASELINE_DIR [TALLY]
#
# For every scenario in datasets/scenarios/*.json and seeds 1 and 7, runs
#   TALLY simulate SCENARIO --seed S --out-dir TMP/NAME-S   (--out for binaries that predate --out-dir)
# and compares answers.tsv, export.tsv, gold.tsv, tasks.tsv, workers.tsv, qc_log.tsv and pool.json
# with BASELINE_DIR/NAME-S/ (`cmp`). summary.json is not compared: it records timings and the
# command line. TALLY defaults to .build/release/tally (`swift build -c release --product tally`).
# Prints one line per run and exits 1 if any file differs or is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
    echo "usage: $0 BASELINE_DIR [TALLY]" >&2
    exit 64
fi
baseline=$1
tally=${2:-.build/release/tally}
[ -x "$tally" ] || { echo "$tally: not an executable (build it with: swift build -c release --product tally)" >&2; exit 66; }
[ -d "$baseline" ] || { echo "$baseline: no such folder" >&2; exit 66; }
# Binaries from before the option vocabulary (issue 13) name the folder --out.
outflag=--out-dir
"$tally" simulate --help 2>&1 | grep -q -- '--out-dir' || outflag=--out
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
files="answers.tsv export.tsv gold.tsv tasks.tsv workers.tsv qc_log.tsv pool.json"
status=0
for scenario in datasets/scenarios/*.json; do
    name=$(basename "$scenario" .json)
    for seed in 1 7; do
        run="$name-$seed"
        "$tally" simulate "$scenario" --seed "$seed" "$outflag" "$out/$run" > "$out/$run.log" 2>&1 || {
            echo "$run: tally simulate failed:"; cat "$out/$run.log"; status=1; continue
        }
        differ=""
        for f in $files; do
            if [ ! -f "$baseline/$run/$f" ]; then
                differ="$differ $f(missing in baseline)"
            elif ! cmp -s "$baseline/$run/$f" "$out/$run/$f"; then
                differ="$differ $f"
            fi
        done
        if [ -z "$differ" ]; then
            echo "$run: identical ($files)"
        else
            echo "$run: DIFFERENT:$differ"
            status=1
        fi
    done
done
exit $status
