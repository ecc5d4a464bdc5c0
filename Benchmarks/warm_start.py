#!/usr/bin/env python3
"""Warm starts of Dawid-Skene: after 5 % more answers, does `--init-model` reach a cold fit's labels
in at most a third of its iterations?

Usage (normally through Benchmarks/warm-start.sh):
  warm_start.py [--tasks 1000000] [--workers 10000] [--overlap 10] [--classes 2] [--mix 0.5,0.3,0.1,0.1]
                [--seed 7] [--new 0.05] [--method ds] [--tolerance T] [--base-tolerance T] [--reference N]
                [--sweep N] [--no-build]

Steps
  1. swift build -c release --product tally           (skipped with --no-build)
  2. a gen_synth.py crowd of tasks x (1 + new) tasks (under $TALLY_BENCH_DATA, default /tmp/tally-bench,
     reused when complete), split by task number: base.tsv holds the first --tasks tasks (tasks x overlap
     answers), all.tsv every task (the base plus `new` x as many answers on new tasks, same workers)
  3. tally aggregate base.tsv --method M --save-model model.json              (the earlier fit)
     tally aggregate all.tsv  --method M                                       (cold)
     tally aggregate all.tsv  --method M --init-model model.json               (warm)
     each with --gold (the generator's truth) so tally prints the accuracy
  4. report iterations, fit seconds, accuracy, tasks labelled alike; PASS when the warm fit gives the
     cold fit's label on >= 99.99 % of tasks in at most a third of its iterations.
  With --reference N, also a fit to tolerance 1e-9 (the converged cold fit) that both are compared with.
  With --sweep N (needs --reference), cold and warm fits stopped after n = 1..N iterations (tolerance
  1e-9, --max-iterations n: the first n iterates of a converged fit, counted as tally counts them) are
  compared with the converged fit's labels: the first n at which each gives its label on >= 99.99 % of
  tasks is the number of iterations it needs to reach the converged cold fit's labels (second verdict).
  The warm fit's first-iteration gain (ELBO per answer) is printed beside the gain predicted from
  refitting each worker's parameters to its new answers alone, 1/(2N) sum_w d_w m_w/(n_w + m_w)
  (d_w free parameters, n_w earlier and m_w new answers of worker w): with the default tolerance a warm
  fit cannot stop after one iteration when that exceeds the tolerance.
Exit status: 0 PASS, 1 FAIL, 2 could not run.
"""

import argparse
import os
import re
import subprocess
import sys
import time

import benchlib as B
from benchlib import die, log, verdict

B.PROG = "warm-start"


def run(tally, args, env=None):
    t0 = time.perf_counter()
    r = subprocess.run([tally, "aggregate"] + args, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        die(f"tally {' '.join(args)} failed (exit {r.returncode}):\n{r.stderr[-2000:]}")
    s = r.stderr
    it = re.search(r": (\d+) iterations", s)
    fit = re.search(r": fitted in ([0-9.]+) s", s)
    acc = re.search(r"accuracy on \d+ gold tasks: ([0-9.]+)", s)
    warm = re.search(r"warm start: (\d+) of (\d+) workers", s)
    loss = re.search(r"iterations, loss ([-0-9.e]+)", s)
    first = re.search(r"first iteration's gain ([-0-9.e+]+)", s)
    return dict(wall=wall, iterations=int(it.group(1)) if it else None, fit=float(fit.group(1)) if fit else None,
                accuracy=float(acc.group(1)) if acc else None, warm=warm.group(0) if warm else None,
                loss=float(loss.group(1)) if loss else None, first_gain=float(first.group(1)) if first else None, stderr=s)


def refit_gain(base, full, method, k):
    """The expected first-iteration gain per answer of a warm start from a converged fit on `base`:
    each worker's multinomial refitted to m_w new answers after n_w earlier ones gains about
    d_w m_w / (2 (n_w + m_w)) nats (chi-square with d_w degrees of freedom; d_w = K (labels given - 1)
    for ds, 1 for onecoin-ds), plus K - 1 for the class prior. Cached beside the split."""
    cache = full + f".refit-{method}.txt"
    if os.path.isfile(cache) and os.path.getmtime(cache) > os.path.getmtime(full):
        return float(open(cache).read())
    n_base, n_all, given = {}, {}, {}
    for path, counts in ((base, n_base), (full, n_all)):
        with open(path) as f:
            next(f)
            for line in f:
                _, w, l = line.rstrip("\n").split("\t")[:3]
                counts[w] = counts.get(w, 0) + 1
                if counts is n_all:
                    given.setdefault(w, set()).add(l)
    total = sum(n_all.values())
    gain = (k - 1) * (total - sum(n_base.values())) / total / 2
    for w, n in n_all.items():
        m = n - n_base.get(w, 0)
        d = 1 if method == "onecoin-ds" else k * (len(given[w]) - 1)
        gain += d * m / n / 2
    gain /= total
    with open(cache, "w") as f:
        f.write(repr(gain))
    return gain


def labels(path):
    out = {}
    with open(path) as f:
        next(f)
        for line in f:
            t, l = line.rstrip("\n").split("\t")[:2]
            out[t] = l
    return out


def split(answers, base_tasks, work):
    base, full = os.path.join(work, "base.tsv"), os.path.join(work, "all.tsv")
    if os.path.isfile(base) and os.path.isfile(full) and os.path.getmtime(base) > os.path.getmtime(answers):
        log(f"split: reusing {base} and {full}")
        return base, full
    n_base = n_new = 0
    with open(answers) as src, open(base + ".tmp", "w") as b, open(full + ".tmp", "w") as a:
        header = next(src)
        b.write(header)
        a.write(header)
        for line in src:
            a.write(line)
            if int(line[1:line.index("\t")]) < base_tasks:  # gen_synth names tasks t0, t1, ...
                b.write(line)
                n_base += 1
            else:
                n_new += 1
    os.replace(base + ".tmp", base)
    os.replace(full + ".tmp", full)
    log(f"split: {n_base:,} answers on tasks t0..t{base_tasks - 1} -> base.tsv; {n_new:,} more on new tasks "
        f"({n_new / n_base * 100:.2f} %) -> all.tsv")
    return base, full


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=10_000)
    ap.add_argument("--overlap", type=int, default=10)
    ap.add_argument("--classes", type=int, default=2)
    ap.add_argument("--mix", default="0.5,0.3,0.1,0.1", help="gen_synth.py worker mix: good, mediocre, random, constant")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--new", type=float, default=0.05, help="new answers as a fraction of the base (on new tasks)")
    ap.add_argument("--method", default="ds", choices=["ds", "onecoin-ds"])
    ap.add_argument("--tolerance", type=float, default=None, help="tally's --tolerance (default: the method's, 1e-5)")
    ap.add_argument("--base-tolerance", type=float, default=None,
                    help="tolerance of the earlier fit whose model is saved (default: --tolerance)")
    ap.add_argument("--reference", type=int, default=0, metavar="N",
                    help="also a fit to tolerance 1e-9 (at most N iterations) on all.tsv, both fits compared with it")
    ap.add_argument("--sweep", type=int, default=0, metavar="N",
                    help="cold and warm fits stopped after 1..N iterations, compared with the --reference fit's labels")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if args.sweep and not args.reference:
        die("--sweep needs --reference N (the converged fit it compares with)")

    _, py = B.find_venv()  # gen_synth.py needs numpy
    if not args.no_build:
        log("build: swift build -c release --product tally")
        if subprocess.run(["swift", "build", "-c", "release", "--product", "tally"], cwd=B.REPO).returncode != 0:
            die("swift build failed")
    tally = os.path.join(B.REPO, ".build", "release", "tally")
    if not os.access(tally, os.X_OK):
        die(f"no release tally at {tally} (build it, or drop --no-build)")

    total = round(args.tasks * (1 + args.new))
    params = dict(tasks=total, workers=args.workers, overlap=args.overlap, classes=args.classes, seed=args.seed, mix=args.mix)
    answers = B.ensure_data(py, params)
    gold = os.path.join(os.path.dirname(answers), "gold.tsv")
    work = os.path.join(os.path.dirname(answers), f"warm-{args.tasks}")
    os.makedirs(work, exist_ok=True)
    base, full = split(answers, args.tasks, work)

    common = ["--method", args.method, "--gold", gold] + (["--tolerance", str(args.tolerance)] if args.tolerance is not None else [])
    model = os.path.join(work, f"model-{args.method}.json")
    log(f"load avg   : {B.loadavg()} (the machine is shared by several builds)")
    base_tol = args.base_tolerance if args.base_tolerance is not None else args.tolerance
    earlier = run(tally, [base, "--save-model", model, "--out", os.path.join(work, "base.labels.tsv"), "--method", args.method,
                          "--gold", gold] + (["--tolerance", str(base_tol)] if base_tol is not None else []))
    cold = run(tally, [full, "--out", os.path.join(work, "cold.labels.tsv")] + common)
    warm = run(tally, [full, "--init-model", model, "--out", os.path.join(work, "warm.labels.tsv")] + common)
    ref = None
    if args.reference:
        ref = run(tally, [full, "--out", os.path.join(work, "ref.labels.tsv"), "--method", args.method, "--gold", gold,
                          "--tolerance", "1e-9", "--max-iterations", str(args.reference)])
    sweep = []
    if args.sweep:
        # The same inputs as .arrow files (memory-mapped: no parsing per run).
        arrow = full[:-4] + ".arrow"
        if not (os.path.isfile(arrow) and os.path.getmtime(arrow) > os.path.getmtime(full)):
            if subprocess.run([tally, "convert", full, arrow], capture_output=True).returncode != 0:
                die(f"tally convert {full} failed")
        c = labels(os.path.join(work, "ref.labels.tsv"))
        for n in range(1, args.sweep + 1):
            row = [n]
            for extra in ([], ["--init-model", model]):
                out = os.path.join(work, "sweep.labels.tsv")
                r = run(tally, [arrow, "--out", out, "--method", args.method, "--gold", gold, "--tolerance", "1e-9",
                                "--max-iterations", str(n)] + extra)
                x = labels(out)
                row += [r["iterations"], r["loss"], sum(1 for t in c if c[t] != x[t]), r["accuracy"]]
            sweep.append(row)
    log(f"load avg   : {B.loadavg()}")

    a, b = labels(os.path.join(work, "cold.labels.tsv")), labels(os.path.join(work, "warm.labels.tsv"))
    if a.keys() != b.keys():
        die("the cold and warm label files name different tasks")
    same = sum(1 for t in a if a[t] == b[t])
    agree = same / len(a)
    log(f"\n{args.method}, K = {args.classes}, overlap {args.overlap}, mix {args.mix}, {args.workers:,} workers; "
        f"model file {os.path.getsize(model) / 1e6:.1f} MB")
    log(f"  {'fit':<28} {'iterations':>10} {'fit s':>8} {'wall s':>8} {'accuracy':>9}")
    rows = [("earlier (base.tsv, saved)", earlier), ("cold (all.tsv)", cold), ("warm (all.tsv, --init-model)", warm)]
    if ref:
        rows.append((f"converged (tol 1e-9, <= {args.reference})", ref))
    for name, r in rows:
        log(f"  {name:<28} {r['iterations']:>10} {r['fit']:>8.3f} {r['wall']:>8.2f} {r['accuracy'] if r['accuracy'] is not None else float('nan'):>9.4f}")
    log(f"  {warm['warm']}")
    if base_tol is not None:
        log(f"  earlier fit's tolerance {base_tol}")
    predicted = refit_gain(base, full, args.method, args.classes)
    log(f"  warm fit's first-iteration gain {warm['first_gain']:.3g} per answer; refitting each worker to its new answers alone "
        f"is predicted to gain {predicted:.3g}; tolerance {args.tolerance if args.tolerance is not None else 1e-5:g}")
    log(f"  tasks with the cold fit's label: {same:,} of {len(a):,} ({agree * 100:.4f} %; {len(a) - same} differ)")
    if ref:
        c = labels(os.path.join(work, "ref.labels.tsv"))
        for name, x in (("cold", a), ("warm", b)):
            d = sum(1 for t in c if c[t] != x[t])
            log(f"  {name} vs the converged fit: {d} tasks differ ({(1 - d / len(c)) * 100:.4f} % alike)")
    reach = {}
    if sweep:
        n_tasks = len(a)
        log(f"\n  after n iterations (tolerance 1e-9): loss and tasks whose label differs from the converged fit's")
        log(f"  {'n':>3} {'cold loss':>13} {'differ':>8} {'accuracy':>9}   {'warm loss':>13} {'differ':>8} {'accuracy':>9}")
        for n, ci, cl, cd, ca, wi, wl, wd, wa in sweep:
            log(f"  {n:>3} {cl:>13.9f} {cd:>8} {ca:>9.4f}   {wl:>13.9f} {wd:>8} {wa:>9.4f}")
            for name, d in (("cold", cd), ("warm", wd)):
                if name not in reach and d <= n_tasks * 0.0001:
                    reach[name] = n
        log(f"  iterations to the converged fit's labels on >= 99.99 % of tasks: cold {reach.get('cold', f'> {args.sweep}')}, "
            f"warm {reach.get('warm', f'> {args.sweep}')}")
    ratio = warm["iterations"] / cold["iterations"]
    ok_agree, ok_iter = agree >= 0.9999, warm["iterations"] * 3 <= cold["iterations"]
    log(f"  same labels >= 99.99 %: {verdict(ok_agree)}; warm / cold iterations {warm['iterations']}/{cold['iterations']} "
        f"= {ratio:.2f} <= 1/3: {verdict(ok_iter)}")
    if sweep:
        ok_reach = "cold" in reach and "warm" in reach and reach["warm"] * 3 <= reach["cold"]
        log(f"  iterations to the converged labels, warm <= 1/3 of cold: {verdict(ok_reach)}")
    return 0 if ok_agree and ok_iter else 1


if __name__ == "__main__":
    sys.exit(main())
