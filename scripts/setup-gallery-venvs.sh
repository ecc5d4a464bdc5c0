#!/usr/bin/env bash
# Creates (once) the environments scripts/run-toloka-gallery.sh runs toloka-kit's example notebooks
# in, OUTSIDE the repository:
#
#   ../.venv-gallery      the 0.1.26 test environment's pins + scripts/toloka-gallery-extra-0.1.26.txt
#   ../.venv-gallery-123  the 1.2.3 test environment's pins + scripts/toloka-gallery-extra-1.2.3.txt
#
# Separate from ../.venv-toloka and ../.venv-toloka-123 so that the notebooks' extra pins (Dash 2,
# crowd-kit 1.1.0) never change what the end-to-end tests run. Everything comes from PyPI, pinned.
# Idempotent: an environment whose marker matches its requirement files' checksum is kept.
# Usage: scripts/setup-gallery-venvs.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
parent="$(dirname "$here")"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
    for candidate in python3.11 python3.10 python3; do
        if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
    done
fi
[[ -n "$python" ]] || { echo "setup-gallery-venvs: no python3 found" >&2; exit 1; }

make_venv() {  # make_venv DIR BASE_REQUIREMENTS EXTRA_REQUIREMENTS
    local dir="$1" base="$2" extra="$3"
    local sum; sum="$(cat "$base" "$extra" | sha256sum | cut -d' ' -f1)"
    if [[ -x "$dir/bin/python" && -f "$dir/.tally-requirements.sha256" && "$(cat "$dir/.tally-requirements.sha256")" == "$sum" ]]; then
        echo "setup-gallery-venvs: $dir is up to date" >&2
        return 0
    fi
    echo "setup-gallery-venvs: creating $dir" >&2
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --upgrade pip
    "$dir/bin/python" -m pip install --quiet -r "$base"
    "$dir/bin/python" -m pip install --quiet -r "$extra"
    echo "$sum" > "$dir/.tally-requirements.sha256"
    echo "setup-gallery-venvs: ready: $dir" >&2
}

make_venv "$parent/.venv-gallery" "$here/scripts/toloka-kit-0.1.26-requirements.txt" "$here/scripts/toloka-gallery-extra-0.1.26.txt"
make_venv "$parent/.venv-gallery-123" "$here/scripts/toloka-kit-1.2.3-requirements.txt" "$here/scripts/toloka-gallery-extra-1.2.3.txt"
