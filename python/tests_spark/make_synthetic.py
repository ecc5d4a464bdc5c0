"""Writes a synthetic crowd as Parquet (task, worker, label): `answers` answers, K labels, each
task answered by `overlap` distinct workers drawn from a pool of one-coin workers (accuracy
uniform in [0.55, 0.95], 10% spammers answering uniformly at random). Written in row groups of
1 M answers so that memory stays small at 100 M answers. Seeded: the same arguments give the same
file contents.

    python make_synthetic.py OUT.parquet --answers 10000000 [--labels 2] [--overlap 5] [--seed 7] [--int-ids]

``--int-ids`` writes task and worker as int64 ids (as spark-crowd's data sets have them) instead of
zero-padded names: the same crowd (same random draws), written in a fraction of the time.
"""

import argparse

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--answers", type=int, default=10_000_000)
    ap.add_argument("--labels", type=int, default=2)
    ap.add_argument("--overlap", type=int, default=5)
    ap.add_argument("--workers", type=int, default=0, help="default: answers / 1000, at least 50")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--int-ids", action="store_true", help="task and worker as int64 ids, not names")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    k, overlap = a.labels, a.overlap
    tasks = a.answers // overlap
    workers = a.workers or max(50, a.answers // 1000)
    accuracy = rng.uniform(0.55, 0.95, workers)
    spammer = rng.random(workers) < 0.1
    width_t, width_w = len(str(tasks)), len(str(workers))
    id_type = pa.int64() if a.int_ids else pa.string()
    schema = pa.schema([("task", id_type), ("worker", id_type), ("label", pa.int64())])
    per_group = max(1, 1_000_000 // overlap)
    with pq.ParquetWriter(a.out, schema, compression="snappy") as out:
        for start in range(0, tasks, per_group):
            t = np.arange(start, min(tasks, start + per_group))
            n = len(t)
            truth = rng.integers(0, k, n)
            # `overlap` distinct workers per task: a random start and distinct offsets modulo the pool.
            first = rng.integers(0, workers, n)
            step = rng.integers(1, max(2, workers // overlap), n)
            w = (first[:, None] + step[:, None] * np.arange(overlap)[None, :]) % workers
            right = rng.random((n, overlap)) < accuracy[w]
            noise = (truth[:, None] + rng.integers(1, k, (n, overlap))) % k if k > 1 else np.zeros((n, overlap), dtype=np.int64)
            label = np.where(right, truth[:, None], noise)
            random = rng.integers(0, k, (n, overlap))
            label = np.where(spammer[w], random, label)
            if a.int_ids:
                task_names, worker_names = pa.array(np.repeat(t, overlap).astype(np.int64)), pa.array(w.ravel().astype(np.int64))
            else:
                task_names = pa.array(np.char.add("t", np.char.zfill(np.repeat(t, overlap).astype(str), width_t)).tolist())
                worker_names = pa.array(np.char.add("w", np.char.zfill(w.ravel().astype(str), width_w)).tolist())
            out.write_table(pa.table({"task": task_names, "worker": worker_names,
                                      "label": pa.array(label.ravel().astype(np.int64))}, schema=schema))
    print(f"make_synthetic: {tasks * overlap} answers, {tasks} tasks, {workers} workers, {k} labels -> {a.out}")


if __name__ == "__main__":
    main()
