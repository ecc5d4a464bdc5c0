#!/usr/bin/env bash
# Creates the Python environment the Arrow interoperability test uses, if missing: pyarrow 26.0.1
# and polars 2.1.0 (the test oracles for Tally's .arrow files). It goes in ../.venv-arrow beside the
# repository, or in $TALLY_ARROW_VENV. Idempotent: a venv that already has both is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${TALLY_ARROW_VENV:-$(cd .. && pwd)/.venv-arrow}"
want="import pyarrow, polars; assert pyarrow.__version__ == '26.0.1' and polars.__version__ == '2.1.0'"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$want" 2>/dev/null; then
  echo "setup-arrow-venv: $venv is ready" >&2
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "setup-arrow-venv: python3 is not on PATH; install Python 3.10+ (and python3-venv)" >&2
  exit 1
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q "pyarrow==26.0.1" "polars==2.1.0"
"$venv/bin/python" -c "$want"
echo "setup-arrow-venv: installed pyarrow 26.0.1 and polars 2.1.0 in $venv" >&2
