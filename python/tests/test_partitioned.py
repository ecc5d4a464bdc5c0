"""The partitioned fit's C ABI through the package (tally._native.Partition / PartitionedFit, what
tally.spark runs on executors and the driver), without Spark: the toy set and three real sets cut
into partitions of whole tasks give tally.aggregation's labels and, within 1e-9, its probabilities.
GLAD (tally._native.partitioned_glad_fit, the driver's EM and conjugate gradient over the
partitions' exact partials): one partition and four (rows shuffled, partials added in reverse)
give one machine's bits on six real sets; on all 23 categorical sets with TALLY_GLAD_ALL_SETS=1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tally
import tally.aggregation as ta
from tally import _native
from tally._frame import sort_labels

from _data import FIXTURES, REPO

SINGLE = {"ds": ta.DawidSkene, "onecoin-ds": ta.OneCoinDawidSkene, "mv": ta.MajorityVote, "wawa": ta.Wawa}


def partitioned(frame: pd.DataFrame, method: str, parts: int):
    workers, labels = sorted(frame["worker"].unique()), sort_labels(frame["label"].unique())
    w = pd.Index(workers).get_indexer(frame["worker"]).astype(np.int32)
    l = pd.Index(labels).get_indexer(frame["label"]).astype(np.int32)
    task_codes, task_names = pd.factorize(frame["task"], sort=False)
    group = task_codes % parts
    partitions, names = [], []
    for g in range(parts):
        rows = np.flatnonzero(group == g)
        local, local_names = pd.factorize(frame["task"].to_numpy()[rows], sort=False)
        partitions.append(_native.Partition(local.astype(np.int32), w[rows], l[rows], len(local_names), len(workers), len(labels)))
        names.append(local_names)
    fit = _native.PartitionedFit(method, {}, len(workers), len(labels))
    while not fit.done:
        params = fit.parameters()
        stats = [p.run(fit.pass_, params)[0] for p in partitions]
        fit.update(np.sum(stats, axis=0))
    rows = []
    for p, n in zip(partitions, names):
        _, post, lab = p.run(fit.pass_, fit.parameters(), posteriors=True)
        rows.append(pd.DataFrame(post, index=pd.Index(n, name="task"), columns=labels).assign(_label=np.asarray(labels, dtype=object)[lab]))
    return pd.concat(rows), fit


@pytest.mark.parametrize("name", ["toy", "snow-rte", "act-ms", "bluebirds"])
@pytest.mark.parametrize("method", list(SINGLE))
def test_partitions_match_one_machine(name, method):
    if name == "toy":
        frame = pd.read_csv(FIXTURES / "crowdkit" / "toy" / "answers.tsv", sep="\t", dtype=str)
    else:
        frame = tally.read_answers(str(REPO / "datasets" / "real" / name / "answers.tsv.gz")).astype(str)
    got, fit = partitioned(frame, method, parts=3)
    model = SINGLE[method]().fit(frame)
    got = got.loc[model.labels_.index]
    assert (got["_label"].to_numpy() == model.labels_.to_numpy()).all()
    probas = model.probas_
    assert float(np.abs(got[list(probas.columns)].to_numpy() - probas.to_numpy()).max()) <= 1e-9
    if method in ("ds", "onecoin-ds"):
        assert fit.iterations() == len(model.loss_history_)


def glad_partitioned(frame: pd.DataFrame, parts: int, options=None, shuffle: bool = False):
    """GLAD over `parts` partitions of tasks (task i in partition i mod parts), as tally.spark runs
    it: tasks numbered partition after partition, the partitions' exact partials added (in reverse
    partition order: integer sums). Workers in first-appearance order, as one machine numbers them
    (its sums are exact, so any numbering gives the same bits); ``shuffle``: the rows shuffled
    after numbering the workers."""
    workers, labels = list(pd.unique(frame["worker"])), sort_labels(frame["label"].unique())
    if shuffle:
        frame = frame.sample(frac=1.0, random_state=18).reset_index(drop=True)
    W, K = len(workers), len(labels)
    w = pd.Index(workers).get_indexer(frame["worker"]).astype(np.int32)
    l = pd.Index(labels).get_indexer(frame["label"]).astype(np.int32)
    task_codes, _ = pd.factorize(frame["task"], sort=False)
    group = task_codes % parts
    partitions, names, starts = [], [], []
    total = 0
    for g in range(parts):
        rows = np.flatnonzero(group == g)
        local, local_names = pd.factorize(frame["task"].to_numpy()[rows], sort=False)
        partitions.append(_native.Partition(local.astype(np.int32), w[rows], l[rows], len(local_names), W, K))
        names.append(local_names)
        starts.append(total)
        total += len(local_names)
    posteriors = [None] * parts

    def e_step(x):
        for i, p in enumerate(partitions):
            posteriors[i] = p.glad_estep(x[:W], x[W + starts[i]:W + starts[i] + p.tasks])[0]

    def likelihood(x, partial, g):
        for i in reversed(range(parts)):
            p = partitions[i]
            lo = W + starts[i]
            exact, gb = p.glad_likelihood(x[:W], x[lo:lo + p.tasks], posteriors[i])
            partial += exact
            g[lo:lo + p.tasks] = gb

    out = _native.partitioned_glad_fit(options or {}, W, total, K, len(frame), e_step, likelihood)
    rows = []
    for i, (p, n) in enumerate(zip(partitions, names)):
        x = out["estep_x"]
        post, lab = p.glad_estep(x[:W], x[W + starts[i]:W + starts[i] + p.tasks], labels=True)
        rows.append(pd.DataFrame(post, index=pd.Index(n, name="task"), columns=labels).assign(_label=np.asarray(labels, dtype=object)[lab]))
    return pd.concat(rows), out, workers


def _real_sets():
    import os
    names = ["snow-rte", "act-ms", "bluebirds", "gal-bm", "zhou-web", "vldb-face"]
    if os.environ.get("TALLY_GLAD_ALL_SETS") == "1":
        outside = REPO.parent / "shared" / "datasets"
        found = {d.name for root in (REPO / "datasets" / "real", outside) if root.is_dir() for d in root.iterdir()
                 if any((d / f).exists() for f in ("answers.tsv", "answers.tsv.gz"))}
        names = sorted(found - {"vldb-emotion"})
    return names


def _read(name):
    for root in (REPO / "datasets" / "real", REPO.parent / "shared" / "datasets"):
        for f in ("answers.tsv.gz", "answers.tsv"):
            if (root / name / f).exists():
                return tally.read_answers(str(root / name / f)).astype(str)
    pytest.skip(f"no copy of {name}")


@pytest.mark.parametrize("name", ["toy"] + _real_sets())
def test_glad_partitions_match_one_machine(name):
    frame = pd.read_csv(FIXTURES / "crowdkit" / "toy" / "answers.tsv", sep="\t", dtype=str) if name == "toy" else _read(name)
    model = ta.GLAD().fit(frame)
    for parts, shuffle in ((1, False), (4, True)):
        got, out, workers = glad_partitioned(frame, parts, shuffle=shuffle)
        got = got.loc[model.labels_.index]
        mismatched = int((got["_label"].to_numpy() != model.labels_.to_numpy()).sum())
        diff = float(np.abs(got[list(model.probas_.columns)].to_numpy() - model.probas_.to_numpy()).max())
        # GLAD's sums are exact: one machine's bits from any partitioning and row order.
        assert mismatched == 0 and diff == 0.0, f"{name}, {parts} partitions: {mismatched} labels differ, probabilities by {diff}"
        assert out["iterations"] == len(model.loss_history_)
        assert list(out["loss_history"]) == list(model.loss_history_)
        alphas = pd.Series(out["x"][:len(workers)], index=workers)
        assert float((alphas.loc[model.alphas_.index] - model.alphas_).abs().max()) == 0.0


def test_glad_options_and_failures():
    frame = _read("snow-rte")
    model = ta.GLAD(n_iter=5, tol=1e-9, compat="crowd-kit", m_step_max_iter=8).fit(frame)
    got, out, _ = glad_partitioned(frame, 1, {"max-iterations": 5, "tolerance": 1e-9, "stopping": "crowd-kit", "m-step-iterations": 8})
    assert out["iterations"] == len(model.loss_history_)
    got = got.loc[model.labels_.index]
    assert float(np.abs(got[list(model.probas_.columns)].to_numpy() - model.probas_.to_numpy()).max()) == 0.0
    with pytest.raises(ValueError, match="bogus"):
        _native.partitioned_glad_fit({"bogus": 3}, 2, 2, 2, 4, lambda x: None, lambda x, partial, g: None)

    def boom(x, partial, g):
        raise RuntimeError("executor lost")
    with pytest.raises(RuntimeError, match="executor lost"):
        _native.partitioned_glad_fit({}, 2, 2, 2, 4, lambda x: None, boom)
    p = _native.Partition(np.array([0, 0], np.int32), np.array([0, 1], np.int32), np.array([0, 1], np.int32), 1, 2, 2)
    with pytest.raises(ValueError, match="task parameters"):
        p.glad_estep(np.ones(2), np.ones(3))


def test_bad_calls_raise_value_error():
    with pytest.raises(ValueError, match="worker code"):
        _native.Partition(np.array([0, 0], np.int32), np.array([0, 9], np.int32), np.array([0, 1], np.int32), 1, 2, 2)
    with pytest.raises(ValueError, match="partitioned fit runs"):
        _native.PartitionedFit("glad", {}, 2, 2)
    with pytest.raises(ValueError, match="em"):
        _native.PartitionedFit("ds", {"em": "sometimes"}, 2, 2)
    with pytest.raises(ValueError, match="initialization"):
        _native.PartitionedFit("ds", {"initialization": "spectral"}, 2, 2)
    fit = _native.PartitionedFit("mv", {}, 2, 2)
    with pytest.raises(ValueError, match="statistics"):
        fit.update(np.zeros(3))
