#!/usr/bin/env python3
"""EBCC: tally against the authors' reference (code/ebcc.py of yuan-li/truth-inference-at-scale),
the authors' protocol (10 subtypes, empirical prior, 40 restarts, the best ELBO kept) on the 17 data
sets of their notebook code/test_ebcc.ipynb, side by side in one run.

For each data set: the reference's 40 restarts (seeds S, S+1, ..., the seeds tally uses) run once
through scripts/ebcc_fixtures.py restarts (not niced: under load a niced reference gets a few per
cent of a core and its wall time means nothing), timed around the 40 ebcc_vb calls alone (loading
and coding excluded; wall, and CPU as the process's user + system time); then `tally aggregate
--method ebcc` (restarts 40, same seed) run --repeat times, medians kept of: the fit's own wall
time (tally's "fitted in" note: the same span as the reference's, reading excluded), the whole
process's wall time, and its CPU time (user + system over all threads, so start-up and reading the
file included: an upper bound on the fit's CPU). `tally aggregate --method mv` on the same file is
timed the same way: its CPU is what start-up and reading cost. Prints per set the times and the
ratios (fit wall against fit wall, CPU against CPU), the kept seed and ELBO of each, and the
accuracy of each (ties split as the notebook's get_acc); then the totals. The reference's time for
the whole sweep is the sum of its per-set times; tally's the sum of its medians.

Standard library only; the reference runs under --python (numpy, scipy).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

B.PROG = "compare-ebcc"
SETS = ["act-cf", "act-cf-amt", "act-ms", "act-sp", "act-sp-amt", "act-zc-all", "act-zc-in", "act-zc-us", "vldb-product",
        "vldb-possent", "vldb-face", "vldb-adult", "bluebirds", "vldb-dog", "snow-rte", "spectral-trec", "zhou-web"]


def accuracy(probabilities, gold):
    """The notebook's get_acc over the gold tasks: a tie among the top labels earns an equal share."""
    with open(probabilities) as f:
        header = f.readline().rstrip("\n").split("\t")[1:]
        rows = {}
        for line in f:
            parts = line.rstrip("\n").split("\t")
            rows[parts[0]] = [float(x) for x in parts[1:]]
    total = n = 0
    with open(gold) as f:
        next(f)
        for line in f:
            t, l = line.rstrip("\n").split("\t")[:2]
            if t not in rows:
                continue
            n += 1
            p = rows[t]
            top = max(p)
            winners = [header[i] for i, v in enumerate(p) if v == top]
            if l in winners:
                total += 1 / len(winners)
    return total / n


def mv_cpu(tally, answers, work):
    """CPU seconds (user + system) of `tally aggregate --method mv`: start-up and reading."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([tally, "aggregate", answers, "--method", "mv", "--out", os.path.join(work, "mv.tsv"), "-q"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def tally_run(tally, answers, restarts, seed, work):
    out = os.path.join(work, "p.tsv")
    cmd = [tally, "aggregate", answers, "--method", "ebcc", "--param", f"restarts={restarts}", "--param", f"seed={seed}",
           "--out", os.path.join(work, "labels.tsv"), "--probabilities", out]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if r.returncode != 0:
        B.die(f"{' '.join(cmd)} failed:\n{r.stderr}")
    note = next(l for l in r.stderr.splitlines() if l.startswith("ebcc:"))
    fit = next((float(l.split("fitted in ")[1].split(" s")[0]) for l in r.stderr.splitlines() if "fitted in" in l), float("nan"))
    elbo = float(note.split("ELBO ")[1].split(",")[0])
    kept = int(note.split("(seed ")[1].split(")")[0])
    return wall, fit, elbo, kept, out, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True, help="checkout of yuan-li/truth-inference-at-scale (commit 621789b)")
    ap.add_argument("--python", default=os.environ.get("TALLY_EBCC_PYTHON", "python3"), help="a python with numpy and scipy")
    ap.add_argument("--datasets", default=os.path.join(os.path.dirname(B.REPO), "shared", "datasets"))
    ap.add_argument("--restarts", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    tally = B.build_tally(args.no_build)
    script = os.path.join(B.REPO, "scripts", "ebcc_fixtures.py")
    versions = B.cmd_out([args.python, "-c", "import numpy, scipy; print('numpy', numpy.__version__, 'scipy', scipy.__version__)"])
    rev = B.cmd_out(["git", "rev-parse", "--short", "HEAD"], cwd=B.REPO)
    B.log(f"machine    : {os.cpu_count()} CPUs (nproc {B.cmd_out(['nproc'])}), {B.cpu_model()}, {B.mem_total_gb()} RAM")
    B.log(f"load avg   : {B.loadavg()} (at start)")
    B.log(f"tally      : {tally} (git {rev}), {os.environ.get('TALLY_THREADS', 'default')} threads")
    B.log(f"reference  : {args.reference}/code/ebcc.py under {args.python} ({versions})")
    B.log(f"protocol   : {args.restarts} restarts from seed {args.seed}, 10 subtypes, empirical prior; tally repeated {args.repeat}x (median)")
    B.log(f"\n{'data set':14} {'ref s':>8} {'tally fit':>9} {'ratio':>6} {'tally s':>8} {'ref cpu':>8} {'tally cpu':>9} {'ratio':>6} {'mv cpu':>7} "
          f"{'ref seed':>8} {'tally seed':>10} {'ref ELBO':>14} {'tally ELBO':>14} {'ref acc':>8} {'tally acc':>9}")
    totals = dict(ref=0.0, tally=0.0, fit=0.0, ref_cpu=0.0, tally_cpu=0.0, mv_cpu=0.0)
    rows = []
    with tempfile.TemporaryDirectory(prefix="tally-compare-ebcc-") as work:
        for name in [s for s in args.sets.split(",") if s]:
            answers = os.path.join(args.datasets, name, "answers.tsv")
            gold = os.path.join(args.datasets, name, "gold.tsv")
            r = subprocess.run([args.python, script, "restarts", "--reference", args.reference, "--datasets", args.datasets,
                                "--dataset", name, "--restarts", str(args.restarts), "--seed", str(args.seed)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                B.die(f"the reference failed on {name}:\n{r.stderr}")
            ref = json.loads(r.stdout.strip().splitlines()[-1])
            runs = [tally_run(tally, answers, args.restarts, args.seed, work) for _ in range(args.repeat)]
            wall = statistics.median(x[0] for x in runs)
            fit = statistics.median(x[1] for x in runs)
            cpu = statistics.median(x[5] for x in runs)
            startup = statistics.median(mv_cpu(tally, answers, work) for _ in range(args.repeat))
            _, _, elbo, kept, probabilities, _ = runs[-1]
            acc = accuracy(probabilities, gold)
            totals["ref"] += ref["seconds"]
            totals["tally"] += wall
            totals["fit"] += fit
            totals["ref_cpu"] += ref["cpu_seconds"]
            totals["tally_cpu"] += cpu
            totals["mv_cpu"] += startup
            rows.append((name, ref, wall, elbo, kept, acc))
            B.log(f"{name:14} {ref['seconds']:8.2f} {fit:9.3f} {ref['seconds'] / fit:6.1f} {wall:8.3f} {ref['cpu_seconds']:8.2f} {cpu:9.3f} "
                  f"{ref['cpu_seconds'] / cpu:6.1f} {startup:7.3f} {ref['best_seed']:>8} {kept:>10} "
                  f"{ref['best_elbo']:14.4f} {elbo:14.4f} {ref['accuracy']:8.4f} {acc:9.4f}")
    n = len(rows)
    B.log(f"\ntotal fit wall: reference {totals['ref']:.1f} s, tally {totals['fit']:.2f} s (sum of medians): {totals['ref'] / totals['fit']:.1f}x")
    B.log(f"total process wall (tally): {totals['tally']:.2f} s: {totals['ref'] / totals['tally']:.1f}x the reference's fit wall")
    B.log(f"total CPU : reference {totals['ref_cpu']:.1f} s, tally {totals['tally_cpu']:.2f} s (sum of medians, all threads, whole process): "
          f"{totals['ref_cpu'] / totals['tally_cpu']:.1f}x; of which start-up and reading (mv runs) {totals['mv_cpu']:.2f} s")
    B.log(f"mean accuracy over {n} sets: reference {sum(r[1]['accuracy'] for r in rows) / n:.4f}, tally {sum(r[5] for r in rows) / n:.4f}")
    worst = max(abs(r[3] - r[1]["best_elbo"]) / abs(r[1]["best_elbo"]) for r in rows)
    B.log(f"largest relative ELBO difference of the kept restarts: {worst:.1e}; same kept seed on {sum(r[4] == r[1]['best_seed'] for r in rows)} of {n}")
    B.log(f"load avg   : {B.loadavg()} (at end)")


if __name__ == "__main__":
    main()
