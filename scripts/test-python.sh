#!/usr/bin/env bash
# The Python package end to end: `pip wheel ./python` (the release build of libTallyC.so inside
# it), installed into a fresh virtual environment, imported and tested from another folder.
#
# What is slow is cached outside the repository (in ../.python-wheel-cache, or $TALLY_PYTHON_CACHE):
# the wheel, keyed by a hash of Package.swift, Sources/ and the package's own files (rebuilt only
# when they change; SwiftPM's release build in .build is reused), and the dependency wheels
# (numpy, pandas, pytest: downloaded once). The venv itself is made fresh on every run and filled
# offline from those two folders.
#
# With TALLY_CROWDKIT_TESTS=<crowd-kit 1.4.2's tests folder> it also runs crowd-kit's own tests
# against the installed package (python/compat/run_crowdkit_tests.py; nothing is fetched here).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
py="${PYTHON:-python3}"
cache="${TALLY_PYTHON_CACHE:-$repo/../.python-wheel-cache}"
mkdir -p "$cache"

wheels="$(scripts/build-wheel.sh)"

deps="$cache/deps"
if [[ ! -f "$deps/.complete" ]]; then
    echo "test-python: downloading numpy, pandas and pytest wheels into $deps"
    mkdir -p "$deps"
    "$py" -m pip download -q -d "$deps" numpy pandas pytest
    touch "$deps/.complete"
fi

venv="$cache/venv"
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/pip" install -q --no-index --find-links "$deps" --find-links "$wheels" tally-crowd pytest

# Import and test from another folder, so only the installed package can be found.
elsewhere="$(mktemp -d)"
trap 'rm -rf "$elsewhere"' EXIT
cd "$elsewhere"
"$venv/bin/python" -c "import tally, tally.aggregation as ta; print('test-python: tally', tally.__version__, 'from', tally.__file__, '-', len(ta.methods()), 'registry methods')"
TALLY_REPO="$repo" TALLY_EXPECT_INSTALLED="$venv" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$elsewhere" "$repo/python/tests"
if [[ -n "${TALLY_CROWDKIT_TESTS:-}" ]]; then
    "$venv/bin/python" "$repo/python/compat/run_crowdkit_tests.py" "$TALLY_CROWDKIT_TESTS" || true
fi
