"""tally.spark against single-machine Tally (tally.aggregation on the same answers): labels
identical, probabilities within 1e-9, for ds, onecoin-ds, mv, wawa and glad on every categorical
real data set and a synthetic set read from Parquet; one worker killed during a run gives the same
result; labels ordered as the CLI orders them."""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tally
import tally.aggregation as ta
from tally import spark as ts

REPO = Path(os.environ.get("TALLY_REPO", Path(__file__).resolve().parents[2]))
# TALLY_SPARK_METHODS: a comma-separated subset for the real data sets' sweep (say glad alone).
METHODS = ["ds", "onecoin-ds", "mv", "wawa", "glad"]
SWEEP_METHODS = [m for m in METHODS if m in os.environ.get("TALLY_SPARK_METHODS", ",".join(METHODS)).split(",")]
SINGLE = {"ds": ta.DawidSkene, "onecoin-ds": ta.OneCoinDawidSkene, "mv": ta.MajorityVote, "wawa": ta.Wawa, "glad": ta.GLAD}
# GLAD on the synthetic Parquet set: a minute or more of one machine's fit at 1 M answers, so CI's
# run takes it only when TALLY_SPARK_SYNTHETIC_GLAD=1.
SYNTHETIC_METHODS = METHODS if os.environ.get("TALLY_SPARK_SYNTHETIC_GLAD") == "1" else METHODS[:-1]
# TALLY_SPARK_SYNTHETIC_METHODS: the synthetic set's methods in this order (say "glad,ds").
if os.environ.get("TALLY_SPARK_SYNTHETIC_METHODS"):
    SYNTHETIC_METHODS = os.environ["TALLY_SPARK_SYNTHETIC_METHODS"].split(",")
# The sweep over the real data sets runs every method in barrier mode (the whole fit one Spark
# job, the tasks summing over their own socket: GLAD's 29 to 1,743 objective evaluations per fit
# and Dawid-Skene's passes cost no job each) on every set, and in the default mode (one job per
# pass) on the sets of TALLY_SPARK_DEFAULT_SETS (comma-separated, or "all"; GLAD's default mode on
# TALLY_SPARK_GLAD_SETS, the sets it needs fewest evaluations on). Both modes add the partitions'
# statistics in the same order, so they give the same bits. TALLY_SPARK_BARRIER_METHODS: the
# methods run in barrier mode (default: all five).
_DEFAULT_SETS = os.environ.get("TALLY_SPARK_DEFAULT_SETS", "snow-wsd,gal-hitspam-cf,act-cf,bluebirds,snow-temp,vldb-face")
_GLAD_SETS = os.environ.get("TALLY_SPARK_GLAD_SETS", "snow-wsd,gal-hitspam-cf")
BARRIER_METHODS = [m for m in os.environ.get("TALLY_SPARK_BARRIER_METHODS", ",".join(METHODS)).split(",") if m]


def sweep_runs(name):
    """(method, barrier) pairs the sweep runs on data set ``name``."""
    runs = []
    for method in SWEEP_METHODS:
        if method in BARRIER_METHODS:
            runs.append((method, True))
        chosen = _GLAD_SETS if method == "glad" else _DEFAULT_SETS
        if chosen == "all" or name in chosen.split(","):
            runs.append((method, False))
    return runs


def categorical_sets():
    """(name, answers path) of every categorical data set: datasets/real, plus the outside copy's
    sets that are not shipped (../shared/datasets or $TALLY_DATASETS); numeric sets left out."""
    found = {}
    outside = Path(os.environ.get("TALLY_DATASETS", REPO.parent / "shared" / "datasets"))
    for root in (REPO / "datasets" / "real", outside):
        if not root.is_dir():
            continue
        for d in sorted(root.iterdir()):
            for name in ("answers.tsv.gz", "answers.tsv"):
                if (d / name).exists() and d.name not in found:
                    found[d.name] = d / name
                    break
    numeric = {"vldb-emotion"}
    only = os.environ.get("TALLY_SPARK_SETS")  # a comma-separated subset, for a quick run
    return [(n, p) for n, p in sorted(found.items()) if n not in numeric and (not only or n in only.split(","))]


def single(method, frame):
    """Labels and probabilities of one machine's fit (tally.aggregation)."""
    model = SINGLE[method]()
    model.fit(frame)
    probas = getattr(model, "probas_", None)
    return model.labels_, probas


def compare(name, method, result, frame, model=None):
    """Labels identical and probabilities within 1e-9 of one machine's (``model``: an already
    fitted single-machine model); GLAD's largest difference is printed (its sums are exact: 0).
    Returns (the Spark labels frame, max |Δp|)."""
    if model is None:
        labels, probas = single(method, frame)
    else:
        labels, probas = model.labels_, model.probas_
    got = result.labels.toPandas().set_index("task")
    assert len(got) == len(labels), f"{name} {method}: {len(got)} tasks, one machine has {len(labels)}"
    got = got.loc[labels.index]
    mismatched = int((got["label"].to_numpy() != labels.to_numpy()).sum())
    assert mismatched == 0, f"{name} {method}: {mismatched} labels differ from one machine's"
    diff = 0.0
    if probas is not None:
        p = np.vstack(got["probabilities"].to_numpy())
        assert list(probas.columns) == result.classes
        diff = float(np.abs(p - probas.to_numpy()).max())
        assert diff <= 1e-9, f"{name} {method}: probabilities differ by {diff}"
        if method == "glad":
            print(f"{name} glad on {result.partitions} partitions: {mismatched} labels differ, max |Δp| {diff:.3g}")
    return got, diff


SETS = categorical_sets()


def test_real_datasets(spark):
    """Every categorical data set × every method in barrier mode, and in the default mode on a
    few sets (see sweep_runs), several fits at once (Spark runs concurrent jobs; on small sets a pass
    is mostly scheduling latency); all mismatches are reported together, and the largest |Δp|
    of each method and mode is printed."""
    from concurrent.futures import ThreadPoolExecutor
    assert len(SETS) >= 16 or os.environ.get("TALLY_SPARK_SETS"), f"only {len(SETS)} data sets found"

    def one(item):
        name, path = item
        frame = tally.read_answers(str(path)).astype(str)
        sdf = spark.createDataFrame(frame[["task", "worker", "label"]])
        out = []
        models, frames = {}, {}
        for method, barrier in sweep_runs(name):
            try:
                if method not in models:
                    models[method] = SINGLE[method]().fit(frame)
                # The default mode's GLAD on three partitions (its sums are exact: one machine's
                # bits whatever the partitioning), the rest on two (barrier mode: one per slot).
                parts = 3 if method == "glad" and not barrier else 2
                t0 = time.perf_counter()
                result = ts.aggregate(sdf, method, probabilities=True, num_partitions=parts, barrier=barrier)
                got, diff = compare(name, method, result, frame, model=models[method])
                out.append((name, method, barrier, None, result.passes, diff, time.perf_counter() - t0))
                frames[(method, barrier)] = got
            except AssertionError as e:
                out.append((name, method, barrier, str(e), None, None, None))
        for method in SWEEP_METHODS:  # both modes add in the same order: the same bits
            if (method, True) in frames and (method, False) in frames:
                a, b = frames[(method, True)], frames[(method, False)]
                same = (a["label"] == b["label"]).all() and np.array_equal(np.vstack(a["probabilities"].to_numpy()),
                                                                          np.vstack(b["probabilities"].to_numpy()))
                if not same:
                    out.append((name, method, True, "barrier and default modes differ", None, None, None))
        return out

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=int(os.environ.get("TALLY_SPARK_CONCURRENT", "6"))) as pool:
        results = [r for rs in pool.map(one, SETS) for r in rs]
    failures = [f"{n} {m}{' (barrier)' if b else ''}: {e}" for n, m, b, e, *_ in results if e]
    summary = {}
    for n, m, b, e, passes, diff, seconds in results:
        if e is None:
            s = summary.setdefault((m, b), [0, 0, 0.0, 0.0])
            s[0] += 1
            s[1] += passes
            s[2] = max(s[2], diff)
            s[3] += seconds
    for (m, b), (fits, passes, diff, seconds) in sorted(summary.items()):
        print(f"  {m}{' barrier' if b else ''}: {fits} sets, {passes} passes, max |Δp| {diff:.3g}, {seconds:.0f} s of fits")
    print(f"real data sets: {len(SETS)} sets, {len(results)} fits, {sum(r[4] or 0 for r in results)} passes, "
          f"{time.perf_counter() - t0:.0f} s, load {os.getloadavg()[0]:.1f}")
    assert not failures, "\n".join(failures)


def _executor_rss(pids):
    """RSS in bytes of every process under each worker daemon (executor JVM and Python workers)."""
    def tree(pid):
        total = 0
        for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split():
            try:
                with open(f"/proc/{child}/statm") as f:
                    total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except OSError:
                pass
            total += tree(int(child))
        return total
    return {p: tree(p) for p in pids}


def test_synthetic_parquet(spark):
    """The synthetic Parquet set (1 M answers in CI; TALLY_SPARK_ANSWERS=10000000 for 10 M):
    every method against one machine, in the default mode, and in barrier mode for the methods
    of TALLY_SPARK_SYNTHETIC_BARRIER (comma-separated; glad runs only with
    TALLY_SPARK_SYNTHETIC_GLAD=1, in the modes TALLY_SPARK_SYNTHETIC_GLAD_MODES, default
    "barrier"). Prints each run's time, passes, max |Δp|, one machine's fit time and the
    executors' peak RSS (TALLY_SPARK_WORKER_PIDS, sampled every 0.5 s)."""
    path = os.environ.get("TALLY_SPARK_SYNTHETIC")
    if not path:
        pytest.skip("TALLY_SPARK_SYNTHETIC (a Parquet file from make_synthetic.py) is not set")
    frame = pd.read_parquet(path)
    sdf = spark.read.parquet(path)
    partitions = int(os.environ.get("TALLY_SPARK_PARTITIONS", "4"))
    barrier_methods = os.environ.get("TALLY_SPARK_SYNTHETIC_BARRIER", "").split(",")
    glad_modes = os.environ.get("TALLY_SPARK_SYNTHETIC_GLAD_MODES", "barrier").split(",")
    pids = [int(p) for p in os.environ.get("TALLY_SPARK_WORKER_PIDS", "").split()]
    for method in SYNTHETIC_METHODS:
        t0 = time.perf_counter()
        model = SINGLE[method]().fit(frame)
        single_seconds = time.perf_counter() - t0
        modes = ([m == "barrier" for m in glad_modes] if method == "glad"
                 else [False] + ([True] if method in barrier_methods else []))
        for barrier in modes:
            peaks = {p: 0 for p in pids}
            stop = threading.Event()

            def sample():
                while not stop.is_set():
                    for p, v in _executor_rss(pids).items():
                        peaks[p] = max(peaks[p], v)
                    time.sleep(0.5)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            t0 = time.perf_counter()
            try:
                # Barrier mode: one task per slot (two workers of one core).
                result = ts.aggregate(sdf, method, probabilities=True, num_partitions=2 if barrier else partitions,
                                      barrier=barrier)
                result.labels.count()
            finally:
                stop.set()
                sampler.join()
            seconds = time.perf_counter() - t0
            _, diff = compare("synthetic", method, result, frame, model=model)
            rss = ", ".join(f"{v / 2**30:.2f}" for v in peaks.values()) or "not sampled"
            timings = ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items())
            print(f"synthetic {len(frame)} answers, {method}{' barrier' if barrier else ''} on {result.partitions} partitions: "
                  f"{seconds:.1f} s on Spark ({timings}), {result.passes} passes; one machine {single_seconds:.1f} s; "
                  f"0 labels differ, max |Δp| {diff:.3g}; executors' peak RSS {rss} GB; load {os.getloadavg()[0]:.1f}", flush=True)


def test_skills_confusions_and_priors(spark):
    frame = tally.read_answers(str(REPO / "datasets" / "real" / "snow-rte" / "answers.tsv.gz")).astype(str)
    sdf = spark.createDataFrame(frame[["task", "worker", "label"]])
    ds = ts.aggregate(sdf, "ds", max_iterations=20, tol=1e-7, num_partitions=2)
    one = ta.DawidSkene(n_iter=20, tol=1e-7).fit(frame)
    assert ds.iterations == len(one.loss_history_)
    assert np.allclose(ds.loss_history, one.loss_history_, rtol=0, atol=1e-12)
    assert all(abs(ds.priors[k] - one.priors_[k]) < 1e-12 for k in ds.classes)
    conf = ds.confusions.toPandas().set_index(["worker", "answered", "truth"])["value"]
    errors = one.errors_.stack()
    errors.index.names = ["worker", "answered", "truth"]
    common = conf.index.intersection(errors.index)
    assert len(common) == len(conf)
    assert float((conf.loc[common] - errors.loc[common]).abs().max()) < 1e-9
    wawa = ts.aggregate(sdf, "wawa", num_partitions=2)
    skills = wawa.skills.toPandas().set_index("worker")["skill"]
    one_skills = ta.Wawa().fit(frame).skills_
    assert float((skills.loc[one_skills.index] - one_skills).abs().max()) == 0.0


def test_bad_input(spark):
    sdf = spark.createDataFrame([("a", "x", "1"), ("a", "y", None), ("b", "x", "0")], "task string, worker string, label string")
    with pytest.raises(ValueError, match="column 'label': 1 answers have no label"):
        ts.aggregate(sdf, "mv")
    with pytest.raises(ValueError, match="unknown method"):
        ts.aggregate(sdf, "dss")
    with pytest.raises(ValueError, match="unknown option 'em' for glad"):
        ts.aggregate(sdf.na.drop(), "glad", em="hard")
    with pytest.raises(ValueError, match="no column"):
        ts.aggregate(sdf.drop("worker"), "ds")
    with pytest.raises(ValueError, match="unknown option"):
        ts.aggregate(sdf, "ds", alpha=1)
    good = sdf.na.drop()
    with pytest.raises(ValueError, match="em"):
        ts.aggregate(good, "ds", em="soft-ish")


def test_label_order_is_the_cli_order(spark):
    """Labels "2", "9", "10" as strings: numeric order as in the CLI (not Python's str order), so a
    tie goes to "2" on Spark and on one machine alike."""
    rows = [("a", "x", "10"), ("a", "y", "2"), ("b", "x", "2"), ("b", "y", "9"), ("c", "x", "10"), ("c", "y", "10")]
    sdf = spark.createDataFrame(rows, "task string, worker string, label string")
    frame = pd.DataFrame(rows, columns=["task", "worker", "label"])
    for method in METHODS:
        result = ts.aggregate(sdf, method, probabilities=True, num_partitions=1 if method == "glad" else 2)
        assert result.classes == ["2", "9", "10"], method
        compare("labels-2-10", method, result, frame)
    mv = ts.aggregate(sdf, "mv", num_partitions=2).labels.toPandas().set_index("task")["label"].sort_index()
    assert mv.tolist() == ["2", "2", "10"]


def test_glad_skills_and_loss(spark):
    frame = tally.read_answers(str(REPO / "datasets" / "real" / "snow-rte" / "answers.tsv.gz")).astype(str)
    sdf = spark.createDataFrame(frame[["task", "worker", "label"]])
    got = ts.aggregate(sdf, "glad", num_partitions=3, n_iter=4, compat="crowd-kit", m_step_max_iter=5)
    one = ta.GLAD(n_iter=4, compat="crowd-kit", m_step_max_iter=5).fit(frame)
    assert got.iterations == len(one.loss_history_)
    assert got.loss_history == list(one.loss_history_)
    skills = got.skills.toPandas().set_index("worker")["skill"]
    assert float((skills.loc[one.alphas_.index] - one.alphas_).abs().max()) <= 1e-12


def test_kill_one_worker_during_a_run(spark):
    """Runs DS once, then DS again and a short GLAD (3 EM iterations, 5 conjugate-gradient steps)
    at the same time while one of the two workers is killed (SIGKILL, with its executor) once
    GLAD has made three evaluations and DS one pass: Spark re-runs the lost partitions on the
    other worker and DS gives its first run's bits, GLAD one machine's (exact partials)."""
    pid = os.environ.get("TALLY_SPARK_KILL_PID")
    path = os.environ.get("TALLY_SPARK_SYNTHETIC")
    if not pid or not path:
        pytest.skip("TALLY_SPARK_KILL_PID (a worker started by scripts/test-spark.sh) and TALLY_SPARK_SYNTHETIC are needed")
    sdf = spark.read.parquet(path)
    partitions = int(os.environ.get("TALLY_SPARK_PARTITIONS", "4"))
    reference = ts.aggregate(sdf, "ds", probabilities=True, num_partitions=partitions).labels.toPandas()
    executors_before = spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    killed = []
    ds_passes = [0]
    glad_evaluations = [0]
    at_kill = {}

    def ds_progress(passes):
        ds_passes[0] = passes

    def kill(evaluations):
        glad_evaluations[0] = evaluations
        if evaluations == 3 and not killed:
            deadline = time.time() + 300
            while ds_passes[0] < 1 and time.time() < deadline:  # DS in flight too
                time.sleep(0.2)
            at_kill.update(ds=ds_passes[0], glad=evaluations)
            children = subprocess.run(["pgrep", "-P", pid], capture_output=True, text=True).stdout.split()
            for p in [pid] + children:
                os.kill(int(p), signal.SIGKILL)
            killed.append(children)

    glad_options = dict(n_iter=3, m_step_max_iter=5)
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=2) as pool:
        ds_run = pool.submit(ts.aggregate, sdf, "ds", probabilities=True, num_partitions=partitions, progress=ds_progress)
        glad_run = pool.submit(ts.aggregate, sdf, "glad", probabilities=True, num_partitions=partitions, progress=kill, **glad_options)
        again, glad = ds_run.result(), glad_run.result()
    got = again.labels.toPandas()
    assert killed, "the worker was not killed (GLAD ended before its third evaluation)"
    assert killed[0], "the killed worker had no executor running"
    print(f"killed after DS pass {at_kill['ds']} of {again.passes} and GLAD evaluation {at_kill['glad']} of {glad.passes}")
    assert 1 <= at_kill["ds"] < again.passes and at_kill["glad"] < glad.passes, "a run was not in flight at the kill"
    frame = pd.read_parquet(path)
    compare("synthetic (worker killed)", "glad", glad, frame, model=ta.GLAD(**glad_options).fit(frame))
    executors_after = spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    assert executors_after < executors_before, f"executors: {executors_before} before, {executors_after} after"
    reference = reference.set_index("task").sort_index()
    got = got.set_index("task").sort_index()
    assert (reference["label"] == got["label"]).all()
    assert np.array_equal(np.vstack(reference["probabilities"].to_numpy()), np.vstack(got["probabilities"].to_numpy()))
