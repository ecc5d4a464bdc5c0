#!/usr/bin/env bash
# Installs what is missing, then builds Tally and runs its whole test suite.
# The parity tests read the real datasets from ../shared/datasets (beside this repository).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build
