#!/usr/bin/env bash
# EBCC: tally (release) against the authors' code/ebcc.py, 40 restarts on the notebook's 17 data sets, side by side
# (see compare_ebcc.py).
#   Benchmarks/compare-ebcc.sh --reference DIR [--python PY] [--restarts 40] [--seed 1234] [--repeat 3] [--sets a,b] [--no-build]
# DIR: a checkout of yuan-li/truth-inference-at-scale (commit 621789b); PY: a python with numpy and scipy.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(command -v python3 || true)"
if [[ -z "$py" ]]; then
    echo "compare-ebcc: python3 is needed (standard library only; the reference runs under --python)" >&2
    exit 2
fi
exec "$py" "$here/compare_ebcc.py" "$@"
