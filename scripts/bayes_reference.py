#!/usr/bin/env python3
"""Runs the authors' reference IBCC and BWA (yuan-li/truth-inference-at-scale, code/ibcc.py and
code/bwa.py, commit 621789b) on crowd-kit-layout answer files, coded the way Tally's AnswerTable
codes them, and writes the parity fixtures of Tests/TallyAggregationTests/Fixtures/{ibcc,bwa}.

The reference is imported from a checkout given on the command line; none of its code is copied
here. Needs numpy and scipy (e.g. /work/venv-ibcc: numpy 2.4.6, scipy 1.17.1); `np.bool` is
aliased to `np.bool_`, which the 2019 code needs.

  bayes_reference.py --reference CHECKOUT fixtures OUT_DIR NAME=ANSWERS.tsv ...

Also imported by Benchmarks/compare_bayes.py (the 23-set parity sweep and the speed comparison).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as ssp
from scipy.special import digamma, gammaln

np.bool = np.bool_

REFERENCE_COMMIT = '621789b2d57324d3559dc973b2613d2296d73f55'


def load_reference(checkout):
    """The reference modules `ibcc` and `bwa` from CHECKOUT/code."""
    code = os.path.join(checkout, 'code')
    if not os.path.exists(os.path.join(code, 'bwa.py')):
        sys.exit(f'bayes_reference: {code}/bwa.py not found (give the checkout of yuan-li/truth-inference-at-scale)')
    sys.path.insert(0, code)
    import bwa as bwa_module
    import ibcc as ibcc_module
    return ibcc_module, bwa_module


def tally_codes(path):
    """(tuples, task names, label order): tasks and workers in order of first appearance, labels in
    Tally's LabelSet order (numeric if all are integers, else by code point)."""
    tasks, workers, labels, rows = {}, {}, set(), []
    with open(path, encoding='utf-8') as f:
        header = f.readline().rstrip('\n').split('\t')
        assert header[:3] == ['task', 'worker', 'label'], header
        for line in f:
            t, w, l = line.rstrip('\n').split('\t')[:3]
            tasks.setdefault(t, len(tasks))
            workers.setdefault(w, len(workers))
            labels.add(l)
            rows.append((t, w, l))

    def isint(s):
        try:
            return str(int(s)) == s
        except ValueError:
            return False
    order = sorted(labels, key=int) if all(isint(l) for l in labels) else sorted(labels)
    lid = {l: i for i, l in enumerate(order)}
    return np.array([(tasks[t], workers[w], lid[l]) for t, w, l in rows], dtype=np.int64), list(tasks), order


class RecordingNumpy:
    """numpy, except that `allclose` records its arguments: how the BWA fixtures learn the reference's
    iteration count and its last two iterates without changing its code."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return getattr(np, name)

    def allclose(self, a, b, **kw):
        self.calls.append((np.asarray(a).ravel().copy(), np.asarray(b).ravel().copy()))
        return np.allclose(a, b, **kw)


def bwa_traced(bwa_module, tuples, **settings):
    """The reference's `bwa(tuples, **settings)` and, per class, its iterations and the iterate
    before the last (from which the model's final worker precisions were computed)."""
    recorder = RecordingNumpy()
    original_np, original_binary = bwa_module.np, bwa_module.bwa_binary
    per_class = []

    def binary(*args):
        recorder.calls.clear()
        z = original_binary(*args)
        per_class.append({'iterations': len(recorder.calls), 'previous': recorder.calls[-1][0]})
        return z
    bwa_module.np, bwa_module.bwa_binary = recorder, binary
    try:
        z = bwa_module.bwa(tuples, **settings)
    finally:
        bwa_module.np, bwa_module.bwa_binary = original_np, original_binary
    return z, per_class


def bwa_precisions(tuples, previous, k, a_v, adj_coef):
    """Worker precisions v_j of one class from the iterate before the last (the model's formula,
    for the fixture; the posteriors come from the reference itself)."""
    num_items, num_workers = tuples[:, 0].max() + 1, tuples[:, 1].max() + 1
    exists = ssp.coo_matrix((np.ones(len(tuples)), tuples[:, :2].T), shape=(num_items, num_workers), dtype=bool).tocsr()
    sel = tuples[:, 2] == k
    one = ssp.coo_matrix((np.ones(sel.sum()), tuples[sel, :2].T), shape=(num_items, num_workers), dtype=bool).tocsr()
    w_i = np.bincount(tuples[:, 0])
    z0 = np.asarray(one.sum(axis=-1)).ravel() / np.asarray(exists.sum(axis=-1)).ravel()
    b_v = a_v * w_i.dot(z0 * (1 - z0)) / exists.sum() * adj_coef
    ex = exists.tocoo()
    y = np.asarray(one[ex.row, ex.col]).ravel()
    r2 = np.bincount(ex.col, weights=(previous[ex.row] - y) ** 2, minlength=num_workers)
    n_j = np.bincount(ex.col, minlength=num_workers)
    return ((a_v + n_j) / (b_v + r2)).tolist(), float(b_v)


def kl_dir(a, b):
    """KL(Dir(a) || Dir(b)) over the last axis."""
    return (gammaln(a.sum(-1)) - gammaln(a).sum(-1) - gammaln(b.sum(-1)) + gammaln(b).sum(-1)
            + ((a - b) * (digamma(a) - digamma(a.sum(-1, keepdims=True)))).sum(-1))


def ibcc_elbo_trace(tuples, a_v, b_v, alpha, iterations):
    """The ELBO after each of `iterations` VB updates (the reference computes none): the update of
    ibcc.py restated, plus Σ_i logsumexp_k score_ik − N·ψ(N + Kα) − KL(q(π)) − Σ KL(q(v_jk)),
    returning the final posteriors too so the caller can check them against the reference's."""
    num_items, num_workers, num_classes = tuples.max(axis=0) + 1
    y = []
    for k in range(num_classes):
        sel = tuples[:, 2] == k
        y.append(ssp.coo_matrix((np.ones(sel.sum()), tuples[sel, :2].T), shape=(num_items, num_workers), dtype=bool).tocsr())
    prior = np.eye(num_classes) * (a_v - b_v) + b_v
    z = np.zeros((num_items, num_classes))
    for l in range(num_classes):
        z[:, l] += np.asarray(y[l].sum(axis=-1)).ravel()
    z /= z.sum(axis=-1, keepdims=True)
    elbos = []
    for _ in range(iterations):
        post_pi = z.sum(axis=0) + alpha
        n = np.empty((num_workers, num_classes, num_classes))
        for l in range(num_classes):
            n[:, :, l] = y[l].T.dot(z)
        post_v = n + prior[None]
        log_v = digamma(post_v) - digamma(post_v.sum(-1))[:, :, None]
        score = np.tile(digamma(post_pi), (num_items, 1))
        for l in range(num_classes):
            score += y[l].dot(log_v[:, :, l])
        m = score.max(-1, keepdims=True)
        lse = (m[:, 0] + np.log(np.exp(score - m).sum(-1))).sum()
        elbos.append(float(lse - num_items * digamma(post_pi.sum())
                           - kl_dir(post_pi, np.full(num_classes, float(alpha)))
                           - kl_dir(post_v, np.broadcast_to(prior, post_v.shape)).sum()))
        z = np.exp(score - m)
        z /= z.sum(-1, keepdims=True)
    return elbos, z


def ibcc_run(ibcc_module, tuples, **settings):
    """(posteriors, iterations) of the reference's ibcc; iterations counted through allclose."""
    recorder = RecordingNumpy()
    original = ibcc_module.np
    ibcc_module.np = recorder
    try:
        z = ibcc_module.ibcc(tuples, **settings)
    finally:
        ibcc_module.np = original
    return z, len(recorder.calls)


def write_json(result, out, gzip_above=200_000):
    data = json.dumps(result).encode()
    if len(data) > gzip_above:
        with gzip.GzipFile(out + '.gz', 'wb', mtime=0) as f:
            f.write(data)
    else:
        with open(out, 'wb') as f:
            f.write(data)


def ibcc_fixture(ibcc_module, name, path, out):
    tuples, tasks, labels = tally_codes(path)
    settings = [dict(a_v=4, b_v=1, alpha=1)] + ([dict(a_v=2, b_v=0.5, alpha=3)] if name == 'toy' else [])
    result = {'dataset': name, 'reference_commit': REFERENCE_COMMIT, 'labels': labels, 'task_count': len(tasks), 'runs': []}
    for s in settings:
        t0 = time.perf_counter()
        z, iterations = ibcc_run(ibcc_module, tuples, **s)
        seconds = time.perf_counter() - t0
        elbos, z_trace = ibcc_elbo_trace(tuples, s['a_v'], s['b_v'], s['alpha'], iterations)
        assert np.abs(z_trace - z).max() < 1e-12, 'the ELBO trace left the reference'
        result['runs'].append({**s, 'iterations': iterations, 'elbo': elbos, 'labels': z.argmax(-1).tolist(),
                               'posteriors': z.ravel().tolist(), 'reference_seconds': seconds})
        print(f'ibcc {name} {s} iterations {iterations} seconds {seconds:.4f}', file=sys.stderr)
    write_json(result, out)


def bwa_fixture(bwa_module, name, path, out):
    tuples, tasks, labels = tally_codes(path)
    k = len(labels)
    settings = [dict(a_v=15, lambda_=1, prior_correction=True)]
    if name == 'toy':
        settings.append(dict(a_v=5, lambda_=3, prior_correction=False))
    result = {'dataset': name, 'reference_commit': REFERENCE_COMMIT, 'labels': labels, 'task_count': len(tasks), 'runs': []}
    for s in settings:
        t0 = time.perf_counter()
        z, per_class = bwa_traced(bwa_module, tuples, **s)
        seconds = time.perf_counter() - t0
        adj = 4 * (1 - 1 / k) if s['prior_correction'] else 1
        precisions, b_v = zip(*[bwa_precisions(tuples, c['previous'], c_id, s['a_v'], adj) for c_id, c in enumerate(per_class)])
        result['runs'].append({**s, 'iterations': [c['iterations'] for c in per_class], 'b_v': list(b_v),
                               'labels': z.argmax(-1).tolist(), 'posteriors': z.ravel().tolist(),
                               'precisions': np.array(precisions).T.ravel().tolist(), 'reference_seconds': seconds})
        print(f'bwa {name} {s} iterations {[c["iterations"] for c in per_class]} seconds {seconds:.4f}', file=sys.stderr)
    write_json(result, out, gzip_above=50_000)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--reference', required=True, help='checkout of yuan-li/truth-inference-at-scale')
    sub = ap.add_subparsers(dest='command', required=True)
    fx = sub.add_parser('fixtures')
    fx.add_argument('--methods', default='ibcc,bwa')
    fx.add_argument('out_dir', help='Tests/TallyAggregationTests/Fixtures (an ibcc/ and a bwa/ folder go inside)')
    fx.add_argument('sets', nargs='+', help='NAME=answers.tsv')
    a = ap.parse_args()
    ibcc_module, bwa_module = load_reference(a.reference)
    for item in a.sets:
        name, path = item.split('=', 1)
        for method in a.methods.split(','):
            folder = os.path.join(a.out_dir, method)
            os.makedirs(folder, exist_ok=True)
            if method == 'ibcc':
                ibcc_fixture(ibcc_module, name, path, os.path.join(folder, name + '.json'))
            elif method == 'bwa':
                bwa_fixture(bwa_module, name, path, os.path.join(folder, name + '.json'))
            else:
                sys.exit(f'bayes_reference: unknown method {method}')


if __name__ == '__main__':
    main()
