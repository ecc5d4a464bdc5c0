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
# GLAD on the synthetic Parquet set: one Spark job per objective evaluation (hundreds), so CI's
# 1 M-answer run takes it only when TALLY_SPARK_SYNTHETIC_GLAD=1.
SYNTHETIC_METHODS = METHODS if os.environ.get("TALLY_SPARK_SYNTHETIC_GLAD") == "1" else METHODS[:-1]
# GLAD takes one Spark job per objective evaluation (tens to hundreds per fit, about 1,700 on
# vldb-rel), so the sweep runs it on the sets it needs fewest evaluations on unless
# TALLY_SPARK_GLAD_SETS=all (or a comma-separated list); python/tests/test_partitioned.py checks
# the same partitioned GLAD without Spark on every set (TALLY_GLAD_ALL_SETS=1).
_GLAD_SETS = os.environ.get("TALLY_SPARK_GLAD_SETS", "snow-wsd,gal-hitspam-cf")


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
    fitted single-machine model); GLAD's largest difference is printed (its sums are exact: 0)."""
    if model is None:
        labels, probas = single(method, frame)
    else:
        labels, probas = model.labels_, model.probas_
    got = result.labels.toPandas().set_index("task")
    assert len(got) == len(labels), f"{name} {method}: {len(got)} tasks, one machine has {len(labels)}"
    got = got.loc[labels.index]
    mismatched = int((got["label"].to_numpy() != labels.to_numpy()).sum())
    assert mismatched == 0, f"{name} {method}: {mismatched} labels differ from one machine's"
    if probas is not None:
        p = np.vstack(got["probabilities"].to_numpy())
        assert list(probas.columns) == result.classes
        diff = float(np.abs(p - probas.to_numpy()).max())
        assert diff <= 1e-9, f"{name} {method}: probabilities differ by {diff}"
        if method == "glad":
            print(f"{name} glad on {result.partitions} partitions: {mismatched} labels differ, max |Δp| {diff:.3g}")
    return got


SETS = categorical_sets()


def test_real_datasets(spark):
    """Every categorical data set × every method, several fits at once (Spark runs concurrent jobs;
    on small sets a pass is mostly scheduling latency); all mismatches are reported together."""
    from concurrent.futures import ThreadPoolExecutor
    assert len(SETS) >= 16 or os.environ.get("TALLY_SPARK_SETS"), f"only {len(SETS)} data sets found"

    def one(item):
        name, path = item
        frame = tally.read_answers(str(path)).astype(str)
        sdf = spark.createDataFrame(frame[["task", "worker", "label"]])
        out = []
        for method in SWEEP_METHODS:
            if method == "glad" and _GLAD_SETS != "all" and name not in _GLAD_SETS.split(","):
                continue
            try:
                # GLAD on three partitions (its sums are exact: one machine's bits whatever the
                # partitioning), the others on two.
                result = ts.aggregate(sdf, method, probabilities=True, num_partitions=3 if method == "glad" else 2)
                compare(name, method, result, frame)
                out.append((name, method, None, result.passes))
            except AssertionError as e:
                out.append((name, method, str(e), None))
        return out

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=int(os.environ.get("TALLY_SPARK_CONCURRENT", "6"))) as pool:
        results = [r for rs in pool.map(one, SETS) for r in rs]
    failures = [f"{n} {m}: {e}" for n, m, e, _ in results if e]
    print(f"real data sets: {len(SETS)} sets, {len(results)} fits ({sum(m == 'glad' for _, m, *_ in results)} glad), "
          f"{sum(p or 0 for *_, p in results)} passes, "
          f"{time.perf_counter() - t0:.0f} s")
    assert not failures, "\n".join(failures)


def test_synthetic_parquet(spark):
    path = os.environ.get("TALLY_SPARK_SYNTHETIC")
    if not path:
        pytest.skip("TALLY_SPARK_SYNTHETIC (a Parquet file from make_synthetic.py) is not set")
    frame = pd.read_parquet(path)
    sdf = spark.read.parquet(path)
    partitions = int(os.environ.get("TALLY_SPARK_PARTITIONS", "4"))
    for method in SYNTHETIC_METHODS:
        t0 = time.perf_counter()
        result = ts.aggregate(sdf, method, probabilities=True, num_partitions=partitions)
        seconds = time.perf_counter() - t0
        compare("synthetic", method, result, frame)
        print(f"synthetic {len(frame)} answers, {method}: {seconds:.1f} s on Spark, {result.passes} passes")


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
