#!/usr/bin/env bash
# tally.spark end to end on a local standalone Spark cluster: a master and two workers (one core
# and 2 GB each) on 127.0.0.1, started here and stopped at the end even on failure. The package's
# wheel is shipped to the executors (sc.addPyFile of the wheel under a .zip name); executors and
# driver run ../.venv-spark's Python (pyspark 4, pyarrow, numpy, pandas; scripts/setup-spark-venv.sh),
# which does not have tally installed. python/tests_spark checks ds, onecoin-ds, mv, wawa and glad
# against single-machine Tally on every categorical data set (barrier mode on all 23, the default
# mode on six, GLAD's on two; TALLY_SPARK_DEFAULT_SETS=all, TALLY_SPARK_GLAD_SETS=all for every
# set) and on a synthetic set read from Parquet, and kills one worker during a DS and a GLAD run
# (default mode) and during a DS and a GLAD fit in barrier mode (there the test starts a replacement
# worker, as a cluster manager would: a barrier stage needs all its slots at once).
#
#   scripts/test-spark.sh                 # CI size: 1 M synthetic answers
#   TALLY_SPARK_ANSWERS=10000000 scripts/test-spark.sh    # the 10 M-answer check (long)
#   TALLY_SPARK_ANSWERS=10000000 TALLY_SPARK_SYNTHETIC_GLAD=1 TALLY_SPARK_WORKER_MEMORY=3g TALLY_SPARK_EXECUTOR_MEMORY=3g \
#     flock /tmp/tally-bigrun.lock scripts/test-spark.sh -k synthetic_parquet    # every method at 10 M (not in CI)
#   scripts/test-spark.sh --bench FILE.parquet [PARTITIONS]  # Benchmarks/spark/bench_spark.py on the cluster
#
# Needs Java 17 (apt-get install openjdk-17-jre-headless).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
answers="${TALLY_SPARK_ANSWERS:-1000000}"
partitions="${TALLY_SPARK_PARTITIONS:-4}"

scripts/setup-spark-venv.sh
venv="${TALLY_SPARK_VENV:-$(cd .. && pwd)/.venv-spark}"
py="$venv/bin/python"
# TALLY_SPARK_WHEEL: an already built wheel (skips the release build), e.g. for a long benchmark.
if [[ -n "${TALLY_SPARK_WHEEL:-}" ]]; then
    wheel="$TALLY_SPARK_WHEEL"
else
    wheels="$(scripts/build-wheel.sh)"
    wheel="$(ls "$wheels"/tally_crowd-*.whl | head -1)"
fi

work="$(mktemp -d -t tally-spark-XXXXXX)"
pids=()
cleanup() {
    local rc=$?
    for pid in "${pids[@]}"; do
        # The daemons and what they started (executors), by process id.
        for child in $(pgrep -P "$pid" 2>/dev/null || true); do kill "$child" 2>/dev/null || true; done
        kill "$pid" 2>/dev/null || true
    done
    # Workers the tests started (replacements for killed ones), one pid a line.
    if [[ -f "$work/extra-pids" ]]; then
        while read -r pid; do
            for child in $(pgrep -P "$pid" 2>/dev/null || true); do kill "$child" 2>/dev/null || true; done
            kill "$pid" 2>/dev/null || true
        done <"$work/extra-pids"
    fi
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ $rc -ne 0 ]]; then
        echo "test-spark: failed; daemon logs:" >&2
        tail -n 30 "$work"/*.log >&2 || true
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT

cp "$wheel" "$work/tally-wheel.zip"
spark_home="$("$py" -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')"
export SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1 SPARK_LOG_DIR="$work/logs" SPARK_WORKER_DIR="$work/workers"
export PYSPARK_PYTHON="$py" PYSPARK_DRIVER_PYTHON="$py"
port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
master="spark://127.0.0.1:$port"

"$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 \
    >"$work/master.log" 2>&1 &
pids+=($!)
for i in 1 2; do
    "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker "$master" --host 127.0.0.1 --cores 1 --memory "${TALLY_SPARK_WORKER_MEMORY:-2g}" \
        --webui-port 0 --work-dir "$work/worker$i" >"$work/worker$i.log" 2>&1 &
    pids+=($!)
done
for _ in $(seq 1 120); do
    [[ $(grep -c "Successfully registered with master" "$work"/worker*.log 2>/dev/null | awk -F: '{s+=$2} END {print s+0}') -ge 2 ]] && break
    sleep 1
done
grep -q "Successfully registered with master" "$work/worker1.log" && grep -q "Successfully registered with master" "$work/worker2.log" \
    || { echo "test-spark: the workers did not register with $master" >&2; exit 1; }
echo "test-spark: master $master, workers ${pids[1]} and ${pids[2]}"

if [[ "${1:-}" == "--bench" ]]; then
    shift
    TALLY_SPARK_MASTER="$master" TALLY_WHEEL_ZIP="$work/tally-wheel.zip" TALLY_NATIVE_CACHE="$work" \
    TALLY_SPARK_WORKER_PIDS="${pids[1]} ${pids[2]}" "$py" Benchmarks/spark/bench_spark.py "$@"
    exit 0
fi

"$py" python/tests_spark/make_synthetic.py "$work/synthetic.parquet" --answers "$answers" --labels 2

cd "$work"
TALLY_REPO="$repo" TALLY_SPARK_MASTER="$master" TALLY_WHEEL_ZIP="$work/tally-wheel.zip" \
TALLY_SPARK_SYNTHETIC="$work/synthetic.parquet" TALLY_SPARK_PARTITIONS="$partitions" TALLY_SPARK_KILL_PID="${pids[2]}" TALLY_SPARK_WORKER_PIDS="${pids[1]} ${pids[2]}" \
TALLY_NATIVE_CACHE="$work" TALLY_SPARK_WORK="$work" \
    "$py" -m pytest -q -s -p no:cacheprovider --rootdir "$work" "$repo/python/tests_spark/test_spark.py" \
    "$repo/python/tests_spark/test_spark_barrier_kill.py" "$@"
