#!/usr/bin/env bash
# `tally aggregate --method ds` end to end from an Arrow file vs from the same answers as TSV, in
# one sitting: the runs alternate (TSV, Arrow, TSV, …), each under /usr/bin/time -v; prints every
# run and the medians of wall time, CPU time (user + system) and peak RSS, the ratios Arrow/TSV
# and the load average.
#   Benchmarks/compare-arrow.sh [ANSWERS.tsv] [RUNS] [OTHER_TALLY]
# Default answers: the 10 M-answer K = 2 set of compare-ds.sh (/tmp/tally-bench/synth-t1000000-w10000-o10-k2-s1).
# With OTHER_TALLY (e.g. main's release binary) each round also runs that build's TSV and Arrow
# runs right after this one's, and its medians and ratios are printed beside (side by side, one sitting).
# Needs a release build (.build/release/tally) and GNU time; the .arrow is made beside the TSV by `tally convert`.
set -euo pipefail
cd "$(dirname "$0")/.."
tsv="${1:-${TALLY_BENCH_DATA:-/tmp/tally-bench}/synth-t1000000-w10000-o10-k2-s1/answers.tsv}"
runs="${2:-5}"
tally="${TALLY:-.build/release/tally}"   # TALLY=path/to/tally compares another build
other="${3:-}"
[[ -x "$tally" ]] || { echo "compare-arrow: build first: swift build -c release --product tally" >&2; exit 2; }
[[ -z "$other" || -x "$other" ]] || { echo "compare-arrow: $other is not an executable" >&2; exit 2; }
[[ -f "$tsv" ]] || { echo "compare-arrow: no $tsv (Benchmarks/compare-ds.sh makes it)" >&2; exit 2; }
arrow="${tsv%.tsv}.arrow"
[[ -f "$arrow" && "$arrow" -nt "$tsv" ]] || "$tally" convert "$tsv" "$arrow"
cat "$tsv" "$arrow" > /dev/null   # warm the page cache for both
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
run() {  # run NAME INPUT BINARY → "wall rss_kb cpu" on stdout
    /usr/bin/time -v "$3" aggregate "$2" --method ds --out "$work/$1.labels.tsv" 2> "$work/$1.err" > /dev/null
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
                /User time \(seconds\)/ { u = $2 } /System time \(seconds\)/ { s = $2 }
                /Maximum resident set size/ { r = $2 } END { print w, r, u + s }' "$work/$1.err"
}
show() { awk '{printf "%.2f s (CPU %.2f s) %d MB", $1, $3, $2/1024}'; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
builds=(this); [[ -n "$other" ]] && builds+=(other)
for b in "${builds[@]}"; do : > "$work/$b.tsv.txt"; : > "$work/$b.arrow.txt"; done
for i in $(seq "$runs"); do
    line="run $i:"
    for b in "${builds[@]}"; do
        bin="$tally"; [[ $b == other ]] && bin="$other"
        run "$b.tsv" "$tsv" "$bin" >> "$work/$b.tsv.txt"
        run "$b.arrow" "$arrow" "$bin" >> "$work/$b.arrow.txt"
        line+=" [$b] tsv $(tail -1 "$work/$b.tsv.txt" | show), arrow $(tail -1 "$work/$b.arrow.txt" | show)"
    done
    echo "$line"
done
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
status=0
for b in "${builds[@]}"; do
    label="$b ($tally)"; [[ $b == other ]] && label="$b ($other)"
    echo "== $label"
    if cmp -s "$work/$b.tsv.labels.tsv" "$work/$b.arrow.labels.tsv"; then echo "labels: identical"; else echo "labels: DIFFER"; status=1; fi
    tw=$(cut -d' ' -f1 "$work/$b.tsv.txt" | median); aw=$(cut -d' ' -f1 "$work/$b.arrow.txt" | median)
    tr=$(cut -d' ' -f2 "$work/$b.tsv.txt" | median); ar=$(cut -d' ' -f2 "$work/$b.arrow.txt" | median)
    echo "median wall: tsv $tw s, arrow $aw s, ratio arrow/tsv $(awk -v a="$aw" -v t="$tw" 'BEGIN { printf "%.3f", a / t }')"
    tc=$(cut -d' ' -f3 "$work/$b.tsv.txt" | median); ac=$(cut -d' ' -f3 "$work/$b.arrow.txt" | median)
    echo "median CPU (user + system): tsv $tc s, arrow $ac s, ratio arrow/tsv $(awk -v a="$ac" -v t="$tc" 'BEGIN { printf "%.3f", a / t }')"
    echo "median peak RSS: tsv $((${tr%.*} / 1024)) MB, arrow $((${ar%.*} / 1024)) MB"
done
if [[ -n "$other" ]] && ! cmp -s "$work/this.arrow.labels.tsv" "$work/other.arrow.labels.tsv"; then echo "labels of the two builds: DIFFER"; status=1; fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
