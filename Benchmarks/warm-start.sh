#!/usr/bin/env bash
# Dawid-Skene warm start: a fit saved with --save-model, 5 % more answers, then a cold fit and a
# fit from --init-model on all of them; compares labels and iteration counts. See warm_start.py.
#   Benchmarks/warm-start.sh [--tasks N] [--overlap N] [--classes K] [--mix M] [--new F] [--method ds|onecoin-ds]
#                            [--base-tolerance T] [--reference N] [--sweep N] [--no-build]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/warm_start.py" "$@"
