"""GLAD through two `tally` binaries (say main's and this branch's) on every categorical data set:
whether every output is bit-identical (labels, probabilities, α, β written by `tally aggregate`,
the EM iterations, conjugate-gradient steps, passes and final loss it reports), and each binary's
CPU per EM iteration: the median over --runs of (user + sys of `tally aggregate --method glad`
minus the median of the same binary's `--method mv`, which reads the same answers), divided by its
EM iterations, and per pass (objective evaluation: the same difference divided by the passes it
reports; the fair measure when the two builds' bits, and so their iterations, differ). When the
outputs differ: how many labels and the largest |Δp| of the probabilities. Runs alternate A B A B.
One TSV row per set, then the medians of the ratios.

    python3 scripts/glad_compare_builds.py BEFORE_TALLY AFTER_TALLY [--data DIR] [--runs 3] [--threads N]

DATASETS: ../shared/datasets (answers.tsv per set; vldb-emotion, numeric, left out). Standard
library only.
"""

import argparse
import filecmp
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

NOTE = re.compile(r"glad: (\d+) iterations \((\d+) conjugate-gradient steps, (\d+) passes\), loss (\S+)")
OUTPUTS = ("labels", "probabilities", "skills", "betas")


def cpu_run(cmd):
    """Runs cmd; returns (user + sys seconds of the child, stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), r.stderr


def glad(binary, answers, out, threads):
    os.makedirs(out, exist_ok=True)
    cmd = [binary, "aggregate", str(answers), "--method", "glad", "--threads", str(threads), "--out", f"{out}/labels.tsv",
           "--probabilities", f"{out}/probabilities.tsv", "--skills", f"{out}/skills.tsv", "--betas", f"{out}/betas.tsv"]
    cpu, err = cpu_run(cmd)
    m = NOTE.search(err)
    if not m:
        sys.exit(f"no GLAD summary from {binary}: {err.strip()}")
    return cpu, m.groups()


def mv(binary, answers, threads):
    return cpu_run([binary, "aggregate", str(answers), "--method", "mv", "--threads", str(threads), "--out", os.devnull])[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "datasets"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="glad-builds-")
    wanted = set(filter(None, a.sets.split(",")))
    print("set\tanswers\titerations\tcg_steps\tpasses\tsummary_identical\toutputs_identical\tlabels_differing\tmax_dp"
          "\tbefore_cpu_per_iter_ms\tafter_cpu_per_iter_ms\tafter/before\tbefore_cpu_per_pass_ms\tafter_cpu_per_pass_ms\tpass after/before")
    ratios = []
    pass_ratios = []
    differing = 0
    for d in sorted(Path(a.data).iterdir()):
        answers = d / "answers.tsv"
        if not answers.exists() or d.name == "vldb-emotion" or (wanted and d.name not in wanted):
            continue
        cpu = {"b": [], "a": []}
        base = {"b": [], "a": []}
        for _ in range(a.runs):
            for key, binary in (("b", a.before), ("a", a.after)):
                c, summary = glad(binary, answers, f"{work}/{key}", a.threads)
                cpu[key].append(c)
                base[key].append(mv(binary, answers, a.threads))
                if key == "b":
                    sb = summary
                else:
                    sa = summary
        same = all(filecmp.cmp(f"{work}/b/{o}.tsv", f"{work}/a/{o}.tsv", shallow=False) for o in OUTPUTS)
        differing += (not same) or sb != sa
        iters = {"b": int(sb[0]), "a": int(sa[0])}
        per = {k: max(0.0, statistics.median(cpu[k]) - statistics.median(base[k])) / max(iters[k], 1) * 1000 for k in cpu}
        ratio = per["a"] / per["b"] if per["b"] > 0 else float("nan")
        ratios.append(ratio)
        passes = {"b": int(sb[2]), "a": int(sa[2])}
        per_pass = {k: max(0.0, statistics.median(cpu[k]) - statistics.median(base[k])) / max(passes[k], 1) * 1000 for k in cpu}
        pass_ratio = per_pass["a"] / per_pass["b"] if per_pass["b"] > 0 else float("nan")
        pass_ratios.append(pass_ratio)
        labels_differing, max_dp = compare_outputs(f"{work}/b", f"{work}/a")
        n = sum(1 for _ in open(answers)) - 1
        print(f"{d.name}\t{n}\t{sb[0]}→{sa[0]}\t{sb[1]}→{sa[1]}\t{sb[2]}→{sa[2]}\t{sb == sa}\t{same}\t{labels_differing}\t{max_dp:.3g}"
              f"\t{per['b']:.2f}\t{per['a']:.2f}\t{ratio:.2f}\t{per_pass['b']:.3f}\t{per_pass['a']:.3f}\t{pass_ratio:.3f}", flush=True)
    print(f"# sets with any difference: {differing}; after/before CPU per iteration: median {statistics.median(ratios):.2f}, "
          f"range {min(ratios):.2f}–{max(ratios):.2f}; per pass: median {statistics.median(pass_ratios):.3f}, "
          f"range {min(pass_ratios):.3f}–{max(pass_ratios):.3f}")


def rows(path):
    """task → the rest of its row, from a TSV with a header."""
    with open(path) as f:
        next(f)
        return {r[0]: r[1:] for r in (line.rstrip("\n").split("\t") for line in f)}


def compare_outputs(before, after):
    """(labels differing, max |Δp| over every task and label) between two output folders."""
    lb, la = rows(f"{before}/labels.tsv"), rows(f"{after}/labels.tsv")
    labels = sum(1 for t in lb if la.get(t) != lb[t])
    pb, pa = rows(f"{before}/probabilities.tsv"), rows(f"{after}/probabilities.tsv")
    dp = max((abs(float(x) - float(y)) for t in pb for x, y in zip(pb[t], pa[t])), default=0.0)
    return labels, dp


if __name__ == "__main__":
    main()
