#!/usr/bin/env bash
# ROVER benchmark: tally rover (release) vs crowd-kit 1.4.2's ROVER, side by side in one run, on
# generated transcriptions (100 k by default).
#   Benchmarks/compare-rover.sh [--transcriptions N] [--overlap K] [--runs N] [--no-build]
# Environment: TALLY_REFERENCE_VENV (crowd-kit venv; default <repo>/.venv-reference, then
# <repo>/../.venv-reference), TALLY_BENCH_DATA (where the set is made; default /tmp/tally-bench).
# See compare_rover.py for details.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(command -v python3 || true)"
if [[ -z "$py" ]]; then
    echo "compare-rover: python3 is needed (standard library only)" >&2
    exit 2
fi
exec "$py" "$here/compare_rover.py" "$@"
