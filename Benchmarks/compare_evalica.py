#!/usr/bin/env python3
"""Side-by-side benchmark of the evalica family: `tally aggregate --method counting|win-rate|elo|
eigen|pagerank|newman|evalica-bt` against evalica 0.4.2 (its default Rust solver) on the same
comparisons.

Usage (normally through Benchmarks/compare-evalica.sh):
  compare_evalica.py [--comparisons N] [--items N] [--workers N] [--runs N] [--methods a,b] [--no-build]

Steps
  1. swift build -c release --product tally             (skipped with --no-build)
  2. the comparisons of Benchmarks/compare_pairwise.py (default 1,000,000 among 2,000 items by
     1,000 workers, seed 1; its generator, its file under $TALLY_BENCH_DATA), reused when present
  3. alternately, --runs times each method: tally (whole process: read, fit, write; its own
     "fitted in" line as the fit time) and evalica (one Python process: pandas.read_csv, then the
     method on the left, right and winner columns timed with perf_counter: evalica's indexing of
     the item names included, as a user calls it; then write)
  4. compare the score files (largest difference; ranking identical, ties by item name)
  5. print medians of fit and wall time, their ratios, and the machine's load

Environment: TALLY_EVALICA_VENV (a venv with evalica==0.4.2; default /work/.venv-evalica, then
<repo>/../.venv-evalica). Standard library only on this side.
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
from compare_pairwise import GENERATE, read_scores

B.PROG = "compare-evalica"

EVALICA = r'''
import sys, time, pandas as pd, evalica
from evalica import Winner
assert evalica.__version__ == "0.4.2"
name, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
data = pd.read_csv(path, dtype=str)
xs, ys = data["left"].tolist(), data["right"].tolist()
winners = [Winner.X if w == l else Winner.Y for w, l in zip(data["label"], data["left"])]
method = {"counting": evalica.counting, "win-rate": evalica.average_win_rate, "elo": evalica.elo, "eigen": evalica.eigen,
          "pagerank": evalica.pagerank, "newman": evalica.newman, "evalica-bt": evalica.bradley_terry}[name]
t0 = time.perf_counter()
scores = method(xs, ys, winners).scores
fit = time.perf_counter() - t0
with open(out, "w") as f:
    f.write("item\tscore\n")
    for item, s in scores.items():
        f.write(f"{item}\t{s:.17g}\n")
print(f"fit {fit:.6f}")
'''

METHODS = ["counting", "win-rate", "elo", "eigen", "pagerank", "newman", "evalica-bt"]


def ranking(scores):
    return [k for k, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


def evalica_python():
    here = os.path.dirname(os.path.abspath(__file__))
    for venv in [os.environ.get("TALLY_EVALICA_VENV"), "/work/.venv-evalica", os.path.join(here, "..", "..", ".venv-evalica")]:
        if venv and os.path.isfile(os.path.join(venv, "bin", "python")):
            return os.path.join(venv, "bin", "python")
    die("no evalica venv: python3 -m venv /work/.venv-evalica && /work/.venv-evalica/bin/pip install evalica==0.4.2")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--comparisons", type=int, default=1_000_000)
    ap.add_argument("--items", type=int, default=2_000)
    ap.add_argument("--workers", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()

    py = evalica_python()
    exe = B.build_tally(a.no_build)
    data = B.generated_file(f"pairwise-n{a.comparisons}-i{a.items}-w{a.workers}-s1.csv", py, GENERATE, [a.comparisons, a.items, a.workers, "1"])
    log(f"machine: {B.cpu_model()}, {os.cpu_count()} cores, {B.mem_total_gb()}; load {B.loadavg()}")
    work = tempfile.mkdtemp(prefix="tally-evalica-")
    summary = []
    for method in a.methods.split(","):
        tally_fit, tally_wall, ev_fit, ev_wall = [], [], [], []
        for run in range(a.runs):
            out_t = os.path.join(work, f"{method}-tally.tsv")
            t0 = time.perf_counter()
            r = subprocess.run([exe, "aggregate", data, "--answer-type", "pairwise", "--method", method, "--out", out_t], capture_output=True, text=True)
            tally_wall.append(time.perf_counter() - t0)
            if r.returncode != 0:
                die(f"tally failed: {r.stderr}")
            m = re.search(rf"^{re.escape(method)}: fitted in ([\d.]+) s", r.stderr, re.M)
            tally_fit.append(float(m.group(1)) if m else float("nan"))
            out_e = os.path.join(work, f"{method}-evalica.tsv")
            t0 = time.perf_counter()
            r = subprocess.run([py, "-W", "ignore", "-c", EVALICA, method, data, out_e], capture_output=True, text=True)
            ev_wall.append(time.perf_counter() - t0)
            if r.returncode != 0:
                die(f"evalica failed: {r.stderr}")
            ev_fit.append(float(re.search(r"fit ([\d.]+)", r.stdout).group(1)))
            log(f"{method} run {run + 1}: tally fit {tally_fit[-1]:.3f} s, wall {tally_wall[-1]:.2f} s; evalica fit {ev_fit[-1]:.3f} s, wall {ev_wall[-1]:.2f} s; load {B.loadavg()}")
        ours, theirs = read_scores(out_t), read_scores(out_e)
        worst = max(abs(ours[k] - theirs[k]) for k in theirs)
        same_rank = ranking(ours) == ranking(theirs)
        tf, tw, ef, ew = (statistics.median(v) for v in (tally_fit, tally_wall, ev_fit, ev_wall))
        line = (f"{method:11s} fit: tally {tf:.3f} s, evalica {ef:.3f} s, ratio {ef / tf if tf > 0 else float('inf'):.1f}x; "
                f"wall: tally {tw:.2f} s, evalica {ew:.2f} s, ratio {ew / tw:.1f}x; largest difference {worst:.3g}; "
                f"ranking {'identical' if same_rank else 'DIFFERS'}")
        summary.append(line)
        log(line)
    log(f"{a.comparisons} comparisons, {a.items} items, {a.workers} workers; medians of {a.runs} runs")
    for line in summary:
        log("  " + line)
    log(f"load at the end: {B.loadavg()}")


if __name__ == "__main__":
    sys.exit(main())
