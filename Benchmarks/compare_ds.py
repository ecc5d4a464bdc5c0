#!/usr/bin/env python3
"""Dawid-Skene benchmark: tally's EM iteration time against the memory-bandwidth floor and against
crowd-kit's DawidSkene, plus `tally aggregate --method ds` end to end against crowd-kit.

Usage (normally through Benchmarks/compare-ds.sh):
  compare_ds.py [--classes 2,10] [--answers FILE ...] [--iterations N] [--runs N]
                [--ck-forced] [--tally-only] [--no-build] [--keep]

Steps
  1. swift build -c release --product tally           (skipped with --no-build)
  2. without --answers: for each K in --classes, the 10-million-answer gen_synth.py set
     (1 M tasks x 10 overlap, 10 k workers, K classes; seed 1 for K = 2, 2 for K = 10) under
     $TALLY_BENCH_DATA (default /tmp/tally-bench); a complete set with the same parameters is
     reused whatever its folder is called, a missing one is generated
  3. streaming bandwidth: Benchmarks/stream_bw.c compiled with `cc -O2 -pthread`, arrays of
     max(8 x L3, 256 MiB) each, read / write / copy / triad kernels on 1 and 2 threads, best of
     --bw-repeats; measured at the start and again at the end of the run, best of both kept
     (numpy `a[:] = b` on 800 MB arrays, 1 thread, best of 5, when there is no C compiler)
  4. per K, with the answers file read once first (warm page cache):
     a. tally EM iterations: `tally aggregate --method ds --max-iterations N --tolerance=-1e30`
        with TALLY_DEBUG_TIMING=1, once with TALLY_THREADS=1 and once with TALLY_THREADS=2;
        ms/iteration = median of iterations 3..N of that run (wall time of E-step pass + M-step
        + ELBO, as tally prints it)
     b. end to end, default DS settings: tally (TALLY_THREADS unset) and crowdkit_ref.py ds,
        alternating, --runs times each, under /usr/bin/time -v (wall time, peak RSS)
     c. crowd-kit's per-iteration time from its fit_predict_seconds: the default fit (n iterations,
        from b) minus a fit forced to 1 iteration (--n-iter 1 --tol -1e30), over n - 1.
        With --ck-forced (or when the default fit ran fewer than 3 iterations) two forced fits of
        1 and 4 iterations are used instead: (t4 - t1) / 3.
     d. labels compared by task, probabilities by task and class (run 1 of each tool)
  5. report and PASS/FAIL against the contract:
       tally ms/iteration (default thread count)   <= 15 (K = 2), <= 60 (K = 10)
       per-iteration speed-up (crowd-kit / tally)  >= 60
       end-to-end speed-up (crowd-kit / tally wall) >= 20
       RSS ratio (tally / crowd-kit peak RSS)      <= 1/3
       tasks with differing labels                 <= 0.001 % of tasks
       tally / bandwidth floor at 2 threads        <= 3 (K = 2), <= 5 (K = 10)   (issue 17; also
                                                   with --tally-only; meant for a quiet machine)
     Memory-bandwidth floor of one iteration = bytes that must stream / bandwidth, counting
     STREAM-style (read + written bytes, no write-allocate traffic): the task-sorted entries
     (Int32, 4 bytes per answer), the task offsets (Int, 8 bytes per task + 8) and the posteriors
     written (Double, 8 K bytes per task); bandwidth = the best kernel at the same thread count.

The reference environment (crowd-kit 1.4.2, pinned stack) is found at $TALLY_REFERENCE_VENV,
else <repo>/.venv-reference, else <repo>/../.venv-reference.
Standard library only; runs under any python3 >= 3.8. With both K the run takes about 10 minutes,
almost all of it crowd-kit (its default DS fit is 2 to 4 minutes on 10 M answers).
Exit status: 0 all PASS, 1 a FAIL, 2 could not run.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib as B
from benchlib import die, log, verdict

B.PROG = "compare-ds"

HERE = os.path.dirname(os.path.abspath(__file__))

ITER_TARGET_MS = {2: 15.0, 10: 60.0}
# Issue 17: per-iteration time at 2 threads within this multiple of the bandwidth floor.
FLOOR_TARGET = {2: 3.0, 10: 5.0}
ITER_SPEEDUP_TARGET = 60.0
E2E_SPEEDUP_TARGET = 20.0
RSS_TARGET = 1.0 / 3.0
LABEL_TOLERANCE = 1e-5  # fraction of tasks allowed to get a different label

SEEDS = {2: 1, 10: 2}
THREAD_COUNTS = (1, 2)
DEFAULT_THREADS = min(2, os.cpu_count() or 1)  # tally's default (DawidSkeneEngine.defaultThreads)


def synth(k):
    return dict(tasks=1_000_000, workers=10_000, overlap=10, classes=k, seed=SEEDS.get(k, 1))


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt(v, spec, none="n/a"):
    return none if v is None else format(v, spec)


# ---------------------------------------------------------------------------------------------
# Streaming bandwidth

def measure_bandwidth(work, repeats):
    """{(kernel, threads): GB/s} and a description of how it was measured."""
    src = os.path.join(HERE, "stream_bw.c")
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    l3 = B.l3_bytes()
    mib = max(8 * (l3 or 0) >> 20, 256)
    if cc and os.path.isfile(src):
        exe = os.path.join(work, "stream_bw")
        r = subprocess.run([cc, "-O2", "-pthread", "-o", exe, src], capture_output=True, text=True)
        if r.returncode == 0:
            r = subprocess.run([exe, str(mib), str(repeats), str(max(THREAD_COUNTS))],
                               capture_output=True, text=True)
            if r.returncode == 0:
                bw = {}
                for line in r.stdout.splitlines():
                    kv = dict(p.split("=", 1) for p in line.split())
                    bw[(kv["kernel"], int(kv["threads"]))] = float(kv["gbps"])
                how = (f"stream_bw.c ({os.path.basename(cc)} -O2 -pthread), 3 arrays x {mib} MiB "
                       f"(L3 {l3 >> 20 if l3 else '?'} MiB), best of {repeats}")
                return bw, how
            log(f"  stream_bw failed (exit {r.returncode}): {r.stderr.strip()[-300:]}; falling back to numpy")
        else:
            log(f"  could not compile stream_bw.c: {r.stderr.strip()[-300:]}; falling back to numpy")
    _, py = B.find_venv()
    code = ("import numpy as np, time\n"
            "n = 100_000_000\n"
            "a = np.ones(n); b = np.full(n, 2.0)\n"
            "best = 1e30\n"
            "for _ in range(5):\n"
            "    t0 = time.perf_counter(); a[:] = b; best = min(best, time.perf_counter() - t0)\n"
            "print(16 * n / best / 1e9)\n")
    r = subprocess.run([py, "-c", code], capture_output=True, text=True)
    if r.returncode != 0:
        die("could not measure bandwidth (no C compiler and numpy failed)")
    return {("copy", 1): float(r.stdout.strip())}, "numpy a[:] = b, 2 x 800 MB arrays, 1 thread, best of 5"


def best_bw(bw, threads):
    """Best kernel at this thread count (falls back to the best at any count)."""
    vals = [(v, k) for (k, t), v in bw.items() if t == threads] or [(v, k) for (k, _), v in bw.items()]
    return max(vals)


# ---------------------------------------------------------------------------------------------
# Parsing tool output

def tally_summary(stderr):
    """answers, tasks, workers, K, read s, fit s, iterations from tally's stderr summary."""
    out = dict(answers=None, tasks=None, workers=None, k=None, read=None, fit=None, iterations=None)
    m = re.search(r"^read (\d+) answers: (\d+) tasks, (\d+) workers, (\d+) labels \(([\d.]+) s\)", stderr, re.M)
    if m:
        out.update(answers=int(m.group(1)), tasks=int(m.group(2)), workers=int(m.group(3)),
                   k=int(m.group(4)), read=float(m.group(5)))
    m = re.search(r"^ds: fitted in ([\d.]+) s", stderr, re.M)
    if m:
        out["fit"] = float(m.group(1))
    m = re.search(r"^ds: (\d+) iterations", stderr, re.M)
    if m:
        out["iterations"] = int(m.group(1))
    return out


def iteration_times(stderr):
    return [(int(i), float(s)) for i, s in
            re.findall(r"^iteration (\d+): ([0-9.eE+-]+) seconds", stderr, re.M)]


def env_for(threads=None, timing=False):
    env = {k: v for k, v in os.environ.items() if k not in ("TALLY_THREADS", "TALLY_DEBUG_TIMING")}
    if threads is not None:
        env["TALLY_THREADS"] = str(threads)
    if timing:
        env["TALLY_DEBUG_TIMING"] = "1"
    return env


# ---------------------------------------------------------------------------------------------
# One K

def bench_one(answers, tag0, tally, py, ck_script, args, work, bw):
    res = dict(answers=answers)
    size, warm_s = B.warm_cache(answers)
    log(f"answers    : {answers} ({size / 1e6:.1f} MB; read once in {warm_s:.2f} s to warm the page cache)")
    log(f"load avg   : {B.loadavg()}")

    # a. tally per-iteration
    log(f"tally EM iterations: --max-iterations {args.iterations} --tolerance=-1e30, TALLY_DEBUG_TIMING=1; "
        f"median over iterations 3..{args.iterations}")
    res["iter"] = {}
    for th in THREAD_COUNTS:
        tag = f"{tag0}-tally-iter-t{th}"
        m = B.run_timed([tally, "aggregate", answers, "--method", "ds", "--max-iterations", str(args.iterations),
                         "--tolerance=-1e30", "--out", os.path.join(work, tag + ".labels.tsv"),
                         "--probabilities", os.path.join(work, tag + ".probas.tsv")],
                        tag, work, env=env_for(th, timing=True))
        s = tally_summary(m["stderr"])
        for key in ("answers", "tasks", "workers", "k"):
            if s[key] is not None:
                res[key] = s[key]
        its = iteration_times(m["stderr"])
        if len(its) != args.iterations:
            die(f"expected {args.iterations} 'iteration N: ... seconds' lines on tally's stderr with "
                f"TALLY_DEBUG_TIMING=1, got {len(its)}:\n{m['stderr'][-1500:]}")
        later = [t for i, t in its if i >= 3]
        med = median(later)
        res["iter"][th] = dict(median=med, min=min(later), max=max(later), first=its[0][1], fit=s["fit"])
        log(f"  TALLY_THREADS={th}: {med * 1e3:7.2f} ms/iteration (iterations 3..{args.iterations}: "
            f"{min(later) * 1e3:.2f} .. {max(later) * 1e3:.2f} ms; iteration 1 {its[0][1] * 1e3:.2f} ms); "
            f"fit {fmt(s['fit'], '.3f')} s")
    if not all(res.get(k) for k in ("answers", "tasks", "k")):
        die("could not read the answer / task / label counts from tally's stderr summary")
    k, n_ans, n_tasks = res["k"], res["answers"], res["tasks"]

    # floor
    res["bytes"] = 4 * n_ans + 8 * (n_tasks + 1) + 8 * k * n_tasks
    for th in THREAD_COUNTS:
        g, kern = best_bw(bw, th)
        it = res["iter"][th]
        it["floor"] = res["bytes"] / (g * 1e9)
        it["floor_bw"], it["floor_kernel"] = g, kern
        it["ns_answer"] = it["median"] / n_ans * 1e9

    if args.tally_only:
        return res

    # b. end to end
    log(f"end to end, default DS settings, {args.runs} run(s) per tool alternating "
        f"(tally with TALLY_THREADS unset: its default, {DEFAULT_THREADS} threads here)")
    hdr = f"  {'run':<4} {'tool':<10} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12} {'iters':>6}   internal"
    log(hdr)
    e2e = {"tally": [], "crowdkit": []}
    for i in range(1, args.runs + 1):
        tag = f"{tag0}-tally-{i}"
        tout, tprob = os.path.join(work, tag + ".labels.tsv"), os.path.join(work, tag + ".probas.tsv")
        m = B.run_timed([tally, "aggregate", answers, "--method", "ds", "--out", tout, "--probabilities", tprob],
                        tag, work, env=env_for())
        s = tally_summary(m["stderr"])
        m.update(read=s["read"], fit=s["fit"], iterations=s["iterations"], labels=tout, probas=tprob)
        e2e["tally"].append(m)
        internal = (f"read {m['read']:.2f} s, fit {m['fit']:.3f} s, rest {m['wall'] - m['read'] - m['fit']:.2f} s"
                    if m["read"] is not None and m["fit"] is not None else "(no summary on stderr)")
        log(f"  {i:<4} {'tally':<10} {m['wall']:>8.2f} {m['cpu']:>8.2f} {m['rss']:>12.1f} "
            f"{fmt(m['iterations'], 'd', '?'):>6}   {internal}")

        tag = f"{tag0}-ck-{i}"
        cout, cprob = os.path.join(work, tag + ".labels.tsv"), os.path.join(work, tag + ".probas.tsv")
        m = B.run_timed([py, ck_script, "ds", answers, "--out", cout, "--probas", cprob], tag, work)
        m["read"], m["fit"], m["total"], kv = B.crowdkit_internal(m["stdout"])
        m.update(iterations=int(kv["n_iter_run"]) if "n_iter_run" in kv else None, labels=cout, probas=cprob)
        e2e["crowdkit"].append(m)
        internal = (f"read {m['read']:.2f} s, fit_predict {m['fit']:.2f} s, script total {m['total']:.2f} s"
                    if None not in (m["read"], m["fit"], m["total"]) else "(no key=value output)")
        log(f"  {i:<4} {'crowd-kit':<10} {m['wall']:>8.2f} {m['cpu']:>8.2f} {m['rss']:>12.1f} "
            f"{fmt(m['iterations'], 'd', '?'):>6}   {internal}")
    res["e2e"] = e2e

    # c. crowd-kit per iteration
    def forced(n):
        tag = f"{tag0}-ck-n{n}"
        m = B.run_timed([py, ck_script, "ds", answers, "--n-iter", str(n), "--tol=-1e30"], tag, work)
        _, fit, _, kv = B.crowdkit_internal(m["stdout"])
        ran = int(kv.get("n_iter_run", -1))
        if fit is None or ran != n:
            die(f"crowd-kit forced to {n} iterations ran {ran}, fit_predict_seconds {fit}")
        log(f"  crowd-kit forced to {n} iteration(s): fit_predict {fit:.2f} s (whole process {m['wall']:.1f} s, "
            f"peak RSS {m['rss']:.0f} MB)")
        return fit
    n_def = e2e["crowdkit"][0]["iterations"]
    if args.ck_forced or n_def is None or n_def < 3:
        log("crowd-kit per iteration: two forced fits, (t4 - t1) / 3")
        t1, t4 = forced(1), forced(4)
        res["ck_iter"] = (t4 - t1) / 3
        res["ck_iter_how"] = f"fits forced to 1 and 4 iterations: {t1:.2f} s, {t4:.2f} s"
    else:
        fit_def = median([m["fit"] for m in e2e["crowdkit"]])
        log(f"crowd-kit per iteration: (default fit, {n_def} iterations - fit forced to 1 iteration) / {n_def - 1}")
        t1 = forced(1)
        res["ck_iter"] = (fit_def - t1) / (n_def - 1)
        res["ck_iter_how"] = f"fits of {n_def} (default run) and 1 (forced) iterations: {fit_def:.2f} s, {t1:.2f} s"
    log(f"  crowd-kit: {res['ck_iter']:.2f} s/iteration ({res['ck_iter_how']})")

    # d. outputs
    log("checking outputs of run 1 (labels compared by task; probabilities by task and class)")
    d = B.compare_labels(e2e["tally"][0]["labels"], e2e["crowdkit"][0]["labels"])
    p, why = B.max_proba_diff(e2e["tally"][0]["probas"], e2e["crowdkit"][0]["probas"])
    res["labels"], res["maxdp"] = d, p
    log(f"  tasks tally {d['tasks_tally']}, crowd-kit {d['tasks_ck']}; differing labels {d['differing']}, "
        f"only in tally {d['only_tally']}, only in crowd-kit {d['only_ck']}; "
        + (f"max |p_tally - p_crowdkit| = {p:.3g}" if p is not None else why))
    log(f"load avg   : {B.loadavg()}")
    return res


# ---------------------------------------------------------------------------------------------
# Report

def report(results, bw, tally_only):
    checks = []  # (K, name, value text, target text, ok)

    def row(label, cells, w=26):
        log(f"{label:<44}" + "".join(f"{c:>{w}}" for c in cells))

    for r in results:
        k = r["k"]
        log()
        log(f"== K = {k}: {r['answers']:,} answers, {r['tasks']:,} tasks, {r['workers']:,} workers ==")
        log(f"bytes streamed per iteration (floor): entries 4 x {r['answers']:,} + offsets 8 x {r['tasks'] + 1:,} "
            f"+ posteriors 8 x {k} x {r['tasks']:,} = {r['bytes'] / 1e6:.1f} MB")
        row("", [f"TALLY_THREADS={t}" for t in THREAD_COUNTS])
        its = [r["iter"][t] for t in THREAD_COUNTS]
        row("tally ms/iteration (median, iter 3..N)", [f"{i['median'] * 1e3:.2f}" for i in its])
        row("  min .. max", [f"{i['min'] * 1e3:.2f} .. {i['max'] * 1e3:.2f}" for i in its])
        row("ns per answer per iteration", [f"{i['ns_answer']:.3f}" for i in its])
        row("bandwidth used for the floor GB/s", [f"{i['floor_bw']:.1f} ({i['floor_kernel']})" for i in its])
        row("bandwidth floor ms/iteration", [f"{i['floor'] * 1e3:.2f}" for i in its])
        row("tally / floor", [f"{i['median'] / i['floor']:.1f}x" for i in its])
        row("effective GB/s (floor bytes / tally time)", [f"{r['bytes'] / i['median'] / 1e9:.1f}" for i in its])
        d_it = r["iter"][DEFAULT_THREADS]
        target = ITER_TARGET_MS.get(k)
        if target is not None:
            checks.append((k, f"tally ms/iteration ({DEFAULT_THREADS} threads)", f"{d_it['median'] * 1e3:.2f}",
                           f"<= {target:g}", d_it["median"] * 1e3 <= target))
        floor_target = FLOOR_TARGET.get(k)
        if floor_target is not None and 2 in r["iter"]:
            two = r["iter"][2]
            checks.append((k, "tally / bandwidth floor (2 threads)", f"{two['median'] / two['floor']:.2f}x",
                           f"<= {floor_target:g}x", two["median"] / two["floor"] <= floor_target))
        if tally_only:
            continue
        ck = r["ck_iter"]
        row("crowd-kit s/iteration", [f"{ck:.2f}"] * len(its))
        row("per-iteration speed-up (crowd-kit / tally)", [f"{ck / i['median']:.0f}x" for i in its])
        log(f"  (crowd-kit per iteration from {r['ck_iter_how']})")
        checks.append((k, f"per-iteration speed-up ({DEFAULT_THREADS} threads)", f"{ck / d_it['median']:.0f}x",
                       f">= {ITER_SPEEDUP_TARGET:g}x", ck / d_it["median"] >= ITER_SPEEDUP_TARGET))

        e = r["e2e"]
        log()
        n = len(e["tally"])
        log(f"end to end, default settings ({n} run{'s' if n > 1 else ''} each{', medians' if n > 1 else ''}):")
        row("", ["tally", "crowd-kit 1.4.2"], 18)
        med = lambda tool, key: median([m[key] for m in e[tool]])  # noqa: E731
        tw, cw, tr, cr = med("tally", "wall"), med("crowdkit", "wall"), med("tally", "rss"), med("crowdkit", "rss")
        row("wall s (whole process)", [f"{tw:.2f}", f"{cw:.2f}"], 18)
        if n > 1:
            sp = lambda tool: "%.2f .. %.2f" % (min(m["wall"] for m in e[tool]), max(m["wall"] for m in e[tool]))  # noqa: E731
            row("  min .. max", [sp("tally"), sp("crowdkit")], 18)
        row("  of which reading s", [fmt(med("tally", "read"), ".2f"), fmt(med("crowdkit", "read"), ".2f")], 18)
        row("  of which fitting s", [fmt(med("tally", "fit"), ".3f"), fmt(med("crowdkit", "fit"), ".2f")], 18)
        row("peak RSS MB", [f"{tr:.1f}", f"{cr:.1f}"], 18)
        row("EM iterations run", [fmt(e["tally"][0]["iterations"], "d", "?"), fmt(e["crowdkit"][0]["iterations"], "d", "?")], 18)
        d = r["labels"]
        log(f"tasks with differing labels: {d['total']} (differing {d['differing']}, only in tally {d['only_tally']}, "
            f"only in crowd-kit {d['only_ck']}); max |Δp| = {fmt(r['maxdp'], '.3g')}")
        speedup, rss_ratio = cw / tw, tr / cr
        log(f"speed-up {speedup:.1f}x, RSS ratio {rss_ratio:.3f}")
        same_iters = e["tally"][0]["iterations"] == e["crowdkit"][0]["iterations"]
        if not same_iters:
            log("note: the tools ran a different number of EM iterations")
        checks.append((k, "end-to-end speed-up (crowd-kit / tally wall)", f"{speedup:.1f}x",
                       f">= {E2E_SPEEDUP_TARGET:g}x", speedup >= E2E_SPEEDUP_TARGET))
        checks.append((k, "RSS ratio (tally / crowd-kit peak RSS)", f"{rss_ratio:.3f}",
                       f"<= {RSS_TARGET:.3f}", rss_ratio <= RSS_TARGET))
        allowed = int(LABEL_TOLERANCE * r["tasks"])
        checks.append((k, "tasks with differing labels", f"{d['total']}", f"<= {allowed}", d["total"] <= allowed))

    log()
    log("== summary ==")
    bw_line = ", ".join(f"{t} thread{'s' if t > 1 else ''} {best_bw(bw, t)[0]:.1f} GB/s ({best_bw(bw, t)[1]})"
                        for t in THREAD_COUNTS if any(tt == t for (_, tt) in bw))
    log(f"streaming bandwidth (best kernel): {bw_line}")
    log(f"{'K':<4}{'check':<48}{'value':>12}{'target':>12}   result")
    for k, name, value, target, ok in checks:
        log(f"{k:<4}{name:<48}{value:>12}{target:>12}   {verdict(ok)}")
    ok = all(c[4] for c in checks)
    log(f"overall: {verdict(ok)}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load >= 1.0:
        log(f"note: load average {load:.2f} at the end (the floor targets are meant for a quiet machine, load below 1)")
    return ok


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--classes", default="2,10", help="K values of the generated 10 M sets (default 2,10)")
    ap.add_argument("--answers", action="append",
                    help="answers TSV to use instead of the generated sets (repeatable; K is read from tally)")
    ap.add_argument("--iterations", type=int, default=20, help="EM iterations of the tally timing runs (default 20)")
    ap.add_argument("--runs", type=int, default=1, help="end-to-end runs per tool (default 1)")
    ap.add_argument("--ck-forced", action="store_true",
                    help="crowd-kit per-iteration time from fits forced to 1 and 4 iterations (one more crowd-kit run per K)")
    ap.add_argument("--tally-only", action="store_true",
                    help="only tally's iteration times and the bandwidth floor (no crowd-kit, no end to end)")
    ap.add_argument("--bw-repeats", type=int, default=10, help="repeats per bandwidth kernel (default 10)")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binary")
    ap.add_argument("--keep", action="store_true", help="keep the outputs and timing files")
    args = ap.parse_args()
    if args.runs < 1:
        die("--runs must be at least 1")
    if args.iterations < 3:
        die("--iterations must be at least 3 (the median is over iterations 3..N)")
    try:
        classes = [int(x) for x in args.classes.split(",") if x.strip()]
    except ValueError:
        die("--classes takes a comma-separated list of integers")
    B.check_time()
    started = time.perf_counter()

    venv, py = B.find_venv()
    ck_script = B.crowdkit_script()
    tally = B.build_tally(args.no_build)
    if args.answers:
        files = [os.path.abspath(a) for a in args.answers]
        for f in files:
            if not os.path.isfile(f):
                die(f"no such answers file: {f}")
    else:
        files = [B.ensure_data(py, synth(k)) for k in classes]

    work = tempfile.mkdtemp(prefix="tally-compare-ds-")
    log()
    log("== tally ds vs crowd-kit DawidSkene: EM iteration time, bandwidth floor, end to end ==")
    B.print_setup(tally, venv, py)
    log(f"threads    : iteration timings with TALLY_THREADS={' and '.join(map(str, THREAD_COUNTS))}; end-to-end runs "
        f"with TALLY_THREADS unset (tally's default min(2, active CPUs) = {DEFAULT_THREADS})"
        + (f"; note: TALLY_THREADS={os.environ['TALLY_THREADS']} in the environment is ignored"
           if "TALLY_THREADS" in os.environ else ""))
    log("bandwidth  : measuring ...")
    bw, how = measure_bandwidth(work, args.bw_repeats)
    log(f"bandwidth  : {how}")

    results = []
    for i, f in enumerate(files, 1):
        log()
        results.append(bench_one(f, f"set{i}", tally, py, ck_script, args, work, bw))

    log()
    log("bandwidth  : measuring again (best of start and end is used)")
    bw2, _ = measure_bandwidth(work, args.bw_repeats)
    log(f"{'GB/s':<8}" + "".join(f"{f'{k}/{t}T':>14}" for (k, t) in bw))
    log(f"{'start':<8}" + "".join(f"{bw[key]:>14.1f}" for key in bw))
    log(f"{'end':<8}" + "".join(f"{bw2.get(key, float('nan')):>14.1f}" for key in bw))
    best = {key: max(bw[key], bw2.get(key, 0.0)) for key in bw}
    for r in results:  # the floor with the best bandwidth of both measurements
        for th in THREAD_COUNTS:
            g, kern = best_bw(best, th)
            it = r["iter"][th]
            it["floor"], it["floor_bw"], it["floor_kernel"] = r["bytes"] / (g * 1e9), g, kern

    ok = report(results, best, args.tally_only)
    log(f"load avg   : {B.loadavg()} (at end); whole benchmark {time.perf_counter() - started:.0f} s")
    if args.keep:
        log(f"outputs, tool logs and /usr/bin/time -v reports kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
