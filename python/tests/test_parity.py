"""Parity through the package: tally.aggregation on the toy set and the 23 categorical data sets
against crowd-kit 1.4.2's outputs (the repository's fixtures), with the Swift parity tests'
tolerances: labels identical; MV/Wawa/ZBS/GoldMV probabilities and skills 1e-9; DS and one-coin
DS probabilities, priors, confusions and skills 1e-6, loss 1e-9, iterations equal; MACE
(compat="crowd-kit") probabilities and spamming 1e-12; GLAD (compat="crowd-kit") as the Swift
test (first loss 1e-4 relative, labels agree on 99.5 %, accuracy within 0.003; the toy set
exactly); KOS no worse than crowd-kit's accuracy, M-MSR within 0.5 points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tally.aggregation as ta
from tally import metrics

from _data import dataset, fixture, have_datasets, manifest

pytestmark = pytest.mark.skipif(not have_datasets(), reason="../shared/datasets is not here")

DATASETS = list(dict.fromkeys(manifest("crowdkit")["dataset"]))


def _label_str(v) -> str:
    return str(v)


def _check_labels(labels: pd.Series, expected: pd.DataFrame, context: str):
    ours = labels.map(_label_str)
    exp = expected.set_index(expected.columns[0])[expected.columns[1]]
    assert len(exp) == len(ours), f"{context}: {len(exp)} tasks in the fixture, {len(ours)} ours"
    ours = ours.copy()
    ours.index = ours.index.map(str)
    bad = int((ours.reindex(exp.index) != exp).sum())
    assert bad == 0, f"{context}: {bad} labels differ from crowd-kit"


def _worst(ours: pd.DataFrame, expected: pd.DataFrame, key_columns: int = 1) -> float:
    """Largest |Δ| between a frame and a fixture, rows by key and columns by name (as strings)."""
    exp = expected.set_index(list(expected.columns[:key_columns]))
    o = ours.copy()
    o.columns = o.columns.map(str)
    if isinstance(o.index, pd.MultiIndex):
        o.index = pd.MultiIndex.from_arrays([o.index.get_level_values(i).map(str) for i in range(o.index.nlevels)])
    else:
        o.index = o.index.map(str)
    assert set(exp.index) <= set(o.index), "fixture rows missing from ours"
    o = o.loc[exp.index, list(exp.columns)]
    d = np.abs(o.to_numpy(dtype=float) - exp.to_numpy(dtype=float))
    return float(np.nanmax(d)) if not np.isnan(d).any() else float("inf")


@pytest.mark.parametrize("name", DATASETS)
def test_vote_family(name):
    df, gold = dataset(name)
    m = manifest("crowdkit")
    for _, row in m[m["dataset"] == name].iterrows():
        method, context = row["method"], f"{name}/{row['method']}"
        if method == "gold_mv" and row["status"] == "raises":
            with pytest.raises(ValueError):
                ta.GoldMajorityVote(on_missing_skill="error").fit(df, gold)
            ta.GoldMajorityVote().fit(df, gold)  # Tally's default: the mean skill for workers without gold
            continue
        agg = {"mv": ta.MajorityVote(), "wawa": ta.Wawa(), "zbs": ta.ZeroBasedSkill(),
               "gold_mv": ta.GoldMajorityVote(on_missing_skill="error")}[method]
        agg.fit(df, gold) if method == "gold_mv" else agg.fit(df)
        _check_labels(agg.labels_, fixture("crowdkit", name, f"{method}.labels.tsv.gz"), context)
        assert _worst(agg.probas_, fixture("crowdkit", name, f"{method}.probas.tsv.gz")) <= 1e-9, context
        assert _worst(agg.skills_.to_frame(), fixture("crowdkit", name, f"{method}.skills.tsv.gz")) <= 1e-9, context


def _initial_error(name: str, config: str) -> pd.DataFrame:
    f = fixture("crowdkit-ds", name, f"{config}.initial_error.tsv.gz")
    df, _ = dataset(name)
    if df["label"].dtype.kind == "i":
        f["label"] = f["label"].astype("int64")
        f.columns = ["worker", "label"] + [int(c) for c in f.columns[2:]]
    return f.set_index(["worker", "label"]).astype(float)


@pytest.mark.parametrize("name", DATASETS)
def test_dawid_skene(name):
    df, gold = dataset(name)
    m = manifest("crowdkit-ds")
    for _, row in m[m["dataset"] == name].iterrows():
        config, context = row["config"], f"{name}/{row['config']}"
        if config == "ds":
            agg = ta.DawidSkene().fit(df)
        elif config == "ds20":
            agg = ta.DawidSkene(n_iter=20).fit(df)
        elif config == "onecoin":
            agg = ta.OneCoinDawidSkene().fit(df)
        elif config == "onecoin20":
            agg = ta.OneCoinDawidSkene(n_iter=20).fit(df)
        elif config == "ds-gold-half":
            agg = ta.DawidSkene().fit(df, true_labels=gold.iloc[: len(gold) // 2])
        elif config in ("ds-addition", "ds-assign"):
            agg = ta.DawidSkene(initial_error_strategy=config[3:]).fit(df, initial_error=_initial_error(name, config))
        else:
            pytest.fail(f"unknown configuration {config}")
        files = row["message"].split("files: same as ")[-1] if "files: same as" in row["message"] else config
        assert len(agg.loss_history_) == int(row["n_iter_run"]), f"{context}: iterations"
        probas = fixture("crowdkit-ds", name, f"{files}.probas.tsv.gz")
        try:
            _check_labels(agg.labels_, fixture("crowdkit-ds", name, f"{files}.labels.tsv.gz"), context)
        except FileNotFoundError:
            p = probas.set_index("task").astype(float)
            expected = pd.DataFrame({"task": p.index, "label": p.columns[np.argmax(p.to_numpy(), axis=1)]})
            _check_labels(agg.labels_, expected, context)
        assert _worst(agg.probas_, probas) <= 1e-6, f"{context}: probabilities"
        assert _worst(agg.priors_.to_frame(), fixture("crowdkit-ds", name, f"{files}.priors.tsv.gz")) <= 1e-6, f"{context}: priors"
        assert _worst(agg.errors_, fixture("crowdkit-ds", name, f"{files}.errors.tsv.gz"), key_columns=2) <= 1e-6, f"{context}: errors"
        loss = fixture("crowdkit-ds", name, f"{files}.loss.tsv.gz")["loss"].astype(float).to_numpy()
        assert np.max(np.abs(np.asarray(agg.loss_history_) - loss)) <= 1e-9, f"{context}: loss"
        if config.startswith("onecoin"):
            assert _worst(agg.skills_.to_frame(), fixture("crowdkit-ds", name, f"{files}.skills.tsv.gz")) <= 1e-6, f"{context}: skills"


MORE = manifest("crowdkit-more")


@pytest.mark.parametrize("name", list(MORE[(MORE["method"] == "mace") & (MORE["status"] == "ok")]["dataset"]))
def test_mace_compat(name):
    df, _ = dataset(name)
    agg = ta.MACE(compat="crowd-kit").fit(df)
    _check_labels(agg.labels_, fixture("crowdkit-more", name, "mace.labels.tsv.gz"), name)
    spam = fixture("crowdkit-more", name, "mace.spamming.tsv.gz")
    assert list(spam["worker"]) == [str(w) for w in pd.unique(df["worker"])]
    assert np.max(np.abs(agg.spamming_ - spam[["p0", "p1"]].astype(float).to_numpy())) <= 1e-12
    try:
        probas = fixture("crowdkit-more", name, "mace.probas.tsv.gz")
    except FileNotFoundError:
        try:
            probas = fixture("crowdkit-mace-compat", name, "mace.probas-sample.tsv.gz")
        except FileNotFoundError:
            assert len(df) > 50_000  # no probability fixture kept for the largest sets
            return
    assert _worst(agg.probas_, probas) <= 1e-12, name


@pytest.mark.parametrize("name", list(MORE[(MORE["method"] == "glad") & (MORE["status"] == "ok")]["dataset"]))
def test_glad_compat(name):
    df, gold = dataset(name)
    row = MORE[(MORE["method"] == "glad") & (MORE["dataset"] == name)].iloc[0]
    agg = ta.GLAD(compat="crowd-kit").fit(df)
    labels = fixture("crowdkit-more", name, "glad.labels.tsv.gz")
    ours = agg.labels_.map(str)
    ours.index = ours.index.map(str)
    agreement = float((ours.reindex(labels["task"]).to_numpy() == labels.iloc[:, 1].to_numpy()).mean())
    loss = fixture("crowdkit-more", name, "glad.loss.tsv.gz").set_index("iteration")["loss"].astype(float)
    assert abs(agg.loss_history_[0] - loss.loc["1"]) <= 1e-4 * abs(loss.loc["1"]), name
    if name == "toy":
        assert len(agg.loss_history_) == int(row["n_iter_run"])
        assert np.max(np.abs(np.asarray(agg.loss_history_) - loss.to_numpy())) <= 1e-9
        assert _worst(agg.alphas_.to_frame(), fixture("crowdkit-more", name, "glad.alphas.tsv.gz")) <= 1e-9
    assert agreement >= 0.995, f"{name}: labels agree on {agreement}"
    assert abs(metrics.accuracy(agg.labels_, gold) - float(row["accuracy"])) <= 0.003, name


@pytest.mark.parametrize("name", list(MORE[(MORE["method"] == "kos") & (MORE["status"] == "ok")]["dataset"]))
def test_kos_no_worse(name):
    df, gold = dataset(name)
    expected = float(MORE[(MORE["method"] == "kos") & (MORE["dataset"] == name)].iloc[0]["accuracy"])
    assert metrics.accuracy(ta.KOS().fit_predict(df), gold) >= expected - 5e-4, name


@pytest.mark.parametrize("name", list(MORE[(MORE["method"] == "mmsr") & (MORE["status"] == "ok")]["dataset"]))
def test_mmsr_accuracy(name):
    df, gold = dataset(name)
    expected = float(MORE[(MORE["method"] == "mmsr") & (MORE["dataset"] == name)].iloc[0]["accuracy"])
    assert abs(metrics.accuracy(ta.MMSR().fit_predict(df), gold) - expected) <= 5e-3, name
