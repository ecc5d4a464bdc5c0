#!/usr/bin/env python3
"""Agreement and uncertainty fixtures from crowd-kit 1.4.2 (the pinned stack of
../shared/tools/reference-requirements.txt: nltk 3.10.4, pandas 2.3.3, scipy 1.17.1).

crowd-kit's `alpha_krippendorff` is NLTK's `AnnotationTask(data, distance).alpha()` (not the
`krippendorff` package); `uncertainty` and `consistency` are its own (metrics/data/_classification.py).

  agreement_fixtures.py fixtures [--datasets DIR] [--out Tests/TallyAggregationTests/Fixtures/agreement]
      For toy, bluebirds, snow-rte, snow-temp (categorical) and a seeded synthetic set with given
      skills: nominal alpha; uncertainty by task and by worker, with skills 1, with majority vote's
      skills and with the given skills; consistency (majority vote, and with the given skills) by
      task and overall. For the numeric synthetic set of scripts/numeric_fixtures.py and
      vldb-emotion (when a copy is found): interval alpha. Writes summary.tsv (dataset, metric,
      value) and per-task / per-worker tables (%.17g).

Run with /work/.venv-reference/bin/python from the repository root.
"""

import argparse
import os
import sys

import numpy as np
import pandas as pd
from nltk.metrics.distance import interval_distance

from crowdkit.aggregation import MajorityVote
from crowdkit.metrics.data import alpha_krippendorff, consistency, uncertainty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crowdkit_fixture_common import DEFAULT_TOY, read_dataset  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATEGORICAL = ["toy", "bluebirds", "snow-rte", "snow-temp"]


def fmt(x):
    return "nan" if x != x else "%.17g" % x


def synth_categorical(path, tasks=150, workers=25, overlap=4, labels=("a", "b", "c"), seed=3):
    """A seeded crowd of mixed skill, with worker skills of its own (written to skills.tsv)."""
    rng = np.random.RandomState(seed)
    truth = rng.randint(len(labels), size=tasks)
    skill = rng.uniform(0.3, 0.95, size=workers)
    rows = []
    for t in range(tasks):
        for w in rng.choice(workers, size=overlap, replace=False):
            right = rng.uniform() < skill[w]
            label = truth[t] if right else rng.choice([l for l in range(len(labels)) if l != truth[t]])
            rows.append((f"q{t + 1}", f"u{w + 1}", labels[label]))
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "answers.tsv"), "w") as f:
        f.write("task\tworker\tlabel\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    with open(os.path.join(path, "gold.tsv"), "w") as f:
        f.write("task\tlabel\n")
        for t in range(tasks):
            f.write(f"q{t + 1}\t{labels[truth[t]]}\n")
    with open(os.path.join(path, "skills.tsv"), "w") as f:
        f.write("worker\tskill\n")
        for w in range(workers):
            f.write(f"u{w + 1}\t{skill[w]!r}\n")


def categorical(name, folder, out, summary, skills=None):
    df, _, _ = read_dataset(folder)
    df = df.reset_index(drop=True)
    rows = [(name, "alpha_nominal", alpha_krippendorff(df))]
    mv = MajorityVote()
    mv.fit(df)
    by_task = {
        "uncertainty": uncertainty(df, aggregate=False),
        "uncertainty_mv": uncertainty(df, aggregator=MajorityVote(), aggregate=False),
        "consistency": consistency(df, by_task=True),
    }
    by_worker = {
        "uncertainty": uncertainty(df, compute_by="worker", aggregate=False),
        "uncertainty_mv": uncertainty(df, aggregator=MajorityVote(), compute_by="worker", aggregate=False),
    }
    rows += [
        (name, "uncertainty", uncertainty(df)),
        (name, "uncertainty_mv", uncertainty(df, aggregator=MajorityVote())),
        (name, "uncertainty_worker", uncertainty(df, compute_by="worker")),
        (name, "consistency", consistency(df)),
    ]
    if skills is not None:
        by_task["uncertainty_skills"] = uncertainty(df, workers_skills=skills, aggregate=False)
        by_task["consistency_skills"] = consistency(df, workers_skills=skills, by_task=True)
        by_worker["uncertainty_skills"] = uncertainty(df, workers_skills=skills, compute_by="worker", aggregate=False)
        rows += [
            (name, "uncertainty_skills", uncertainty(df, workers_skills=skills)),
            (name, "consistency_skills", consistency(df, workers_skills=skills)),
        ]
    os.makedirs(os.path.join(out, name), exist_ok=True)
    for kind, table in (("task", by_task), ("worker", by_worker)):
        frame = pd.DataFrame(table)
        with open(os.path.join(out, name, f"by_{kind}.tsv"), "w") as f:
            f.write(kind + "\t" + "\t".join(frame.columns) + "\n")
            for key, r in frame.iterrows():
                f.write(str(key) + "\t" + "\t".join(fmt(float(v)) for v in r.values) + "\n")
    summary += rows
    for r in rows:
        print(f"{r[0]:12s} {r[1]:22s} {r[2]!r}")


def numeric(name, answers, summary):
    df = pd.read_csv(answers, sep="\t", dtype={"task": str, "worker": str})
    df["label"] = df["label"].astype(float)
    value = alpha_krippendorff(df, distance=interval_distance)
    summary.append((name, "alpha_interval", value))
    print(f"{name:12s} {'alpha_interval':22s} {value!r}")


def fixtures(args):
    out = args.out
    os.makedirs(out, exist_ok=True)
    summary = []
    for name in CATEGORICAL:
        folder = os.path.join(REPO, DEFAULT_TOY) if name == "toy" else os.path.join(REPO, "datasets", "real", name)
        categorical(name, folder, out, summary)
    synth_dir = os.path.join(out, "synth-input")
    synth_categorical(synth_dir)
    skills = pd.read_csv(os.path.join(synth_dir, "skills.tsv"), sep="\t", dtype={"worker": str}).set_index("worker")["skill"]
    categorical("synth", synth_dir, out, summary, skills=skills)
    numeric("numeric-synth", os.path.join(REPO, "Tests", "TallyAggregationTests", "Fixtures", "numeric", "synth", "answers.tsv"), summary)
    emotion = os.path.join(args.datasets, "vldb-emotion", "answers.tsv")
    if os.path.exists(emotion):
        numeric("vldb-emotion", emotion, summary)
    with open(os.path.join(out, "summary.tsv"), "w") as f:
        f.write("dataset\tmetric\tvalue\n")
        for d, m, v in summary:
            f.write(f"{d}\t{m}\t{fmt(float(v))}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fixtures")
    p.add_argument("--datasets", default=os.path.join(REPO, "..", "shared", "datasets"))
    p.add_argument("--out", default=os.path.join(REPO, "Tests", "TallyAggregationTests", "Fixtures", "agreement"))
    args = parser.parse_args()
    fixtures(args)


if __name__ == "__main__":
    main()
