#!/usr/bin/env bash
# GLAD on every categorical data set with two `tally` binaries (say main's and this branch's),
# side by side: per set the labels that differ, the largest probability difference, each binary's
# fit time as it reports it, and the same answers with their rows shuffled through the second
# binary (an order-free fit gives the same bits). Prints one TSV row per set.
#
#   scripts/glad-exact-sweep.sh BEFORE/tally AFTER/tally [DATASETS_DIR]
#
# DATASETS_DIR defaults to ../shared/datasets (answers.tsv per set; vldb-emotion, numeric, is left out).
set -euo pipefail
before="$1"; after="$2"
data="${3:-$(cd "$(dirname "$0")/../.." && pwd)/shared/datasets}"
work="$(mktemp -d -t glad-sweep-XXXXXX)"
trap 'rm -rf "$work"' EXIT
printf 'set\tanswers\tlabels_differ\tmax_dp\tbefore_s\tafter_s\tshuffled_labels_differ\tshuffled_max_dp\n'
for dir in "$data"/*/; do
    name="$(basename "$dir")"
    [[ -f "$dir/answers.tsv" && "$name" != vldb-emotion ]] || continue
    fit() {  # binary, answers, output prefix -> prints the fit seconds
        "$1" aggregate "$2" --method glad --out "$3.labels.tsv" --probabilities "$3.p.tsv" 2>&1 \
            | sed -n 's/^glad: fitted in \([0-9.]*\) s.*/\1/p'
    }
    tb="$(fit "$before" "$dir/answers.tsv" "$work/b")"
    ta="$(fit "$after" "$dir/answers.tsv" "$work/a")"
    { head -1 "$dir/answers.tsv"; tail -n +2 "$dir/answers.tsv" | shuf --random-source=<(yes 18); } > "$work/shuffled.tsv"
    fit "$after" "$work/shuffled.tsv" "$work/s" >/dev/null
    python3 - "$name" "$work" "$tb" "$ta" "$(($(wc -l < "$dir/answers.tsv") - 1))" <<'EOF'
import csv, sys
name, work, tb, ta, n = sys.argv[1:]
def read(prefix):
    with open(f"{work}/{prefix}.p.tsv") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    header = rows[0]
    p = {r[0]: dict(zip(header[1:], map(float, r[1:]))) for r in rows[1:]}
    with open(f"{work}/{prefix}.labels.tsv") as f:
        labels = {r[0]: r[1] for r in list(csv.reader(f, delimiter="\t"))[1:]}
    return p, labels
def diff(x, y):
    (px, lx), (py, ly) = x, y
    labels = sum(lx[t] != ly[t] for t in lx)
    dp = max(abs(px[t][c] - py[t][c]) for t in px for c in px[t])
    return labels, dp
b, a, s = read("b"), read("a"), read("s")
l1, d1 = diff(b, a)
l2, d2 = diff(a, s)
print(f"{name}\t{n}\t{l1}\t{d1:.3g}\t{tb}\t{ta}\t{l2}\t{d2:.3g}")
EOF
done
