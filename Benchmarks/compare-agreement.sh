#!/usr/bin/env bash
# Krippendorff's alpha: tally (release) vs crowd-kit 1.4.2, side by side in one run.
#   Benchmarks/compare-agreement.sh [--answers FILE] [--runs N] [--no-build] [--keep]
# Environment as compare-mv.sh (TALLY_REFERENCE_VENV, TALLY_BENCH_DATA, TALLY_SHARED_TOOLS).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(command -v python3 || true)"
if [[ -z "$py" ]]; then
    echo "compare-agreement: python3 is needed (standard library only)" >&2
    exit 2
fi
exec "$py" "$here/compare_agreement.py" "$@"
