#!/usr/bin/env bash
# Installs what is missing, builds the `tally` CLI (release) and runs it on the shipped examples:
# crowd-kit's toy set, and a small Toloka export shaped like the audio-gender notebook's pool.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product tally 2>&1 | tail -n 1 >&2
tally=".build/release/tally"
out="${TMPDIR:-/tmp}/tally-example"
mkdir -p "$out"

echo "== crowd-kit's toy set: majority vote and Wawa"
"$tally" aggregate datasets/toy/answers.tsv --method mv --out "$out/toy-mv.tsv" --probabilities "$out/toy-mv-probabilities.tsv"
"$tally" aggregate datasets/toy/answers.tsv --method wawa --out "$out/toy-wawa.tsv" --skills "$out/toy-wawa-skills.tsv"
paste "$out/toy-mv.tsv" "$out/toy-wawa.tsv" | cut -f1,2,4 | sed '1s/.*/task\tmv\twawa/'
echo
"$tally" evaluate "$out/toy-wawa.tsv" --gold datasets/toy/gold.tsv

echo
echo "== a Toloka export (audio gender, overlap 3, golden tasks): gold-weighted majority vote"
"$tally" aggregate datasets/toloka-audio-gender/export.tsv --method gold-mv \
  --out "$out/audio-labels.tsv" --skills "$out/audio-skills.tsv"
"$tally" evaluate "$out/audio-labels.tsv" --gold datasets/toloka-audio-gender/truth.tsv

echo
echo "== the same export with Dawid-Skene, as the notebook ran it (DawidSkene(n_iter=20))"
"$tally" aggregate datasets/toloka-audio-gender/export.tsv --method ds --max-iterations 20 \
  --out "$out/audio-ds.tsv" --confusions "$out/audio-confusions.tsv"
"$tally" evaluate "$out/audio-ds.tsv" --gold datasets/toloka-audio-gender/truth.tsv
echo
echo "outputs are in $out"
