#!/usr/bin/env python3
"""Side-by-side benchmark of ROVER: `tally aggregate --answer-type text --method rover` against
crowd-kit 1.4.2's ROVER.

Usage (normally through Benchmarks/compare-rover.sh):
  compare_rover.py [--transcriptions N] [--overlap K] [--runs N] [--no-build]

Steps
  1. swift build -c release --product tally             (skipped with --no-build)
  2. generate N transcriptions (default 100,000: N / K tasks of 4 to 20 words from a 2,000-word
     vocabulary, K = 5 workers each, every word substituted, deleted or followed by an inserted
     word with a worker's noise rate 2-30 %, seed 1) as TSV under $TALLY_BENCH_DATA (default
     /tmp/tally-bench), reused when present
  3. alternately, --runs times each: tally (whole process: read, fit, write; default whitespace
     tokenizer) and crowd-kit (one Python process: pandas.read_csv, then
     ROVER(lambda s: s.split(), " ".join).fit_predict timed with perf_counter, then write)
  4. compare the two outputs task by task (identical strings expected)
  5. print medians: fit time (tally's own "fitted in" line vs crowd-kit's perf_counter around
     fit_predict) and whole-process wall time, their ratios, and the machine's load

Standard library only; the crowd-kit side runs in the reference environment.
"""

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib as B
from benchlib import die, log

B.PROG = "compare-rover"

GENERATE = r'''
import sys, numpy as np
n, overlap, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(seed)
vocab = [f"w{i}" + "abcdefgh"[i % 8] * (1 + i % 5) for i in range(2000)]
tasks = n // overlap
noise = rng.uniform(0.02, 0.3, size=1000)
rows = []
for t in range(tasks):
    truth = [vocab[i] for i in rng.integers(len(vocab), size=int(rng.integers(4, 21)))]
    for w in rng.choice(1000, size=overlap, replace=False):
        q = noise[w]
        words = []
        for word in truth:
            r = rng.random()
            if r < q / 3:
                continue
            if r < 2 * q / 3:
                word = vocab[int(rng.integers(len(vocab)))]
            words.append(word)
            if rng.random() < q / 3:
                words.append(vocab[int(rng.integers(len(vocab)))])
        rows.append(f"task{t}\tworker{w}\t{' '.join(words)}\n")
order = rng.permutation(len(rows))
with open(out, "w") as f:
    f.write("task\tworker\ttext\n")
    for i in order:
        f.write(rows[i])
'''

CROWDKIT = r'''
import sys, time, pandas as pd
from crowdkit.aggregation import ROVER
path, out = sys.argv[1], sys.argv[2]
data = pd.read_csv(path, sep="\t", keep_default_na=False, dtype=str)
t0 = time.perf_counter()
texts = ROVER(lambda s: s.split(), lambda t: " ".join(t)).fit_predict(data)
fit = time.perf_counter() - t0
with open(out, "w") as f:
    f.write("task\ttext\n")
    for task, text in texts.items():
        f.write(f"{task}\t{text}\n")
print(f"fit {fit:.6f}")
'''


def read_texts(path):
    with open(path, newline="") as f:
        r = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(r)
        return {row[0]: row[1] if len(row) > 1 else "" for row in r}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transcriptions", type=int, default=100_000)
    ap.add_argument("--overlap", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()

    _, py = B.find_venv()
    exe = B.build_tally(a.no_build)
    data = B.generated_file(f"rover-n{a.transcriptions}-k{a.overlap}-s1.tsv", py, GENERATE, [a.transcriptions, a.overlap, "1"])
    log(f"machine: {B.cpu_model()}, {os.cpu_count()} cores, {B.mem_total_gb()}; load {B.loadavg()}")
    work = tempfile.mkdtemp(prefix="tally-rover-")
    tally_fit, tally_wall, ck_fit, ck_wall = [], [], [], []
    out_t = os.path.join(work, "rover-tally.tsv")
    out_c = os.path.join(work, "rover-crowdkit.tsv")
    for run in range(a.runs):
        t0 = time.perf_counter()
        r = subprocess.run([exe, "aggregate", data, "--answer-type", "text", "--method", "rover", "--out", out_t], capture_output=True, text=True)
        tally_wall.append(time.perf_counter() - t0)
        if r.returncode != 0:
            die(f"tally failed: {r.stderr}")
        m = re.search(r"^rover: fitted in ([\d.]+) (m?s)", r.stderr, re.M)
        tally_fit.append(float(m.group(1)) / (1000 if m.group(2) == "ms" else 1) if m else float("nan"))
        t0 = time.perf_counter()
        r = subprocess.run([py, "-W", "ignore", "-c", CROWDKIT, data, out_c], capture_output=True, text=True)
        ck_wall.append(time.perf_counter() - t0)
        if r.returncode != 0:
            die(f"crowd-kit failed: {r.stderr}")
        ck_fit.append(float(re.search(r"fit ([\d.]+)", r.stdout).group(1)))
        log(f"run {run + 1}: tally fit {tally_fit[-1]:.3f} s, wall {tally_wall[-1]:.2f} s; crowd-kit fit {ck_fit[-1]:.2f} s, wall {ck_wall[-1]:.2f} s; load {B.loadavg()}")
    ours, theirs = read_texts(out_t), read_texts(out_c)
    differ = sum(1 for k in theirs if ours.get(k) != theirs[k]) + len(set(ours) - set(theirs))
    tf, tw, cf, cw = (statistics.median(v) for v in (tally_fit, tally_wall, ck_fit, ck_wall))
    log(f"rover: {a.transcriptions} transcriptions, {len(theirs)} tasks, overlap {a.overlap}")
    log(f"  median fit:  tally {tf:.3f} s, crowd-kit {cf:.2f} s, ratio {cf / tf if tf > 0 else float('inf'):.0f}x")
    log(f"  median wall: tally {tw:.2f} s, crowd-kit {cw:.2f} s, ratio {cw / tw:.1f}x")
    log(f"  texts: {differ} of {len(theirs)} tasks differ")
    log(f"load at the end: {B.loadavg()}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
