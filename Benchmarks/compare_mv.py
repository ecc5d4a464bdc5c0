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
import csv
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.environ.get("TALLY_SHARED_TOOLS", os.path.join(os.path.dirname(REPO), "shared", "tools"))
TIME = "/usr/bin/time"

SPEEDUP_TARGET = 10.0
RSS_TARGET = 1.0 / 3.0

SYNTH = dict(tasks=1_000_000, workers=10_000, overlap=10, classes=2, seed=1)


def die(msg, code=2):
    print(f"compare-mv: {msg}", file=sys.stderr)
    sys.exit(code)


def log(msg=""):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# Setup

def find_venv():
    env = os.environ.get("TALLY_REFERENCE_VENV")
    candidates = [env] if env else [os.path.join(REPO, ".venv-reference"),
                                    os.path.join(os.path.dirname(REPO), ".venv-reference")]
    for c in candidates:
        py = os.path.join(c, "bin", "python")
        if os.path.isfile(py) and os.access(py, os.X_OK):
            return os.path.abspath(c), py
    req = os.path.relpath(os.path.join(TOOLS, "reference-requirements.txt"), REPO)
    die("no reference environment (crowd-kit 1.4.2) found; looked in:\n  "
        + "\n  ".join(candidates)
        + "\nCreate it in the repository root (or point TALLY_REFERENCE_VENV at one):\n"
        + f"  cd {REPO}\n"
        + "  python3 -m venv .venv-reference\n"
        + f"  .venv-reference/bin/pip install -r {req}")


def build_tally(skip):
    if not skip:
        log("building: swift build -c release --product tally")
        t0 = time.perf_counter()
        r = subprocess.run(["swift", "build", "-c", "release", "--product", "tally"], cwd=REPO)
        if r.returncode != 0:
            die("release build failed")
        log(f"  built in {time.perf_counter() - t0:.1f} s")
    r = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO,
                       capture_output=True, text=True)
    bin_dir = r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else os.path.join(REPO, ".build", "release")
    exe = os.path.join(bin_dir, "tally")
    if not os.path.isfile(exe):
        die(f"no tally binary at {exe} (run without --no-build)")
    return exe


def ensure_data(py):
    root = os.environ.get("TALLY_BENCH_DATA", "/tmp/tally-bench")
    name = "synth-t{tasks}-w{workers}-o{overlap}-k{classes}-s{seed}".format(**SYNTH)
    out = os.path.join(root, name)
    answers = os.path.join(out, "answers.tsv")
    # gen_synth.py writes meta.json last: its presence means the set is complete.
    if os.path.isfile(os.path.join(out, "meta.json")) and os.path.isfile(answers):
        log(f"data: reusing {answers}")
        return answers
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=name + ".partial-", dir=root)
    gen = os.path.join(TOOLS, "gen_synth.py")
    cmd = [py, gen] + [a for k, v in SYNTH.items() for a in (f"--{k}", str(v))] + ["--out", tmp]
    log("data: generating " + " ".join(cmd[1:]))
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        die("gen_synth.py failed")
    if os.path.exists(out):
        shutil.rmtree(out)
    os.rename(tmp, out)
    log(f"  generated in {time.perf_counter() - t0:.1f} s -> {out}")
    return answers


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gb():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1048576:.1f} GB"
    except OSError:
        pass
    return "unknown"


def loadavg():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "unknown"


def cmd_out(cmd, cwd=None):
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60)
        return (r.stdout or r.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def warm_cache(path):
    t0 = time.perf_counter()
    n = 0
    with open(path, "rb", buffering=0) as f:
        while True:
            b = f.read(16 << 20)
            if not b:
                break
            n += len(b)
    return n, time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------
# Running

def parse_time_v(path):
    wall = rss = user = sys_ = None
    status = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("Elapsed (wall clock) time"):
                v = line.rsplit(": ", 1)[1]
                parts = [float(p) for p in v.split(":")]
                wall = 0.0
                for p in parts:
                    wall = wall * 60 + p
            elif line.startswith("Maximum resident set size"):
                rss = int(line.rsplit(": ", 1)[1]) / 1024.0
            elif line.startswith("User time (seconds)"):
                user = float(line.rsplit(": ", 1)[1])
            elif line.startswith("System time (seconds)"):
                sys_ = float(line.rsplit(": ", 1)[1])
            elif line.startswith("Exit status"):
                status = int(line.rsplit(": ", 1)[1])
    return dict(wall=wall, rss=rss, cpu=(user or 0) + (sys_ or 0), status=status)


def run_timed(cmd, tag, work):
    tfile = os.path.join(work, f"{tag}.time")
    ofile = os.path.join(work, f"{tag}.stdout")
    efile = os.path.join(work, f"{tag}.stderr")
    t0 = time.perf_counter()
    with open(ofile, "w") as out, open(efile, "w") as err:
        r = subprocess.run([TIME, "-v", "-o", tfile] + cmd, stdout=out, stderr=err)
    outer = time.perf_counter() - t0
    if r.returncode != 0:
        with open(efile) as f:
            tail = f.read()[-2000:]
        die(f"{tag} failed (exit {r.returncode}):\n  {' '.join(cmd)}\n{tail}")
    m = parse_time_v(tfile)
    if m["wall"] is None:
        m["wall"] = outer
    with open(ofile) as f:
        m["stdout"] = f.read()
    with open(efile) as f:
        m["stderr"] = f.read()
    return m


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


def crowdkit_internal(stdout):
    kv = dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)
    f = lambda k: float(kv[k]) if k in kv else None  # noqa: E731
    return f("read_seconds"), f("fit_predict_seconds"), f("total_seconds"), kv


# ---------------------------------------------------------------------------------------------
# Checking

def read_labels(path):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f, delimiter="\t")
        header = next(r)
        ti, li = header.index("task"), header.index("label")
        return {row[ti]: row[li] for row in r}


def compare_labels(tally_path, ck_path):
    a, b = read_labels(tally_path), read_labels(ck_path)
    differing = sum(1 for t, l in a.items() if t in b and b[t] != l)
    only_a = sum(1 for t in a if t not in b)
    only_b = sum(1 for t in b if t not in a)
    return dict(tasks_tally=len(a), tasks_ck=len(b), differing=differing,
                only_tally=only_a, only_ck=only_b, total=differing + only_a + only_b)


def max_proba_diff(tally_path, ck_path):
    def read(path):
        with open(path, newline="", encoding="utf-8") as f:
            r = csv.reader(f, delimiter="\t")
            header = next(r)
            return header[1:], {row[0]: row[1:] for row in r}
    ca, a = read(tally_path)
    cb, b = read(ck_path)
    if sorted(ca) != sorted(cb):
        return None, f"columns differ: tally {ca}, crowd-kit {cb}"
    idx = [cb.index(c) for c in ca]
    worst = 0.0
    for t, row in a.items():
        other = b.get(t)
        if other is None:
            continue
        for j, v in enumerate(row):
            d = abs(float(v) - float(other[idx[j]]))
            if d > worst or math.isnan(d):
                worst = d
    return worst, None


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
    if not os.access(TIME, os.X_OK):
        die(f"{TIME} is missing; install GNU time (Debian/Ubuntu: apt-get install -y time)")

    venv, py = find_venv()
    ck_script = os.path.join(TOOLS, "crowdkit_ref.py")
    if not os.path.isfile(ck_script):
        die(f"no {ck_script} (set TALLY_SHARED_TOOLS to the shared tools folder)")
    tally = build_tally(args.no_build)
    answers = os.path.abspath(args.answers) if args.answers else ensure_data(py)
    if not os.path.isfile(answers):
        die(f"no such answers file: {answers}")

    versions = cmd_out([py, "-c", "import importlib.metadata as m; print(' '.join(f'{p} {m.version(p)}' for p in ('crowd-kit', 'pandas', 'numpy')))"])
    rev = cmd_out(["git", "rev-parse", "--short", "HEAD"], cwd=REPO)
    dirty = cmd_out(["git", "status", "--porcelain", "--", "Sources", "Package.swift"], cwd=REPO)
    swift_version = cmd_out(["swift", "--version"])
    size, warm_s = warm_cache(answers)

    log()
    log("== tally mv vs crowd-kit MajorityVote, end to end ==")
    log(f"machine    : {os.cpu_count()} CPUs (nproc {cmd_out(['nproc'])}), {cpu_model()}, {mem_total_gb()} RAM, "
        f"{platform.system()} {platform.release()}")
    log(f"load avg   : {loadavg()} (at start)")
    log(f"tally      : {tally} (git {rev}{', Sources/ has uncommitted changes' if dirty else ''})")
    log(f"swift      : {(swift_version.splitlines() or ['unknown'])[0]}")
    log(f"reference  : {venv} ({versions})")
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
        m = run_timed([tally, "aggregate", answers, "--method", "mv", "--out", tout, "--probabilities", tprob],
                      f"tally-{i}", work)
        m["read"], m["fit"] = tally_internal(m["stderr"])
        m["labels"], m["probas"] = tout, tprob
        results["tally"].append(m)
        internal = f"read {m['read']:.2f} s, fit {m['fit']:.3f} s, rest {m['wall'] - m['read'] - m['fit']:.2f} s" \
            if m["read"] is not None and m["fit"] is not None else "(no summary on stderr)"
        log(f"{i:<4} {'tally':<10} {m['wall']:>8.2f} {m['cpu']:>8.2f} {m['rss']:>12.1f}   {internal}")

        cout, cprob = os.path.join(work, f"ck-{i}.labels.tsv"), os.path.join(work, f"ck-{i}.probas.tsv")
        m = run_timed([py, ck_script, "mv", answers, "--out", cout, "--probas", cprob], f"crowdkit-{i}", work)
        m["read"], m["fit"], m["total"], _ = crowdkit_internal(m["stdout"])
        m["labels"], m["probas"] = cout, cprob
        results["crowdkit"].append(m)
        internal = f"read {m['read']:.2f} s, fit_predict {m['fit']:.2f} s, script total {m['total']:.2f} s" \
            if None not in (m["read"], m["fit"], m["total"]) else "(no key=value output)"
        log(f"{i:<4} {'crowd-kit':<10} {m['wall']:>8.2f} {m['cpu']:>8.2f} {m['rss']:>12.1f}   {internal}")
    log(f"load avg   : {loadavg()} (at end)")
    log()

    # Same labels? Every run's outputs, pairwise (tally run i against crowd-kit run i).
    log("checking outputs (labels compared by task; probabilities by task and label column)")
    worst_labels = 0
    worst_p = 0.0
    for i, (t, c) in enumerate(zip(results["tally"], results["crowdkit"]), 1):
        d = compare_labels(t["labels"], c["labels"])
        p, why = max_proba_diff(t["probas"], c["probas"])
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
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731

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
