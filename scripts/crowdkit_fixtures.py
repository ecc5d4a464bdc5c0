#!/usr/bin/env python3
"""Generate crowd-kit reference fixtures for Tally's aggregation tests.

Run from the repository root with the pinned reference stack (crowd-kit 1.4.2, pandas 2.3.3,
numpy 1.26.4, scikit-learn 1.5.2):

    /work/.venv-reference/bin/python scripts/crowdkit_fixtures.py \
        --datasets datasets/real --out Tests/TallyAggregationTests/Fixtures/crowdkit

Inputs
  <datasets>/<name>/answers.tsv  header task<TAB>worker<TAB>label
  <datasets>/<name>/gold.tsv     header task<TAB>label
  Every sub-folder holding both files is used, except the numeric set `vldb-emotion`.
  In addition the script writes crowd-kit's 5-task "toy YSDA" test set (spec
  crowd-kit-reference.md §11) to <out>/toy/answers.tsv and <out>/toy/gold.tsv and treats it
  as one more dataset named `toy`; its MV / Wawa / ZBS results are checked against the
  values published in §11 (the script fails if they differ).

Reading (same as shared/tools/crowdkit_ref.py)
  pd.read_csv(sep="\\t", dtype=str, keep_default_na=False, na_filter=False); the label column
  is converted to int64 iff every label x satisfies
  `x.lstrip("-").isdigit() and str(int(x)) == x`. Unlike crowdkit_ref.py, the gold labels are
  converted to int64 with the same rule whenever the answer labels were converted (otherwise
  GoldMajorityVote would compare ints with strings and score every worker 0); if the answers
  were converted but some gold label does not satisfy the rule, the script fails.

Methods (default parameters)
  mv       MajorityVote().fit(data)
  wawa     Wawa().fit(data), then predict_proba(data) / predict(data)   (= fit_predict*)
  zbs      ZeroBasedSkill().fit(data), then predict_proba(data) / predict(data)
  gold_mv  GoldMajorityVote().fit(data, true_labels=<all of gold.tsv>), then
           predict_proba(data) / predict(data)

Outputs, per dataset and method, under <out>/<dataset>/
  <method>.probas.tsv.gz  task<TAB><label_1><TAB>...  probas_ with crowd-kit's row and column
                          order, probabilities as "%.17g" (NaN written as "nan")
  <method>.labels.tsv.gz  task<TAB>label              labels_ (same row order as probas_)
  <method>.skills.tsv.gz  worker<TAB>skill            skills_ ("%.17g")
  Files are gzip-compressed with mtime 0 and no file name, so re-running gives identical bytes.
  A method that raises writes no files; the exception is recorded in the manifest.

  <out>/manifest.tsv  dataset, method, status (ok | raises), n_tasks, n_labels, message
                      (n_tasks / n_labels: distinct tasks / labels of the dataset's answers,
                      which for "ok" rows equal the rows / columns of probas_). First line is a
                      "#" comment with the library versions.

  --float-format overrides "%.17g" (e.g. "%.12g" to measure size); --summary prints per-dataset
  diagnostics (argmax ties, near-ties, NaNs, sizes) to stdout.
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
    clean, dataset_folders, dir_size, fmt_label, gz_write, labels_frame, read_dataset, remove_outputs, to_tsv, versions,
)

METHODS = ["mv", "wawa", "zbs", "gold_mv"]

# crowd-kit's "toy YSDA" test set, spec §11: worker-major row order (w1's answers first).
TOY_TABLE = {
    "w1": ["no", "yes", "yes", "yes", "yes"],
    "w2": ["yes", "yes", "no", "yes", "no"],
    "w3": [None, "yes", "no", "yes", "no"],
    "w4": ["yes", "no", "yes", "yes", "no"],
    "w5": ["no", "no", "no", "yes", "no"],
}
TOY_TASKS = ["t1", "t2", "t3", "t4", "t5"]
TOY_GOLD = {"t1": "yes", "t2": "yes", "t3": "no", "t4": "yes", "t5": "no"}
# Expected values from spec §11 (rounded to 6 decimals): labels t1..t5, P(yes) t1..t5, skills w1..w5.
TOY_EXPECTED = {
    "mv": (["no", "yes", "no", "yes", "no"], [0.5, 0.6, 0.4, 1.0, 0.2], [0.6, 0.8, 1.0, 0.4, 0.8]),
    "wawa": (["no", "yes", "no", "yes", "no"],
             [0.461538, 0.666667, 0.277778, 1.0, 0.166667], [0.6, 0.8, 1.0, 0.4, 0.8]),
    "zbs": (["no", "yes", "no", "yes", "no"],
            [0.461538, 0.666667, 0.277778, 1.0, 0.166667], [0.6, 0.8, 1.0, 0.4, 0.8]),
}


def write_toy(out):
    folder = os.path.join(out, "toy")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "answers.tsv"), "w", newline="") as f:
        f.write("task\tworker\tlabel\n")
        for w, row in TOY_TABLE.items():
            for t, y in zip(TOY_TASKS, row):
                if y is not None:
                    f.write(f"{t}\t{w}\t{y}\n")
    with open(os.path.join(folder, "gold.tsv"), "w", newline="") as f:
        f.write("task\tlabel\n")
        for t, y in TOY_GOLD.items():
            f.write(f"{t}\t{y}\n")
    return folder


def run_method(method, df, gold):
    """Returns (probas, labels, skills). Warnings raised by crowd-kit/pandas are collected."""
    if method == "mv":
        agg = A.MajorityVote().fit(df)
        return agg.probas_, agg.labels_, agg.skills_
    # Wawa / ZBS / GoldMV: fit() only learns skills_; probas_ / labels_ come from predict*()
    # (fit_predict(data) == fit(data).predict(data)).
    if method == "wawa":
        agg = A.Wawa().fit(df)
    elif method == "zbs":
        agg = A.ZeroBasedSkill().fit(df)
    elif method == "gold_mv":
        agg = A.GoldMajorityVote().fit(df, true_labels=gold)
    else:
        raise ValueError(method)
    probas = agg.predict_proba(df)
    labels = agg.predict(df)
    assert probas.equals(agg.probas_)
    return probas, labels, agg.skills_


def write_outputs(folder, method, probas, labels, skills, int_labels, ff):
    p = probas.copy()
    p.columns = [fmt_label(c, int_labels) for c in p.columns]
    p.index = p.index.rename("task")
    size = gz_write(os.path.join(folder, f"{method}.probas.tsv.gz"), to_tsv(p.reset_index(), ff))
    size += gz_write(os.path.join(folder, f"{method}.labels.tsv.gz"), to_tsv(labels_frame(labels, int_labels), ff))
    sk = skills.rename("skill").rename_axis("worker").reset_index()
    size += gz_write(os.path.join(folder, f"{method}.skills.tsv.gz"), to_tsv(sk, ff))
    return size


def diagnostics(probas, labels, skills):
    v = probas.to_numpy(dtype=float)
    nan_rows = int(np.isnan(v).any(axis=1).sum())
    ok = ~np.isnan(v).any(axis=1)
    s = -np.sort(-v[ok], axis=1)
    mx = s[:, 0]
    exact_ties = int(((v[ok] == mx[:, None]).sum(axis=1) > 1).sum())
    gap = s[:, 0] - s[:, 1] if v.shape[1] > 1 else np.full(len(s), np.inf)
    near_ties = int(((gap > 0) & (gap <= 1e-9)).sum())
    return {
        "nan_proba_rows": nan_rows,
        "nan_labels": int(pd.isna(labels).sum()),
        "nan_skills": int(pd.isna(skills).sum()),
        "exact_ties": exact_ties,
        "near_ties": near_ties,
        "cols_sorted": list(probas.columns) == sorted(probas.columns),
        "tasks_sorted": list(probas.index) == sorted(probas.index),
        "workers_sorted": list(skills.index) == sorted(skills.index),
    }


def check_toy(method, probas, labels, skills):
    exp_labels, exp_pyes, exp_skills = TOY_EXPECTED[method]
    got_labels = [labels.loc[t] for t in TOY_TASKS]
    got_pyes = [round(float(probas.loc[t, "yes"]), 6) for t in TOY_TASKS]
    got_skills = [round(float(skills.loc[w]), 6) for w in TOY_TABLE]
    ok = got_labels == exp_labels and got_pyes == exp_pyes and got_skills == exp_skills
    if not ok:
        raise SystemExit(f"toy {method} differs from spec §11: labels {got_labels}, P(yes) {got_pyes}, skills {got_skills}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", required=True, help="folder of dataset sub-folders")
    ap.add_argument("--out", required=True, help="fixtures output folder")
    ap.add_argument("--float-format", default="%.17g")
    ap.add_argument("--summary", action="store_true", help="print per-dataset diagnostics")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    folders = dataset_folders(args.datasets, toy=write_toy(args.out))

    rows = ["dataset\tmethod\tstatus\tn_tasks\tn_labels\tmessage"]
    for name, folder in folders:
        df, gold, int_labels = read_dataset(folder)
        n_tasks, n_labels = df["task"].nunique(), df["label"].nunique()
        outdir = os.path.join(args.out, name)
        os.makedirs(outdir, exist_ok=True)
        for method in METHODS:
            remove_outputs(outdir, method, ("probas", "labels", "skills"))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    probas, labels, skills = run_method(method, df, gold)
                except Exception as e:  # recorded in the manifest
                    msg = clean(f"{type(e).__name__}: {e}")
                    rows.append(f"{name}\t{method}\traises\t{n_tasks}\t{n_labels}\t{msg}")
                    if args.summary:
                        print(f"{name}\t{method}\traises\t{msg}")
                    continue
            assert probas.shape == (n_tasks, n_labels), (name, method, probas.shape)
            assert list(labels.index) == list(probas.index), (name, method)
            size = write_outputs(outdir, method, probas, labels, skills, int_labels, args.float_format)
            rows.append(f"{name}\t{method}\tok\t{n_tasks}\t{n_labels}\t")
            if name == "toy" and method in TOY_EXPECTED:
                check_toy(method, probas, labels, skills)
            if args.summary:
                d = diagnostics(probas, labels, skills)
                kinds = sorted({str(w.category.__name__) + ": " + str(w.message)[:80] for w in caught
                                if not issubclass(w.category, pd.errors.SettingWithCopyWarning)})
                print(f"{name}\t{method}\tok\tanswers={len(df)} tasks={n_tasks} workers={df['worker'].nunique()} "
                      f"labels={n_labels} int={int_labels} gz_bytes={size} "
                      + " ".join(f"{k}={v}" for k, v in d.items())
                      + (f" warnings={kinds}" if kinds else ""))
    with open(os.path.join(args.out, "manifest.tsv"), "w", newline="") as f:
        f.write(versions(args.float_format) + "\n" + "\n".join(rows) + "\n")
    if args.summary:
        print(f"total_bytes={dir_size(args.out)}")


if __name__ == "__main__":
    sys.exit(main())
