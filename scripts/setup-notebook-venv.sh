#!/usr/bin/env bash
# Creates the Python environment the notebook tests use, if missing: nbformat (validates the
# .ipynb files `tally report` writes) and vl-convert-python (renders their Vega-Lite charts to
# PNG without a browser). It goes in ../.venv-notebook beside the repository, or in
# $TALLY_NOTEBOOK_VENV; the tests look in the same places and skip, saying why, without it.
# Idempotent: a venv that already imports both packages is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${TALLY_NOTEBOOK_VENV:-$(cd .. && pwd)/.venv-notebook}"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import nbformat, vl_convert" 2>/dev/null; then
  echo "setup-notebook-venv: $venv is ready" >&2
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "setup-notebook-venv: python3 is not on PATH; install Python 3.9+ (and python3-venv)" >&2
  exit 1
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q "nbformat==5.11.1" "vl-convert-python==1.9.0.post1"
"$venv/bin/python" -c "import nbformat, vl_convert" 
echo "setup-notebook-venv: installed nbformat and vl-convert-python in $venv" >&2
