"""The partitioned fit's C ABI through the package (tally._native.Partition / PartitionedFit, what
tally.spark runs on executors and the driver), without Spark: the toy set and three real sets cut
into partitions of whole tasks give tally.aggregation's labels and, within 1e-9, its probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tally
import tally.aggregation as ta
from tally import _native

from _data import FIXTURES, REPO

SINGLE = {"ds": ta.DawidSkene, "onecoin-ds": ta.OneCoinDawidSkene, "mv": ta.MajorityVote, "wawa": ta.Wawa}


def partitioned(frame: pd.DataFrame, method: str, parts: int):
    workers, labels = sorted(frame["worker"].unique()), sorted(frame["label"].unique())
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
