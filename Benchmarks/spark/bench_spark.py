"""Dawid-Skene on Spark against single-machine Tally on the same Parquet answers.

Run by `scripts/test-spark.sh --bench PARQUET` (which starts the local standalone cluster and sets
TALLY_SPARK_MASTER, TALLY_WHEEL_ZIP and TALLY_SPARK_WORKER_PIDS). Prints one JSON line:
single-machine read and fit time and peak RSS (a child process: pyarrow reads the Parquet file,
dictionary-encodes task and worker, tally_fit runs "ds"), Spark's total time and its parts
(dictionaries, repartition and packing, EM passes, labels), the executors' peak memory (RSS of
every process under each worker daemon, sampled every 0.5 s: executor JVM and its Python
workers), and the number of tasks whose labels differ between the two.
"""

import json
import os
import subprocess
import sys
import threading
import time

SINGLE = r'''
import json, resource, sys, time
import numpy as np, pyarrow.parquet as pq, pyarrow.compute as pc, pyarrow as pa
sys.path.insert(0, sys.argv[3])
from tally import _native
t0 = time.perf_counter()
table = pq.read_table(sys.argv[1]).unify_dictionaries()
def codes(col):
    enc = pc.dictionary_encode(table.column(col)).combine_chunks()
    return enc.indices.to_numpy().astype(np.int32), enc.dictionary
task, tasks = codes("task")
worker, workers = codes("worker")
label_values = np.unique(table.column("label").to_numpy())
label = np.searchsorted(label_values, table.column("label").to_numpy()).astype(np.int32)
del table
t1 = time.perf_counter()
width = len(str(len(label_values) - 1))
r = _native.fit("ds", {}, task, worker, label, None, [str(i) for i in range(len(workers))],
                [f"{i:0{width}d}" for i in range(len(label_values))], len(tasks))
t2 = time.perf_counter()
pq.write_table(pa.table({"task": tasks.take(pa.array(np.arange(len(tasks)))), "single": pa.array(label_values[r.labels])}), sys.argv[2])
print(json.dumps({"read_s": t1 - t0, "fit_s": t2 - t1, "iterations": r.iterations,
                  "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}))
'''


def tree_rss(pid: int) -> int:
    """RSS in bytes of every descendant of pid (not pid itself)."""
    total = 0
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for c in children:
        try:
            with open(f"/proc/{c}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
        total += tree_rss(int(c))
    return total


def main() -> None:
    parquet, partitions = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 16
    wheel = os.environ["TALLY_WHEEL_ZIP"]
    work = os.path.dirname(parquet)
    single_out = os.path.join(work, "single-labels.parquet")
    single = None
    if os.environ.get("TALLY_BENCH_SINGLE", "1") == "1":
        p = subprocess.run([sys.executable, "-c", SINGLE, parquet, single_out, wheel], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"single-machine run failed:\n{p.stderr}")
        single = json.loads(p.stdout.strip().splitlines()[-1])
        print("single machine:", single, flush=True)

    sys.path.insert(0, wheel)
    from pyspark.sql import SparkSession
    from tally import spark as ts
    spark = (SparkSession.builder.master(os.environ["TALLY_SPARK_MASTER"]).appName("tally-spark-bench")
             .config("spark.executor.memory", os.environ.get("TALLY_SPARK_EXECUTOR_MEMORY", "2g"))
             .config("spark.driver.memory", os.environ.get("TALLY_SPARK_DRIVER_MEMORY", "4g")).config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(partitions)).getOrCreate())
    spark.sparkContext.addPyFile(wheel)
    pids = [int(p) for p in os.environ["TALLY_SPARK_WORKER_PIDS"].split()]
    peaks = {p: 0 for p in pids}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            for p in pids:
                peaks[p] = max(peaks[p], tree_rss(p))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    result = ts.aggregate(spark.read.parquet(parquet), "ds", num_partitions=partitions)
    total = time.perf_counter() - t0
    stop.set()
    sampler.join()
    out = {"answers_file": parquet, "partitions": partitions, "spark_total_s": total, "spark_timings_s": result.timings,
           "spark_iterations": result.iterations, "spark_passes": result.passes,
           "executor_peak_rss_gb": {str(p): v / 2**30 for p, v in peaks.items()}, "single": single}
    if os.path.exists(single_out):  # this run's, or an earlier one's on the same file (TALLY_BENCH_SINGLE=0)
        other = spark.read.parquet(single_out)
        out["labels_differing"] = result.labels.join(other, "task").where("label != single").count()
        out["tasks"] = result.labels.count()
    print(json.dumps(out), flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
