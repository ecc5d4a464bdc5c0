#!/usr/bin/env python3
"""Generate crowd-kit GLAD / MACE / KOS / MMSR reference fixtures for Tally's tests.

Run from the repository root with the pinned reference stack (crowd-kit 1.4.2, pandas 2.3.3,
numpy 1.26.4, scikit-learn 1.5.2):

    /work/.venv-reference/bin/python scripts/crowdkit_fixtures_more.py \
        --datasets datasets/real --out Tests/TallyAggregationTests/Fixtures/crowdkit-more

Companion of scripts/crowdkit_fixtures.py and scripts/crowdkit_fixtures_ds.py; like them it
uses the reading and writing helpers of crowdkit_fixture_common.py so all fixture sets read the data
identically (strings; answer labels -> int64 iff every label is a canonical integer; gold
converted the same way; gzip level 9, mtime 0; floats "%.17g", NaN as "nan").

Inputs
  <datasets>/<name>/answers.tsv, gold.tsv  every sub-folder holding both, except `vldb-emotion`
  --toy (default Tests/TallyAggregationTests/Fixtures/crowdkit/toy): the 5-task "toy YSDA" set,
        used as one more dataset named `toy` (read, never rewritten).

Methods (crowd-kit defaults; spec crowd-kit-reference.md §4.7-4.10, defects §3.3)
  kos   KOS().fit_predict(data)          binary datasets only (K = 2); other datasets get no row
  mmsr  MMSR().fit_predict(data)
  mace  MACE().fit_predict(data)         (method "vb", 10 restarts x 50 iterations, seed 0)
  glad  GLAD().fit_predict(data)         (n_iter 100, tol 1e-5)

Scheduling
  Datasets from the smallest to the largest (number of answers); within a dataset kos, mmsr,
  mace, glad. Every (dataset, method) runs in its own subprocess (this script with --worker)
  under a hard timeout (--timeout, default 600 s); --jobs (default 2) subprocesses at a time.
  The manifest is rewritten after every finished job, so a partial run is consistent.
  --resume keeps manifest rows (and their files) of jobs already done and runs only the others.

Outputs, per finished (dataset, method), under <out>/<dataset>/
  <m>.labels.tsv.gz        task, label                          labels_ (crowd-kit row order)
  glad.probas.tsv.gz       task, <label_1>, ...                 probas_ (sorted rows/columns)
  mace.probas.tsv.gz       task, <label_1>, ...                 probas_ (columns in label first-
                                                                appearance order)
  mmsr.scores.tsv.gz       task, <label_1>, ...                 scores_
  glad.alphas.tsv.gz       worker, alpha                        alphas_ (after the last M-step)
  glad.betas.tsv.gz        task, beta                           betas_
  glad.loss.tsv.gz         iteration, loss                      loss_history_ (1-based)
  mmsr.skills.tsv.gz       worker, skill                        skills_
  mace.spamming.tsv.gz     worker, p0, p1                       spamming_ rows in the order of
                                                                pd.factorize(data.worker);
                                                                p1 = "knows", p0 = "spams"
  For datasets with more than --big answers (default 50 000) the probas/scores files are not
  written (size budget); labels and parameters are. The manifest message says so, and the
  omitted tables go to --omitted-dir (default $TMPDIR/crowdkit-more-omitted, outside the repo).
  A job that raises or times out writes no files.

  <out>/manifest.tsv  "#" line with versions, then dataset, method, status (ok | timeout |
                      raises), n_tasks, n_labels (distinct tasks / labels in the answers),
                      n_iter_run (len(loss_history_) for GLAD and MMSR), accuracy (labels_ as str
                      vs gold as str over the gold tasks, as crowdkit_ref.py; 6 decimals),
                      seconds (wall time of fit_predict), message (notes, NaN counts, warnings).
"""

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crowdkit_fixture_common import (  # noqa: E402
    DEFAULT_TOY, accuracy, clean, dataset_folders, dir_size, gz_write, labels_frame, read_dataset, remove_outputs,
    spamming_frame, table_frame, to_tsv, versions, warning_kinds,
)

METHODS = ["kos", "mmsr", "mace", "glad"]
EXTS = ["labels", "probas", "scores", "alphas", "betas", "loss", "skills", "spamming"]
HEADER = "dataset\tmethod\tstatus\tn_tasks\tn_labels\tn_iter_run\taccuracy\tseconds\tmessage"


def series_frame(s, key, value):
    return pd.DataFrame({key: [str(i) for i in s.index], value: s.to_numpy(dtype=float)})


def worker(args):
    """Runs one (dataset, method) and writes its files; prints one JSON line on success."""
    import crowdkit.aggregation as A
    df, gold, int_labels = read_dataset(args.folder)
    ff = args.float_format
    big = len(df) > args.big
    outdir = os.path.join(args.out, args.name)
    os.makedirs(outdir, exist_ok=True)
    m = args.method
    agg = {"kos": A.KOS, "mmsr": A.MMSR, "mace": A.MACE, "glad": A.GLAD}[m]()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        try:
            labels = agg.fit_predict(df)
        except Exception as e:  # recorded in the manifest
            print(json.dumps({"status": "raises", "seconds": time.perf_counter() - t0,
                              "message": clean(f"{type(e).__name__}: {e}")}), flush=True)
            return 0
        seconds = time.perf_counter() - t0
    notes = []
    files = {}
    files["labels"] = to_tsv(labels_frame(labels, int_labels), ff)
    nan_labels = int(pd.isna(labels).sum())
    if nan_labels:
        notes.append(f"nan_labels={nan_labels}")
    n_iter = ""
    table = None
    if m in ("glad", "mace"):
        table, tname = agg.probas_, "probas"
    elif m == "mmsr":
        table, tname = agg.scores_, "scores"
    if table is not None:
        nan_rows = int(table.isna().any(axis=1).sum())
        if nan_rows:
            notes.append(f"nan_{tname}_rows={nan_rows}")
        if big:
            notes.append(f"{tname} not written ({len(df)} answers > {args.big})")
            # kept outside the fixtures (not part of the fixture set) so the size decision can be revisited
            side = os.path.join(args.omitted_dir, args.name)
            os.makedirs(side, exist_ok=True)
            gz_write(os.path.join(side, f"{m}.{tname}.tsv.gz"), to_tsv(table_frame(table, int_labels), ff))
        else:
            files[tname] = to_tsv(table_frame(table, int_labels), ff)
    if m == "glad":
        files["alphas"] = to_tsv(series_frame(agg.alphas_, "worker", "alpha"), ff)
        files["betas"] = to_tsv(series_frame(agg.betas_, "task", "beta"), ff)
        hist = np.asarray(agg.loss_history_, dtype=float)
        files["loss"] = to_tsv(pd.DataFrame({"iteration": np.arange(1, len(hist) + 1, dtype=np.int64),
                                             "loss": hist}), ff)
        n_iter = str(len(hist))
        if len(hist):
            notes.append(f"last_loss={ff % hist[-1]}")
    elif m == "mmsr":
        files["skills"] = to_tsv(series_frame(agg.skills_, "worker", "skill"), ff)
        n_iter = str(len(agg.loss_history_))
    elif m == "mace":
        _, worker_names = pd.factorize(df["worker"])
        assert np.shape(agg.spamming_) == (len(worker_names), 2), np.shape(agg.spamming_)
        files["spamming"] = to_tsv(spamming_frame(agg.spamming_, worker_names), ff)
    kinds = warning_kinds(caught)
    if kinds:
        notes.append("warnings: " + " | ".join(kinds))
    size = 0
    for ext, text in files.items():
        size += gz_write(os.path.join(outdir, f"{m}.{ext}.tsv.gz"), text)
    acc = accuracy(labels, gold)
    print(json.dumps({"status": "ok", "seconds": seconds, "n_iter_run": n_iter, "accuracy": f"{acc:.6f}",
                      "message": clean("; ".join(notes)), "bytes": size}), flush=True)
    return 0


def write_manifest(out, first_line, rows, order):
    keyed = sorted(rows.items(), key=lambda kv: order.get(kv[0], (1 << 30, 0)))
    tmp = os.path.join(out, "manifest.tsv.tmp")
    with open(tmp, "w", newline="") as f:
        f.write(first_line + "\n" + HEADER + "\n" + "".join(r + "\n" for _, r in keyed))
    os.replace(tmp, os.path.join(out, "manifest.tsv"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", help="folder of dataset sub-folders")
    ap.add_argument("--out", required=True, help="fixtures output folder")
    ap.add_argument("--toy", default=DEFAULT_TOY, help="folder with the toy answers.tsv / gold.tsv")
    ap.add_argument("--float-format", default="%.17g")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--big", type=int, default=50000, help="no probas/scores above this many answers")
    ap.add_argument("--omitted-dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "crowdkit-more-omitted"),
                    help="where the probas/scores omitted for big datasets are written (outside the fixtures)")
    ap.add_argument("--resume", action="store_true", help="keep finished manifest rows, run the rest")
    ap.add_argument("--only", help="comma-separated dataset names to run")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--name", help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    ap.add_argument("--method", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)

    os.makedirs(args.out, exist_ok=True)
    folders = dataset_folders(args.datasets, toy=args.toy, only=args.only)
    info = {}
    for name, folder in folders:
        df, _, _ = read_dataset(folder)
        info[name] = (folder, len(df), df["task"].nunique(), df["label"].nunique())
    folders.sort(key=lambda f: (info[f[0]][1], f[0]))

    header = (versions(args.float_format, scipy_sklearn=True)
              + f"; timeout {args.timeout:g} s; probas/scores omitted above {args.big} answers")
    jobs = []
    for name, _ in folders:
        for m in METHODS:
            if m == "kos" and info[name][3] != 2:
                continue
            jobs.append((name, m))
    order = {j: i for i, j in enumerate(jobs)}

    rows = {}
    man = os.path.join(args.out, "manifest.tsv")
    if args.resume and os.path.exists(man):
        with open(man) as f:
            for line in f:
                r = line.rstrip("\n").split("\t")
                if line.startswith("#") or r[0] == "dataset" or len(r) < 3:
                    continue
                rows[(r[0], r[1])] = line.rstrip("\n")
    todo = [j for j in jobs if j not in rows]
    write_manifest(args.out, header, rows, order)

    running = []  # (job, proc, start)
    while todo or running:
        while todo and len(running) < args.jobs:
            name, m = todo.pop(0)
            outdir = os.path.join(args.out, name)
            os.makedirs(outdir, exist_ok=True)
            remove_outputs(outdir, m, EXTS)
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--out", args.out, "--name", name,
                   "--folder", info[name][0], "--method", m, "--float-format", args.float_format,
                   "--big", str(args.big), "--omitted-dir", args.omitted_dir]
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            running.append(((name, m), p, time.time()))
            print(f"start {name} {m} answers={info[name][1]}", flush=True)
        time.sleep(0.2)
        for item in list(running):
            (name, m), p, start = item
            _, _, n_tasks, n_labels = info[name]
            outdir = os.path.join(args.out, name)
            rc = p.poll()
            if rc is None and time.time() - start <= args.timeout:
                continue
            running.remove(item)
            if rc is None:
                p.kill()
                p.communicate()
                remove_outputs(outdir, m, EXTS)
                row = f"{name}\t{m}\ttimeout\t{n_tasks}\t{n_labels}\t\t\t\tkilled after {args.timeout:g} s"
            else:
                out, err = p.communicate()
                res = None
                for line in out.splitlines()[::-1]:
                    if line.startswith("{"):
                        res = json.loads(line)
                        break
                if rc != 0 or res is None:
                    remove_outputs(outdir, m, EXTS)
                    tail = clean(err.strip().splitlines()[-1] if err.strip() else f"exit {rc}")
                    row = f"{name}\t{m}\traises\t{n_tasks}\t{n_labels}\t\t\t\tsubprocess failed: {tail}"
                elif res["status"] == "raises":
                    row = (f"{name}\t{m}\traises\t{n_tasks}\t{n_labels}\t\t\t{res['seconds']:.3f}\t"
                           f"{res['message']}")
                else:
                    row = (f"{name}\t{m}\tok\t{n_tasks}\t{n_labels}\t{res['n_iter_run']}\t{res['accuracy']}\t"
                           f"{res['seconds']:.3f}\t{res['message']}")
            rows[(name, m)] = row
            write_manifest(args.out, header, rows, order)
            print(f"done  {row}  total_bytes={dir_size(args.out)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
