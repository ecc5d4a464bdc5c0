#!/usr/bin/env bash
# End-to-end MV benchmark: tally (release) vs crowd-kit 1.4.2, side by side in one run.
#   Benchmarks/compare-mv.sh [--answers FILE] [--runs N] [--no-build] [--keep]
# Environment: TALLY_REFERENCE_VENV (crowd-kit venv; default <repo>/.venv-reference, then
# <repo>/../.venv-reference), TALLY_BENCH_DATA (where the 10 M set is made; default /tmp/tally-bench),
# TALLY_SHARED_TOOLS (default <repo>/../shared/tools). See compare_mv.py for details.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(command -v python3 || true)"
if [[ -z "$py" ]]; then
    echo "compare-mv: python3 is needed (standard library only)" >&2
    exit 2
fi
exec "$py" "$here/compare_mv.py" "$@"
