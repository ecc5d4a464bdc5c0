#!/usr/bin/env python3
"""Side-by-side benchmark: Krippendorff's alpha in `tally evaluate --answers FILE --metrics alpha`
against crowd-kit 1.4.2's `alpha_krippendorff` (NLTK 3.10.4's AnnotationTask.alpha).

Usage (normally through Benchmarks/compare-agreement.sh):
  compare_agreement.py [--answers FILE] [--runs N] [--no-build] [--keep]

Steps
  1. swift build -c release --product tally           (skipped with --no-build)
  2. without --answers: the 10-million-answer set of ../shared/tools/gen_synth.py (1 M tasks x 10
     overlap, 10 k workers, 2 classes, seed 1; the set compare_mv.py uses) under $TALLY_BENCH_DATA
     (default /tmp/tally-bench), reused when it is already there
  3. read the file once (warm page cache), then run tally, crowd-kit, tally, crowd-kit, ... N
     times each, every run under /usr/bin/time -v (whole-process wall time, peak RSS). crowd-kit's
     run reads the TSV with pandas (strings, as crowdkit_ref.py) and times the alpha call alone;
     tally prints its read and alpha times on stderr
  4. check that both give the same alpha (within 1e-9)
  5. print medians and ratios, the alpha computation alone and whole processes, against the
     target: crowd-kit alpha seconds / tally alpha seconds >= 50

The reference environment (crowd-kit 1.4.2, pinned stack) is found at $TALLY_REFERENCE_VENV,
else <repo>/.venv-reference, else <repo>/../.venv-reference.
Exit status: 0 PASS, 1 FAIL, 2 could not run.
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile

import benchlib as B
from benchlib import die, log, verdict

B.PROG = "compare-agreement"

SPEEDUP_TARGET = 50.0
SYNTH = dict(tasks=1_000_000, workers=10_000, overlap=10, classes=2, seed=1)

# Run by the reference environment's python: read, then time alpha_krippendorff alone.
CHILD = r"""
import sys, time
t0 = time.perf_counter()
import pandas as pd
from crowdkit.metrics.data import alpha_krippendorff
df = pd.read_csv(sys.argv[1], sep="\t", dtype=str, keep_default_na=False, na_filter=False)[["task", "worker", "label"]]
t1, c1 = time.perf_counter(), time.process_time()
alpha = alpha_krippendorff(df)
t2, c2 = time.perf_counter(), time.process_time()
print(f"read_seconds={t1 - t0}")
print(f"alpha_seconds={t2 - t1}")
print(f"alpha_cpu_seconds={c2 - c1}")
print(f"alpha={alpha!r}")
"""


def tally_internal(stderr, stdout):
    """(read seconds, alpha seconds, alpha CPU seconds, alpha) from tally's stderr summary and JSON report."""
    read = alpha_s = alpha_cpu = alpha = None
    m = re.search(r"^read \d+ answers.*\(([\d.]+) s\)", stderr, re.M)
    if m:
        read = float(m.group(1))
    m = re.search(r"^alpha: computed in ([\d.]+) s \(cpu ([\d.]+) s\)", stderr, re.M)
    if m:
        alpha_s, alpha_cpu = float(m.group(1)), float(m.group(2))
    m = re.search(r'"alpha": ([-\d.eE+]+)', stdout)
    if m:
        alpha = float(m.group(1))
    return read, alpha_s, alpha_cpu, alpha


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", help="answers TSV (task, worker, label) instead of the generated 10 M set")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool (default 3)")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binary")
    ap.add_argument("--keep", action="store_true", help="keep the timing files")
    args = ap.parse_args()
    if args.runs < 1:
        die("--runs must be at least 1")
    B.check_time()
    venv, py = B.find_venv()
    tally = B.build_tally(args.no_build)
    answers = os.path.abspath(args.answers) if args.answers else B.ensure_data(py, SYNTH)
    if not os.path.isfile(answers):
        die(f"no such answers file: {answers}")
    size, warm_s = B.warm_cache(answers)

    log()
    log("== Krippendorff's alpha: tally evaluate vs crowd-kit alpha_krippendorff ==")
    B.print_setup(tally, venv, py)
    log(f"answers    : {answers} ({size / 1e6:.1f} MB; read once in {warm_s:.2f} s to warm the page cache)")
    log(f"runs       : {args.runs} per tool, alternating tally / crowd-kit")
    log()
    work = tempfile.mkdtemp(prefix="tally-compare-agreement-")
    child = os.path.join(work, "crowdkit_alpha.py")
    with open(child, "w") as f:
        f.write(CHILD)
    results = {"tally": [], "crowdkit": []}
    hdr = f"{'run':<4} {'tool':<10} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12}   internal"
    log(hdr)
    log("-" * len(hdr))
    for i in range(1, args.runs + 1):
        m = B.run_timed([tally, "evaluate", "--answers", answers, "--metrics", "alpha", "--report", "json"], f"tally-{i}", work)
        m["read"], m["alpha_s"], m["alpha_cpu"], m["alpha"] = tally_internal(m["stderr"], m["stdout"])
        results["tally"].append(m)
        log(f"{i:<4} {'tally':<10} {m['wall']:>8.2f} {m['cpu']:>8.2f} {m['rss']:>12.1f}   "
            f"read {m['read']} s, alpha {m['alpha_s']} s (cpu {m['alpha_cpu']} s), alpha = {m['alpha']!r}")
        m = B.run_timed([py, child, answers], f"crowdkit-{i}", work)
        kv = dict(line.split("=", 1) for line in m["stdout"].splitlines() if "=" in line)
        m["read"], m["alpha_s"], m["alpha"] = float(kv["read_seconds"]), float(kv["alpha_seconds"]), float(kv["alpha"])
        m["alpha_cpu"] = float(kv["alpha_cpu_seconds"])
        results["crowdkit"].append(m)
        log(f"{i:<4} {'crowd-kit':<10} {m['wall']:>8.2f} {m['cpu']:>8.2f} {m['rss']:>12.1f}   "
            f"read {m['read']:.2f} s, alpha {m['alpha_s']:.2f} s (cpu {m['alpha_cpu']:.2f} s), alpha = {m['alpha']!r}")
    log(f"load avg   : {B.loadavg()} (at end)")
    log()

    def med(tool, key):
        return statistics.median(r[key] for r in results[tool])

    diff = max(abs(t["alpha"] - c["alpha"]) for t in results["tally"] for c in results["crowdkit"])
    ta, ca = med("tally", "alpha_s"), med("crowdkit", "alpha_s")
    tw, cw = med("tally", "wall"), med("crowdkit", "wall")
    speedup = ca / ta if ta > 0 else float("inf")
    tc, cc = med("tally", "alpha_cpu"), med("crowdkit", "alpha_cpu")
    cpu_speedup = cc / tc if tc > 0 else float("inf")
    log(f"{'':<28}{'tally':>14}{'crowd-kit':>14}")
    log(f"{'median alpha s':<28}{ta:>14.4f}{ca:>14.2f}")
    log(f"{'median alpha CPU s':<28}{tc:>14.4f}{cc:>14.2f}")
    log(f"{'median wall s (process)':<28}{tw:>14.2f}{cw:>14.2f}")
    log(f"{'median CPU s (process)':<28}{med('tally', 'cpu'):>14.2f}{med('crowdkit', 'cpu'):>14.2f}")
    log(f"{'median peak RSS MB':<28}{med('tally', 'rss'):>14.1f}{med('crowdkit', 'rss'):>14.1f}")
    log()
    ok_speed = speedup >= SPEEDUP_TARGET
    ok_same = diff <= 1e-9
    log(f"speed-up, alpha alone (crowd-kit / tally) : {speedup:8.1f}x   target >= {SPEEDUP_TARGET:g}x   {verdict(ok_speed)}")
    log(f"speed-up, alpha alone, CPU seconds        : {cpu_speedup:8.1f}x   (informational: robust to a loaded machine)")
    log(f"speed-up, whole process (wall)            : {cw / tw:8.1f}x   (informational)")
    log(f"largest |alpha difference|                : {diff:.3g}    target <= 1e-9   {verdict(ok_same)}")
    ok = ok_speed and ok_same
    log(f"overall: {verdict(ok)}")
    if args.keep:
        log(f"timing files kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
