"""GLAD on every categorical data set with two builds of the Python package side by side (say
main's wheel and this branch's): per set the labels that differ, the largest probability
difference, each build's median fit time over `--runs` fits (tally.aggregation.GLAD, in one child
process per build and set, the fits alternating A B A B), and the second build on the same answers
with the rows shuffled (an order-free fit gives the same bits). One TSV row per set.

    python3 scripts/glad_exact_sweep.py BEFORE_PKG AFTER_PKG [--data DIR] [--runs 3]

BEFORE_PKG / AFTER_PKG: a folder or wheel (.whl / .zip) holding the `tally` package (an unpacked
wheel from scripts/build-wheel.sh). DATASETS: ../shared/datasets (answers.tsv per set;
vldb-emotion, numeric, left out). Needs numpy and pandas.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r'''
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
import tally, tally.aggregation as ta
frame = tally.read_answers(sys.argv[2]).astype(str)
if sys.argv[4] == "shuffle":
    frame = frame.sample(frac=1.0, random_state=18).reset_index(drop=True)
t0 = time.perf_counter()
model = ta.GLAD().fit(frame)
seconds = time.perf_counter() - t0
p = model.probas_.sort_index()
np.save(sys.argv[3], p.to_numpy())
print(json.dumps({"seconds": seconds, "labels": model.labels_.sort_index().tolist(), "iterations": len(model.loss_history_)}))
'''


def run(pkg, answers, out, mode):
    r = subprocess.run([sys.executable, "-c", CHILD, pkg, str(answers), out, mode], capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "datasets"))
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    import numpy as np
    work = tempfile.mkdtemp(prefix="glad-sweep-")
    print("set\tanswers\titerations_before\titerations_after\tlabels_differ\tmax_dp\tbefore_s\tafter_s\tshuffled_labels_differ\tshuffled_max_dp")
    for d in sorted(Path(a.data).iterdir()):
        answers = d / "answers.tsv"
        if not answers.exists() or d.name == "vldb-emotion":
            continue
        times = {"b": [], "a": []}
        for _ in range(a.runs):
            b = run(a.before, answers, f"{work}/b.npy", "plain")
            times["b"].append(b["seconds"])
            f = run(a.after, answers, f"{work}/a.npy", "plain")
            times["a"].append(f["seconds"])
        s = run(a.after, answers, f"{work}/s.npy", "shuffle")
        pb, pa, ps = (np.load(f"{work}/{x}.npy") for x in "bas")
        n = sum(1 for _ in open(answers)) - 1
        print(f"{d.name}\t{n}\t{b['iterations']}\t{f['iterations']}\t{sum(x != y for x, y in zip(b['labels'], f['labels']))}\t"
              f"{float(np.abs(pb - pa).max()):.3g}\t{statistics.median(times['b']):.3f}\t{statistics.median(times['a']):.3f}\t"
              f"{sum(x != y for x, y in zip(f['labels'], s['labels']))}\t{float(np.abs(pa - ps).max()):.3g}", flush=True)


if __name__ == "__main__":
    main()
