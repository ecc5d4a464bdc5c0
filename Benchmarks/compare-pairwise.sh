#!/usr/bin/env bash
# Pairwise benchmark: tally bt / noisy-bt (release) vs crowd-kit 1.4.2's BradleyTerry and
# NoisyBradleyTerry, side by side in one run, on generated comparisons (1 M by default).
#   Benchmarks/compare-pairwise.sh [--comparisons N] [--items N] [--workers N] [--runs N]
#                                  [--noisy-iterations K] [--no-build]
# Environment: TALLY_REFERENCE_VENV (crowd-kit venv; default <repo>/.venv-reference, then
# <repo>/../.venv-reference), TALLY_BENCH_DATA (where the set is made; default /tmp/tally-bench).
# See compare_pairwise.py for details.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(command -v python3 || true)"
if [[ -z "$py" ]]; then
    echo "compare-pairwise: python3 is needed (standard library only)" >&2
    exit 2
fi
exec "$py" "$here/compare_pairwise.py" "$@"
