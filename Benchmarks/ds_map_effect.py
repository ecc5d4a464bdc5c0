#!/usr/bin/env python3
"""Dawid-Skene with and without Dirichlet pseudo-counts (MAP) on every categorical data set:
accuracy on gold, the workers with a single answer, and the confusion cells plain DS sets to
exactly 0 or 1 on them (clipped at 1e-10).

  Benchmarks/ds_map_effect.py [--tally .build/release/tally] [--datasets DIR] [--priors 2,1,1;1,0.5,1]

Standard library only. Accuracy is `tally aggregate --gold`'s (first label of highest posterior).
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def run(tally, answers, gold, extra, tmp):
    conf = os.path.join(tmp, 'c.tsv')
    r = subprocess.run([tally, 'aggregate', answers, '--method', 'ds', '--gold', gold, '--out', os.path.join(tmp, 'l.tsv'),
                        '--confusions', conf] + extra, capture_output=True, text=True, check=True)
    acc = float(re.search(r'accuracy on \d+ gold tasks: ([0-9.]+)', r.stderr).group(1))
    return acc, conf


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--tally', default=os.path.join(REPO, '.build', 'release', 'tally'))
    ap.add_argument('--datasets', default=os.path.join(os.path.dirname(REPO), 'shared', 'datasets'))
    ap.add_argument('--priors', default='2,1,1;1,0.5,1')
    a = ap.parse_args()
    priors = a.priors.split(';')
    print('\t'.join(['dataset', 'workers', 'one_answer_workers', 'degenerate_cells_plain', 'ds'] + [f'ds --prior {p}' for p in priors]))
    gains = {p: [] for p in priors}
    for name in sorted(os.listdir(a.datasets)):
        answers, gold = (os.path.join(a.datasets, name, f) for f in ('answers.tsv', 'gold.tsv'))
        if not os.path.exists(answers):
            continue
        with open(answers) as f:
            rows = list(csv.reader(f, delimiter='\t'))[1:]
        if len({r[2] for r in rows}) > 50:
            continue
        per_worker = {}
        for r in rows:
            per_worker[r[1]] = per_worker.get(r[1], 0) + 1
        singles = {w for w, n in per_worker.items() if n == 1}
        with tempfile.TemporaryDirectory() as tmp:
            plain, conf = run(a.tally, answers, gold, [], tmp)
            with open(conf) as f:
                cells = [r for r in csv.reader(f, delimiter='\t')][1:]
            degenerate = sum(1 for r in cells if r[0] in singles for v in r[2:] if float(v) <= 1e-10 or float(v) >= 1 - 1e-10)
            accs = [run(a.tally, answers, gold, ['--prior', p], tmp)[0] for p in priors]
        for p, x in zip(priors, accs):
            gains[p].append(x - plain)
        print('\t'.join([name, str(len(per_worker)), str(len(singles)), str(degenerate), f'{plain:.4f}'] + [f'{x:.4f}' for x in accs]), flush=True)
    for p in priors:
        g = gains[p]
        print(f'# --prior {p}: mean accuracy change {sum(g) / len(g):+.4f} over {len(g)} sets; better on {sum(x > 0 for x in g)}, '
              f'worse on {sum(x < 0 for x in g)}, equal on {sum(x == 0 for x in g)}')


if __name__ == '__main__':
    sys.exit(main())
