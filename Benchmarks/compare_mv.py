#!/usr/bin/env python3
"""Side-by-side end-to-end benchmark: `tally aggregate --method mv` against crowd-kit's MajorityVote.

Usage (normally through Benchmarks/compare-mv.sh):
  compare_mv.py [--answers FILE] [--runs N] [--no-build] [--keep]

Steps
  1. swift build -c release --product tally           (skipped with --no-build)
  2. without --answers: make the 10-million-answer set with ../shared/tools/gen_synth.py
     (1 M tasks x 10 overlap, 10 k workers, 2 classes, seed 1) under $TALLY_BENCH_DATA
     (default /tmp/tally-bench), reusing it when it is already there
  3. read the answers file once (so both tools start from a warm page cache), then run
     tally, crowd-kit, tally, crowd-kit, ... N times each, every run under /usr/bin/time -v
     (whole-process wall time and peak RSS), both writing labels and probabilities
  4. check that both tools give every task the same label (files compared by task)
  5. print medians, ratios and PASS/FAIL against the contract:
       speed-up   = crowd-kit wall / tally wall  >= 10
       RSS ratio  = tally peak RSS / crowd-kit peak RSS <= 1/3
       labels differing = 0

The reference environment (crowd-kit 1.4.2, pinned stack) is found at $TALLY_REFERENCE_VENV,
else <repo>/.venv-reference, else <repo>/../.venv-reference.
Standard library only; runs under any python3 >= 3.8.
Exit status: 0 all PASS, 1 a FAIL, 2 could not run.
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

B.PROG = "compare-mv"

SPEEDUP_TARGET = 10.0
RSS_TARGET = 1.0 / 3.0

SYNTH = dict(tasks=1_000_000, workers=10_000, overlap=10, classes=2, seed=1)


def tally_internal(stderr):
    """read and fit seconds from tally's stderr summary, when it prints them."""
    read = fit = None
    m = re.search(r"^read \d+ answers.*\(([\d.]+) s\)", stderr, re.M)
    if m:
        read = float(m.group(1))
    m = re.search(r"^mv: fitted in ([\d.]+) s", stderr, re.M)
    if m:
        fit = float(m.group(1))
    return read, fit


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", help="answers TSV (task, worker, label) to use instead of the generated 10 M set")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool (default 3)")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binary")
    ap.add_argument("--keep", action="store_true", help="keep the outputs and timing files")
    args = ap.parse_args()
    if args.runs < 1:
        die("--runs must be at least 1")
    B.check_time()

    venv, py = B.find_venv()
    ck_script = B.crowdkit_script()
    tally = B.build_tally(args.no_build)
    answers = os.path.abspath(args.answers) if args.answers else B.ensure_data(py, SYNTH)
    if not os.path.isfile(answers):
        die(f"no such answers file: {answers}")

    size, warm_s = B.warm_cache(answers)

    log()
    log("== tally mv vs crowd-kit MajorityVote, end to end ==")
    B.print_setup(tally, venv, py)
    log(f"answers    : {answers} ({size / 1e6:.1f} MB; read once in {warm_s:.2f} s to warm the page cache)")
    log(f"runs       : {args.runs} per tool, alternating tally / crowd-kit")
    log()

    work = tempfile.mkdtemp(prefix="tally-compare-mv-")
    results = {"tally": [], "crowdkit": []}
    hdr = f"{'run':<4} {'tool':<10} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12}   internal"
    log(hdr)
    log("-" * len(hdr))
    for i in range(1, args.runs + 1):
        tout, tprob = os.path.join(work, f"tally-{i}.labels.tsv"), os.path.join(work, f"tally-{i}.probas.tsv")
        m = B.run_timed([tally, "aggregate", answers, "--method", "mv", "--out", tout, "--probabilities", tprob],
                      f"tally-{i}", work)
        m["read"], m["fit"] = tally_internal(m["stderr"])
        m["labels"], m["probas"] = tout, tprob
        results["tally"].append(m)
        internal = f"read {m['read']:.2f} s, fit {m['fit']:.3f} s, rest {m['wall'] - m['read'] - m['fit']:.2f} s" \
            if m["read"] is not None and m["fit"] is not None else "(no summary on stderr)"
        log(f"{i:<4} {'tally':<10} {m['wall']:>8.2f} {m['cpu']:>8.2f} {m['rss']:>12.1f}   {internal}")

        cout, cprob = os.path.join(work, f"ck-{i}.labels.tsv"), os.path.join(work, f"ck-{i}.probas.tsv")
        m = B.run_timed([py, ck_script, "mv", answers, "--out", cout, "--probas", cprob], f"crowdkit-{i}", work)
        m["read"], m["fit"], m["total"], _ = B.crowdkit_internal(m["stdout"])
        m["labels"], m["probas"] = cout, cprob
        results["crowdkit"].append(m)
        internal = f"read {m['read']:.2f} s, fit_predict {m['fit']:.2f} s, script total {m['total']:.2f} s" \
            if None not in (m["read"], m["fit"], m["total"]) else "(no key=value output)"
        log(f"{i:<4} {'crowd-kit':<10} {m['wall']:>8.2f} {m['cpu']:>8.2f} {m['rss']:>12.1f}   {internal}")
    log(f"load avg   : {B.loadavg()} (at end)")
    log()

    # Same labels? Every run's outputs, pairwise (tally run i against crowd-kit run i).
    log("checking outputs (labels compared by task; probabilities by task and label column)")
    worst_labels = 0
    worst_p = 0.0
    for i, (t, c) in enumerate(zip(results["tally"], results["crowdkit"]), 1):
        d = B.compare_labels(t["labels"], c["labels"])
        p, why = B.max_proba_diff(t["probas"], c["probas"])
        worst_labels = max(worst_labels, d["total"])
        if p is not None:
            worst_p = max(worst_p, p)
        log(f"  run {i}: tasks tally {d['tasks_tally']}, crowd-kit {d['tasks_ck']}; differing labels {d['differing']}, "
            f"only in tally {d['only_tally']}, only in crowd-kit {d['only_ck']}; "
            + (f"max |p_tally - p_crowdkit| = {p:.3g}" if p is not None else why))
    log()

    def med(tool, key):
        return statistics.median(r[key] for r in results[tool])

    tw, cw = med("tally", "wall"), med("crowdkit", "wall")
    tr, cr = med("tally", "rss"), med("crowdkit", "rss")
    speedup = cw / tw if tw > 0 else float("inf")
    rss_ratio = tr / cr if cr > 0 else float("inf")
    spread = lambda tool: (min(r["wall"] for r in results[tool]), max(r["wall"] for r in results[tool]))  # noqa: E731

    ok_speed = speedup >= SPEEDUP_TARGET
    ok_rss = rss_ratio <= RSS_TARGET
    ok_labels = worst_labels == 0

    log(f"{'':<24}{'tally':>16}{'crowd-kit':>16}")
    log(f"{'median wall s':<24}{tw:>16.2f}{cw:>16.2f}")
    log(f"{'  (min .. max)':<24}{'%.2f .. %.2f' % spread('tally'):>16}{'%.2f .. %.2f' % spread('crowdkit'):>16}")
    log(f"{'median peak RSS MB':<24}{tr:>16.1f}{cr:>16.1f}")
    log()
    log(f"speed-up (crowd-kit / tally wall) : {speedup:6.2f}x   target >= {SPEEDUP_TARGET:g}x     {verdict(ok_speed)}")
    log(f"RSS ratio (tally / crowd-kit)     : {rss_ratio:6.3f}    target <= {RSS_TARGET:.3f}    {verdict(ok_rss)}")
    log(f"tasks with differing labels       : {worst_labels:6d}    target 0           {verdict(ok_labels)}")
    log(f"max |probability difference|      : {worst_p:.3g} (informational)")
    ok = ok_speed and ok_rss and ok_labels
    log(f"overall: {verdict(ok)}")

    if args.keep:
        log(f"outputs and /usr/bin/time -v reports kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
