#!/usr/bin/env python3
"""Runs the minimax conditional entropy reference (Zhou, Liu, Platt & Meek, ICML 2014, "Aggregating
Ordinal Labels from Crowds by Minimax Conditional Entropy"; the categorical variant), as shipped by
the VLDB 2017 truth-inference benchmark (zhydhkcws/crowd_truth_infer, methods/l_minimax, MATLAB by
Qiang Liu, with Mark Schmidt's minFunc), under GNU Octave, and writes Tally's parity fixtures
(Tests/TallyAggregationTests/Fixtures/minimax/NAME.json).

None of the reference's code is copied here: it is read from a checkout given on the command line
and run from a temporary copy with two changes that only make it run under Octave:
  * `options.useMex = 0`: minFunc's compiled MATLAB mex (lbfgsC) cannot load in Octave; minFunc
    then uses `lbfgs.m`, the same two-loop recursion in MATLAB code.
  * the ground-truth bookkeeping is skipped when `Model.true_labels` is empty (Octave's `mean` of an
    empty row is empty, MATLAB's is NaN); it only feeds a diagnostic.
The driver restates the benchmark's `prepare.m` (same answer matrix, same regularisation
`lambda_worker = 0.25·K²`, `lambda_task = lambda_worker·mean(DegWork)/mean(DegTask)`, `maxIter 50`,
`TOL 5e-3`) and prints the soft labels with 17 significant digits instead of `%f`.

  minimax_fixtures.py --reference CHECKOUT OUT_DIR NAME=ANSWERS.tsv ...

Needs `octave-cli` (apt: octave). Answers are crowd-kit layout (task, worker, label), labels integers.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

DRIVER = r"""
addpath(genpath('%(functions)s'));
fid = fopen('%(csv)s', 'r', 'n', 'UTF-8');
fgetl(fid);
data = textscan(fid, '%%s %%s %%s', 'Delimiter', ',');
fclose(fid);
[uniqueQ, ~, qi] = unique(data{1});
[uniqueW, ~, wi] = unique(data{2});
L = zeros(length(uniqueQ), length(uniqueW));
for i = 1:length(data{1})
    L(qi(i), wi(i)) = str2double(data{3}(i)) + 1;
end
Model = crowd_model(L);
lambda_worker = 0.25*Model.Ndom^2; lambda_task = lambda_worker * (mean(Model.DegWork)/mean(Model.DegTask));
opts={'lambda_worker', lambda_worker, 'lambda_task', lambda_task, 'maxIter',50,'TOL',5*1e-3','verbose',1};
result1 = MinimaxEntropy_crowd_model(Model,'algorithm','categorical',opts{:});
out = fopen('%(out)s', 'w');
fprintf(out, 'labels');
fprintf(out, '\t%%d', Model.LabelDomain - 1);
fprintf(out, '\n');
for i = 1:length(uniqueQ)
    fprintf(out, '%%s', uniqueQ{i});
    fprintf(out, '\t%%.17g', result1.soft_labels(:, i));
    fprintf(out, '\n');
end
fclose(out);
exit
"""


def prepare_reference(checkout, scratch):
    src = os.path.join(checkout, 'methods', 'l_minimax', 'functions')
    dst = os.path.join(scratch, 'functions')
    shutil.copytree(src, dst)
    for name in os.listdir(os.path.join(dst, 'minFunc')):
        if '.mex' in name:
            os.remove(os.path.join(dst, 'minFunc', name))
    path = os.path.join(dst, 'MinimaxEntropy_Categorical_crowd_model.m')
    text = open(path).read()
    a = "options = []; options.bbType = 1;"
    b = "if isfield(Model, 'true_labels'), \n"
    assert text.count(a) == 1 and text.count(b) == 1, 'unexpected reference text'
    text = text.replace(a, "options = []; options.useMex = 0; options.bbType = 1;")
    text = text.replace(b, "if isfield(Model, 'true_labels') && ~isempty(Model.true_labels), \n")
    open(path, 'w').write(text)
    return dst


def run(functions, scratch, name, answers):
    # The reference indexes its K×K matrices by the label value plus one, so it needs labels
    # 0..K-1: recode them in numeric order (Tally's order for integer labels), as the benchmark's
    # own data files are coded.
    rows = [line.rstrip('\n').split('\t')[:3] for line in open(answers)][1:]
    names = sorted({r[2] for r in rows}, key=int)
    code = {n: i for i, n in enumerate(names)}
    csv = os.path.join(scratch, name + '.csv')
    with open(csv, 'w') as g:
        g.write('question,worker,answer\n')
        for t, w, l in rows:
            g.write(f'{t},{w},{code[l]}\n')
    out = os.path.join(scratch, name + '.out')
    script = os.path.join(scratch, name + '.m')
    open(script, 'w').write(DRIVER % {'functions': functions, 'csv': csv, 'out': out})
    start = time.perf_counter()
    subprocess.run(['octave-cli', '--no-gui', '--quiet', script], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    result = [line.rstrip('\n').split('\t') for line in open(out)]
    labels = [names[int(c)] for c in result[0][1:]]
    tasks = [r[0] for r in result[1:]]
    posteriors = [[float(x) for x in r[1:]] for r in result[1:]]
    return {'dataset': name, 'labels': labels, 'tasks': tasks, 'posteriors': posteriors,
            'reference_seconds': seconds,
            'octave': subprocess.run(['octave-cli', '--version'], capture_output=True, text=True).stdout.split('\n')[0]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--reference', required=True, help='checkout of zhydhkcws/crowd_truth_infer')
    parser.add_argument('--commit', help='the checkout\'s commit, when it is not a git work tree')
    parser.add_argument('out_dir')
    parser.add_argument('sets', nargs='+', help='NAME=ANSWERS.tsv')
    args = parser.parse_args()
    commit = args.commit or subprocess.run(['git', '-C', args.reference, 'rev-parse', 'HEAD'], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as scratch:
        functions = prepare_reference(args.reference, scratch)
        for spec in args.sets:
            name, answers = spec.split('=', 1)
            fixture = run(functions, scratch, name, answers)
            fixture['reference_commit'] = commit or 'unknown'
            with open(os.path.join(args.out_dir, name + '.json'), 'w') as f:
                json.dump(fixture, f)
            print(f'{name}: {len(fixture["tasks"])} tasks, {fixture["reference_seconds"]:.1f} s', file=sys.stderr)


if __name__ == '__main__':
    main()
