#!/usr/bin/env bash
# Outputs of two tally builds compared byte for byte (labels, probabilities, exit code), for the
# `.arrow` and TSV inputs of the same answers: the 10 M-answer K = 2 set of compare-ds.sh (ds, mv,
# wawa), six real sets (ds, mv, wawa, mmsr, glad, onecoin-ds, zbs; their labels are numbers, so
# their `.arrow` takes the general reader) and four of them with the labels renamed L0, L1, …
# (dictionary labels: the one-pass task-grouped reader), each written by `tally convert`.
#   Benchmarks/check-arrow-outputs.sh TALLY_A TALLY_B [DATASETS_DIR] [ANSWERS_10M.tsv]
# Prints one line per difference and a count; exits 1 if any output differs.
set -euo pipefail
a="$1"; b="$2"
data="${3:-$(cd "$(dirname "$0")/../.." && pwd)/shared/datasets}"
big="${4:-${TALLY_BENCH_DATA:-/tmp/tally-bench}/synth-t1000000-w10000-o10-k2-s1/answers.tsv}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
runs=0; same=0; refused=0
check() {  # check NAME INPUT METHOD
    local name="$1" input="$2" method="$3" ca cb
    set +e
    "$a" aggregate "$input" --method "$method" --out "$work/a.labels.tsv" --probabilities "$work/a.p.tsv" > /dev/null 2>&1; ca=$?
    "$b" aggregate "$input" --method "$method" --out "$work/b.labels.tsv" --probabilities "$work/b.p.tsv" > /dev/null 2>&1; cb=$?
    set -e
    runs=$((runs + 1))
    if [[ $ca == "$cb" ]] && { [[ $ca != 0 ]] || { cmp -s "$work/a.labels.tsv" "$work/b.labels.tsv" && cmp -s "$work/a.p.tsv" "$work/b.p.tsv"; }; }; then
        same=$((same + 1))
        [[ $ca != 0 ]] && refused=$((refused + 1))
    else
        echo "DIFFERENT: $name $method (exit $ca vs $cb)"
    fi
    rm -f "$work"/[ab].labels.tsv "$work"/[ab].p.tsv
}
if [[ -f "$big" ]]; then
    arrow="${big%.tsv}.arrow"
    [[ -f "$arrow" && "$arrow" -nt "$big" ]] || "$a" convert "$big" "$arrow"
    for m in ds mv wawa; do check 10M.tsv "$big" $m; check 10M.arrow "$arrow" $m; done
fi
for s in bluebirds snow-rte zhou-web vldb-adult snow-temp act-cf; do
    "$a" convert "$data/$s/answers.tsv" "$work/$s.arrow" > /dev/null 2>&1
    for m in ds mv wawa mmsr glad onecoin-ds zbs; do check "$s.tsv" "$data/$s/answers.tsv" $m; check "$s.arrow" "$work/$s.arrow" $m; done
done
for s in bluebirds snow-rte zhou-web vldb-adult; do
    awk -F'\t' -v OFS='\t' 'NR == 1 { print; next } { $3 = "L" $3; print }' "$data/$s/answers.tsv" > "$work/$s-L.tsv"
    "$a" convert "$work/$s-L.tsv" "$work/$s-L.arrow" > /dev/null 2>&1
    for m in ds mv wawa mmsr glad onecoin-ds zbs; do check "$s-L.tsv" "$work/$s-L.tsv" $m; check "$s-L.arrow" "$work/$s-L.arrow" $m; done
done
echo "identical: $same of $runs runs (labels, probabilities, exit codes; $refused of them refused by both builds with the same exit code)"
[[ $same == "$runs" ]]
