#!/usr/bin/env bash
# Every categorical method of `tally methods`, run on real data sets from the TSV and from the
# task-grouped .arrow that `tally convert` writes by default (and from an input-order .arrow,
# `--row-order input`): labels and probabilities compared byte for byte. Prints one
# line per data set and method that differs and a summary; exit 1 when any output differs or an
# .arrow run fails where the TSV run did not (a method that refuses the TSV is not compared).
#   scripts/check-arrow-order.sh [DATASET ...]      (default: bluebirds snow-rte zhou-web vldb-adult)
# The tally binary is $TALLY_BIN, else .build/release/tally; data sets from ../shared/datasets
# (or $TALLY_DATASETS).
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${TALLY_BIN:-.build/release/tally}"
[[ -x "$bin" ]] || { echo "check-arrow-order: no $bin (swift build -c release --product tally)" >&2; exit 2; }
data="${TALLY_DATASETS:-../shared/datasets}"
sets=("$@")
[[ ${#sets[@]} -gt 0 ]] || sets=(bluebirds snow-rte zhou-web vldb-adult)
# Methods whose next line says they take categorical answers.
methods=$("$bin" methods | awk '/^  [a-z]/ { name = $1; next } name != "" && /answers: categorical/ { print name } { name = "" }')
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
differ=0; same=0; failed=0; refused=0
for set in "${sets[@]}"; do
    tsv="$data/$set/answers.tsv"
    [[ -f "$tsv" ]] || { echo "check-arrow-order: no $tsv" >&2; exit 2; }
    gold=(); [[ -f "$data/$set/gold.tsv" ]] && gold=(--gold "$data/$set/gold.tsv")
    "$bin" convert "$tsv" "$work/$set.grouped.arrow" --quiet
    "$bin" convert "$tsv" "$work/$set.input.arrow" --row-order input --quiet
    for m in $methods; do
        for src in tsv grouped input; do
            case $src in tsv) in="$tsv" ;; *) in="$work/$set.$src.arrow" ;; esac
            out="$work/$m.$src"
            if ! "$bin" aggregate "$in" --method "$m" "${gold[@]}" --out "$out.labels.tsv" --probabilities "$out.probs.tsv" \
                    --quiet > /dev/null 2> "$out.err"; then
                # Some methods write no probabilities (or need gold): labels only.
                rm -f "$out.probs.tsv"
                "$bin" aggregate "$in" --method "$m" "${gold[@]}" --out "$out.labels.tsv" --quiet > /dev/null 2> "$out.err" \
                    || { if [[ $src == tsv ]]; then echo "$set $m: refused by the TSV run too: $(head -c 160 "$out.err")"; refused=$((refused + 1))
                         else echo "$set $m ($src): failed: $(head -c 200 "$out.err")"; failed=$((failed + 1)); fi; continue 2; }
            fi
        done
        ok=1
        for src in grouped input; do
            for f in labels probs; do
                [[ -f "$work/$m.tsv.$f.tsv" ]] || continue
                cmp -s "$work/$m.tsv.$f.tsv" "$work/$m.$src.$f.tsv" || { echo "$set $m: $f from the $src .arrow differ from the TSV's"; ok=0; }
            done
        done
        if [[ $ok == 1 ]]; then same=$((same + 1)); else differ=$((differ + 1)); fi
        rm -f "$work/$m".*
    done
done
echo "check-arrow-order: ${#sets[@]} data sets × $(echo $methods | wc -w) methods: $same identical, $differ differ, $failed failed, $refused refused by the method (not compared)"
[[ $differ == 0 && $failed == 0 ]]
