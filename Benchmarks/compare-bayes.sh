#!/usr/bin/env bash
# IBCC and BWA against the authors' reference code (yuan-li/truth-inference-at-scale) on every
# categorical data set: parity and fit time side by side (see compare_bayes.py).
#   Benchmarks/compare-bayes.sh --reference CHECKOUT [--sets a,b] [--methods ibcc,bwa] [--runs N] [--no-build] [--out FILE]
# Environment: TALLY_BAYES_PYTHON, a python with numpy and scipy (default ../venv-ibcc/bin/python
# beside the repository, else python3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${TALLY_BAYES_PYTHON:-}"
if [[ -z "$py" && -x "$here/../../venv-ibcc/bin/python" ]]; then py="$here/../../venv-ibcc/bin/python"; fi
py="${py:-python3}"
exec "$py" "$here/compare_bayes.py" "$@"
