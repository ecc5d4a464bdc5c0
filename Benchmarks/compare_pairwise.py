#!/usr/bin/env python3
"""Side-by-side benchmark of pairwise methods: `tally aggregate --method bt|noisy-bt` against
crowd-kit 1.4.2's BradleyTerry and NoisyBradleyTerry.

Usage (normally through Benchmarks/compare-pairwise.sh):
  compare_pairwise.py [--comparisons N] [--items N] [--workers N] [--runs N]
                      [--noisy-iterations K] [--noisy-runs N] [--methods bt,noisy-bt] [--no-build]

Steps
  1. swift build -c release --product tally             (skipped with --no-build)
  2. generate N comparisons (default 1,000,000 among 2,000 items by 1,000 workers, seed 1; a
     noisy Bradley-Terry crowd as in scripts/pairwise_fixtures.py) as CSV under
     $TALLY_BENCH_DATA (default /tmp/tally-bench), reused when present
  3. alternately, --runs times each (--noisy-runs for noisy-bt, default 1): tally (whole process: read, fit, write) and crowd-kit (one
     Python process: pandas.read_csv, then fit timed with perf_counter, then write), for
       bt        tally --compat crowd-kit (crowd-kit's stopping: 2 MM iterations) vs
                 BradleyTerry(n_iter=100, tol=1e-5)
       noisy-bt  both with n_iter = K (default 3): crowd-kit's gradient is a Python loop over
                 the rows (tens of seconds per evaluation at 1 M rows), so a full default fit
                 (100 iterations) would take hours; the same K makes both do the same steps
  4. compare the two score files (largest difference; identical ranking)
  5. print medians: fit time (tally's own "fitted in" line vs crowd-kit's perf_counter around
     fit) and whole-process wall time, their ratios, and the machine's load

Standard library only; the crowd-kit side runs in the reference environment.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib as B
from benchlib import die, log

B.PROG = "compare-pairwise"

GENERATE = r'''
import sys, numpy as np
n, items, workers, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = np.random.default_rng(seed)
strength = rng.normal(0, 1.5, size=items)
skill = rng.uniform(0.5, 1.0, size=workers)
bias = rng.uniform(0.2, 0.8, size=workers)
w = rng.integers(workers, size=n)
i = rng.integers(items, size=n)
j = (i + rng.integers(1, items, size=n)) % items
model = rng.random(n) < skill[w]
p = np.where(model, 1 / (1 + np.exp(-(strength[i] - strength[j]))), bias[w])
left = rng.random(n) < p
with open(out, "w") as f:
    f.write("worker,left,right,label\n")
    for a, b, c, l in zip(w, i, j, left):
        f.write(f"w{a},item{b},item{c},item{b if l else c}\n")
'''

CROWDKIT = r'''
import sys, time, pandas as pd
from crowdkit.aggregation import BradleyTerry, NoisyBradleyTerry
method, path, out, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = pd.read_csv(path)
model = BradleyTerry(n_iter=100, tol=1e-5) if method == "bt" else NoisyBradleyTerry(n_iter=k)
t0 = time.perf_counter()
scores = model.fit(data).scores_
fit = time.perf_counter() - t0
with open(out, "w") as f:
    f.write("item\tscore\n")
    for item, s in scores.items():
        f.write(f"{item}\t{s:.17g}\n")
print(f"fit {fit:.6f}")
'''


def read_scores(path):
    with open(path) as f:
        next(f)
        return {line.split("\t")[0]: float(line.split("\t")[1]) for line in f if line.strip()}


def ranking(scores):
    return [k for k, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--comparisons", type=int, default=1_000_000)
    ap.add_argument("--items", type=int, default=2_000)
    ap.add_argument("--workers", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--noisy-iterations", type=int, default=3)
    ap.add_argument("--noisy-runs", type=int, default=1, help="runs of noisy-bt (crowd-kit's takes minutes at 1 M rows)")
    ap.add_argument("--methods", default="bt,noisy-bt")
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()

    _, py = B.find_venv()
    exe = B.build_tally(a.no_build)
    data = B.generated_file(f"pairwise-n{a.comparisons}-i{a.items}-w{a.workers}-s1.csv", py, GENERATE, [a.comparisons, a.items, a.workers, "1"])
    log(f"machine: {B.cpu_model()}, {os.cpu_count()} cores, {B.mem_total_gb()}; load {B.loadavg()}")
    work = tempfile.mkdtemp(prefix="tally-pairwise-")
    for method in a.methods.split(","):
        tally_fit, tally_wall, ck_fit, ck_wall = [], [], [], []
        for run in range(a.runs if method == "bt" else a.noisy_runs):
            out_t = os.path.join(work, f"{method}-tally.tsv")
            cmd = [exe, "aggregate", data, "--method", method, "--out", out_t]
            cmd += ["--compat", "crowd-kit"] if method == "bt" else ["--max-iterations", str(a.noisy_iterations)]
            t0 = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True)
            tally_wall.append(time.perf_counter() - t0)
            if r.returncode != 0:
                die(f"tally failed: {r.stderr}")
            m = re.search(rf"^{re.escape(method)}: fitted in ([\d.]+) s", r.stderr, re.M)
            tally_fit.append(float(m.group(1)) if m else float("nan"))
            out_c = os.path.join(work, f"{method}-crowdkit.tsv")
            t0 = time.perf_counter()
            r = subprocess.run([py, "-W", "ignore", "-c", CROWDKIT, method, data, out_c, str(a.noisy_iterations)], capture_output=True, text=True)
            ck_wall.append(time.perf_counter() - t0)
            if r.returncode != 0:
                die(f"crowd-kit failed: {r.stderr}")
            ck_fit.append(float(re.search(r"fit ([\d.]+)", r.stdout).group(1)))
            log(f"{method} run {run + 1}: tally fit {tally_fit[-1]:.3f} s, wall {tally_wall[-1]:.2f} s; crowd-kit fit {ck_fit[-1]:.2f} s, wall {ck_wall[-1]:.2f} s; load {B.loadavg()}")
        ours, theirs = read_scores(out_t), read_scores(out_c)
        worst = max(abs(ours[k] - theirs[k]) for k in theirs)
        same_rank = ranking(ours) == ranking(theirs)
        tf, tw, cf, cw = (statistics.median(v) for v in (tally_fit, tally_wall, ck_fit, ck_wall))
        log(f"{method}: {a.comparisons} comparisons, {a.items} items, {a.workers} workers"
            + ("" if method == "bt" else f", {a.noisy_iterations} iterations"))
        log(f"  median fit:  tally {tf:.3f} s, crowd-kit {cf:.2f} s, ratio {cf / tf if tf > 0 else float('inf'):.0f}x")
        log(f"  median wall: tally {tw:.2f} s, crowd-kit {cw:.2f} s, ratio {cw / tw:.1f}x")
        log(f"  scores: largest difference {worst:.3g}; ranking {'identical' if same_rank else 'DIFFERS'}")
    log(f"load at the end: {B.loadavg()}")


if __name__ == "__main__":
    sys.exit(main())
