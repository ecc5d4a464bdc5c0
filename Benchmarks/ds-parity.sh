#!/usr/bin/env bash
# Dawid-Skene bits against another build: runs `tally aggregate --method ds` (labels and
# --probabilities) with two binaries on every categorical data set under DATASETS (and on any
# extra answers files given), then compares the outputs byte for byte (cmp); where they differ,
# counts the tasks with different labels and the largest |Δp| (python3, standard library).
#   Benchmarks/ds-parity.sh BASE_TALLY NEW_TALLY [--datasets DIR] [--method ds] [--extra FILE ...]
#                           [-- more tally aggregate options]
# Exit status: 0 every output identical, 1 some differ, 2 could not run.
set -euo pipefail
base="${1:?usage: ds-parity.sh BASE_TALLY NEW_TALLY [--datasets DIR] [--method M] [--extra FILE ...] [-- OPTIONS]}"
new="${2:?usage: ds-parity.sh BASE_TALLY NEW_TALLY ...}"
shift 2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
datasets="$here/../../shared/datasets"
method=ds
extra=()
opts=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --datasets) datasets="$2"; shift 2 ;;
        --method) method="$2"; shift 2 ;;
        --extra) extra+=("$2"); shift 2 ;;
        --) shift; opts=("$@"); break ;;
        *) echo "ds-parity: unknown argument $1" >&2; exit 2 ;;
    esac
done
work="$(mktemp -d "${TMPDIR:-/tmp}/ds-parity.XXXXXX")"
trap 'rm -rf "$work"' EXIT
files=()
for d in "$datasets"/*/; do [[ -f "$d/answers.tsv" ]] && files+=("$d/answers.tsv"); done
files+=("${extra[@]}")
status=0 same=0 differ=0 skipped=0
for f in "${files[@]}"; do
    name="$(basename "$(dirname "$f")")/$(basename "$f")"
    ok=1
    for which in base new; do
        bin="$base"; [[ $which == new ]] && bin="$new"
        if ! "$bin" aggregate --method "$method" --quiet "$f" --out "$work/$which.labels.tsv" \
             --probabilities "$work/$which.p.tsv" "${opts[@]}" 2>"$work/$which.err"; then
            ok=0
            echo "$name: $which failed: $(tail -1 "$work/$which.err")"
        fi
    done
    if [[ $ok == 0 ]]; then skipped=$((skipped + 1)); continue; fi
    if cmp -s "$work/base.labels.tsv" "$work/new.labels.tsv" && cmp -s "$work/base.p.tsv" "$work/new.p.tsv"; then
        same=$((same + 1))
        echo "$name: identical (labels $(wc -l <"$work/new.labels.tsv") lines, probabilities $(wc -l <"$work/new.p.tsv") lines)"
    else
        differ=$((differ + 1)); status=1
        python3 - "$work" "$name" <<'PY'
import csv, sys
work, name = sys.argv[1], sys.argv[2]
def rows(path):
    with open(path, newline="") as f:
        r = csv.reader(f, delimiter="\t"); header = next(r); return header, {row[0]: row[1:] for row in r}
_, lb = rows(f"{work}/base.labels.tsv"); _, ln = rows(f"{work}/new.labels.tsv")
hb, pb = rows(f"{work}/base.p.tsv"); hn, pn = rows(f"{work}/new.p.tsv")
labels = sum(1 for t in lb if lb[t] != ln.get(t))
dp = max((abs(float(a) - float(b)) for t in pb for a, b in zip(pb[t], pn.get(t, []))), default=float("nan"))
print(f"{name}: DIFFER: {labels} of {len(lb)} tasks with another label, max |dp| {dp:.3g}")
PY
    fi
done
echo "ds-parity: $same identical, $differ differing, $skipped not run (method $method)"
exit $status
