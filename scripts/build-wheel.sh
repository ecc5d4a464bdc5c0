#!/usr/bin/env bash
# Builds the Python package's wheel (the release build of libTallyC.so inside it) once per state of
# the sources, caches it outside the repository, and prints the folder that holds it.
#
# The cache is ../.python-wheel-cache (or $TALLY_PYTHON_CACHE); the wheel is keyed by a hash of
# Package.swift, Sources/ and the package's own files, and SwiftPM's release build in .build is
# reused. Used by scripts/test-python.sh and scripts/test-spark.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
py="${PYTHON:-python3}"
cache="${TALLY_PYTHON_CACHE:-$repo/../.python-wheel-cache}"
mkdir -p "$cache"

key="$( (sha1sum Package.swift; find Sources python -type f \
          -not -path 'python/tests/*' -not -path 'python/tests_spark/*' -not -path 'python/compat/*' -not -path 'python/build/*' \
          -not -path '*/__pycache__/*' -not -path '*.egg-info/*' -not -path 'python/src/tally/_native/*' -print0 \
        | sort -z | xargs -0 sha1sum) | sha1sum | cut -c1-16)"
wheels="$cache/wheel-$key"
if ! ls "$wheels"/tally_crowd-*.whl >/dev/null 2>&1; then
    echo "build-wheel: building the wheel (release build of libTallyC.so) into $wheels" >&2
    rm -rf "$wheels.tmp" && mkdir -p "$wheels.tmp"
    TALLY_SWIFT_SCRATCH="$repo/.build" "$py" -m pip wheel ./python --no-deps -w "$wheels.tmp" >&2
    rm -rf python/build python/src/*.egg-info
    mv "$wheels.tmp" "$wheels"
    # Keep the newest few wheels only.
    ls -dt "$cache"/wheel-* | tail -n +4 | xargs -r rm -rf
fi
echo "$wheels"
