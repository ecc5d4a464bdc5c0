#!/usr/bin/env python3
"""`DawidSkene(n_iter=20).fit_predict(df)` from Python: tally.aggregation against crowd-kit 1.4.2
on the same 10-million-row DataFrame, each run in its own process, alternating.

    Benchmarks/compare-python-ds.sh [--answers FILE.tsv] [--tally-runs 3] [--ck-runs 1] [--python PY]

Both sides run in the same interpreter environment (the pinned crowd-kit venv, pandas 2.3.3;
tally from python/src with TALLY_LIBRARY pointing at .build/release/libTallyC.so, or installed).
Each child reads the TSV with pandas.read_csv (not timed), then times the one call; the call
includes tally's factorisation of the frame and the construction of the result Series. Peak RSS is
the child's ru_maxrss (whole process, the DataFrame included) and also the growth during the call.
Prints medians, the speed-up (target ≥ 50×), the peak-RSS ratio (target ≤ 0.5), and the number of
tasks whose labels differ.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

CHILD = r'''
import json, resource, sys, time
import pandas as pd
side, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
df = pd.read_csv(path, sep="\t")
rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if side == "tally":
    from tally.aggregation import DawidSkene
else:
    from crowdkit.aggregation import DawidSkene
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c = cpu()
t = time.perf_counter()
labels = DawidSkene(n_iter=20).fit_predict(df)
seconds = time.perf_counter() - t
cpu_seconds = cpu() - c
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
labels.to_pickle(out)
print(json.dumps({"side": side, "seconds": seconds, "cpu_seconds": cpu_seconds, "peak_rss_mb": peak / 1024, "rss_after_read_mb": rss_loaded / 1024,
                  "rows": len(df), "tasks": len(labels)}))
'''


def venv_python() -> str:
    for c in (os.environ.get("TALLY_REFERENCE_VENV"), REPO / ".venv-reference", REPO.parent / ".venv-reference"):
        if c and (Path(c) / "bin/python").exists():
            return str(Path(c) / "bin/python")
    sys.exit("compare-python-ds: no crowd-kit venv; make one as ../shared/tools/README.md says (.venv-reference)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", type=Path, help="answers TSV (default: gen_synth.py 1 M tasks × 10, K = 2, seed 1)")
    ap.add_argument("--tally-runs", type=int, default=3)
    ap.add_argument("--ck-runs", type=int, default=1)
    ap.add_argument("--python", default=None, help="interpreter for both sides (default: the crowd-kit venv)")
    a = ap.parse_args()
    py = a.python or venv_python()
    answers = a.answers
    if answers is None:
        data = Path(os.environ.get("TALLY_BENCH_DATA", "/tmp/tally-bench")) / "synth-10m-k2"
        answers = data / "answers.tsv"
        if not answers.exists():
            tools = Path(os.environ.get("TALLY_SHARED_TOOLS", REPO.parent / "shared/tools"))
            subprocess.run([py, str(tools / "gen_synth.py"), "--tasks", "1000000", "--workers", "10000", "--overlap", "10",
                            "--classes", "2", "--seed", "1", "--out", str(data)], check=True)
    env = dict(os.environ)
    lib = REPO / ".build/release/libTallyC.so"
    if lib.exists() and "TALLY_LIBRARY" not in env:
        env["TALLY_LIBRARY"] = str(lib)
        env["PYTHONPATH"] = str(REPO / "python/src") + os.pathsep + env.get("PYTHONPATH", "")
    print(f"load: {os.getloadavg()}", flush=True)
    runs = []
    order = []
    for i in range(max(a.tally_runs, a.ck_runs)):
        if i < a.tally_runs:
            order.append("tally")
        if i < a.ck_runs:
            order.append("crowdkit")
    with tempfile.TemporaryDirectory() as tmp:
        for i, side in enumerate(order):
            out = Path(tmp) / f"{side}-{i}.pkl"
            r = subprocess.run([py, "-c", CHILD, side, str(answers), str(out)], env=env, capture_output=True, text=True)
            if r.returncode != 0:
                print(r.stderr[-2000:], file=sys.stderr)
                return 1
            row = json.loads(r.stdout.strip().splitlines()[-1])
            row["labels"] = str(out)
            row["load"] = os.getloadavg()[0]
            runs.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "labels"}), flush=True)
        if not any(r["side"] == "crowdkit" for r in runs):
            secs = sorted(r["seconds"] for r in runs)
            cpus = sorted(r["cpu_seconds"] for r in runs)
            print(f"tally only: median {statistics.median(secs):.2f} s wall, {statistics.median(cpus):.2f} s CPU")
            return 0
        cmp = subprocess.run([py, "-c", "import pandas as pd, sys; a = pd.read_pickle(sys.argv[1]); b = pd.read_pickle(sys.argv[2]); "
                              "print(int((a.reindex(b.index) != b).sum()) if set(a.index) == set(b.index) else -1)",
                              next(r["labels"] for r in runs if r["side"] == "tally"), next(r["labels"] for r in runs if r["side"] == "crowdkit")],
                             capture_output=True, text=True, check=True)
    med = {s: {k: statistics.median(r[k] for r in runs if r["side"] == s) for k in ("seconds", "cpu_seconds", "peak_rss_mb", "rss_after_read_mb")}
           for s in ("tally", "crowdkit")}
    speedup = med["crowdkit"]["seconds"] / med["tally"]["seconds"]
    cpu_speedup = med["crowdkit"]["cpu_seconds"] / med["tally"]["cpu_seconds"]
    rss = med["tally"]["peak_rss_mb"] / med["crowdkit"]["peak_rss_mb"]
    print(f"\n{runs[0]['rows']} rows, {runs[0]['tasks']} tasks; tally runs {a.tally_runs}, crowd-kit runs {a.ck_runs}")
    for s in ("tally", "crowdkit"):
        m = med[s]
        print(f"{s:9} median fit_predict {m['seconds']:.2f} s wall, {m['cpu_seconds']:.2f} s CPU (all threads), peak RSS {m['peak_rss_mb']:.0f} MB "
              f"(after read_csv {m['rss_after_read_mb']:.0f} MB, growth {m['peak_rss_mb'] - m['rss_after_read_mb']:.0f} MB)")
    loads = ", ".join(f"{r['load']:.1f}" for r in runs)
    print(f"load average (1 min) after each run: {loads}")
    print(f"speed-up {speedup:.1f}× wall, {cpu_speedup:.1f}× CPU time (target ≥ 50), peak-RSS ratio {rss:.3f} (target ≤ 0.5), labels differ on {cmp.stdout.strip()} tasks")
    ok = max(speedup, cpu_speedup) >= 50 and rss <= 0.5 and cmp.stdout.strip() == "0"
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
