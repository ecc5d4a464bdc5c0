"""Bad input from Python raises ValueError with a message a person can act on; nothing crashes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import tally.aggregation as ta

GOOD = pd.DataFrame({"task": ["t1", "t1", "t2", "t2"], "worker": ["a", "b", "a", "b"], "label": ["x", "y", "y", "y"]})
CLASSES = [ta.MajorityVote, ta.Wawa, ta.ZeroBasedSkill, ta.DawidSkene, ta.OneCoinDawidSkene, ta.GLAD, ta.MACE, ta.MMSR, ta.KOS]


def _fit(cls, data):
    return cls().fit(data)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("missing", ["task", "worker", "label"])
def test_missing_column(cls, missing):
    with pytest.raises(ValueError, match=rf"\['{missing}'\] not in index"):
        _fit(cls, GOOD.drop(columns=[missing]))
    with pytest.raises(KeyError):  # crowd-kit raises KeyError here; both hold
        _fit(cls, GOOD.drop(columns=[missing]))


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("missing", [np.nan, None])
def test_nan_label(cls, missing):
    data = GOOD.copy()
    data["label"] = data["label"].astype(object)
    data.loc[2, "label"] = missing
    with pytest.raises(ValueError, match=r"label column holds 1 missing values .* first at row 2"):
        _fit(cls, data)


@pytest.mark.parametrize("column", ["task", "worker"])
def test_nan_task_or_worker(column):
    data = GOOD.copy()
    data.loc[0, column] = None
    with pytest.raises(ValueError, match=rf"{column} column holds 1 missing values"):
        ta.DawidSkene().fit(data)


@pytest.mark.parametrize("cls", CLASSES)
def test_mixed_label_types(cls):
    data = GOOD.copy()
    data["label"] = ["x", 1, "y", 2.5]
    with pytest.raises(ValueError, match=r"label column mixes value types"):
        _fit(cls, data)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("frame", [pd.DataFrame(columns=["task", "worker", "label"]), pd.DataFrame({"task": [], "worker": [], "label": []})])
def test_empty_frame(cls, frame):
    with pytest.raises(ValueError, match=r"data is empty: no answers"):
        _fit(cls, frame)


@pytest.mark.parametrize("bad", [None, [("t", "w", "l")], {"task": ["t"]}, "answers.tsv"])
def test_not_a_data_frame(bad):
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        ta.DawidSkene().fit(bad)


def test_settings_and_inputs():
    with pytest.raises(ValueError, match="number of iterations must be ≥ 0"):
        ta.DawidSkene(n_iter=-1).fit(GOOD)
    with pytest.raises(ValueError, match="em' must be one of"):
        ta.DawidSkene(em="sometimes").fit(GOOD)
    with pytest.raises(ValueError, match="kos handles exactly two labels"):
        ta.KOS().fit(pd.DataFrame({"task": [1, 1, 1], "worker": [1, 2, 3], "label": ["a", "b", "c"]}))
    with pytest.raises(ValueError, match="true_labels holds missing values"):
        ta.DawidSkene().fit(GOOD, true_labels=pd.Series([None], index=["t1"]))
    with pytest.raises(ValueError, match="has two gold labels"):
        ta.GoldMajorityVote().fit(GOOD, pd.Series(["x", "y"], index=["t1", "t1"]))
    with pytest.raises(ValueError, match="Skill value is missing"):
        ta.MajorityVote().fit(GOOD, skills=pd.Series({"zz": 1.0}))
    with pytest.raises(ValueError, match="not supported by Tally's MACE"):
        ta.MACE(alpha=0.7)
    with pytest.raises(ValueError, match="not fitted"):
        ta.Wawa().predict(GOOD)
    with pytest.raises(ValueError, match="The sum of each worker's error matrix"):
        init = pd.DataFrame(np.zeros((4, 2)), index=pd.MultiIndex.from_product([["a", "b"], ["x", "y"]], names=["worker", "label"]),
                            columns=["x", "y"])
        ta.DawidSkene(initial_error_strategy="assign").fit(GOOD, initial_error=init)


def test_nothing_crashes_the_interpreter():
    # Every bad input above, in a child interpreter: it must end normally, having caught each error.
    code = (
        "import pandas as pd, numpy as np, tally.aggregation as ta\n"
        "bad = [pd.DataFrame(columns=['task','worker','label']), pd.DataFrame({'task':[1],'worker':[1]}),\n"
        "       pd.DataFrame({'task':[1,2],'worker':[1,1],'label':['a',np.nan]}), pd.DataFrame({'task':[1,2],'worker':[1,1],'label':['a',1]})]\n"
        "for cls in [ta.MajorityVote, ta.DawidSkene, ta.GLAD, ta.MACE, ta.KOS, ta.MMSR, ta.Wawa, ta.ZeroBasedSkill, ta.OneCoinDawidSkene]:\n"
        "    for b in bad:\n"
        "        try:\n"
        "            cls().fit(b)\n"
        "        except ValueError:\n"
        "            pass\n"
        "print('survived')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "survived"
