#!/usr/bin/env python3
"""The best-method table (issue 14): per data set, Tally's best method against the best published
accuracy, and which single method has the best mean accuracy over all categorical sets.

Usage:
  Benchmarks/best_method.py [--tally PATH] [--datasets DIR] [--methods m1,m2,...] [--published TSV]
                            [--out FILE.tsv] [--accuracies FILE.tsv]

--out keeps every (data set, method, accuracy); --accuracies prints the tables from such a file.

Every method runs once per data set as `tally aggregate FILE --method M --probabilities P` with
its defaults (EBCC: 40 restarts from seed 1234, 10 subtypes, empirical prior); a method that
refuses a set (KOS on more than two labels) is left out of that set's row and of the mean.

Accuracy is the reference notebooks' `get_acc` (yuan-li/truth-inference-at-scale, code/test_*.ipynb):
over the gold tasks that have answers, a task whose gold label is among the t labels of highest
probability earns 1/t. The published numbers of those notebooks count ties that way; crowd-kit's
JOSS table and Zheng et al.'s experiment-3 outputs (random ties, averaged over runs) are
comparable in expectation. For methods without probabilities the printed labels are used.

Published numbers: the rows of datasets/published-accuracy.tsv, plus the accuracy rows of
Zheng et al.'s repository outputs (zhydhkcws/crowd_truth_infer @8d21647, output/exp-3, 0 %
revealed truth, mean over repetitions), copied from ../shared/datasets/PUBLISHED-ACCURACY.md
section 2 into EXTRA_PUBLISHED below with that source.

The "17 sets" are those of the EBCC notebook (code/test_ebcc.ipynb). The mean over "all
categorical sets" is over every folder of --datasets with answers.tsv, gold.tsv and at most 50
labels (23 in ../shared/datasets).

Standard library only.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

EBCC_SETS = ["act-cf", "act-cf-amt", "act-ms", "act-sp", "act-sp-amt", "act-zc-all", "act-zc-in", "act-zc-us",
             "vldb-product", "vldb-possent", "vldb-face", "vldb-adult", "bluebirds", "vldb-dog", "snow-rte",
             "spectral-trec", "zhou-web"]

METHODS = ["mv", "wawa", "zbs", "ds", "onecoin-ds", "ibcc", "ebcc", "bwa", "minimax", "glad", "mace", "kos", "mmsr"]

ZHENG = "Zheng et al. repo output/exp-3 (zhydhkcws/crowd_truth_infer@8d21647), 0 % truth, mean of runs"
EXTRA_PUBLISHED = [
    # (dataset, method, accuracy, source): PUBLISHED-ACCURACY.md section 2, accuracy rows.
    ("vldb-product", "D&S", 0.9366, ZHENG), ("vldb-product", "GLAD", 0.9223, ZHENG), ("vldb-product", "ZC", 0.9280, ZHENG),
    ("vldb-product", "CATD", 0.9266, ZHENG), ("vldb-product", "PM", 0.8981, ZHENG), ("vldb-product", "LFC", 0.9373, ZHENG),
    ("vldb-product", "Minimax", 0.8409, ZHENG), ("vldb-product", "VI-MF", 0.8391, ZHENG),
    ("bluebirds", "D&S", 0.8796, ZHENG), ("bluebirds", "GLAD", 0.7685, ZHENG), ("bluebirds", "ZC", 0.7222, ZHENG),
    ("bluebirds", "CATD", 0.7778, ZHENG), ("bluebirds", "PM", 0.7870, ZHENG), ("bluebirds", "LFC", 0.8981, ZHENG),
    ("bluebirds", "Minimax", 0.9167, ZHENG), ("bluebirds", "VI-MF", 0.8981, ZHENG),
    ("snow-rte", "D&S", 0.9275, ZHENG), ("snow-rte", "ZC", 0.9250, ZHENG), ("snow-rte", "CATD", 0.9225, ZHENG),
    ("snow-rte", "LFC", 0.9275, ZHENG), ("snow-rte", "Minimax", 0.9250, ZHENG), ("snow-rte", "VI-MF", 0.9287, ZHENG),
    ("vldb-dog", "D&S", 0.8426, ZHENG), ("vldb-dog", "GLAD", 0.8352, ZHENG), ("vldb-dog", "ZC", 0.8302, ZHENG),
    ("vldb-dog", "CATD", 0.8211, ZHENG), ("vldb-dog", "PM", 0.8195, ZHENG), ("vldb-dog", "LFC", 0.8426, ZHENG),
    ("vldb-dog", "Minimax", 0.8377, ZHENG),
    ("vldb-face", "D&S", 0.6404, ZHENG), ("vldb-face", "GLAD", 0.6301, ZHENG), ("vldb-face", "ZC", 0.6284, ZHENG),
    ("vldb-face", "CATD", 0.6166, ZHENG), ("vldb-face", "PM", 0.5973, ZHENG), ("vldb-face", "LFC", 0.6404, ZHENG),
    ("vldb-face", "Minimax", 0.6524, ZHENG),
]


def read_gold(path):
    with open(path) as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return {r[0]: r[1] for r in rows[1:] if len(r) >= 2}


def tie_split_accuracy(probabilities, gold):
    """get_acc: over the gold tasks present, 1/t when the gold label is among the t top labels."""
    with open(probabilities) as f:
        header = f.readline().rstrip("\n").split("\t")[1:]
        total = n = 0.0
        for line in f:
            cells = line.rstrip("\n").split("\t")
            truth = gold.get(cells[0])
            if truth is None:
                continue
            p = [float(x) for x in cells[1:]]
            top = max(p)
            winners = [header[i] for i, v in enumerate(p) if v == top]
            n += 1
            if truth in winners:
                total += 1 / len(winners)
    return total / n if n else float("nan")


def label_accuracy(labels, gold):
    with open(labels) as f:
        rows = list(csv.reader(f, delimiter="\t"))[1:]
    hits = [gold[r[0]] == r[1] for r in rows if r[0] in gold]
    return sum(hits) / len(hits) if hits else float("nan")


def run(tally, answers, gold, method):
    with tempfile.TemporaryDirectory(prefix="tally-best-") as tmp:
        labels, probs = os.path.join(tmp, "l.tsv"), os.path.join(tmp, "p.tsv")
        r = subprocess.run([tally, "aggregate", answers, "--method", method, "--out", labels, "--probabilities", probs, "-q"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"
        if os.path.exists(probs) and os.path.getsize(probs) > 0:
            return tie_split_accuracy(probs, gold), None
        return label_accuracy(labels, gold), None


def published(path):
    best = {}
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for r in csv.DictReader(f, delimiter="\t"):
                rows.append((r["dataset"], r["method"], float(r["accuracy"]), r["source"]))
    rows += EXTRA_PUBLISHED
    for name, method, acc, source in rows:
        if name not in best or acc > best[name][1]:
            best[name] = (method, acc, source)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tally", default=os.path.join(REPO, ".build", "release", "tally"))
    ap.add_argument("--datasets", default=os.path.join(os.path.dirname(REPO), "shared", "datasets"))
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--published", default=os.path.join(REPO, "datasets", "published-accuracy.tsv"))
    ap.add_argument("--out", default="")
    ap.add_argument("--accuracies", default="", help="print the tables from a --out file of an earlier run instead of running")
    a = ap.parse_args()
    if a.accuracies:
        with open(a.accuracies) as f:
            acc = {(r["dataset"], r["method"]): float(r["accuracy"]) for r in csv.DictReader(f, delimiter="\t")}
        return report(a, acc, [m for m in a.methods.split(",") if m])
    if not os.access(a.tally, os.X_OK):
        print(f"best-method: no tally binary at {a.tally} (swift build -c release --product tally)", file=sys.stderr)
        return 2
    methods = [m for m in a.methods.split(",") if m]
    names = sorted(d for d in os.listdir(a.datasets)
                   if os.path.exists(os.path.join(a.datasets, d, "answers.tsv")) and os.path.exists(os.path.join(a.datasets, d, "gold.tsv")))
    acc = {}
    for name in names:
        answers = os.path.join(a.datasets, name, "answers.tsv")
        with open(answers) as f:
            next(f)
            labels = {line.rstrip("\n").split("\t")[2] for line in f if line.strip()}
        if len(labels) > 50:
            print(f"# {name}: {len(labels)} distinct labels (numeric), skipped", file=sys.stderr, flush=True)
            continue
        gold = read_gold(os.path.join(a.datasets, name, "gold.tsv"))
        for m in methods:
            value, error = run(a.tally, answers, gold, m)
            if value is None:
                print(f"# {name} {m}: left out ({error})", file=sys.stderr, flush=True)
            else:
                acc[(name, m)] = value
        print(f"# {name}: " + " ".join(f"{m} {acc[(name, m)]:.4f}" for m in methods if (name, m) in acc), file=sys.stderr, flush=True)
    if a.out:
        with open(a.out, "w") as f:
            f.write("dataset\tmethod\taccuracy\n")
            for (n, m), v in sorted(acc.items()):
                f.write(f"{n}\t{m}\t{v:.6f}\n")
    return report(a, acc, methods)


def report(a, acc, methods):
    sets = sorted({n for n, _ in acc})
    best_pub = published(a.published)

    print("| data set | Tally's best (method) | accuracy | best published (method, source) | accuracy | Tally − published |")
    print("|---|---|---:|---|---:|---:|")
    out_rows = []
    short = 0
    for name in EBCC_SETS:
        if name not in sets:
            continue
        scores = {m: acc[(name, m)] for m in methods if (name, m) in acc}
        top = max(scores.values())
        winners = [m for m in methods if scores.get(m) == top]
        pm, pa, ps = best_pub.get(name, ("-", float("nan"), "-"))
        gap = top - pa
        # Published numbers carry 3 to 6 decimals: a gap below 5e-5 is the same number.
        short += gap < -5e-5
        src = ps.split(",")[0].split(" (")[0] if ps != "-" else "-"
        shown = "0 (same)" if abs(gap) < 5e-5 else f"{gap:+.4f}"
        print(f"| {name} | {', '.join(winners)} | {top:.4f} | {pm} ({src}) | {pa:.4f} | {shown} |")
        out_rows.append((name, ",".join(winners), top, pm, pa, ps))
    n17 = [n for n in EBCC_SETS if n in sets]
    print(f"\nTally's best below the best published number on {short} of {len(n17)} sets.")
    print(f"Mean over the {len(n17)} EBCC-notebook sets of Tally's per-set best: "
          f"{statistics.mean(max(acc[(n, m)] for m in methods if (n, m) in acc) for n in n17):.4f}")

    print(f"\nMean accuracy per method over the categorical sets ({len(sets)} sets; a method that refuses a set is marked):")
    means = []
    for m in methods:
        have = [acc[(n, m)] for n in sets if (n, m) in acc]
        if have:
            means.append((statistics.mean(have), m, len(have),
                          statistics.mean(acc[(n, m)] for n in n17 if (n, m) in acc) if any((n, m) in acc for n in n17) else float("nan")))
    means.sort(reverse=True)
    print("| method | mean, all sets | sets | mean, 17 EBCC sets |")
    print("|---|---:|---:|---:|")
    for mean, m, count, m17 in means:
        print(f"| {m} | {mean:.4f} | {count}{'' if count == len(sets) else ' (not all)'} | {m17:.4f} |")
    full = [x for x in means if x[2] == len(sets)]
    if full:
        print(f"\nBest single method over all {len(sets)} sets: {full[0][1]} ({full[0][0]:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
