#!/usr/bin/env bash
# Creates (once) the Python environments the emulator's end-to-end tests use, OUTSIDE the repository:
#
#   ../.venv-toloka      toloka-kit 0.1.26 + crowd-kit 1.0.0, pinned by scripts/toloka-kit-0.1.26-requirements.txt
#   ../.venv-toloka-123  toloka-kit 1.2.3 + crowd-kit 1.0.0 (pins in scripts/toloka-kit-1.2.3-requirements.txt), with --with-123
#
# Idempotent: an environment whose marker file matches the requirements' checksum is kept as is.
# Usage: scripts/setup-toloka-venv.sh [--with-123] [--only-123]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
parent="$(dirname "$here")"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
    for candidate in python3.11 python3.10 python3; do
        if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
    done
fi
[[ -n "$python" ]] || { echo "setup-toloka-venv: no python3 found" >&2; exit 1; }

make_venv() {  # make_venv DIR REQUIREMENTS
    local dir="$1" req="$2"
    [[ -f "$req" ]] || { echo "setup-toloka-venv: missing $req" >&2; return 1; }
    local sum; sum="$(sha256sum "$req" | cut -d' ' -f1)"
    if [[ -x "$dir/bin/python" && -f "$dir/.tally-requirements.sha256" && "$(cat "$dir/.tally-requirements.sha256")" == "$sum" ]]; then
        echo "setup-toloka-venv: $dir is up to date" >&2
        return 0
    fi
    echo "setup-toloka-venv: creating $dir from $req with $python" >&2
    # The marker is written last, so an interrupted install is redone from scratch next time.
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --upgrade pip
    "$dir/bin/python" -m pip install --quiet -r "$req"
    echo "$sum" > "$dir/.tally-requirements.sha256"
    echo "setup-toloka-venv: ready: $dir" >&2
}

with123=0; only123=0
for arg in "$@"; do
    case "$arg" in
        --with-123) with123=1 ;;
        --only-123) with123=1; only123=1 ;;
        *) echo "usage: $0 [--with-123] [--only-123]" >&2; exit 2 ;;
    esac
done
if [[ $only123 == 0 ]]; then
    make_venv "$parent/.venv-toloka" "${SEED_REQUIREMENTS:-$here/scripts/toloka-kit-0.1.26-requirements.txt}"
fi
if [[ $with123 == 1 ]]; then
    make_venv "$parent/.venv-toloka-123" "$here/scripts/toloka-kit-1.2.3-requirements.txt"
fi
