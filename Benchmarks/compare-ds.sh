#!/usr/bin/env bash
# Dawid-Skene benchmark: tally (release) EM iteration time vs the memory-bandwidth floor and
# crowd-kit 1.4.2, plus end to end vs crowd-kit, for K = 2 and K = 10 in one run (~10 minutes).
#   Benchmarks/compare-ds.sh [--classes 2,10] [--answers FILE ...] [--iterations N] [--runs N]
#                            [--ck-forced] [--tally-only] [--no-build] [--keep]
# Needs cc (for stream_bw.c; numpy fallback) and GNU time.
# Environment: TALLY_REFERENCE_VENV (crowd-kit venv; default <repo>/.venv-reference, then
# <repo>/../.venv-reference), TALLY_BENCH_DATA (where the 10 M sets are made; default /tmp/tally-bench),
# TALLY_SHARED_TOOLS (default <repo>/../shared/tools). See compare_ds.py for details.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(command -v python3 || true)"
if [[ -z "$py" ]]; then
    echo "compare-ds: python3 is needed (standard library only)" >&2
    exit 2
fi
exec "$py" "$here/compare_ds.py" "$@"
