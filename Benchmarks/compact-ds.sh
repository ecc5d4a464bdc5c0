#!/usr/bin/env bash
# Dawid-Skene on the compact table at scale (issue 17): draws a synthetic crowd with `tally synth`
# (known truth), runs `tally aggregate --method ds` on its .arrow file under GNU time, and prints
# the wall time, the peak RSS, the resident bytes per answer and the accuracy against the truth.
#   Benchmarks/compact-ds.sh ANSWERS [--classes K] [--workers W] [--overlap R] [--seed S]
#                            [--compact auto|always|never] [--also-full] [--dir DIR] [--keep] [--no-build]
# --also-full runs the full table too (--compact never) and checks that the labels are identical.
# Big runs: wrap in `flock /tmp/tally-bigrun.lock` and check `free -g` first (10^9 answers: ~13 GB
# of .arrow, ~4.5 GB resident). Needs GNU time (/usr/bin/time).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
answers="${1:?usage: compact-ds.sh ANSWERS [options]}"; shift
classes=2 workers=10000 overlap=10 seed=1 compact=always also_full=0 keep=0 build=1
dir="${TALLY_BENCH_DATA:-/tmp/tally-bench}/compact-$answers"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --classes) classes="$2"; shift 2 ;;
        --workers) workers="$2"; shift 2 ;;
        --overlap) overlap="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --compact) compact="$2"; shift 2 ;;
        --also-full) also_full=1; shift ;;
        --dir) dir="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --no-build) build=0; shift ;;
        *) echo "compact-ds: unknown option $1" >&2; exit 2 ;;
    esac
done
cd "$repo"
if [[ $build == 1 ]]; then swift build -j 2 -c release --product tally >&2; fi
tally="$repo/.build/release/tally"
mkdir -p "$dir"
echo "load: $(uptime)"
echo "free: $(free -g | awk '/Mem:/ {print $2 " GB total, " $7 " GB available"}')"
if [[ ! -f "$dir/answers.arrow" ]]; then
    /usr/bin/time -f "synth: %e s wall, peak RSS %M KB" "$tally" synth --answers "$answers" --classes "$classes" \
        --workers "$workers" --overlap "$overlap" --seed "$seed" --out-dir "$dir" >&2
fi
echo "arrow file: $(du -BM "$dir/answers.arrow" | cut -f1)"
run() {  # run MODE OUT
    /usr/bin/time -v -o "$dir/time-$1.txt" "$tally" aggregate "$dir/answers.arrow" --method ds --compact "$1" --out "$2" 2> "$dir/stderr-$1.txt"
    grep -v '^\s*$' "$dir/stderr-$1.txt" | sed "s/^/  [$1] /"
    awk -v m="$1" '/Elapsed \(wall clock\)/ {w=$NF} /Maximum resident set size/ {r=$NF} /Percent of CPU/ {c=$NF}
        END {printf "  [%s] wall %s, peak RSS %.2f GB (%d KB), CPU %s\n", m, w, r/1048576, r, c}' "$dir/time-$1.txt"
    paste "$2" "$dir/gold.tsv" | awk -F'\t' -v m="$1" 'NR > 1 { if ($1 != $3) bad++; n++; if ($2 == $4) c++ }
        END { printf "  [%s] accuracy against the truth: %.6f (%d of %d tasks; %d task-name mismatches)\n", m, c/n, c, n, bad+0 }'
}
run "$compact" "$dir/labels-$compact.tsv"
if [[ $also_full == 1 ]]; then
    run never "$dir/labels-never.tsv"
    if cmp -s "$dir/labels-$compact.tsv" "$dir/labels-never.tsv"; then echo "labels: identical to the full table's"; else echo "labels: DIFFER from the full table's"; fi
fi
if [[ $keep == 0 ]]; then rm -rf "$dir"; fi
