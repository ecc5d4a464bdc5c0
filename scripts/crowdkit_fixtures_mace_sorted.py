#!/usr/bin/env python3
"""crowd-kit MACE fixtures on data whose worker and label names sort in first-appearance order.

crowd-kit 1.4.2's MACE pairs expected strategy counts, computed by a *sorted* groupby over
(worker, label), positionally with parameters indexed by `pd.factorize` (first-appearance) codes
(spec crowd-kit-reference.md §3.3). Its output is only the model's when workers and labels
already appear in sorted order. This script renames them so that they do, runs crowd-kit, and
maps the results back to the original names, giving a reference for Tally's MACE (whose results
do not depend on names).

Run from the repository root with the pinned reference stack:

    /work/.venv-reference/bin/python scripts/crowdkit_fixtures_mace_sorted.py \
        --datasets datasets/real --out Tests/TallyAggregationTests/Fixtures/crowdkit-mace-sorted

Reading and writing are scripts/crowdkit_fixture_common.py's, as for every fixture set (strings;
answer labels -> int64 iff every label is a canonical integer; gzip level 9, mtime 0; floats "%.17g").

Renaming: worker i (0-based first-appearance index) -> "w%07d" % i; label j -> "c%04d" % j.
Tasks keep their names (crowd-kit's task handling aligns by index and is order-independent).

Runs: MACE(n_restarts=1) with every other argument at its default (method "vb", n_iter 50,
random_state 0). crowd-kit re-draws the same initial parameters on every restart (§3.3), so
n_restarts=1 gives exactly the result of the default n_restarts=10 at a tenth of the cost
(checked on act-cf and vldb-possent: max |delta proba| = 0). With --em (default vldb-possent,
vldb-product) also MACE(n_restarts=1, method="em"), recorded as method `mace_em`.

Outputs under <out>/<dataset>/ (original names):
  <m>.labels.tsv.gz     task, label           labels_
  <m>.probas.tsv.gz     task, <label>...      probas_ (columns in first-appearance order);
                                              only for sets with at most --big answers
  <m>.spamming.tsv.gz   worker, p0, p1        spamming_ (first-appearance order; p1 = "knows");
                                              only for sets with at most --big answers
  <out>/manifest.tsv    dataset, method, status, n_tasks, n_labels, n_iter_run (empty),
                        accuracy (labels_ vs gold as strings over gold tasks, 6 decimals),
                        seconds (fit_predict wall time), message
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crowdkit_fixture_common import (  # noqa: E402
    DEFAULT_TOY, accuracy, clean, dataset_folders, fmt_label, gz_write, labels_frame, read_dataset, spamming_frame,
    to_tsv, versions, warning_kinds,
)

HEADER = "dataset\tmethod\tstatus\tn_tasks\tn_labels\tn_iter_run\taccuracy\tseconds\tmessage"


def run(name, folder, method, args):
    from crowdkit.aggregation import MACE
    df, gold, int_labels = read_dataset(folder)
    wcodes, wnames = pd.factorize(df["worker"])
    lcodes, lnames = pd.factorize(df["label"])
    renamed = pd.DataFrame({
        "task": df["task"].values,
        "worker": [f"w{i:07d}" for i in wcodes],
        "label": [f"c{j:04d}" for j in lcodes],
    })
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        agg = MACE(n_restarts=1, method=method)
        t0 = time.perf_counter()
        labels = agg.fit_predict(renamed)
        seconds = time.perf_counter() - t0
    back = {f"c{j:04d}": lnames[j] for j in range(len(lnames))}
    notes = []
    nan_labels = int(pd.isna(labels).sum())
    if nan_labels:
        notes.append(f"nan_labels={nan_labels}")
    original = pd.Series([back.get(v, np.nan) if isinstance(v, str) else np.nan for v in labels.values],
                         index=labels.index)
    files = {"labels": to_tsv(labels_frame(original, int_labels), args.float_format)}
    if len(df) <= args.big:
        p = agg.probas_.copy()
        p.columns = [fmt_label(back[c], int_labels) for c in p.columns]
        p.index = pd.Index([str(t) for t in p.index], name="task")
        files["probas"] = to_tsv(p.reset_index(), args.float_format)
        files["spamming"] = to_tsv(spamming_frame(agg.spamming_, wnames), args.float_format)
    else:
        notes.append(f"probas/spamming not written ({len(df)} answers > {args.big})")
    kinds = warning_kinds(caught)
    if kinds:
        notes.append("warnings: " + " | ".join(kinds))
    outdir = os.path.join(args.out, name)
    os.makedirs(outdir, exist_ok=True)
    tag = "mace" if method == "vb" else "mace_em"
    for ext in ("labels", "probas", "spamming"):
        path = os.path.join(outdir, f"{tag}.{ext}.tsv.gz")
        if ext in files:
            gz_write(path, files[ext])
        elif os.path.exists(path):
            os.remove(path)
    acc = accuracy(original, gold)
    msg = clean("; ".join(notes))
    return (f"{name}\t{tag}\tok\t{df['task'].nunique()}\t{len(lnames)}\t\t{acc:.6f}\t{seconds:.3f}\t{msg}", len(df))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--toy", default=DEFAULT_TOY)
    ap.add_argument("--float-format", default="%.17g")
    ap.add_argument("--big", type=int, default=50000)
    ap.add_argument("--em", default="vldb-possent,vldb-product", help="datasets that also get method='em'")
    ap.add_argument("--only", help="comma-separated dataset names")
    args = ap.parse_args()

    folders = dataset_folders(args.datasets, toy=args.toy, only=args.only)
    em = set(filter(None, args.em.split(",")))
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name, folder in folders:
        for method in ["vb"] + (["em"] if name in em else []):
            row, n = run(name, folder, method, args)
            rows.append((n, row))
            print(row, flush=True)
    rows.sort(key=lambda r: (r[0], r[1]))
    header = (versions(args.float_format, scipy_sklearn=True)
              + "; MACE(n_restarts=1) on workers/labels renamed to sorted first-appearance names; "
              + f"probas/spamming omitted above {args.big} answers")
    with open(os.path.join(args.out, "manifest.tsv"), "w", newline="") as f:
        f.write(header + "\n" + HEADER + "\n" + "".join(r + "\n" for _, r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
