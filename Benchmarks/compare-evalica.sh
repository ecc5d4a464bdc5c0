#!/usr/bin/env bash
# The evalica family: tally counting / win-rate / elo / eigen / pagerank / newman / evalica-bt
# (release) vs evalica 0.4.2 (Rust core), side by side in one run, on the comparisons of
# compare-pairwise.sh (1 M by default).
#   Benchmarks/compare-evalica.sh [--comparisons N] [--items N] [--workers N] [--runs N] [--methods a,b] [--no-build]
# Environment: TALLY_EVALICA_VENV (default /work/.venv-evalica), TALLY_BENCH_DATA (default /tmp/tally-bench).
# See compare_evalica.py for details.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(command -v python3 || true)"
if [[ -z "$py" ]]; then
    echo "compare-evalica: python3 is needed (standard library only)" >&2
    exit 2
fi
exec "$py" "$here/compare_evalica.py" "$@"
