#!/usr/bin/env bash
# DawidSkene(n_iter=20).fit_predict(df) on a 10 M-row DataFrame: tally.aggregation vs crowd-kit 1.4.2,
# each run in its own process (see compare_python_ds.py). Builds libTallyC.so (release) first.
#   Benchmarks/compare-python-ds.sh [--answers FILE.tsv] [--tally-runs N] [--ck-runs N] [--no-build]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
if [[ "${1:-}" == "--no-build" ]]; then shift; else swift build -c release -j 2 --product TallyC; fi
exec python3 "$here/compare_python_ds.py" "$@"
