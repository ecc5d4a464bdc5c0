#!/usr/bin/env python3
"""crowd-kit MACE fixtures for Tally's crowd-kit compatibility mode (`MACE(compatibility: .crowdKit)`,
`tally aggregate --method mace --compat crowd-kit`).

scripts/crowdkit_fixtures_more.py already holds crowd-kit's default MACE labels_ and spamming_ for
every data set, and probas_ for sets of at most 50 000 answers. This adds, within a small size
budget, what the compatibility tests still need:

  sample  the sets above that budget whose probabilities the tests check (default vldb-rel,
          vldb-adult): every --every-th row of probas_ (rows in crowd-kit's order, i.e. task
          first appearance; the first row included), as <name>/mace.probas-sample.tsv.gz
  renamed crowd-kit's MACE on act-cf with every worker renamed (the worker at first-appearance
          index i takes the name "x" + the name of worker n-1-i), as act-cf-renamed/: labels_,
          probas_, spamming_. crowd-kit's result depends on worker names (spec §3.3); this checks
          that Tally's compatibility mode depends on them in the same way.

Every run is MACE() with crowd-kit's defaults (vb, 10 restarts x 50 iterations, random_state 0).
The manifest records accuracy and whether labels_ equal crowdkit-more's (for the sampled sets).

Run from the repository root with the pinned reference stack:

    /work/.venv-reference/bin/python scripts/crowdkit_fixtures_mace_compat.py \
        --datasets datasets/real --out Tests/TallyAggregationTests/Fixtures/crowdkit-mace-compat

Reading and writing are scripts/crowdkit_fixture_common.py's, as for every fixture set (strings;
answer labels -> int64 iff every label is a canonical integer; gzip level 9, mtime 0; floats "%.17g").
"""

import argparse
import os
import sys
import time

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crowdkit_fixture_common import (  # noqa: E402
    accuracy, gz_write, labels_frame, read_dataset, read_tsv, spamming_frame, table_frame, to_tsv, versions,
)

HEADER = "dataset\tkind\trows_written\tn_tasks\tn_labels\taccuracy\tseconds\tlabels_as_crowdkit_more"


def run(df):
    import crowdkit.aggregation as A
    agg = A.MACE()
    t0 = time.perf_counter()
    labels = agg.fit_predict(df)
    return agg, labels, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sample", default="vldb-rel,vldb-adult")
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--more", default="Tests/TallyAggregationTests/Fixtures/crowdkit-more",
                    help="crowdkit_fixtures_more.py output, to compare labels_ with")
    ap.add_argument("--float-format", default="%.17g")
    args = ap.parse_args()

    ff = args.float_format
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name in args.sample.split(","):
        df, gold, int_labels = read_dataset(os.path.join(args.datasets, name))
        agg, labels, seconds = run(df)
        sample = table_frame(agg.probas_, int_labels).iloc[:: args.every]
        os.makedirs(os.path.join(args.out, name), exist_ok=True)
        gz_write(os.path.join(args.out, name, "mace.probas-sample.tsv.gz"), to_tsv(sample, ff))
        same = ""
        more = os.path.join(args.more, name, "mace.labels.tsv.gz")
        if os.path.exists(more):
            ref = read_tsv(more)  # pandas infers gzip from the .gz suffix
            mine = labels_frame(labels, int_labels).set_index("task")["label"]
            same = "yes" if (ref.set_index("task")["label"].reindex(mine.index) == mine).all() and len(ref) == len(mine) else "no"
        rows.append(f"{name}\tprobas-sample\t{len(sample)}\t{len(agg.probas_)}\t{agg.probas_.shape[1]}\t"
                    f"{accuracy(labels, gold):.6f}\t{seconds:.3f}\t{same}")
        print(rows[-1], flush=True)

    # act-cf with workers renamed against their sorted order.
    df, gold, int_labels = read_dataset(os.path.join(args.datasets, "act-cf"))
    codes, names = pd.factorize(df["worker"])
    n = len(names)
    df = df.assign(worker=["x" + names[n - 1 - c] for c in codes])
    agg, labels, seconds = run(df)
    folder = os.path.join(args.out, "act-cf-renamed")
    os.makedirs(folder, exist_ok=True)
    gz_write(os.path.join(folder, "mace.labels.tsv.gz"), to_tsv(labels_frame(labels, int_labels), ff))
    gz_write(os.path.join(folder, "mace.probas.tsv.gz"), to_tsv(table_frame(agg.probas_, int_labels), ff))
    _, worker_names = pd.factorize(df["worker"])
    gz_write(os.path.join(folder, "mace.spamming.tsv.gz"), to_tsv(spamming_frame(agg.spamming_, worker_names), ff))
    rows.append(f"act-cf-renamed\tfull\t{len(agg.probas_)}\t{len(agg.probas_)}\t{agg.probas_.shape[1]}\t"
                f"{accuracy(labels, gold):.6f}\t{seconds:.3f}\t")
    print(rows[-1], flush=True)

    header = (versions(ff, scipy_sklearn=True)
              + f"; MACE() defaults; probas-sample = every {args.every}th row of probas_")
    with open(os.path.join(args.out, "manifest.tsv"), "w", newline="") as f:
        f.write(header + "\n" + HEADER + "\n" + "".join(r + "\n" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
