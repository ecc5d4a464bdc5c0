"""Pairwise-comparison fixtures from crowd-kit 1.4.2 (BradleyTerry, NoisyBradleyTerry).

Run with the pinned reference stack (../shared/tools/reference-requirements.txt: crowd-kit 1.4.2,
numpy 1.26.4, pandas 2.3.3, scipy 1.17.1), from the repository root:

    python scripts/pairwise_fixtures.py [OUT_DIR]

Writes, per set, into OUT_DIR (default Tests/TallyAggregationTests/Fixtures/pairwise/<set>/):
  comparisons.csv     worker,left,right,label (label names the winner)
  bt-ck.tsv           BradleyTerry(n_iter=100, tol=1e-5).scores_   (crowd-kit stops after 2 iterations)
  bt-50.tsv           BradleyTerry(n_iter=50, tol=0).scores_       (50 MM iterations)
  noisy-bt.tsv        NoisyBradleyTerry().scores_  (defaults: n_iter=100, tol=1e-5, reg 1e-5, random_state=0)
  noisy-bt-workers.tsv  NoisyBradleyTerry().skills_ and .biases_
Sets: crowd-kit's own test data (abc, equal) and generated ones (a 2,000-comparison set with
string items, a 1,200-comparison set with integer items), drawn with a fixed seed from a
noisy Bradley-Terry crowd: strengths N(0, 1.5), each worker answering by the model with
probability s ~ U(0.5, 1) and otherwise choosing left with probability b ~ U(0.2, 0.8).
The comparisons are read back with pandas.read_csv (so integer items are int64, as a user's
file gives them) before fitting. Floats are written with %.17g.
"""

import os
import sys

import numpy as np
import pandas as pd
from crowdkit.aggregation import BradleyTerry, NoisyBradleyTerry


def generate(seed, n, items, workers, prefix):
    rng = np.random.default_rng(seed)
    strength = rng.normal(0, 1.5, size=items)
    skill = rng.uniform(0.5, 1.0, size=workers)
    bias = rng.uniform(0.2, 0.8, size=workers)
    names = [f"{prefix}{i}" for i in range(items)] if prefix is not None else [str(10 * i + 3) for i in range(items)]
    rows = []
    for _ in range(n):
        w = int(rng.integers(workers))
        i, j = rng.choice(items, size=2, replace=False)
        if rng.random() < skill[w]:
            left_wins = rng.random() < 1 / (1 + np.exp(-(strength[i] - strength[j])))
        else:
            left_wins = rng.random() < bias[w]
        rows.append([f"w{w}", names[i], names[j], names[i] if left_wins else names[j]])
    return pd.DataFrame(rows, columns=["worker", "left", "right", "label"])


def write_series(path, series, key, column):
    with open(path, "w") as f:
        f.write(f"{key}\t{column}\n")
        for k, v in series.items():
            f.write(f"{k}\t{v:.17g}\n")


def fixture(folder, frame):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "comparisons.csv")
    frame.to_csv(path, index=False)
    data = pd.read_csv(path)
    write_series(os.path.join(folder, "bt-ck.tsv"), BradleyTerry(n_iter=100, tol=1e-5).fit(data).scores_, "item", "score")
    write_series(os.path.join(folder, "bt-50.tsv"), BradleyTerry(n_iter=50, tol=0).fit(data).scores_, "item", "score")
    noisy = NoisyBradleyTerry().fit(data)
    write_series(os.path.join(folder, "noisy-bt.tsv"), noisy.scores_, "item", "score")
    with open(os.path.join(folder, "noisy-bt-workers.tsv"), "w") as f:
        f.write("worker\tskill\tbias\n")
        for w in noisy.skills_.index:
            f.write(f"{w}\t{noisy.skills_[w]:.17g}\t{noisy.biases_[w]:.17g}\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/TallyAggregationTests/Fixtures/pairwise"
    abc = pd.DataFrame([["w1", "a", "b", "a"], ["w1", "b", "c", "b"], ["w1", "c", "a", "a"]], columns=["worker", "left", "right", "label"])
    equal = pd.DataFrame([["w1", "a", "b", "a"], ["w1", "b", "c", "b"], ["w1", "c", "a", "c"]], columns=["worker", "left", "right", "label"])
    fixture(os.path.join(out, "abc"), abc)
    fixture(os.path.join(out, "equal"), equal)
    fixture(os.path.join(out, "gen-2k"), generate(15, 2000, 40, 25, "item"))
    fixture(os.path.join(out, "gen-int"), generate(16, 1200, 30, 12, None))


if __name__ == "__main__":
    main()
