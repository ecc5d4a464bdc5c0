"""Shared helpers for the end-to-end comparisons against crowd-kit (compare_mv.py, compare_ds.py).

Standard library only; runs under any python3 >= 3.8.
"""

import csv
import glob
import json
import math
import os
import re
import platform
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.environ.get("TALLY_SHARED_TOOLS", os.path.join(os.path.dirname(REPO), "shared", "tools"))
TIME = "/usr/bin/time"

PROG = "bench"  # prefix of error messages; each script sets its own name


def die(msg, code=2):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(code)


def log(msg=""):
    print(msg, flush=True)


def verdict(ok):
    return "PASS" if ok else "FAIL"


# ---------------------------------------------------------------------------------------------
# Setup

def find_venv():
    """The crowd-kit reference environment: (venv directory, its python)."""
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


def crowdkit_script():
    path = os.path.join(TOOLS, "crowdkit_ref.py")
    if not os.path.isfile(path):
        die(f"no {path} (set TALLY_SHARED_TOOLS to the shared tools folder)")
    return path


def check_time():
    if not os.access(TIME, os.X_OK):
        die(f"{TIME} is missing; install GNU time (Debian/Ubuntu: apt-get install -y time)")


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


# gen_synth.py's default worker mix (good, mediocre, random spammer, constant spammer): sets made
# with it keep the short name they always had.
DEFAULT_MIX = "0.5,0.3,0.1,0.1"


def synth_name(params):
    """The cache folder's name: the five main parameters, then any other parameter (the worker mix
    unless it is the default) as -KEY-VALUE, so that crowds differing only in those do not share a
    folder."""
    name = "synth-t{tasks}-w{workers}-o{overlap}-k{classes}-s{seed}".format(**params)
    for key in sorted(params):
        value = params[key]
        if key in ("tasks", "workers", "overlap", "classes", "seed") or (key == "mix" and value == DEFAULT_MIX):
            continue
        name += "-" + key + "-" + re.sub(r"[^0-9A-Za-z.]+", "_", str(value))
    return name


def _meta_matches(folder, params):
    """True when folder holds a complete gen_synth.py set whose meta.json has these parameters."""
    if not os.path.isfile(os.path.join(folder, "answers.tsv")):
        return False
    try:
        with open(os.path.join(folder, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return False
    return all(meta.get(k, DEFAULT_MIX if k == "mix" else None) == v for k, v in params.items())


def _complete_set_matching(root, params):
    """Another complete gen_synth.py set under root made with the same parameters, if any."""
    for meta_path in sorted(glob.glob(os.path.join(root, "*", "meta.json"))):
        d = os.path.dirname(meta_path)
        if ".partial-" not in os.path.basename(d) and _meta_matches(d, params):
            return d
    return None


def ensure_data(py, params):
    """answers.tsv of the gen_synth.py set with these parameters (tasks, workers, overlap, classes,
    seed) under $TALLY_BENCH_DATA (default /tmp/tally-bench): reused when a complete set with the
    same parameters is there (under its canonical name or any other), generated otherwise."""
    root = os.environ.get("TALLY_BENCH_DATA", "/tmp/tally-bench")
    name = synth_name(params)
    out = os.path.join(root, name)
    answers = os.path.join(out, "answers.tsv")
    # gen_synth.py writes meta.json last: its presence means the set is complete; its parameters
    # must be these (a folder of an older naming may hold another worker mix).
    if _meta_matches(out, params):
        log(f"data: reusing {answers}")
        return answers
    other = _complete_set_matching(root, params) if os.path.isdir(root) else None
    if other:
        log(f"data: reusing {os.path.join(other, 'answers.tsv')} (its meta.json matches {name})")
        return os.path.join(other, "answers.tsv")
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=name + ".partial-", dir=root)
    gen = os.path.join(TOOLS, "gen_synth.py")
    cmd = [py, gen] + [a for k, v in params.items() for a in (f"--{k}", str(v))] + ["--out", tmp]
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


def generated_file(name, py, script, args):
    """The data file `name` under $TALLY_BENCH_DATA (default /tmp/tally-bench): reused when present,
    else written by `py -c script *args OUT` to a `.partial` file renamed into place."""
    root = os.environ.get("TALLY_BENCH_DATA", "/tmp/tally-bench")
    os.makedirs(root, exist_ok=True)
    data = os.path.join(root, name)
    if os.path.isfile(data):
        log(f"data: reusing {data}")
        return data
    log(f"data: generating {data}")
    tmp = data + ".partial"
    subprocess.run([py, "-c", script, *map(str, args), tmp], check=True)
    os.rename(tmp, data)
    return data


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


def l3_bytes():
    """Size of the largest cache level reported by sysfs (the L3 on current x86), or None."""
    best = None
    for p in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*/size"):
        try:
            with open(p) as f:
                s = f.read().strip()
        except OSError:
            continue
        mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(s[-1:].upper(), 1)
        try:
            v = int(s.rstrip("KMGkmg")) * mult
        except ValueError:
            continue
        best = v if best is None else max(best, v)
    return best


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


def print_setup(tally, venv, py):
    """The machine / load / tally / swift / reference lines of a report header."""
    versions = cmd_out([py, "-c", "import importlib.metadata as m; print(' '.join(f'{p} {m.version(p)}' for p in ('crowd-kit', 'pandas', 'numpy')))"])
    rev = cmd_out(["git", "rev-parse", "--short", "HEAD"], cwd=REPO)
    dirty = cmd_out(["git", "status", "--porcelain", "--", "Sources", "Package.swift"], cwd=REPO)
    swift_version = cmd_out(["swift", "--version"])
    log(f"machine    : {os.cpu_count()} CPUs (nproc {cmd_out(['nproc'])}), {cpu_model()}, {mem_total_gb()} RAM, "
        f"{platform.system()} {platform.release()}")
    log(f"load avg   : {loadavg()} (at start)")
    log(f"tally      : {tally} (git {rev}{', Sources/ has uncommitted changes' if dirty else ''})")
    log(f"swift      : {(swift_version.splitlines() or ['unknown'])[0]}")
    log(f"reference  : {venv} ({versions})")


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


def run_timed(cmd, tag, work, env=None):
    """Run cmd under /usr/bin/time -v; wall, rss (MB), cpu, stdout, stderr. Dies when it fails."""
    tfile = os.path.join(work, f"{tag}.time")
    ofile = os.path.join(work, f"{tag}.stdout")
    efile = os.path.join(work, f"{tag}.stderr")
    t0 = time.perf_counter()
    with open(ofile, "w") as out, open(efile, "w") as err:
        r = subprocess.run([TIME, "-v", "-o", tfile] + cmd, stdout=out, stderr=err, env=env)
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
