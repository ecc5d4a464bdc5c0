#!/usr/bin/env bash
# GLAD, MACE, M-MSR and KOS: tally (release) against crowd-kit 1.4.2 side by side (see compare_methods.py).
#   Benchmarks/compare-methods.sh [--methods glad,mace,mmsr,kos] [--big] [--tally-only] [--no-build] [--timeout S]
# Environment: TALLY_REFERENCE_VENV, TALLY_BENCH_DATA, TALLY_SHARED_TOOLS (see compare_methods.py).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(command -v python3 || true)"
if [[ -z "$py" ]]; then
    echo "compare-methods: python3 is needed (standard library only)" >&2
    exit 2
fi
exec "$py" "$here/compare_methods.py" "$@"
