#!/usr/bin/env bash
# Runs toloka-kit's example notebooks against a fresh `tally emulator serve` each, under the
# toloka-kit version each pins, and prints pass/fail per notebook (see scripts/toloka_gallery.py).
#
#   scripts/run-toloka-gallery.sh EXAMPLES_DIR [--only NAME ...] [--keep DIR]
#
# EXAMPLES_DIR is a checkout of toloka-kit's examples/ folder, fetched beforehand (never committed),
# e.g. `git clone --depth 1 https://github.com/Toloka/toloka-kit /tmp/toloka-kit` then
# /tmp/toloka-kit/examples. Needs ../.venv-toloka and ../.venv-toloka-123 (scripts/setup-toloka-venv.sh
# --with-123), ../.venv-gallery and ../.venv-gallery-123 (scripts/setup-gallery-venvs.sh; the test
# environments are used when they are missing) and ../.venv-notebook (nbformat;
# scripts/setup-notebook-venv.sh). Builds `tally` (debug)
# unless $TALLY names one.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
parent="$(dirname "$here")"
[[ $# -ge 1 ]] || { echo "usage: $0 EXAMPLES_DIR [--only NAME ...] [--keep DIR]" >&2; exit 64; }
examples="$1"; shift
[[ -d "$examples" ]] || { echo "run-toloka-gallery: no folder $examples" >&2; exit 66; }
tally="${TALLY:-}"
if [[ -z "$tally" ]]; then
    (cd "$here" && swift build -j 2 --product tally >&2)
    tally="$here/.build/debug/tally"
fi
python="${GALLERY_PYTHON:-$parent/.venv-notebook/bin/python}"
# The gallery's own environments (scripts/setup-gallery-venvs.sh: the test environments plus the
# notebooks' pinned extras), else the test environments.
venv0126="${TALLY_GALLERY_VENV:-$parent/.venv-gallery}"; [[ -x "$venv0126/bin/python" ]] || venv0126="${TALLY_TOLOKA_VENV:-$parent/.venv-toloka}"
venv123="${TALLY_GALLERY_VENV_123:-$parent/.venv-gallery-123}"; [[ -x "$venv123/bin/python" ]] || venv123="${TALLY_TOLOKA_VENV_123:-$parent/.venv-toloka-123}"
exec "$python" "$here/scripts/toloka_gallery.py" --examples "$examples" --tally "$tally" \
    --venv-0126 "$venv0126" --venv-123 "$venv123" "$@"
