#!/usr/bin/env bash
# Creates the Python environment the Spark tests use, if missing: pyspark 4.x (which bundles
# Spark's jars and spark-class), pyarrow (Parquet), numpy, pandas and pytest. It goes in
# ../.venv-spark beside the repository, or in $TALLY_SPARK_VENV. Java 17 must be on PATH
# (apt-get install openjdk-17-jre-headless; .ci/run installs it where missing).
# Idempotent: a venv that already imports pyspark 4 and pyarrow is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${TALLY_SPARK_VENV:-$(cd .. && pwd)/.venv-spark}"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import pyspark, pyarrow, pandas, pytest; assert pyspark.__version__.startswith('4.')" 2>/dev/null; then
  echo "setup-spark-venv: $venv is ready" >&2
  exit 0
fi
if ! command -v java >/dev/null 2>&1; then
  echo "setup-spark-venv: java is not on PATH; install Java 17 (apt-get install openjdk-17-jre-headless)" >&2
  exit 1
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q "pyspark==4.0.1" "pyarrow>=15" "numpy>=1.22" "pandas>=2.0" "pytest"
"$venv/bin/python" -c "import pyspark, pyarrow; print('setup-spark-venv: pyspark', pyspark.__version__, 'pyarrow', pyarrow.__version__)" >&2
