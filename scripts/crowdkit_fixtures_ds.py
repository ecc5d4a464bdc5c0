#!/usr/bin/env python3
"""Generate crowd-kit Dawid-Skene / one-coin Dawid-Skene reference fixtures for Tally's tests.

Run from the repository root with the pinned reference stack (crowd-kit 1.4.2, pandas 2.3.3,
numpy 1.26.4, scikit-learn 1.5.2):

    /work/.venv-reference/bin/python scripts/crowdkit_fixtures_ds.py \
        --datasets datasets/real --out Tests/TallyAggregationTests/Fixtures/crowdkit-ds

Companion of scripts/crowdkit_fixtures.py (majority-vote family); it imports that script's
reading and writing helpers so both fixture sets read the data identically.

Inputs
  <datasets>/<name>/answers.tsv, gold.tsv  every sub-folder holding both, except `vldb-emotion`
  --toy (default Tests/TallyAggregationTests/Fixtures/crowdkit/toy): the 5-task "toy YSDA" set
        written by crowdkit_fixtures.py, used as one more dataset named `toy` (read, never
        rewritten). Its DS and one-coin DS results are checked against spec
        crowd-kit-reference.md §11 (the script fails if they differ).

Reading (same as crowdkit_fixtures.py / shared/tools/crowdkit_ref.py)
  read as strings; answer labels -> int64 iff every label x satisfies
  `x.lstrip("-").isdigit() and str(int(x)) == x`; gold converted with the same rule when the
  answers were.

Configurations (one fixture set per dataset and configuration)
  ds            DawidSkene().fit(data)                    (n_iter=100, tol=1e-5)
  ds20          DawidSkene(n_iter=20).fit(data)           (tol=1e-5)
  onecoin       OneCoinDawidSkene().fit(data)             (n_iter=100, tol=1e-5)
  onecoin20     OneCoinDawidSkene(n_iter=20).fit(data)
  ds-gold-half  vldb-product only: DawidSkene().fit(data, true_labels=G) where G = the first
                len(gold)//2 rows of gold.tsv in file order (labels converted like the answers)
  ds-addition   toy and vldb-product only: DawidSkene(initial_error_strategy="addition")
                .fit(data, initial_error=E_add)
  ds-assign     toy and vldb-product only: DawidSkene(initial_error_strategy="assign")
                .fit(data, initial_error=E_assign)
  initial_error matrices: one row per (worker, label) pair observed in the answers, in order of
  first appearance in the answers (= the row order of crowd-kit's own M-step groupby), index
  names (worker, label), one column per label in crowd-kit's column order (the MV probas_
  columns), same dtype as the answer labels.
    E_add[w, y, c]    = 2.0 if y == c else 0.5                               (counts)
    E_assign[w, y, c] = 1.0 if worker w used a single label, else
                        r[w, y, c] / sum_{y' used by w} r[w, y', c] with
                        r = 0.8 if y == c else 0.2 / (n_w - 1), n_w = labels used by w
                        (so for a true label c the worker used, the column is 0.8 and
                        0.2/(n_w-1) up to rounding; for a c the worker never used, 1/n_w).
  crowd-kit clips and divides an `assign` matrix *in place* (it becomes the first errors
  object), so a copy is passed and the unmodified matrix is written.

Outputs, under <out>/<dataset>/ for every configuration that did not raise
  <config>.probas.tsv.gz         task, then probas_ columns (crowd-kit's row and column order)
  <config>.labels.tsv.gz         task, label   (labels_, same row order)
  <config>.priors.tsv.gz         label, prior  (priors_)
  <config>.errors.tsv.gz         worker, label, one column per true label (errors_.reset_index(),
                                 crowd-kit's row order)
  <config>.loss.tsv.gz           iteration (1-based), loss   (all of loss_history_)
  <config>.skills.tsv.gz         worker, skill  (onecoin configurations only)
  <config>.initial_error.tsv.gz  worker, label, one column per true label (ds-addition/ds-assign)
  Floats as "%.17g" ("nan" for NaN); labels in their input spelling. gzip level 9, mtime 0, no
  file name, so re-running gives identical bytes. A configuration that raises writes no files.

  <out>/manifest.tsv  "#" line with versions, then dataset, config, status (ok | raises),
                      n_tasks, n_labels (distinct tasks / labels in the answers), n_iter_run
                      (len(loss_history_)), last_loss ("%.17g"), accuracy (labels_ as str vs
                      gold strings over the gold tasks, as crowdkit_ref.py; 6 decimals), message.

  --summary prints per-run diagnostics (NaNs, ties, entries clipped to 1e-10, iterations at the
  cap, warnings, sizes) to stdout.
"""

import argparse
import os
import sys
import warnings

import numpy as np
import pandas as pd

import crowdkit.aggregation as A

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crowdkit_fixture_common import (  # noqa: E402
    DEFAULT_TOY, accuracy, clean, dataset_folders, dir_size, fmt_label, gz_write, labels_frame, read_dataset,
    remove_outputs, to_tsv, versions,
)

EPS = float(np.float_power(10, -10))  # crowd-kit's _EPS
CONFIGS = ["ds", "ds20", "onecoin", "onecoin20"]
EXTRA = {"vldb-product": ["ds-gold-half", "ds-addition", "ds-assign"], "toy": ["ds-addition", "ds-assign"]}
EXTS = ["probas", "labels", "priors", "errors", "loss", "skills", "initial_error"]

# Spec §11 (rounded to 6 decimals, except the loss): labels t1..t5, P(yes) t1..t5,
# priors (no, yes), iterations, loss rounded to the shown digits, skills w1..w5 (onecoin).
TOY_TASKS = ["t1", "t2", "t3", "t4", "t5"]
TOY_WORKERS = ["w1", "w2", "w3", "w4", "w5"]
TOY_EXPECTED = {
    "ds": (["yes", "yes", "no", "yes", "no"], [1.0, 1.0, 0.0, 1.0, 0.0], [0.4, 0.6], 6, (-0.9762245, 7), None),
    "onecoin": (["yes", "yes", "no", "yes", "no"], [0.999996, 1.0, 0.0, 1.0, 0.0], [0.400001, 0.599999], 7,
                (-1.10040227, 8), [0.400001, 0.999999, 1.0, 0.599999, 0.600001]),
}


def label_columns(df):
    """crowd-kit's column order for this data (the MV probas_ columns)."""
    return A.MajorityVote().fit_predict_proba(df).columns


def initial_error(df, strategy):
    cols = label_columns(df)
    pairs = df[["worker", "label"]].drop_duplicates()  # first appearance = groupby(sort=False) order
    used = pairs.groupby("worker", sort=False)["label"].nunique()
    n_w = pairs["worker"].map(used).to_numpy()
    y = pairs["label"].to_numpy()
    vals = np.empty((len(pairs), len(cols)), dtype=float)
    for j, c in enumerate(cols):
        eq = y == c
        if strategy == "addition":
            vals[:, j] = np.where(eq, 2.0, 0.5)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                vals[:, j] = np.where(n_w == 1, 1.0, np.where(eq, 0.8, 0.2 / (n_w - 1)))
    index = pd.MultiIndex.from_frame(pairs, names=["worker", "label"])
    e = pd.DataFrame(vals, index=index, columns=cols)
    if strategy == "assign":
        e = e / e.groupby("worker", sort=False).transform("sum")
        sums = e.groupby("worker", sort=False).sum()
        assert (e <= 1.0).all().all() and np.allclose(sums, 1.0), "assign matrix columns must sum to 1"
    return e


def run_config(config, df, gold):
    """Returns (agg, initial_error or None, message)."""
    if config in ("ds", "ds20"):
        agg = A.DawidSkene(**({"n_iter": 20} if config == "ds20" else {})).fit(df)
        return agg, None, ""
    if config in ("onecoin", "onecoin20"):
        agg = A.OneCoinDawidSkene(**({"n_iter": 20} if config == "onecoin20" else {})).fit(df)
        return agg, None, ""
    if config == "ds-gold-half":
        k = len(gold) // 2
        train = gold.iloc[:k]
        agg = A.DawidSkene().fit(df, true_labels=train)
        held = gold.index[k:].intersection(agg.labels_.index)
        acc = float((agg.labels_.loc[held].astype(str).values == gold.loc[held].astype(str).values).mean())
        msg = (f"true_labels = gold.tsv rows 0..{k - 1} in file order (first {k} of {len(gold)}, "
               f"first task {train.index[0]}, last task {train.index[-1]}); "
               f"accuracy on the other {len(held)} gold tasks {acc:.6f}")
        return agg, None, msg
    if config in ("ds-addition", "ds-assign"):
        strategy = config.split("-", 1)[1]
        e = initial_error(df, strategy)
        arg = e.copy(deep=True)  # crowd-kit modifies an 'assign' matrix in place
        agg = A.DawidSkene(initial_error_strategy=strategy).fit(df, initial_error=arg)
        if strategy == "addition":
            msg = f"initial_error: {len(e)} observed (worker,label) rows x {e.shape[1]}; count 2.0 if label==true else 0.5"
        else:
            msg = (f"initial_error: {len(e)} observed (worker,label) rows x {e.shape[1]}; 0.8 if label==true else "
                   f"0.2/(n_w-1), 1.0 if n_w==1, columns normalised per worker")
        return agg, e, msg
    raise ValueError(config)


def matrix_frame(m, int_labels):
    """errors_ / initial_error (MultiIndex worker,label x true labels) as a flat frame."""
    out = pd.DataFrame({
        "worker": [str(w) for w in m.index.get_level_values(0)],
        "label": [fmt_label(v, int_labels) for v in m.index.get_level_values(1)],
    })
    for j, c in enumerate(m.columns):
        out[fmt_label(c, int_labels)] = m.iloc[:, j].to_numpy(dtype=float)
    return out


def write_outputs(folder, config, agg, init_err, int_labels, ff):
    size = 0
    p = agg.probas_.copy()
    p.columns = [fmt_label(c, int_labels) for c in p.columns]
    p.index = p.index.rename("task")
    size += gz_write(os.path.join(folder, f"{config}.probas.tsv.gz"), to_tsv(p.reset_index(), ff))

    size += gz_write(os.path.join(folder, f"{config}.labels.tsv.gz"), to_tsv(labels_frame(agg.labels_, int_labels), ff))

    pr = pd.DataFrame({"label": [fmt_label(v, int_labels) for v in agg.priors_.index],
                       "prior": agg.priors_.to_numpy(dtype=float)})
    size += gz_write(os.path.join(folder, f"{config}.priors.tsv.gz"), to_tsv(pr, ff))

    size += gz_write(os.path.join(folder, f"{config}.errors.tsv.gz"), to_tsv(matrix_frame(agg.errors_, int_labels), ff))

    loss = pd.DataFrame({"iteration": np.arange(1, len(agg.loss_history_) + 1, dtype=np.int64),
                         "loss": np.asarray(agg.loss_history_, dtype=float)})
    size += gz_write(os.path.join(folder, f"{config}.loss.tsv.gz"), to_tsv(loss, ff))

    if config.startswith("onecoin"):
        sk = pd.DataFrame({"worker": agg.skills_.index.astype(str), "skill": agg.skills_.to_numpy(dtype=float)})
        size += gz_write(os.path.join(folder, f"{config}.skills.tsv.gz"), to_tsv(sk, ff))
    if init_err is not None:
        size += gz_write(os.path.join(folder, f"{config}.initial_error.tsv.gz"), to_tsv(matrix_frame(init_err, int_labels), ff))
    return size


def diagnostics(config, agg, cap):
    v = agg.probas_.to_numpy(dtype=float)
    s = -np.sort(-v, axis=1)
    mx = s[:, 0]
    gap = s[:, 0] - s[:, 1] if v.shape[1] > 1 else np.full(len(s), np.inf)
    err = agg.errors_.to_numpy(dtype=float)
    d = {
        "nan_probas": int(np.isnan(v).sum()),
        "nan_errors": int(np.isnan(err).sum()),
        "nan_priors": int(pd.isna(agg.priors_).sum()),
        "nan_loss": int(np.isnan(np.asarray(agg.loss_history_, dtype=float)).sum()),
        "nan_labels": int(pd.isna(agg.labels_).sum()),
        "exact_ties": int(((v == mx[:, None]).sum(axis=1) > 1).sum()),
        "near_ties": int(((gap > 0) & (gap <= 1e-9)).sum()),
        "probas_eq_eps": int((v == EPS).sum()),
        "probas_eq_1": int((v == 1.0).sum()),
        "max_rowsum_dev": float(np.abs(v.sum(axis=1) - 1.0).max()),
        "errors_eq_eps": int((err == EPS).sum()),
        "errors_eq_1-eps": int((err == 1 - EPS).sum()),
        "priors_eq_eps": int((agg.priors_.to_numpy(dtype=float) == EPS).sum()),
        "n_iter_run": len(agg.loss_history_),
        "at_cap": len(agg.loss_history_) == cap,
        "loss_decreased": int((np.diff(agg.loss_history_) < 0).sum()),
    }
    if config.startswith("onecoin"):
        d["nan_skills"] = int(pd.isna(agg.skills_).sum())
    return d


def check_toy(config, agg):
    exp_labels, exp_pyes, exp_priors, exp_iters, (exp_loss, loss_digits), exp_skills = TOY_EXPECTED[config]
    got = ([agg.labels_.loc[t] for t in TOY_TASKS],
           [round(float(agg.probas_.loc[t, "yes"]), 6) for t in TOY_TASKS],
           [round(float(agg.priors_.loc[c]), 6) for c in ("no", "yes")],
           len(agg.loss_history_),
           round(float(agg.loss_history_[-1]), loss_digits),
           [round(float(agg.skills_.loc[w]), 6) for w in TOY_WORKERS] if exp_skills is not None else None)
    if got != (exp_labels, exp_pyes, exp_priors, exp_iters, exp_loss, exp_skills):
        raise SystemExit(f"toy {config} differs from spec §11: {got}")


COMPACT_NOTE = ("# compacted: n_iter=20 files identical to the full run are removed (message 'files: same as ...'); "
                "labels files are kept for toy and vldb-product only (elsewhere labels_ is the first argmax of probas_, "
                "and no final probabilities tie)")


def compact(out, rows):
    """Removes byte-identical 20-iteration files and most labels files, to keep the fixtures small."""
    import filecmp
    result = []
    for line in rows:
        r = line.split("\t")
        base = {"ds20": "ds", "onecoin20": "onecoin"}.get(r[1])
        folder = os.path.join(out, r[0])
        if base and r[2] == "ok":
            suffixes = [f[len(r[1]):] for f in os.listdir(folder) if f.startswith(r[1] + ".")]
            if all(filecmp.cmp(os.path.join(folder, r[1] + s), os.path.join(folder, base + s), shallow=False)
                   for s in suffixes if os.path.exists(os.path.join(folder, base + s))):
                for s in suffixes:
                    os.remove(os.path.join(folder, r[1] + s))
                r[8] = (r[8] + "; " if r[8] else "") + f"files: same as {base}"
        result.append("\t".join(r))
    for name in os.listdir(out):
        folder = os.path.join(out, name)
        if os.path.isdir(folder) and name not in ("toy", "vldb-product"):
            for f in os.listdir(folder):
                if f.endswith(".labels.tsv.gz"):
                    os.remove(os.path.join(folder, f))
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", required=True, help="folder of dataset sub-folders")
    ap.add_argument("--out", required=True, help="fixtures output folder")
    ap.add_argument("--toy", default=DEFAULT_TOY, help="folder with the toy answers.tsv / gold.tsv")
    ap.add_argument("--float-format", default="%.17g")
    ap.add_argument("--summary", action="store_true", help="print per-run diagnostics")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    folders = dataset_folders(args.datasets, toy=args.toy)

    rows = ["dataset\tconfig\tstatus\tn_tasks\tn_labels\tn_iter_run\tlast_loss\taccuracy\tmessage"]
    for name, folder in folders:
        df, gold, int_labels = read_dataset(folder)
        n_tasks, n_labels = df["task"].nunique(), df["label"].nunique()
        outdir = os.path.join(args.out, name)
        os.makedirs(outdir, exist_ok=True)
        for config in CONFIGS + EXTRA.get(name, []):
            remove_outputs(outdir, config, EXTS)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    agg, init_err, msg = run_config(config, df, gold)
                except Exception as e:  # recorded in the manifest
                    msg = clean(f"{type(e).__name__}: {e}")
                    rows.append(f"{name}\t{config}\traises\t{n_tasks}\t{n_labels}\t\t\t\t{msg}")
                    if args.summary:
                        print(f"{name}\t{config}\traises\t{msg}", flush=True)
                    continue
            assert agg.probas_.shape == (n_tasks, n_labels), (name, config, agg.probas_.shape)
            assert list(agg.labels_.index) == list(agg.probas_.index), (name, config)
            assert list(agg.priors_.index) == list(agg.probas_.columns), (name, config)
            assert list(agg.errors_.columns) == list(agg.probas_.columns), (name, config)
            size = write_outputs(outdir, config, agg, init_err, int_labels, args.float_format)
            hist = agg.loss_history_
            acc = accuracy(agg.labels_, gold)
            rows.append(f"{name}\t{config}\tok\t{n_tasks}\t{n_labels}\t{len(hist)}\t"
                        f"{args.float_format % hist[-1] if hist else ''}\t{acc:.6f}\t{msg}")
            if name == "toy" and config in TOY_EXPECTED:
                check_toy(config, agg)
            if args.summary:
                cap = 20 if config.endswith("20") else 100
                d = diagnostics(config, agg, cap)
                kinds = sorted({str(w.category.__name__) + ": " + str(w.message)[:100] for w in caught})
                print(f"{name}\t{config}\tok\tanswers={len(df)} workers={df['worker'].nunique()} int={int_labels} "
                      f"acc={acc:.6f} gz_bytes={size} " + " ".join(f"{k}={v}" for k, v in d.items())
                      + (f" warnings={kinds}" if kinds else ""), flush=True)
    rows = compact(args.out, rows)
    with open(os.path.join(args.out, "manifest.tsv"), "w", newline="") as f:
        f.write(versions(args.float_format) + "\n" + COMPACT_NOTE + "\n" + "\n".join(rows) + "\n")
    if args.summary:
        print(f"total_bytes={dir_size(args.out)}")


if __name__ == "__main__":
    sys.exit(main())
