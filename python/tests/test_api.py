"""tally.aggregation's shape: crowd-kit's names, index and column names and dtypes; every registry
method reachable; concurrent fits; read_answers and metrics."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tally
import tally.aggregation as ta
from tally import metrics

from _data import FIXTURES, REPO, dataset

TOY = pd.DataFrame(
    [["w1", "t1", "no"], ["w1", "t2", "yes"], ["w1", "t3", "yes"], ["w1", "t4", "yes"], ["w1", "t5", "yes"],
     ["w2", "t1", "yes"], ["w2", "t2", "yes"], ["w2", "t3", "no"], ["w2", "t4", "yes"], ["w2", "t5", "no"],
     ["w3", "t2", "yes"], ["w3", "t3", "no"], ["w3", "t4", "yes"], ["w3", "t5", "no"],
     ["w4", "t1", "yes"], ["w4", "t2", "no"], ["w4", "t3", "yes"], ["w4", "t4", "yes"], ["w4", "t5", "no"],
     ["w5", "t1", "no"], ["w5", "t2", "no"], ["w5", "t3", "no"], ["w5", "t4", "yes"], ["w5", "t5", "no"]],
    columns=["worker", "task", "label"])
TRUTH = pd.Series(["yes", "yes", "no", "yes", "no"], index=pd.Index(["t1", "t2", "t3", "t4", "t5"], name="task"), name="agg_label")


def test_installed_where_expected():
    # scripts/test-python.sh sets this when it runs the tests against the installed wheel.
    expected = os.environ.get("TALLY_EXPECT_INSTALLED")
    if expected:
        assert Path(tally.__file__).resolve().is_relative_to(Path(expected).resolve()), tally.__file__
        assert (Path(tally.__file__).parent / "_native" / "libTallyC.so").exists()


def test_dawid_skene_shapes():
    ds = ta.DawidSkene(n_iter=20)
    labels = ds.fit_predict(TOY)
    assert labels is ds.labels_
    pd.testing.assert_series_equal(labels.sort_index(), TRUTH)
    assert ds.probas_.index.name == "task" and ds.probas_.columns.name == "label"
    assert list(ds.probas_.columns) == ["no", "yes"] and ds.probas_.dtypes.eq(np.float64).all()
    assert ds.priors_.name == "prior" and ds.priors_.index.name == "label"
    assert list(ds.errors_.index.names) == ["worker", "label"] and list(ds.errors_.columns) == ["no", "yes"]
    assert isinstance(ds.loss_history_, list) and 0 < len(ds.loss_history_) <= 20
    assert ds.fit_predict_proba(TOY) is ds.probas_
    np.testing.assert_allclose(ds.probas_.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("values", [[0, 1], [True, False], ["no", "yes"], [1.5, 2.5]])
def test_labels_keep_their_dtype(values):
    data = TOY.assign(label=TOY["label"].map({"no": values[0], "yes": values[1]}))
    labels = ta.DawidSkene().fit_predict(data)
    assert labels.dtype == data["label"].dtype
    assert list(ta.MajorityVote().fit(data).probas_.columns) == sorted(values)


def test_integer_labels_sort_as_numbers():
    # 10 sorts after 9 (pandas 2's column order, crowd-kit's ties), not as the string "10".
    data = pd.DataFrame({"task": [1, 1, 2, 2], "worker": [1, 2, 1, 2], "label": [10, 9, 9, 10]})
    mv = ta.MajorityVote().fit(data)
    assert list(mv.probas_.columns) == [9, 10]
    assert mv.labels_.tolist() == [9, 9]  # ties go to the first column, as in crowd-kit under pandas 2


def test_integer_strings_sort_as_the_cli_sorts_them():
    # "2" before "10" (the CLI's LabelSet: every label a canonical integer, so numeric order), so a
    # tie goes to "2" as in `tally aggregate`; Python's str order would put "10" first.
    data = pd.DataFrame({"task": ["a", "a", "b", "b", "c"], "worker": ["x", "y", "x", "y", "x"],
                         "label": ["10", "2", "2", "9", "10"]})
    mv = ta.MajorityVote().fit(data)
    assert list(mv.probas_.columns) == ["2", "9", "10"]
    assert mv.labels_.tolist() == ["2", "2", "10"]
    assert list(ta.DawidSkene().fit(data).probas_.columns) == ["2", "9", "10"]
    # Not all canonical integers ("02", "-0", "x"): Python's (the CLI's scalar) order.
    for labels in (["10", "02"], ["10", "-0"], ["10", "2", "x"]):
        frame = pd.DataFrame({"task": list(range(len(labels))), "worker": [1] * len(labels), "label": labels})
        assert list(ta.MajorityVote().fit(frame).probas_.columns) == sorted(labels)
    frame = pd.DataFrame({"task": [1, 2, 3], "worker": [1, 1, 1], "label": ["-3", "12345678901234567890123", "-12"]})
    assert list(ta.MajorityVote().fit(frame).probas_.columns) == ["-12", "-3", "12345678901234567890123"]


def test_fitted_attributes_of_each_class():
    gold = TRUTH.iloc[:2]
    assert ta.MajorityVote().fit(TOY).skills_.name == "skill"
    for cls in (ta.Wawa, ta.ZeroBasedSkill):
        m = cls().fit(TOY)
        assert m.skills_.index.name == "worker" and m.predict(TOY).name == "agg_label" and m.predict_proba(TOY).shape == (5, 2)
    g = ta.GoldMajorityVote().fit(TOY, gold)
    assert g.skills_.name == "skill"
    o = ta.OneCoinDawidSkene().fit(TOY)
    assert o.skills_.name == "skill" and o.errors_ is not None
    gl = ta.GLAD().fit(TOY)
    assert gl.alphas_.name == "alpha" and gl.alphas_.index.name == "worker"
    assert gl.betas_.name == "beta" and gl.betas_.index.name == "task" and gl.priors_.name == "prior"
    mace = ta.MACE(n_restarts=2).fit(TOY)
    assert mace.spamming_.shape == (5, 2) and mace.thetas_.shape == (5, 2)
    mm = ta.MMSR().fit(TOY)
    assert mm.scores_.shape == (5, 2) and mm.skills_.name == "skill" and mm.predict_score(TOY).shape == (5, 2)
    assert ta.KOS().fit_predict(TOY).name == "agg_label"


def test_tally_extras():
    for em in ("soft", "hard", "hybrid"):
        for init in ("mv", "spectral"):
            pd.testing.assert_series_equal(ta.DawidSkene(em=em, initialization=init).fit_predict(TOY).sort_index(), TRUTH)
    ds = ta.DawidSkene().fit(TOY, true_labels=TRUTH.iloc[:2])
    assert ds.probas_.loc["t1", "yes"] == pytest.approx(1.0)


def test_every_registry_method_is_reachable():
    methods = ta.methods()
    names = [m["name"] for m in methods]
    assert {"mv", "ds", "glad", "mace", "kos", "mmsr"} <= set(names)
    classes = ta.registry_classes()
    for m in methods:
        if not m["crowd_kit_class"]:
            assert getattr(ta, next(c for c, k in classes.items() if k._method == m["name"])), m["name"]
        agg = ta.aggregator(m["name"])
        labels = agg.fit_predict(TOY, true_labels=TRUTH.iloc[:2] if m["needs_gold"] else None)
        assert len(labels) == 5 and labels.isin(["yes", "no"]).all(), m["name"]
        assert agg.probas_.shape == (5, 2), m["name"]
        for p in m["parameters"]:  # every parameter by its Python name, at its default
            from tally.aggregation._registry import python_name
            ta.aggregator(m["name"], **{python_name(p["name"]): p["default"]})


def test_ibcc_from_the_registry():
    ibcc = ta.IBCC(n_iter=50)
    pd.testing.assert_series_equal(ibcc.fit_predict(TOY).sort_index(), TRUTH)
    assert ibcc.priors_.name == "prior" and ibcc.errors_ is not None
    with pytest.raises(TypeError):
        ta.IBCC(no_such_parameter=1)


def test_concurrent_fits_agree():
    df, _ = dataset("vldb-dog") if (REPO.parent / "shared/datasets/vldb-dog").exists() else (TOY, None)
    expected = ta.DawidSkene(n_iter=30).fit(df).probas_
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: ta.DawidSkene(n_iter=30).fit(df).probas_, range(8)))
    for r in results:
        pd.testing.assert_frame_equal(r, expected)


def test_read_answers(tmp_path):
    path = FIXTURES / "crowdkit" / "toy" / "answers.tsv"
    df = tally.read_answers(path)
    assert list(df.columns) == ["task", "worker", "label"] and len(df) == 24
    ref = pd.read_csv(path, sep="\t", dtype=str)
    pd.testing.assert_frame_equal(df.reset_index(drop=True), ref[["task", "worker", "label"]])
    jl = tmp_path / "answers.jsonl"
    jl.write_text("".join(json.dumps({"task": r.task, "worker": r.worker, "label": r.label}) + "\n" for r in ref.itertuples()))
    pd.testing.assert_frame_equal(tally.read_answers(jl), df)
    with pytest.raises(OSError):
        tally.read_answers(tmp_path / "missing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("task\tworker\nt1\tw1\n")
    with pytest.raises(ValueError, match="label"):
        tally.read_answers(bad)


def test_metrics():
    pred = pd.Series(["yes", "yes", "yes", "yes", "no"], index=TRUTH.index)
    assert metrics.accuracy(pred, TRUTH) == pytest.approx(0.8)
    e = metrics.evaluate(pred, TRUTH)
    assert e["scored"] == 5 and e["gold_tasks"] == 5
    assert metrics.macro_f1(pred, TRUTH) == pytest.approx((0.8571428571428571 + 0.6666666666666666) / 2)


def test_c_abi_program(tmp_path):
    cc = shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler")
    lib = Path(os.environ.get("TALLY_LIBRARY") or Path(tally.__file__).parent / "_native" / "libTallyC.so")
    exe = tmp_path / "abi_test"
    subprocess.run([cc, "-O1", "-Wall", "-Werror", "-I", str(REPO / "Sources/CTallyABI/include"), str(REPO / "Tests/CABI/abi_test.c"),
                    str(lib), f"-Wl,-rpath,{lib.parent}", "-lpthread", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "all checks passed" in out.stdout
