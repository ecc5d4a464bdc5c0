"""Tally's EM on Apache Spark: ``aggregate(answers_df, method=...)`` on a PySpark DataFrame with
task, worker and label columns, with the answers of one machine's fit.

How it runs (pyspark is needed only here, not by the rest of the package):

1. One Spark job builds the global dictionaries: every worker (sorted as Python sorts them) and
   every label (in the CLI's label order, which ``tally.aggregation`` uses too), numbered from 0.
2. The answers are repartitioned by task (every answer of a task in one partition), each keeping
   its position in the input (``monotonically_increasing_id``) so that a task's answers are in
   input order, and each partition is packed once into int32 codes (local task codes, global
   worker and label codes) and cached.
3. Each pass is ``mapPartitions`` (Tally's engine runs the partition's E-step and returns its
   sufficient statistics: per-worker count tables, class counts, the entropy term) →
   a tree reduction (element-wise sums, see :func:`_tree_sum`) → the M-step and the single-machine stopping rule on the
   driver (Tally's engine again, through the C ABI) → the next parameters broadcast. Executors
   keep each partition's task-sorted answers in their Python worker between passes when Spark
   sends it there again, and rebuild them from the cached codes otherwise.
4. A last pass writes each task's label (and posteriors) as a DataFrame.

Methods: ``ds`` and ``onecoin-ds`` (``max_iterations``/``n_iter``, ``tolerance``/``tol``, ``em``:
the single-machine semantics), ``mv``, ``wawa`` and ``glad`` (``max_iterations``/``n_iter``,
``tolerance``/``tol``, ``stopping``/``compat``, ``m_step_max_iter``, ``m_step_tol``). The labels
equal single-machine Tally's and the probabilities agree to float summation order (partitions'
sums are added in another order); GLAD's are one machine's bits.

GLAD runs one machine's EM loop and conjugate gradient on the driver (Tally's engine, through
``tally_partitioned_glad_fit``); every objective evaluation is one Spark job whose partitions
return their part of the likelihood and their per-worker α-gradient as exact fixed-point partials
(int64 limbs, added on the driver as integers: any order, any partitioning, re-run partitions
give the same bits) and their tasks' β-gradients. GLAD's sums are exact on one machine too, so
the result is single-machine GLAD's bit for bit. An E-step only
ships new parameters: each partition computes its posteriors at its next evaluation and keeps them
in the Python worker (recomputed from the shipped parameters when Spark runs it elsewhere). The
driver holds the β vector (8 bytes per task) and ships it with each evaluation (a broadcast above
1 MB); about 1 + 1.5 evaluations per conjugate-gradient step, so GLAD takes tens to hundreds of
jobs per fit where Dawid-Skene takes one per iteration. ``barrier=True`` runs any method's whole fit
as one barrier-mode job instead (tally._spark_barrier): the same bits, no job per pass.

Labels are ordered as the CLI orders them (numeric when every label is an integer written as a
string, "2" before "10"; otherwise sorted), so ties break towards the same label.

Ship the package to executors with ``--py-files tally_crowd-*.whl`` (or ``sc.addPyFile``): the
native library is extracted from the wheel on first use. Executors need numpy, pandas and pyarrow.
"""

from __future__ import annotations

import os
import pickle
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import numpy as np

METHODS = ("ds", "onecoin-ds", "mv", "wawa", "glad")
_ALIASES = {"n_iter": "max-iterations", "max_iterations": "max-iterations", "max-iterations": "max-iterations",
            "tol": "tolerance", "tolerance": "tolerance", "em": "em"}
# GLAD's options (crowd-kit's names and the registry's).
_GLAD_ALIASES = {"n_iter": "max-iterations", "max_iterations": "max-iterations", "max-iterations": "max-iterations",
                 "tol": "tolerance", "tolerance": "tolerance", "stopping": "stopping", "compat": "stopping",
                 "m_step_max_iter": "m-step-iterations", "m-step-iterations": "m-step-iterations",
                 "m_step_tol": "m-step-tolerance", "m-step-tolerance": "m-step-tolerance"}

# Executors: native partitions kept between passes, by (run, partition), within one Python worker.
_CACHE: Dict[tuple, Any] = {}
_CACHE_RUN: List[str] = []
# Executors: GLAD's posteriors of each partition's last E-step, (version, posteriors) by (run, partition).
_POSTERIORS: Dict[tuple, Any] = {}
_BROADCAST_BYTES = 1 << 20
_CACHE_LIMIT = int(os.environ.get("TALLY_SPARK_CACHE_ANSWERS", str(200_000_000)))


@dataclass
class SparkAggregation:
    """What :func:`aggregate` returns.

    ``labels``: a DataFrame (task, label), plus ``probabilities`` (array<double> in the order of
    ``classes``) when asked for. ``skills``: (worker, skill) for onecoin-ds, mv and wawa.
    ``confusions``: (worker, answered, truth, value) for ds and onecoin-ds, the observed
    (worker, answered) rows. ``priors``: class priors by label (ds family)."""

    labels: Any
    classes: List[Any]
    skills: Optional[Any] = None
    confusions: Optional[Any] = None
    priors: Optional[Dict[Any, float]] = None
    iterations: Optional[int] = None
    loss_history: List[float] = field(default_factory=list)
    passes: int = 0
    partitions: int = 0
    #: Seconds on the driver's clock: dictionaries, repartition and packing, EM passes, labels.
    timings: Dict[str, float] = field(default_factory=dict)


def _options(method: str, options: Dict[str, Any]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if method == "glad":
        for key, value in options.items():
            name = _GLAD_ALIASES.get(key)
            if name is None:
                raise ValueError(f"tally.spark.aggregate: unknown option {key!r} for glad; it takes max_iterations (n_iter), "
                                 f"tolerance (tol), stopping or compat ('crowd-kit'), m_step_max_iter and m_step_tol")
            if name in ("max-iterations", "m-step-iterations"):
                out[name] = int(value)
            elif name == "stopping":
                out[name] = "crowd-kit" if str(value) == "crowd-kit" else str(value)
            else:
                out[name] = float(value)
        return out
    for key, value in options.items():
        name = _ALIASES.get(key)
        if name is None:
            raise ValueError(f"tally.spark.aggregate: unknown option {key!r} for {method}; it takes "
                             f"max_iterations (n_iter), tolerance (tol) and em for ds and onecoin-ds, none for mv and wawa")
        if method in ("mv", "wawa"):
            raise ValueError(f"tally.spark.aggregate: {method} takes no option {key!r}")
        out[name] = int(value) if name == "max-iterations" else float(value) if name == "tolerance" else str(value)
    return out


def _native():
    from . import _native as N
    return N


def _partition(run: str, rec) -> Any:
    """The native partition of a packed record (pid, tasks, offsets, entries, workers, labels), from
    this Python worker's cache when it holds it, else rebuilt from the codes."""
    if _CACHE_RUN != [run]:
        _CACHE.clear()
        _POSTERIORS.clear()
        _CACHE_RUN[:] = [run]
    pid, tasks, offsets, entries, workers, labels = rec
    key = (run, pid)
    part = _CACHE.get(key)
    if part is None:
        offsets = np.frombuffer(offsets, dtype=np.int64)
        entries = np.frombuffer(entries, dtype=np.int32)
        task = np.repeat(np.arange(tasks, dtype=np.int32), np.diff(offsets))
        part = _native().Partition(task, entries // labels, entries % labels, tasks, workers, labels)
        if sum(p.answers for p in _CACHE.values()) + part.answers <= _CACHE_LIMIT:
            _CACHE[key] = part
    return part


def _tree_sum(indexed, partitions: int) -> np.ndarray:
    """The element-wise sum of (partition index, statistics) pairs, as a tree reduction whose every
    merge adds exactly two vectors (pairs of partitions 2i and 2i+1, level by level, with
    ``reduceByKey``), and the last few summed on the driver in index order. Float addition is
    commutative, so each merge's result does not depend on which vector arrives first: the sum is
    the same bits whichever executor computes what, including after Spark re-runs lost partitions
    (RDD.treeReduce merges several values per key in arrival order, which can change the last bits)."""
    import operator
    level, count = indexed, partitions
    while count > 8:
        count = (count + 1) // 2
        level = level.map(lambda kv: (kv[0] // 2, kv[1])).reduceByKey(operator.add, numPartitions=count)
    parts = sorted(level.collect(), key=lambda kv: kv[0])
    if not parts:
        raise ValueError("tally.spark: no partition holds answers")
    total = parts[0][1].copy()
    for _, s in parts[1:]:
        total += s
    return total


def _pack_partitions(workers: List[Any], labels: List[Any], bdict):
    """The mapInPandas function that packs a partition into codes: one row per partition."""
    import pandas as pd
    from pyspark import TaskContext

    def pack(batches):
        frames = [b for b in batches if len(b)]
        if not frames:
            return
        pdf = pd.concat(frames, ignore_index=True)
        order = np.argsort(pdf["r"].to_numpy(), kind="stable")
        pdf = pdf.take(order)
        worker_index, label_index = bdict.value
        tcodes, tnames = pd.factorize(pdf["t"], sort=False)
        wcodes = worker_index.get_indexer(pdf["w"])
        lcodes = label_index.get_indexer(pdf["l"])
        for codes, what in ((tcodes, "task"), (wcodes, "worker"), (lcodes, "label")):
            if (codes < 0).any():
                i = int(np.argmax(codes < 0))
                raise ValueError(f"tally.spark: an answer of task {pdf['t'].iloc[i]!r} (worker {pdf['w'].iloc[i]!r}) has no {what} "
                                 f"(null); every answer needs a task, a worker and a label")
        # Task-sorted codes: tasks numbered by first appearance, answers in input order within a task.
        by_task = np.argsort(tcodes, kind="stable")
        counts = np.bincount(tcodes, minlength=len(tnames))
        offsets = np.zeros(len(tnames) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        entries = (wcodes[by_task].astype(np.int64) * len(label_index) + lcodes[by_task]).astype(np.int32)
        yield pd.DataFrame({
            "pid": [TaskContext.get().partitionId()], "tasks": [len(tnames)], "answers": [len(pdf)],
            "names": [pickle.dumps(tnames.tolist(), protocol=pickle.HIGHEST_PROTOCOL)],
            "offsets": [offsets.tobytes()], "entries": [entries.tobytes()]})
    return pack


def _em_passes(sc, codes, run: str, fit, n: int, progress) -> int:
    """The EM passes of a PartitionedFit (ds, onecoin-ds, mv, wawa) until the driver's fit is done."""

    def run_pass(pass_: int, params: Any):
        # Small parameter vectors travel in the task's closure; large ones (W·K·K confusion
        # tables of many workers) as a broadcast.
        def go(records):
            value = params if isinstance(params, np.ndarray) else params.value
            for rec in records:
                stats, _, _ = _partition(run, rec).run(pass_, value)
                yield rec[0], stats
        return go

    passes = 0
    while not fit.done:
        params = fit.parameters()
        shipped = sc.broadcast(params) if params.nbytes > _BROADCAST_BYTES else params
        stats = _tree_sum(codes.mapPartitions(run_pass(fit.pass_, shipped)), n)
        fit.update(stats)
        if shipped is not params:
            shipped.destroy()
        passes += 1
        if progress is not None:
            progress(passes)
    return passes


def _glad_posteriors(run: str, pid: int, version: int, part, alphas, betas):
    """A partition's posteriors of E-step `version`: from this Python worker's cache, else computed."""
    key = (run, pid)
    cached = _POSTERIORS.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    post, _ = part.glad_estep(alphas, betas)
    _POSTERIORS[key] = (version, post)
    return post


def _glad_layout(packed):
    """(first global task index of each partition, tasks, answers): partitions' tasks in pid order."""
    info = sorted((r.pid, r.tasks, r.answers) for r in packed.select("pid", "tasks", "answers").collect())
    starts: Dict[int, int] = {}
    total_tasks = total_answers = 0
    for pid, tasks, answers in info:
        starts[pid] = total_tasks
        total_tasks += tasks
        total_answers += answers
    return starts, total_tasks, total_answers


def _glad_passes(sc, packed, codes, run: str, W: int, K: int, opts: Dict[str, Any], progress) -> Dict[str, Any]:
    """GLAD's EM with the driver's conjugate gradient (Tally's, through tally_partitioned_glad_fit):
    each objective evaluation is one job whose partitions return their likelihood part and
    α-gradient as exact partials (int64 limbs, summed in any order) and their β-gradients; an E-step is only a new set of
    parameters, each partition computing (and keeping) its posteriors at its next evaluation."""
    starts, total_tasks, total_answers = _glad_layout(packed)
    state: Dict[str, Any] = {"version": 0, "estep": None, "evaluations": 0, "shipped": []}

    def ship(x: np.ndarray):
        if x.nbytes > _BROADCAST_BYTES:
            b = sc.broadcast(x)
            state["shipped"].append(b)
            return b
        return x

    def e_step(x: np.ndarray) -> None:
        state["version"] += 1
        state["estep"] = ship(x)

    def likelihood(x: np.ndarray, partial: np.ndarray, gradient: np.ndarray) -> None:
        version, estep, trial = state["version"], state["estep"], ship(x)

        def go(records):
            ex = estep if isinstance(estep, np.ndarray) else estep.value
            tx = trial if isinstance(trial, np.ndarray) else trial.value
            for rec in records:
                pid, tasks = rec[0], rec[1]
                part = _partition(run, rec)
                lo = W + starts[pid]
                post = _glad_posteriors(run, pid, version, part, ex[:W], ex[lo:lo + tasks])
                exact, gb = part.glad_likelihood(tx[:W], tx[lo:lo + tasks], post)
                yield pid, exact, gb

        rows = codes.mapPartitions(go).collect()
        if not rows:
            raise ValueError("tally.spark: no partition holds answers")
        for pid, exact, gb in rows:  # integer sums: any order gives the same bits
            partial += exact
            lo = W + starts[pid]
            gradient[lo:lo + len(gb)] = gb
        if trial is not x:
            trial.destroy()
            state["shipped"].remove(trial)
        state["evaluations"] += 1
        if progress is not None:
            progress(state["evaluations"])

    out = _native().partitioned_glad_fit(opts, W, total_tasks, K, total_answers, e_step, likelihood)
    for b in state["shipped"]:
        b.unpersist()
    out["starts"] = starts
    return out


def aggregate(answers, method: str = "ds", *, probabilities: bool = False, task: str = "task", worker: str = "worker",
              label: str = "label", num_partitions: Optional[int] = None,
              progress: Optional[Callable[[int], None]] = None, barrier: bool = False, barrier_timeout: float = 3600.0,
              barrier_slot_wait: float = 120.0, **options) -> SparkAggregation:
    """Aggregates the answers of a PySpark DataFrame with Tally's engine on every partition.

    ``method``: "ds", "onecoin-ds", "mv", "wawa" or "glad". ``options``: ``max_iterations`` (or
    ``n_iter``), ``tolerance`` (or ``tol``) and ``em`` ("soft", "hard", "hybrid") for the
    Dawid-Skene family, with the defaults and stopping rule of one machine (100, 1e-5, soft);
    for glad ``max_iterations``/``n_iter``, ``tolerance``/``tol``, ``stopping`` or ``compat``
    ("relative" or "crowd-kit"), ``m_step_max_iter`` and ``m_step_tol`` (one machine's defaults).
    GLAD's ``skills`` are the abilities α; its ``priors`` the fixed uniform label priors.
    ``num_partitions``: partitions of tasks (default: the context's default parallelism).
    ``progress``: called on the driver with the number of passes done after each pass (for glad,
    after each objective evaluation; with ``barrier``, once at the end).
    ``barrier``: run the whole fit as one Spark job in barrier execution mode (every task runs the
    driver's loop and the partitions' sums travel by ``BarrierTaskContext.allGather``; see
    ``tally._spark_barrier``): the same bits as the default mode without a job per pass, for many
    small data sets or GLAD's many evaluations; ``num_partitions`` must not exceed the cluster's
    task slots, and a lost task makes Spark re-run the whole fit (all partitions, from the start,
    the same bits). ``barrier_timeout``: seconds a barrier task waits at most for its peers'
    statistics (one pass of the slowest partition) before it fails. ``barrier_slot_wait``: seconds
    to wait for ``num_partitions`` task slots, before the job and while a lost executor is
    replaced; then :class:`tally._spark_barrier.BarrierSlotsError`.
    Raises ValueError for a bad method, option or column, or an answer without a task, worker or label.

    >>> result = aggregate(spark.read.parquet("answers.parquet"), "ds", probabilities=True)
    >>> result.labels.show()
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    if method not in METHODS:
        raise ValueError(f"tally.spark.aggregate: unknown method {method!r}; expected one of {', '.join(METHODS)}")
    missing = [c for c in (task, worker, label) if c not in answers.columns]
    if missing:
        raise ValueError(f"tally.spark.aggregate: the DataFrame has no column {missing}; it has {answers.columns}")
    opts = _options(method, options)
    spark = answers.sparkSession
    sc = spark.sparkContext
    N = _native()

    if barrier:  # before any job: a fit that cannot get its slots fails now, not after the packing
        from ._spark_barrier import Settings, wait_for_slots
        settings = Settings(timeout=float(barrier_timeout), slot_wait=float(barrier_slot_wait))
        wait_for_slots(sc, int(num_partitions or sc.defaultParallelism), settings.slot_wait)

    clock = [time.perf_counter()]
    timings: Dict[str, float] = {}

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name] = now - clock[0]
        clock[0] = now

    # 1. Global dictionaries, one job.
    nulls = [F.sum(F.col(c).isNull().cast("long")).alias(f"null_{i}") for i, c in enumerate((task, worker, label))]
    examples = [F.first(F.when(F.col(c).isNull(), F.col(task if c != task else worker)), ignorenulls=True).alias(f"example_{i}")
                for i, c in enumerate((task, worker, label))]
    row = answers.agg(F.collect_set(worker).alias("w"), F.collect_set(label).alias("l"), *nulls, *examples).first()
    for i, (c, what) in enumerate(((task, "task"), (worker, "worker"), (label, "label"))):
        if row[f"null_{i}"]:
            near = f"{'worker' if c == task else 'task'} {row[f'example_{i}']!r}"
            raise ValueError(f"tally.spark.aggregate: column {c!r}: {row[f'null_{i}']} answers have no {what} (null), "
                             f"the first of them by {near}; every answer needs a task, a worker and a label")
    from ._frame import sort_labels
    try:
        # Labels in the CLI's order (numeric for integers written as strings), so ties break as there.
        workers, labels = sorted(row["w"]), sort_labels(row["l"])
    except TypeError as e:
        raise ValueError(f"tally.spark.aggregate: worker or label values cannot be ordered ({e}); use one type per column") from None
    if not workers or not labels:
        raise ValueError("tally.spark.aggregate: no answers (no worker or no label)")
    W, K = len(workers), len(labels)
    fit = None if method == "glad" else N.PartitionedFit(method, opts, W, K)
    lap("dictionaries")

    import pandas as pd
    bdict = sc.broadcast((pd.Index(workers), pd.Index(labels)))

    # 2. Repartition by task, pack each partition into codes once, cache.
    n = int(num_partitions or sc.defaultParallelism)
    frame = answers.select(F.col(task).alias("t"), F.col(worker).alias("w"), F.col(label).alias("l"),
                           F.monotonically_increasing_id().alias("r")).repartition(n, "t")
    schema = "pid int, tasks long, answers long, names binary, offsets binary, entries binary"
    packed = frame.mapInPandas(_pack_partitions(workers, labels, bdict), schema).persist(StorageLevel.MEMORY_AND_DISK)
    packed.count()
    lap("pack")
    # Each pass reads only the codes from the cache (column pruning), not the task names.
    codes = packed.select("pid", "tasks", "offsets", "entries").rdd.map(lambda r: (r.pid, r.tasks, r.offsets, r.entries, W, K))
    run = uuid.uuid4().hex

    glad = None
    if method == "glad":
        if barrier:
            from . import _spark_barrier
            starts, tasks_total, answers_total = _glad_layout(packed)
            glad = _spark_barrier.glad_fit(codes, run, W, K, opts, starts, tasks_total, answers_total, settings)
            glad["starts"] = starts
            if progress is not None:
                progress(glad["evaluations"])
        else:
            glad = _glad_passes(sc, packed, codes, run, W, K, opts, progress)
        passes = glad["evaluations"]
    elif barrier:
        from . import _spark_barrier
        # The driver's fit takes the same summed statistics, pass by pass, as the barrier tasks' fits.
        history = _spark_barrier.em_fit(codes, run, method, opts, W, K, n, settings)
        for stats in history:
            fit.update(stats)
        if not fit.done:
            raise RuntimeError("tally.spark: the driver's fit did not end with the barrier job's passes")
        passes = len(history)
        if progress is not None:
            progress(passes)
    else:
        passes = _em_passes(sc, codes, run, fit, n, progress)
    lap("passes")

    # 4. The reported posteriors and labels, as Arrow batches.
    from pyspark.sql.pandas.types import to_arrow_type
    if glad is None:
        final_pass, final_b, starts = fit.pass_, sc.broadcast(fit.parameters()), {}
    else:
        final_pass, final_b, starts = -1, sc.broadcast(glad["estep_x"]), glad["starts"]
    task_arrow, label_arrow = to_arrow_type(answers.schema[task].dataType), to_arrow_type(answers.schema[label].dataType)
    label_values = labels

    def final(batches):
        import pyarrow as pa
        for batch in batches:
            for i in range(batch.num_rows):
                rec = tuple(batch.column(c)[i].as_py() for c in ("pid", "tasks", "offsets", "entries")) + (W, K)
                if final_pass < 0:  # GLAD: the last E-step's posteriors
                    start = starts[rec[0]]
                    x = final_b.value
                    post, lab = _partition(run, rec).glad_estep(x[:W], x[W + start:W + start + rec[1]], labels=True)
                else:
                    _, post, lab = _partition(run, rec).run(final_pass, final_b.value, posteriors=True)
                names = pickle.loads(batch.column("names")[i].as_py())
                cols = {"task": pa.array(names, type=task_arrow),
                        "label": pa.array(label_values, type=label_arrow).take(pa.array(lab))}
                if probabilities:
                    flat = pa.array(post.reshape(-1))
                    cols["probabilities"] = pa.ListArray.from_arrays(pa.array(np.arange(0, post.size + 1, K, dtype=np.int32)), flat)
                yield pa.RecordBatch.from_pydict(cols)

    fields = [T.StructField("task", answers.schema[task].dataType), T.StructField("label", answers.schema[label].dataType)]
    if probabilities:
        fields.append(T.StructField("probabilities", T.ArrayType(T.DoubleType(), True)))
    labels_df = packed.mapInArrow(final, T.StructType(fields)).persist(StorageLevel.MEMORY_AND_DISK)
    labels_df.count()  # materialise while the codes are cached
    lap("labels")
    # Unpersisted, not destroyed: the labels' lineage uses them if Spark must recompute a partition.
    final_b.unpersist()
    packed.unpersist()
    bdict.unpersist()

    worker_type = answers.schema[worker].dataType
    label_type = answers.schema[label].dataType
    skills_df = confusions_df = None
    if glad is not None:
        alphas = glad["x"][:W]
        skills_df = spark.createDataFrame([(w, float(a)) for w, a in zip(workers, alphas)],
                                          T.StructType([T.StructField("worker", worker_type), T.StructField("skill", T.DoubleType())]))
        return SparkAggregation(labels=labels_df, classes=list(labels), skills=skills_df, priors={c: 1.0 / K for c in labels},
                                iterations=glad["iterations"], loss_history=glad["loss_history"].tolist(), passes=passes,
                                partitions=n, timings=timings)
    skills = fit.skills()
    if skills is not None:
        skills_df = spark.createDataFrame([(w, float(s)) for w, s in zip(workers, skills)],
                                          T.StructType([T.StructField("worker", worker_type), T.StructField("skill", T.DoubleType())]))
    conf = fit.confusions()
    if conf is not None:
        values, observed = conf
        rows = [(workers[w], labels[y], labels[c], float(values[w, y, c]))
                for w, y in zip(*np.nonzero(observed)) for c in range(K)]
        confusions_df = spark.createDataFrame(rows, T.StructType([
            T.StructField("worker", worker_type), T.StructField("answered", label_type),
            T.StructField("truth", label_type), T.StructField("value", T.DoubleType())]))
    priors = fit.priors()
    loss = fit.loss_history()
    return SparkAggregation(labels=labels_df, classes=list(labels), skills=skills_df, confusions=confusions_df,
                            priors=None if priors is None else dict(zip(labels, priors.tolist())),
                            iterations=fit.iterations(), loss_history=[] if loss is None else loss.tolist(),
                            passes=passes, partitions=n, timings=timings)
