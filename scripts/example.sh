#!/usr/bin/env bash
# Installs what is missing, builds the `tally` CLI (release) and runs the original Toloka
# audio-gender notebook offline: Tally's emulator of the Toloka API on loopback with a simulated
# crowd, and `tally toloka run` doing what the notebook did (project, pool with a golden-set ban
# rule, 20 golden + 100 real tasks, open, wait, download, Dawid-Skene). No token, no network.
# Then it aggregates crowd-kit's toy set and a Toloka export file, the other two ways in.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product tally 2>&1 | tail -n 1 >&2
tally=".build/release/tally"
out="${TMPDIR:-/tmp}/tally-example"
rm -rf "$out"
mkdir -p "$out"

echo "== The Toloka notebook, offline: tally emulator serve + tally toloka run"
# A throwaway key for this run only, passed in the environment (never on a command line).
TALLY_EXAMPLE_KEY="example-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export TALLY_EXAMPLE_KEY
# 3000x real time: the pool's hour of simulated crowd work takes about a second.
"$tally" emulator serve --port 0 --speed 3000 --seed 1 \
  --truth datasets/toloka-audio-gender/tasks-truth.tsv --token-env TALLY_EXAMPLE_KEY 2> "$out/emulator.log" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 300); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$out/emulator.log" | head -n 1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "example: the emulator did not start:" >&2
  cat "$out/emulator.log" >&2
  exit 1
fi
echo "emulator at $url"
TOLOKA_TOKEN="$TALLY_EXAMPLE_KEY" "$tally" toloka run datasets/toloka-audio-gender/workflow.json \
  --env "$url" --token-env TOLOKA_TOKEN --poll-interval 1 --state "$out/notebook/state.json" --out-dir "$out/notebook"
echo
"$tally" evaluate "$out/notebook/labels.tsv" --gold datasets/toloka-audio-gender/tasks-truth.tsv | head -n 3

echo
echo "== crowd-kit's toy set: majority vote and Wawa"
"$tally" aggregate datasets/toy/answers.tsv --method mv --out "$out/toy-mv.tsv" -q
"$tally" aggregate datasets/toy/answers.tsv --method wawa --out "$out/toy-wawa.tsv" --skills "$out/toy-wawa-skills.tsv" -q
paste "$out/toy-mv.tsv" "$out/toy-wawa.tsv" | cut -f1,2,4 | sed '1s/.*/task\tmv\twawa/'

echo
echo "== a Toloka TSV export (audio gender): Dawid-Skene, as the notebook ran it (DawidSkene(n_iter=20))"
"$tally" aggregate datasets/toloka-audio-gender/export.tsv --method ds --max-iterations 20 \
  --out "$out/audio-ds.tsv" --confusions "$out/audio-confusions.tsv"
"$tally" evaluate "$out/audio-ds.tsv" --gold datasets/toloka-audio-gender/truth.tsv | head -n 2
echo
echo "outputs are in $out (the notebook run in $out/notebook)"
