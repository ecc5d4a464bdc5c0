#!/usr/bin/env python3
"""Writes notebooks-export/python-tally.ipynb: a notebook that uses the Python package, with the
outputs of running its cells here (from notebooks-export/, as Jupyter would).

    python python/compat/make_notebook.py [OUT.ipynb]

Needs tally importable (installed, or python/src on PYTHONPATH with TALLY_LIBRARY set). The cells'
results depend only on the data and fixed seeds.
"""

import ast
import contextlib
import io
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CELLS = [
    ("markdown", """# Tally from Python

`tally.aggregation` has crowd-kit's classes (`MajorityVote`, `Wawa`, `ZeroBasedSkill`, `GoldMajorityVote`,
`DawidSkene`, `OneCoinDawidSkene`, `GLAD`, `MACE`, `KOS`, `MMSR`) with crowd-kit's constructor arguments,
methods and fitted attributes, computed by Tally's Swift library; so `from crowdkit.aggregation import DawidSkene`
becomes `from tally.aggregation import DawidSkene` and the rest of a notebook stays as it is. Methods crowd-kit
lacks come from Tally's method registry (`IBCC`, and Dawid-Skene's `em="hard"`/`"hybrid"` and
`initialization="spectral"`).

Install with `pip install ./python` from the repository (it builds the Swift library), or install the wheel
`pip wheel ./python` makes. This notebook is written by `python/compat/make_notebook.py`."""),
    ("code", """import numpy as np
import pandas as pd
import tally
import tally.aggregation as ta
from tally import metrics

[m["name"] for m in ta.methods()]"""),
    ("markdown", "crowd-kit's toy data set: five tasks, five workers. The notebook's aggregation cell, unchanged but for the import:"),
    ("code", """from tally.aggregation import DawidSkene

answers_df = pd.read_csv("../datasets/toy/answers.tsv", sep="\\t")
aggregated = DawidSkene(n_iter=20).fit_predict(answers_df)
aggregated"""),
    ("code", """ds = DawidSkene(n_iter=20).fit(answers_df)
ds.probas_.round(4), ds.priors_, len(ds.loss_history_)"""),
    ("code", "ds.errors_.round(4)"),
    ("markdown", "`tally.read_answers` reads every format `tally aggregate` reads; here Toloka's TSV export of the audio-gender pool:"),
    ("code", """export = tally.read_answers("../datasets/toloka-audio-gender/export.tsv")
print(len(export), "answers,", export["task"].nunique(), "tasks,", export["worker"].nunique(), "workers")
pd.DataFrame({"mv": ta.MajorityVote().fit_predict(export), "ds": DawidSkene().fit_predict(export)}).head()"""),
    ("markdown", """A synthetic crowd with a known truth (seeded): 20 000 tasks, 3 labels, 300 workers answering 5 times per task;
60 % of the workers are right 85 % of the time, 25 % are right 55 % of the time, 15 % answer at random.
Every method, crowd-kit's classes and Tally's own, on the same DataFrame:"""),
    ("code", """rng = np.random.default_rng(0)
n_tasks, n_workers, k, overlap = 20_000, 300, 3, 5
truth = rng.integers(0, k, n_tasks)
accuracy = rng.choice([0.85, 0.55, 1 / k], size=n_workers, p=[0.60, 0.25, 0.15])
task = np.repeat(np.arange(n_tasks), overlap)
worker = np.concatenate([rng.choice(n_workers, overlap, replace=False) for _ in range(n_tasks)])
right = rng.random(len(task)) < accuracy[worker]
label = np.where(right, truth[task], (truth[task] + rng.integers(1, k, len(task))) % k)
crowd = pd.DataFrame({"task": [f"t{t}" for t in task], "worker": [f"w{w}" for w in worker], "label": [f"c{l}" for l in label]})
gold = pd.Series([f"c{l}" for l in truth], index=[f"t{t}" for t in range(n_tasks)])

methods = {
    "MajorityVote": ta.MajorityVote(), "Wawa": ta.Wawa(), "ZeroBasedSkill": ta.ZeroBasedSkill(),
    "DawidSkene": ta.DawidSkene(), "DawidSkene (hybrid EM)": ta.DawidSkene(em="hybrid"),
    "DawidSkene (spectral start)": ta.DawidSkene(initialization="spectral"), "OneCoinDawidSkene": ta.OneCoinDawidSkene(),
    "IBCC": ta.IBCC(), "GLAD": ta.GLAD(), "MACE": ta.MACE(), "MMSR": ta.MMSR(),
}
rows = []
for name, method in methods.items():
    labels = method.fit_predict(crowd)
    rows.append({"method": name, "accuracy": round(metrics.accuracy(labels, gold), 4),
                 "macro-F1": round(metrics.macro_f1(labels, gold), 4)})
pd.DataFrame(rows).set_index("method")"""),
    ("code", """gmv = ta.GoldMajorityVote().fit(crowd, gold.iloc[:1000])   # 1 000 golden tasks
metrics.accuracy(gmv.labels_, gold)"""),
    ("markdown", """What differs from crowd-kit on purpose: `MACE` restarts really differ and its result does not depend on
worker names (`compat="crowd-kit"` reproduces crowd-kit 1.4.2, defects included); `GLAD` stops on the relative
change of its objective (`compat="crowd-kit"`: crowd-kit's check); `GoldMajorityVote` gives workers without a
golden answer the mean skill (`on_missing_skill="error"` raises as crowd-kit does); an empty or malformed frame
raises `ValueError`. Labels are ordered as pandas 2 sorts them (crowd-kit's columns and ties)."""),
]


def run_cell(source: str, scope: dict):
    """Runs a cell as Jupyter would: statements, then the value of a last expression."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    out = io.StringIO()
    value = None
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "<cell>", "exec"), scope)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), scope)
    outputs = []
    if out.getvalue():
        outputs.append({"name": "stdout", "output_type": "stream", "text": out.getvalue().splitlines(keepends=True)})
    return outputs, value


def main() -> int:
    out_path = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "notebooks-export/python-tally.ipynb"
    os.chdir(REPO / "notebooks-export")
    scope: dict = {}
    cells = []
    count = 0
    for kind, source in CELLS:
        lines = source.splitlines(keepends=True)
        if kind == "markdown":
            cells.append({"cell_type": "markdown", "metadata": {}, "source": lines})
            continue
        count += 1
        outputs, value = run_cell(source, scope)
        if value is not None:
            data = {"text/plain": repr(value).splitlines(keepends=True)}
            if hasattr(value, "_repr_html_"):
                data["text/html"] = value._repr_html_().splitlines(keepends=True)
            outputs.append({"data": data, "execution_count": count, "metadata": {}, "output_type": "execute_result"})
        cells.append({"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": outputs, "source": lines})
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                                       "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    for i, c in enumerate(nb["cells"]):
        c["id"] = f"cell-{i:02d}"
    out_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
