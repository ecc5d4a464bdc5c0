"""Parity fixtures for Tally's evalica family, from evalica 0.4.2 (PyPI, its default Rust solver).

Set up once (outside the repository) and run from the repository root:

    python3 -m venv /work/.venv-evalica && /work/.venv-evalica/bin/pip install evalica==0.4.2
    /work/.venv-evalica/bin/python scripts/evalica_fixtures.py [OUT_DIR]

Writes, per set, into OUT_DIR (default Tests/TallyAggregationTests/Fixtures/evalica/<set>/):
  comparisons.tsv  left, right, winner (x, y or draw: evalica's Winner.X/Y/Draw), weight
  scores.tsv       item (in evalica's index order) and one column per method with evalica's
                   defaults: counting, average_win_rate, elo, eigen, pagerank, newman,
                   bradley_terry (%.17g); newman's fitted v in newman-v.txt
  bootstrap-<method>-<interval>-<resamples>-<seed>.tsv
                   item, score, low, high, stderr from evalica.bootstrap(method, ...,
                   n_resamples, bootstrap_method, random_state=seed), confidence 0.95
Sets:
  abc, equal       crowd-kit 1.4.2's pairwise test data (tests/aggregation/data_bt.py), no ties
  gen-2k           Tests/.../Fixtures/pairwise/gen-2k/comparisons.csv (2,000 comparisons, no ties)
  ties-2k          2,000 generated comparisons with draws (a Davidson crowd, seed 15)
  ties-weighted    300 generated comparisons with draws and weights U(0.5, 2) (seed 16)
  disconnected     ties-weighted's first 120 comparisons plus an island (two items compared
                   only with each other) and an item that never wins
Weights are passed only where the set has them (elsewhere evalica's default, all 1).
evalica.bootstrap passes its own win_weight=1 and tie_weight=0.5 to the method, so its Newman
intervals are of newman(tie_weight=0.5), not of newman()'s default tie_weight=1.
"""

import os
import sys
import warnings

import numpy as np
import pandas as pd

import evalica
from evalica import Winner

assert evalica.__version__ == "0.4.2", evalica.__version__

METHODS = {
    "counting": evalica.counting,
    "average_win_rate": evalica.average_win_rate,
    "elo": evalica.elo,
    "eigen": evalica.eigen,
    "pagerank": evalica.pagerank,
    "newman": evalica.newman,
    "bradley_terry": evalica.bradley_terry,
}
NAMES = {Winner.X: "x", Winner.Y: "y", Winner.Draw: "draw"}


def generate(seed, n, items, draw_rate, weighted):
    rng = np.random.default_rng(seed)
    strength = rng.normal(0, 1.0, size=items)
    rows = []
    for _ in range(n):
        i, j = rng.choice(items, size=2, replace=False)
        pi, pj = np.exp(strength[i]), np.exp(strength[j])
        nu = draw_rate * np.sqrt(pi * pj)
        u = rng.random() * (pi + pj + nu)
        winner = Winner.X if u < pi else Winner.Y if u < pi + pj else Winner.Draw
        weight = float(rng.uniform(0.5, 2.0)) if weighted else 1.0
        rows.append((f"i{i}", f"i{j}", winner, weight))
    return rows


def from_crowdkit(frame):
    return [(str(r.left), str(r.right), Winner.X if r.label == r.left else Winner.Y, 1.0) for r in frame.itertuples()]


def fixture(folder, rows, weighted, bootstraps):
    os.makedirs(folder, exist_ok=True)
    xs = [r[0] for r in rows]
    ys = [r[1] for r in rows]
    winners = [r[2] for r in rows]
    weights = [r[3] for r in rows] if weighted else None
    with open(os.path.join(folder, "comparisons.tsv"), "w") as f:
        f.write("left\tright\twinner\tweight\n")
        for x, y, w, weight in rows:
            f.write(f"{x}\t{y}\t{NAMES[w]}\t{weight:.17g}\n")
    results = {name: m(xs, ys, winners, weights=weights) for name, m in METHODS.items()}
    index = results["counting"].index
    with open(os.path.join(folder, "scores.tsv"), "w") as f:
        f.write("item\t" + "\t".join(METHODS) + "\n")
        for item in index:
            f.write(f"{item}\t" + "\t".join(f"{results[n].scores[item]:.17g}" for n in METHODS) + "\n")
    with open(os.path.join(folder, "newman-v.txt"), "w") as f:
        f.write(f"{results['newman'].v:.17g}\n")
    for name, interval, resamples, seed in bootstraps:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b = evalica.bootstrap(METHODS[name], xs, ys, winners, weights=weights, n_resamples=resamples,
                                  bootstrap_method=interval, random_state=seed)
        path = os.path.join(folder, f"bootstrap-{name}-{interval.lower()}-{resamples}-{seed}.tsv")
        with open(path, "w") as f:
            f.write("item\tscore\tlow\thigh\tstderr\n")
            for item in b.result.scores.index:
                f.write(f"{item}\t{b.result.scores[item]:.17g}\t{b.low[item]:.17g}\t{b.high[item]:.17g}\t{b.stderr[item]:.17g}\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/TallyAggregationTests/Fixtures/evalica"
    abc = pd.DataFrame([["w1", "a", "b", "a"], ["w1", "b", "c", "b"], ["w1", "c", "a", "a"]], columns=["worker", "left", "right", "label"])
    equal = pd.DataFrame([["w1", "a", "b", "a"], ["w1", "b", "c", "b"], ["w1", "c", "a", "c"]], columns=["worker", "left", "right", "label"])
    every = [(m, "percentile", 50, 3) for m in METHODS]
    fixture(os.path.join(out, "abc"), from_crowdkit(abc), False, [("elo", "BCa", 20, 1), ("counting", "percentile", 20, 1)])
    fixture(os.path.join(out, "equal"), from_crowdkit(equal), False, [])
    gen = pd.read_csv("Tests/TallyAggregationTests/Fixtures/pairwise/gen-2k/comparisons.csv", dtype=str)
    fixture(os.path.join(out, "gen-2k"), from_crowdkit(gen), False, [("elo", "BCa", 100, 42), ("bradley_terry", "percentile", 40, 42)])
    fixture(os.path.join(out, "ties-2k"), generate(15, 2000, 40, 0.6, False), False, [("newman", "percentile", 30, 5), ("average_win_rate", "basic", 30, 5)])
    weighted = generate(16, 300, 12, 0.8, True)
    fixture(os.path.join(out, "ties-weighted"), weighted, True,
            every + [(m, "BCa", 100, 42) for m in METHODS] + [("elo", "basic", 100, 7)])
    island = weighted[:120] + [("p", "q", Winner.X, 1.0), ("q", "p", Winner.Draw, 1.5), ("p", "q", Winner.Y, 0.75),
                               ("loser", "i0", Winner.Y, 1.0), ("i3", "loser", Winner.X, 1.0)]
    fixture(os.path.join(out, "disconnected"), island, True, [(m, "percentile", 50, 11) for m in METHODS])


if __name__ == "__main__":
    main()
