#!/usr/bin/env bash
# Installs what is missing, then builds Tally and runs its whole test suite.
# The parity tests read the real datasets from ../shared/datasets (beside this repository).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The notebook tests validate exported notebooks with nbformat and render their charts with
# vl-convert; their Python environment is cached in ../.venv-notebook (outside the repository).
scripts/setup-notebook-venv.sh
swift build --build-tests
swift test --skip-build
