#!/usr/bin/env bash
# Installs what is missing, then builds Tally and runs its whole test suite.
# The parity tests read the real data sets in datasets/real (and, for the sets not shipped there,
# an outside copy at $TALLY_DATASETS or ../shared/datasets when one exists).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The notebook tests validate exported notebooks with nbformat and render their charts with
# vl-convert; their Python environment is cached in ../.venv-notebook (outside the repository).
scripts/setup-notebook-venv.sh
# The emulator's end-to-end tests run the original notebook's Python (toloka-kit 0.1.26 and 1.2.3)
# against `tally emulator serve`; their environments are cached in ../.venv-toloka*.
scripts/setup-toloka-venv.sh --with-123
swift build --build-tests
swift test --skip-build
# The Python package (python/): its wheel built once and cached in ../.python-wheel-cache, installed
# into a fresh venv and tested from another folder (tally.aggregation, parity, bad input, the C ABI).
scripts/test-python.sh
# Arrow interoperability: pyarrow 26 and polars (cached in ../.venv-arrow) read Tally's .arrow
# files and Tally reads theirs, with the same rows and ds labels as from TSV (scripts/arrow_interop.py).
scripts/test-arrow.sh
# tally.spark on a local standalone Spark cluster (master and two workers on 127.0.0.1, started and
# stopped by the script): pyspark 4 in ../.venv-spark, the wheel shipped to executors, every
# categorical data set and 1 M synthetic answers from Parquet, one worker killed during a run.
scripts/test-spark.sh
