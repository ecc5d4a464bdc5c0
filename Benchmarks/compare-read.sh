#!/usr/bin/env bash
# Reading throughput of `tally aggregate`: the time of its "read N answers … (X s)" line (parsing,
# interning and the table's task and worker views) for an answers file, as MB/s of the file, and
# the whole DS run's wall time, for one or two tally binaries in alternation (A, B, A, B, …).
#   Benchmarks/compare-read.sh [ANSWERS] [RUNS] [TALLY_A] [TALLY_B]
# The throughput (issue 17's "TSV ingestion at 400 MB/s"): the file's size in bytes divided by the
# wall time of the read line — from the command's start of reading to a complete answer table
# (parse, intern, table build), on THREADS threads (default 2: `--threads 2`), page cache warm
# (the file is read once first); the median of RUNS runs, with the load average printed per run.
# Default answers: the 10 M-answer K = 2 TSV of compare-ds.sh; default binary .build/release/tally.
# Prints every run, then per binary the medians of the read seconds, the MB/s, the DS wall time and
# the whole run's CPU time (user + system),
# with the load average before and after (quote it: the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:-${TALLY_BENCH_DATA:-/tmp/tally-bench}/synth-t1000000-w10000-o10-k2-s1/answers.tsv}"
runs="${2:-5}"
threads="${THREADS:-2}"
bins=("${3:-.build/release/tally}")
[[ $# -ge 4 ]] && bins+=("$4")
for b in "${bins[@]}"; do [[ -x "$b" ]] || { echo "compare-read: no binary $b (swift build -c release --product tally)" >&2; exit 2; }; done
[[ -f "$file" ]] || { echo "compare-read: no $file (Benchmarks/compare-ds.sh makes it)" >&2; exit 2; }
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null   # warm the page cache
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "file: $file ($bytes bytes); $threads threads; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
    for j in "${!bins[@]}"; do
        start=$(date +%s.%N)
        /usr/bin/time -f "%U %S" -o "$work/cpu" "${bins[$j]}" aggregate "$file" --method ds --threads "$threads" --out "$work/labels.$j.tsv" 2> "$work/err" > /dev/null
        end=$(date +%s.%N)
        read_s=$(sed -n 's/^read [0-9]* answers.*(\([0-9.]*\) s).*/\1/p' "$work/err" | head -1)
        wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
        cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$work/cpu")
        echo "$read_s $wall $cpu" >> "$work/times.$j"
        echo "run $i, ${bins[$j]}: read $read_s s ($(awk -v b="$bytes" -v s="$read_s" 'BEGIN { printf "%.0f", b / s / 1e6 }') MB/s), ds end to end $wall s, CPU $cpu s; load $(cut -d' ' -f1 /proc/loadavg)"
    done
done
for j in "${!bins[@]}"; do
    r=$(cut -d' ' -f1 "$work/times.$j" | median); w=$(cut -d' ' -f2 "$work/times.$j" | median); c=$(cut -d' ' -f3 "$work/times.$j" | median)
    echo "median ${bins[$j]}: read $r s = $(awk -v b="$bytes" -v s="$r" 'BEGIN { printf "%.0f", b / s / 1e6 }') MB/s; ds end to end $w s; CPU $c s"
done
[[ ${#bins[@]} -eq 2 ]] && { cmp -s "$work/labels.0.tsv" "$work/labels.1.tsv" && echo "labels: identical" || echo "labels: DIFFER"; }
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
