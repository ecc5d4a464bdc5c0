#!/usr/bin/env bash
# Arrow interoperability (under a minute): pyarrow 26 and polars read Tally's .arrow files, and
# Tally reads theirs (dictionary-encoded, plain utf8 / large utf8 / string view, int labels,
# several record batches, extra columns, a stream) with the same rows and the same ds labels as
# from TSV; compressed files and nulls are refused with exit 65 (scripts/arrow_interop.py).
# The Python environment is cached outside the repository in ../.venv-arrow (or $TALLY_ARROW_VENV);
# the tally binary is $TALLY_BIN, else .build/debug/tally, else .build/release/tally.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-arrow-venv.sh
venv="${TALLY_ARROW_VENV:-$(cd .. && pwd)/.venv-arrow}"
bin="${TALLY_BIN:-}"
if [[ -z "$bin" ]]; then
    for b in .build/debug/tally .build/release/tally; do [[ -x "$b" ]] && { bin="$b"; break; }; done
fi
[[ -n "$bin" ]] || { echo "test-arrow: build tally first (swift build --product tally)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" scripts/arrow_interop.py "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$work"
