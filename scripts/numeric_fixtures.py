#!/usr/bin/env python3
"""Numeric truth inference against the VLDB 2017 benchmark's own code (Zheng et al., "Truth
Inference in Crowdsourcing: Is the Problem Solved?", PVLDB 10(5), 2017).

The reference is not part of Tally: pass the path of a checkout (or `git archive`) of
github.com/zhydhkcws/crowd_truth_infer, commit 8d21647. Its methods are Python 2 scripts; this
script ports only their syntax (`print x` -> `print(x)`, `d.has_key(k)` -> `(k in d)`) and runs
each one exactly as the benchmark's exp1_continuous.py does: as `__main__` with the arguments
`answer.csv continuous`, the last printed line (the task -> truth dict) evaluated; the line before
it is the worker -> quality dict for CATD, PM-CRH and LFC_N. "catd-task" is CATD with the one
division its code lacks (TASK_DIVISION below), the variant Tally uses by default. Run it with numpy 1.x (e.g.
/work/.venv-reference/bin/python), which prints numpy floats as plain numbers.

  numeric_fixtures.py fixtures --reference DIR [--datasets ../shared/datasets]
                               [--out Tests/TallyAggregationTests/Fixtures/numeric]
      Writes, for the seeded synthetic set (its answers are written too) and vldb-emotion (when
      a copy is found), one TSV per method: `task<TAB>value` (repr, round-trips), and for the
      iterative methods `worker<TAB>weight`; plus MAE and RMSE against gold in summary.tsv.
  numeric_fixtures.py synth --out FILE [--tasks 300] [--workers 40] [--overlap 5] [--seed 7]
      Only the synthetic answers.

The synthetic crowd: true values uniform on [-50, 100]; each worker has a bias (normal, sd 5) and a
noise sd (log-uniform on [1, 40]); answers rounded to integers (so tasks have tied answers, which
PM's weighted median must handle); a few workers answer 1-3 tasks (CATD's chi-square table) and
some more than 30 (its normal approximation); one task has identical answers (PM's zero spread).
"""

import argparse
import contextlib
import csv
import io
import math
import os
import re
import sys
import types

METHODS = {  # Tally's name -> the reference's folder
    "mean": "l_mean",
    "median": "l_median",
    "catd": "c_CATD",
    "catd-task": "c_CATD",  # the same code with the per-task division of the paper (see TASK_DIVISION)
    "pm": "c_PM-CRH",
    "lfc-n": "l_LFCcont",
}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def port(source):
    """Python 2 syntax -> Python 3, nothing else: print statements and dict.has_key."""
    source = source.replace("\r\n", "\n")
    source = re.sub(r"^([ \t]*)print (.*?)([ \t]*#[^'\"\n]*)?$", r"\1print(\2)\3", source, flags=re.M)
    source = re.sub(r"(\w+(?:\[\w+\])?)\.has_key\(((?:[^()]|\([^()]*\))*)\)", r"(\2 in \1)", source)
    return source


# CATD's continuous truth step sums weight * answer over a task's workers but never divides by
# those workers' weights (the weights sum to one over all workers), although the paper's formula
# is the weighted mean. "catd-task" runs the same code with that one division added.
TASK_DIVISION = [
    ("""                temp = 0
                for worker, label in worker_label_set:
                    temp = temp + self.weight[worker] * float(label)

                self.truth[example] = temp""",
     """                temp = 0
                weights = 0
                for worker, label in worker_label_set:
                    temp = temp + self.weight[worker] * float(label)
                    weights = weights + self.weight[worker]

                self.truth[example] = temp / weights"""),
]


def run_reference(reference, method, datafile):
    """Runs methods/<folder>/method.py as exp1_continuous.py does; returns (truths, qualities or None)."""
    folder = os.path.join(reference, "methods", METHODS[method])
    path = os.path.join(folder, "method.py")
    with open(path) as f:
        source = port(f.read())
    if method == "catd-task":
        for old, new in TASK_DIVISION:
            assert source.count(old) == 1, "the CATD source is not the expected commit"
            source = source.replace(old, new)
    saved_argv, saved_mod = sys.argv, sys.modules.get("read_distribution")
    sys.argv = [path, datafile, "continuous"]
    try:
        helper = os.path.join(folder, "read_distribution.py")
        if os.path.exists(helper):  # CATD's table reader (also Python 2)
            mod = types.ModuleType("read_distribution")
            with open(helper) as f:
                exec(compile(port(f.read()), helper, "exec"), mod.__dict__)
            sys.modules["read_distribution"] = mod
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(source, path, "exec"), {"__name__": "__main__", "__file__": path})
    finally:
        sys.argv = saved_argv
        if saved_mod is None:
            sys.modules.pop("read_distribution", None)
        else:
            sys.modules["read_distribution"] = saved_mod
    lines = out.getvalue().rstrip("\n").split("\n")
    truths = eval(lines[-1])
    qualities = eval(lines[-2]) if method in ("catd", "catd-task", "pm", "lfc-n") else None
    return truths, qualities


def synth(path, tasks=300, workers=40, overlap=5, seed=7):
    import numpy as np
    rng = np.random.RandomState(seed)
    truth = rng.uniform(-50, 100, size=tasks)
    bias = rng.normal(0, 5, size=workers)
    sd = np.exp(rng.uniform(math.log(1), math.log(40), size=workers))
    # Heavy-tailed activity: a few workers with 1-3 answers (the last three), the rest by weight.
    activity = rng.pareto(1.2, size=workers) + 0.2
    activity[-3:] = 0
    rows = []
    for t in range(tasks):
        p = activity / activity.sum()
        chosen = rng.choice(workers, size=overlap, replace=False, p=p)
        for w in chosen:
            value = truth[t] if t == 0 else truth[t] + bias[w] + rng.normal(0, sd[w])
            rows.append((f"t{t + 1}", f"w{w + 1}", int(round(value))))
    for k, w in enumerate(range(workers - 3, workers)):  # the occasional workers: 1, 2, 3 answers
        for j in range(k + 1):
            t = 10 * (k + 1) + j
            rows.append((f"t{t + 1}", f"w{w + 1}", int(round(truth[t] + rng.normal(0, sd[w])))))
    rows.sort(key=lambda r: (int(r[0][1:]), r[1]))
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write("task\tworker\tlabel\n")
        for r in rows:
            f.write(f"{r[0]}\t{r[1]}\t{r[2]}\n")
    gold = os.path.join(os.path.dirname(path), "gold.tsv")
    with open(gold, "w") as f:
        f.write("task\tlabel\n")
        for t in range(tasks):
            f.write(f"t{t + 1}\t{truth[t]!r}\n")
    return path


def read_tsv(path):
    with open(path) as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[1:]


def to_reference_csv(answers_tsv, out_csv):
    """The reference's input: `question,worker,answer` (it splits on commas)."""
    with open(out_csv, "w") as f:
        f.write("question,worker,answer\n")
        for task, worker, label in read_tsv(answers_tsv):
            assert "," not in task + worker + label
            f.write(f"{task},{worker},{label}\n")


def errors(truths, gold_tsv):
    """MAE and RMSE over gold tasks (every gold task has answers in the sets used here)."""
    gold = {t: float(v) for t, v in read_tsv(gold_tsv)}
    diffs = [truths[t] - g for t, g in gold.items()]
    return sum(abs(d) for d in diffs) / len(diffs), math.sqrt(sum(d * d for d in diffs) / len(diffs))


def write_values(path, header, mapping):
    with open(path, "w") as f:
        f.write(header + "\n")
        for key, value in mapping.items():
            f.write(f"{key}\t{float(value)!r}\n")


def fixtures(args):
    import tempfile
    out = args.out
    os.makedirs(out, exist_ok=True)
    sets = []
    synth_dir = os.path.join(out, "synth")
    synth(os.path.join(synth_dir, "answers.tsv"))
    sets.append(("synth", os.path.join(synth_dir, "answers.tsv"), os.path.join(synth_dir, "gold.tsv")))
    emotion = os.path.join(args.datasets, "vldb-emotion")
    if os.path.exists(os.path.join(emotion, "answers.tsv")):
        sets.append(("vldb-emotion", os.path.join(emotion, "answers.tsv"), os.path.join(emotion, "gold.tsv")))
    else:
        print(f"no vldb-emotion under {args.datasets}: skipped", file=sys.stderr)
    summary = ["dataset\tmethod\tmae\trmse"]
    for name, answers, gold in sets:
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "answer.csv")
            to_reference_csv(answers, data)
            for method in METHODS:
                truths, qualities = run_reference(args.reference, method, data)
                write_values(os.path.join(folder, f"{method}.tsv"), "task\tvalue", truths)
                if qualities is not None:
                    write_values(os.path.join(folder, f"{method}.workers.tsv"), "worker\tweight", qualities)
                mae, rmse = errors(truths, gold)
                summary.append(f"{name}\t{method}\t{mae!r}\t{rmse!r}")
                print(f"{name:14s} {method:7s} MAE {mae:.4f} RMSE {rmse:.4f}")
    with open(os.path.join(out, "summary.tsv"), "w") as f:
        f.write("\n".join(summary) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fixtures")
    p.add_argument("--reference", required=True)
    p.add_argument("--datasets", default=os.path.join(REPO, "..", "shared", "datasets"))
    p.add_argument("--out", default=os.path.join(REPO, "Tests", "TallyAggregationTests", "Fixtures", "numeric"))
    s = sub.add_parser("synth")
    s.add_argument("--out", required=True)
    s.add_argument("--tasks", type=int, default=300)
    s.add_argument("--workers", type=int, default=40)
    s.add_argument("--overlap", type=int, default=5)
    s.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.command == "fixtures":
        fixtures(args)
    else:
        synth(args.out, args.tasks, args.workers, args.overlap, args.seed)


if __name__ == "__main__":
    main()
