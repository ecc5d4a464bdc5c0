#!/usr/bin/env python3
"""EBCC against its authors' reference, code/ebcc.py of yuan-li/truth-inference-at-scale.

The reference is not part of Tally: pass the path of a checkout (or an extracted copy) of that
repository, commit 621789b. Needs numpy and scipy (e.g. /work/venv-ibcc/bin/python).

  ebcc_fixtures.py fixtures  --reference DIR [--datasets ../shared/datasets] [--out Tests/TallyAggregationTests/Fixtures/ebcc]
      Writes the unit tests' fixtures: for each small data set, runs of the reference (traced: the
      same loop with the ELBO recorded after each iteration) with their settings, iterations,
      ELBO history, labels and posteriors.
  ebcc_fixtures.py parity    --reference DIR --tally BIN [--datasets DIR] [--seeds 1234,1]
      The 23-set sweep: for each categorical data set and seed, the reference's ebcc_vb with one
      seed against `tally aggregate --method ebcc --param restarts=1 --param seed=S`; prints the
      largest posterior difference, the ELBOs, the labels that differ.
  ebcc_fixtures.py restarts  --reference DIR --dataset NAME [--restarts 40] [--seed 1234]
      The authors' protocol on one data set, for Benchmarks/compare_ebcc.py: ebcc_vb with seeds
      seed, seed + 1, ... (num_groups 10, empirical prior), the best ELBO kept; prints one JSON
      line (wall and CPU seconds of the restarts alone, every ELBO, the kept seed, its accuracy).
  ebcc_fixtures.py published --reference DIR --tally BIN
      The notebook's printed results: for each of its 17 data sets, the reference's own data file
      (drop_duplicates as the notebook) fed to tally with the seed the notebook printed; the
      accuracy (ties split as the notebook's get_acc) and the ELBO against the printed ones.

Tally codes tasks and workers in order of first appearance and labels in LabelSet order (numeric
when every label is an integer, else Unicode); the reference gets the same codes, so a seed gives
both the same start.
"""

import argparse
import gzip
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.special import digamma, gammaln
from scipy.stats import dirichlet, entropy

np.bool = np.bool_  # the reference's dtype=np.bool (removed in numpy 1.24, back as an alias of np.bool_ in 2.x)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE_COMMIT = "621789b2d57324d3559dc973b2613d2296d73f55"

# The 23 categorical data sets of ../shared/datasets (vldb-emotion is numeric).
CATEGORICAL = ["act-cf", "act-cf-amt", "act-ms", "act-sp", "act-sp-amt", "act-zc-all", "act-zc-in", "act-zc-us",
               "bluebirds", "crowdscale-fact", "gal-bm", "gal-hitspam-cf", "snow-rte", "snow-temp", "snow-wsd",
               "spectral-trec", "vldb-adult", "vldb-dog", "vldb-face", "vldb-possent", "vldb-product", "vldb-rel", "zhou-web"]

# The notebook code/test_ebcc.ipynb: its data folder, its name, our folder, and what it printed
# (accuracy, the seed of the best of its 40 restarts, that restart's ELBO).
NOTEBOOK = [
    ("active-crowd-toolkit/CF", "CF", "act-cf", 0.883333, 1542552, -157474),
    ("active-crowd-toolkit/CF_amt", "CF_amt", "act-cf-amt", 0.856667, 15552534, -42861.5),
    ("active-crowd-toolkit/MS", "MS", "act-ms", 0.787143, 28234435, -86977),
    ("active-crowd-toolkit/SP", "SP", "act-sp", 0.915183, 75268953, -23261.1),
    ("active-crowd-toolkit/SP_amt", "SP_amt", "act-sp-amt", 0.944, 25086090, -7144.35),
    ("active-crowd-toolkit/ZenCrowd_all", "ZC_all", "act-zc-all", 0.862255, 39386717, -13649.4),
    ("active-crowd-toolkit/ZenCrowd_in", "ZC_in", "act-zc-in", 0.780882, 24558634, -8246.29),
    ("active-crowd-toolkit/ZenCrowd_us", "ZC_us", "act-zc-us", 0.912255, 42924186, -8651.96),
    ("crowd_truth_inference/d_jn-product", "product", "vldb-product", 0.934937, 83777558, -17345),
    ("crowd_truth_inference/d_sentiment", "senti_1k", "vldb-possent", 0.961, 92224614, -12174.8),
    ("crowd_truth_inference/s4_Face Sentiment Identification", "face", "vldb-face", 0.635274, 38241575, -10186.9),
    ("crowd_truth_inference/s5_AdultContent", "adult", "vldb-adult", 0.747748, 71066617, -210660),
    ("SpectralMethodsMeetEM/bluebird", "bird", "bluebirds", 0.861111, 45725321, -3134.56),
    ("SpectralMethodsMeetEM/dog", "dog", "vldb-dog", 0.840149, 68786906, -27934.8),
    ("SpectralMethodsMeetEM/rte", "rte", "snow-rte", 0.93125, 72551958, -9075.35),
    ("SpectralMethodsMeetEM/trec", "trec", "spectral-trec", 0.703736, 42364931, -70293.2),
    ("SpectralMethodsMeetEM/web", "web", "zhou-web", 0.768564, 34424996, -83622.6),
]
NOTEBOOK_MEAN = 0.8426756821015219


def load_reference(path):
    """ebcc_vb from the checkout at `path` (executed, not copied)."""
    source = os.path.join(path, "code", "ebcc.py")
    if not os.path.isfile(source):
        sys.exit(f"ebcc_fixtures: no {source}; pass --reference a checkout of yuan-li/truth-inference-at-scale")
    ns = {}
    exec(compile(open(source).read(), source, "exec"), ns)
    return ns["ebcc_vb"]


def tally_codes(path):
    """(tuples item/worker/label, task names, label names) coded as Tally's AnswerTable codes them."""
    tasks, workers, labels, rows = {}, {}, set(), []
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        assert header[:3] == ["task", "worker", "label"], header
        for line in f:
            t, w, l = line.rstrip("\n").split("\t")[:3]
            tasks.setdefault(t, len(tasks)); workers.setdefault(w, len(workers)); labels.add(l); rows.append((t, w, l))

    def isint(s):
        try:
            return str(int(s)) == s
        except ValueError:
            return False
    order = sorted(labels, key=int) if all(isint(l) for l in labels) else sorted(labels)
    lid = {l: i for i, l in enumerate(order)}
    return np.array([(tasks[t], workers[w], lid[l]) for t, w, l in rows], dtype=np.int64), list(tasks), order


def ebcc_traced(tuples, num_groups=10, a_pi=0.1, alpha=1, a_v=4, b_v=1, seed=1234, max_iter=500, empirical_prior=False):
    """The reference's loop line for line, plus its ELBO after every iteration, the iteration count
    and the start; the caller checks the result against ebcc_vb's."""
    import scipy.sparse as ssp
    num_items, num_workers, num_classes = tuples.max(axis=0) + 1
    y_is_one_lij, y_is_one_lji = [], []
    for k in range(num_classes):
        selected = (tuples[:, 2] == k)
        coo_ij = ssp.coo_matrix((np.ones(selected.sum()), tuples[selected, :2].T), shape=(num_items, num_workers), dtype=np.bool)
        y_is_one_lij.append(coo_ij.tocsr()); y_is_one_lji.append(coo_ij.T.tocsr())
    beta_kl = np.eye(num_classes) * (a_v - b_v) + b_v
    z_ik = np.zeros((num_items, num_classes))
    for l in range(num_classes):
        z_ik[:, [l]] += y_is_one_lij[l].sum(axis=-1)
    z_ik /= z_ik.sum(axis=-1, keepdims=True)
    if empirical_prior:
        alpha = z_ik.sum(axis=0)
    np.random.seed(seed)
    zg_ikm = np.random.dirichlet(np.ones(num_groups), z_ik.shape) * z_ik[:, :, None]
    start = zg_ikm.copy()
    elbos, iterations = [], 0
    for it in range(max_iter):
        iterations = it + 1
        eta_km = a_pi / num_groups + zg_ikm.sum(axis=0)
        nu_k = alpha + z_ik.sum(axis=0)
        mu_jkml = np.zeros((num_workers, num_classes, num_groups, num_classes)) + beta_kl[None, :, None, :]
        for l in range(num_classes):
            for k in range(num_classes):
                mu_jkml[:, k, :, l] += y_is_one_lji[l].dot(zg_ikm[:, k, :])
        Eq_log_pi_km = digamma(eta_km) - digamma(eta_km.sum(axis=-1, keepdims=True))
        Eq_log_tau_k = digamma(nu_k) - digamma(nu_k.sum())
        Eq_log_v_jkml = digamma(mu_jkml) - digamma(mu_jkml.sum(axis=-1, keepdims=True))
        zg_ikm[:] = Eq_log_pi_km[None, :, :] + Eq_log_tau_k[None, :, None]
        for l in range(num_classes):
            for k in range(num_classes):
                zg_ikm[:, k, :] += y_is_one_lij[l].dot(Eq_log_v_jkml[:, k, :, l])
        zg_ikm = np.exp(zg_ikm)
        zg_ikm /= zg_ikm.reshape(num_items, -1).sum(axis=-1)[:, None, None]
        last_z_ik = z_ik
        z_ik = zg_ikm.sum(axis=-1)
        # The reference's ELBO, computed as it computes it after the loop.
        ELBO = ((eta_km - 1) * Eq_log_pi_km).sum() + ((nu_k - 1) * Eq_log_tau_k).sum() + ((mu_jkml - 1) * Eq_log_v_jkml).sum()
        ELBO += dirichlet.entropy(nu_k)
        for k in range(num_classes):
            ELBO += dirichlet.entropy(eta_km[k])
        ELBO += (gammaln(mu_jkml) - (mu_jkml - 1) * digamma(mu_jkml)).sum()
        alpha0_jkm = mu_jkml.sum(axis=-1)
        ELBO += ((alpha0_jkm - num_classes) * digamma(alpha0_jkm) - gammaln(alpha0_jkm)).sum()
        ELBO += entropy(zg_ikm.reshape(num_items, -1).T).sum()
        elbos.append(float(ELBO))
        if np.allclose(last_z_ik, z_ik, atol=1e-3):
            break
    return z_ik, elbos, iterations, start


def dedupe(tuples):
    """The notebook's drop_duplicates(keep='first')."""
    _, first = np.unique(tuples, axis=0, return_index=True)
    return tuples[np.sort(first)]


def get_acc(predictions, truth_items, truth_labels):
    """The notebook's accuracy: a tie among the top labels earns an equal share."""
    score = (predictions == predictions.max(axis=1, keepdims=True)).astype(float)
    score /= score.sum(axis=1, keepdims=True)
    return score[truth_items, truth_labels].sum() / len(truth_items)


# ---------------------------------------------------------------------------------------------

FIXTURE_RUNS = {
    # data set: [settings]; toy also carries the start, and settings off the protocol.
    "toy": [dict(seed=1234, num_groups=10, empirical_prior=True),
            dict(seed=7, num_groups=3, empirical_prior=False, alpha=2, a_pi=0.5, a_v=3, b_v=0.5)],
    "bluebirds": [dict(seed=1234, num_groups=10, empirical_prior=True), dict(seed=45725321, num_groups=10, empirical_prior=True)],
    "snow-rte": [dict(seed=1234, num_groups=10, empirical_prior=True)],
    "act-cf": [dict(seed=1234, num_groups=10, empirical_prior=True)],
    "vldb-face": [dict(seed=1234, num_groups=10, empirical_prior=True)],
}


def answers_path(datasets, name):
    return os.path.join(REPO, "datasets", "toy", "answers.tsv") if name == "toy" else os.path.join(datasets, name, "answers.tsv")


def fixtures(args):
    ref = load_reference(args.reference)
    os.makedirs(args.out, exist_ok=True)
    for name, runs in FIXTURE_RUNS.items():
        tuples, task_names, label_order = tally_codes(answers_path(args.datasets, name))
        result = {"dataset": name, "reference_commit": REFERENCE_COMMIT, "labels": label_order,
                  "task_count": len(task_names), "runs": []}
        for s in runs:
            t0 = time.perf_counter()
            z_ref, elbo_ref = ref(tuples, **s)
            seconds = time.perf_counter() - t0
            z, elbos, iterations, start = ebcc_traced(tuples, **s)
            assert np.array_equal(z, z_ref) and elbos[-1] == elbo_ref, name
            run = {"settings": s, "iterations": iterations, "elbo": elbos, "labels": z.argmax(-1).tolist(),
                   "posteriors": z.ravel().tolist(), "reference_seconds": seconds}
            if name == "toy":
                # As C99 hex floats: exact (Foundation's JSON reader on Linux may be off by an ulp).
                run["start"] = [float(x).hex() for x in start.ravel()]
            result["runs"].append(run)
            print(name, s, "iterations", iterations, "ELBO", elbos[-1], f"{seconds:.3f} s", file=sys.stderr)
        data = json.dumps(result).encode()
        out = os.path.join(args.out, name + ".json")
        if len(data) > 100_000:
            with gzip.GzipFile(out + ".gz", "wb", mtime=0) as f:
                f.write(data)
        else:
            with open(out, "wb") as f:
                f.write(data)


def tally_run(tally, answers, seed, work, extra=()):
    """tally's EBCC with one restart from `seed`: (posteriors tasks × labels, ELBO, iterations, seconds)."""
    probabilities = os.path.join(work, "p.tsv")
    cmd = [tally, "aggregate", answers, "--method", "ebcc", "--param", "restarts=1", "--param", f"seed={seed}",
           "--out", os.path.join(work, "labels.tsv"), "--probabilities", probabilities, *extra]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"ebcc_fixtures: {' '.join(cmd)} failed:\n{r.stderr}")
    note = next(l for l in r.stderr.splitlines() if l.startswith("ebcc:"))
    elbo = float(note.split("ELBO ")[1].split(",")[0])
    iterations = int(note.split(", ")[2].split(" iterations")[0]) if " iterations" in note else -1
    rows = [l.rstrip("\n").split("\t") for l in open(probabilities)]
    return rows[0][1:], {r[0]: [float(x) for x in r[1:]] for r in rows[1:]}, elbo, iterations, seconds


def parity(args):
    ref = load_reference(args.reference)
    seeds = [int(s) for s in args.seeds.split(",")]
    worst_overall = 0.0
    print(f"{'data set':16} {'seed':>9} {'tasks':>6} {'max |dP|':>9} {'labels':>7} {'ELBO reference':>18} {'ELBO tally':>18} {'rel dELBO':>9} {'ref s':>7}")
    with tempfile.TemporaryDirectory() as work:
        for name in args.only.split(",") if args.only else CATEGORICAL:
            path = answers_path(args.datasets, name)
            tuples, task_names, label_order = tally_codes(path)
            for seed in seeds:
                t0 = time.perf_counter()
                z, elbo = ref(tuples, num_groups=10, seed=seed, empirical_prior=True)
                ref_seconds = time.perf_counter() - t0
                columns, p, t_elbo, _, _ = tally_run(args.tally, path, seed, work)
                assert columns == label_order, (columns, label_order)
                mine = np.array([p[t] for t in task_names])
                worst = float(np.abs(mine - z).max())
                worst_overall = max(worst_overall, worst)
                differ = int((mine.argmax(-1) != z.argmax(-1)).sum())
                print(f"{name:16} {seed:>9} {len(task_names):>6} {worst:9.1e} {differ:>7} {elbo:18.8f} {t_elbo:18.8f} "
                      f"{abs(t_elbo - elbo) / abs(elbo):9.1e} {ref_seconds:7.2f}", flush=True)
    print(f"largest posterior difference over all runs: {worst_overall:.2e}")


def notebook_tsv(reference, folder, out):
    """The reference's own data file, deduplicated as the notebook, as a Tally TSV whose order of
    first appearance is the item ids' (so the tasks get the reference's codes)."""
    import csv
    rows = []
    with open(os.path.join(reference, "data", folder, "label.csv")) as f:
        reader = csv.reader(f)
        next(reader)
        rows = [tuple(int(x) for x in r[:3]) for r in reader]
    tuples = dedupe(np.array(rows, dtype=np.int64))
    order = np.lexsort((tuples[:, 1], tuples[:, 0]))
    n_items, _, n_labels = tuples.max(axis=0) + 1
    assert len(np.unique(tuples[:, 0])) == n_items and len(np.unique(tuples[:, 2])) == n_labels, folder
    with open(out, "w") as f:
        f.write("task\tworker\tlabel\n")
        for i, j, l in tuples[order]:
            f.write(f"{i}\t{j}\t{l}\n")
    truth = []
    with open(os.path.join(reference, "data", folder, "truth.csv")) as f:
        reader = csv.reader(f)
        next(reader)
        truth = [tuple(int(x) for x in r[:2]) for r in reader]
    return tuples, np.array(truth, dtype=np.int64)


def published(args):
    accs = []
    print(f"{'notebook':9} {'ours':14} {'seed':>9} {'acc printed':>11} {'acc tally':>9} {'ELBO printed':>13} {'ELBO tally':>14}")
    with tempfile.TemporaryDirectory() as work:
        for folder, abbrev, ours, acc, seed, elbo in NOTEBOOK:
            tsv = os.path.join(work, "answers.tsv")
            tuples, truth = notebook_tsv(args.reference, folder, tsv)
            columns, p, t_elbo, _, _ = tally_run(args.tally, tsv, seed, work)
            assert columns == [str(i) for i in range(len(columns))]
            predictions = np.array([p[str(i)] for i in range(tuples[:, 0].max() + 1)])
            a = get_acc(predictions, truth[:, 0], truth[:, 1])
            accs.append(a)
            print(f"{abbrev:9} {ours:14} {seed:>9} {acc:>11g} {a:>9.6g} {elbo:>13g} {t_elbo:>14.6f}"
                  f"  {'ok' if f'{a:g}' == f'{acc:g}' and f'{t_elbo:g}' == f'{elbo:g}' else 'DIFFERENT'}", flush=True)
    print(f"mean accuracy over the 17 sets: tally {np.mean(accs):.10f}, notebook {NOTEBOOK_MEAN:.10f}")


def gold_codes(datasets, name, task_names, label_order):
    """The gold of `name` as (task codes, label codes), tasks without answers left out."""
    tid = {t: i for i, t in enumerate(task_names)}
    lid = {l: i for i, l in enumerate(label_order)}
    items, labels = [], []
    with open(os.path.join(datasets, name, "gold.tsv")) as f:
        next(f)
        for line in f:
            t, l = line.rstrip("\n").split("\t")[:2]
            if t in tid:
                items.append(tid[t])
                labels.append(lid.get(l, -1))
    return np.array(items), np.array(labels)


def restarts(args):
    ref = load_reference(args.reference)
    tuples, task_names, label_order = tally_codes(answers_path(args.datasets, args.dataset))
    elbos, results = [], []
    t0, c0 = time.perf_counter(), time.process_time()
    for r in range(args.restarts):
        z, elbo = ref(tuples, num_groups=10, seed=args.seed + r, empirical_prior=True)
        elbos.append(float(elbo))
        results.append(z)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    best = int(np.argmax(elbos))
    items, labels = gold_codes(args.datasets, args.dataset, task_names, label_order)
    known = labels >= 0
    acc = float(get_acc(results[best], items[known], labels[known]) * known.sum() / len(labels))
    print(json.dumps({"dataset": args.dataset, "seconds": seconds, "cpu_seconds": cpu, "elbos": elbos, "best_seed": args.seed + best,
                      "best_elbo": elbos[best], "accuracy": acc}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["fixtures", "parity", "published", "restarts"])
    p.add_argument("--reference", required=True, help="checkout of yuan-li/truth-inference-at-scale (commit 621789b)")
    p.add_argument("--datasets", default=os.path.join(os.path.dirname(REPO), "shared", "datasets"))
    p.add_argument("--out", default=os.path.join(REPO, "Tests", "TallyAggregationTests", "Fixtures", "ebcc"))
    p.add_argument("--tally", help="the tally binary (release)")
    p.add_argument("--seeds", default="1234,1")
    p.add_argument("--only", help="comma-separated data sets (parity)")
    p.add_argument("--dataset", help="one data set (restarts)")
    p.add_argument("--restarts", type=int, default=40)
    p.add_argument("--seed", type=int, default=1234)
    args = p.parse_args()
    if args.command in ("parity", "published") and not args.tally:
        sys.exit("ebcc_fixtures: --tally BIN is needed")
    {"fixtures": fixtures, "parity": parity, "published": published, "restarts": restarts}[args.command](args)


if __name__ == "__main__":
    main()
