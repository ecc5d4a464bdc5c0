#!/usr/bin/env bash
# Regenerates the notebooks in notebooks-export/ from fixed seeds (see notebooks-export/README.md):
#   bench-scenarios.ipynb      tally bench over the shipped scenarios, simulated at seed 1
#   audio-gender-replay.ipynb  the audio-gender scenario at seed 1, reported as a pool replay
#   golden-set-study.ipynb     overlap × golden_per_suite × golden_threshold, 5 seeds each
#
# Usage: scripts/export-notebooks.sh [OUT_DIR]   (default: notebooks-export)
#   TALLY=/path/to/tally  use that binary instead of building one (`swift build`, debug)
#   KEEP=1                keep the work folder with the data (its path is printed)
#
# Every command runs in a fresh work folder laid out like the repository (datasets/ is a link to
# the repository's), with relative paths, and `tally report --stable` leaves out folders, dates,
# commits and timings: so the notebooks depend only on the data, and the commands they show run
# as they are from the repository root. Each notebook is written next to its final place and
# renamed over it, so a failed run leaves the old ones.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$repo/notebooks-export}"
case "$out" in /*) ;; *) out="$(pwd)/$out" ;; esac

if [ -z "${TALLY:-}" ]; then
  (cd "$repo" && swift build --product tally >&2)
  TALLY="$(cd "$repo" && swift build --product tally --show-bin-path)/tally"
fi
[ -x "$TALLY" ] || { echo "export-notebooks: no tally binary at $TALLY" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/tally-export.XXXXXX")"
if [ -n "${KEEP:-}" ]; then echo "export-notebooks: data in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
ln -s "$repo/datasets" "$work/datasets"
cd "$work"
# The recorded commands show the executable as `tally`.
tally() { "$TALLY" "$@"; }

# (a) The shipped scenarios, each simulated at seed 1 into a bench data set folder
# (answers.tsv + gold.tsv), then every method on all of them. `benchmark` (200,000 tasks, a
# speed test: 190 MB of output) is left out.
scenarios=(audio-gender dynamic-overlap fast-responses mixed-crowd)
for s in "${scenarios[@]}"; do
  tally simulate "datasets/scenarios/$s.json" --seed 1 --out-dir "scenario-datasets/$s" --methods mv -q
done
tally bench --datasets scenario-datasets --methods all --out-dir bench-scenarios -q
tally report bench-scenarios --notebook notebooks-export/bench-scenarios.ipynb --stable -q \
  --title "Benchmark: every method on the simulated scenarios" \
  --note "The data sets are the scenarios shipped in \`datasets/scenarios\`, each simulated once (seed 1): the accepted answers (answers.tsv) and the tasks' true labels (gold.tsv). The \`benchmark\` scenario (200,000 tasks, a speed test) is left out."

# (b) The original notebook's pool (audio-gender), simulated and reported as a pool replay.
tally simulate datasets/scenarios/audio-gender.json --seed 1 --out-dir audio-gender-replay --methods mv,wawa,ds,glad -q
tally report audio-gender-replay --notebook notebooks-export/audio-gender-replay.ipynb --stable -q \
  --title "Pool replay: the audio-gender pool"

# (c) A golden-set study: overlap × control share (golden tasks per suite) × ban threshold.
tally study datasets/scenarios/audio-gender.json --vary overlap=1..5 --vary golden_per_suite=0..2 \
  --vary golden_threshold=60,80 --seeds 5 --methods mv,ds --out-dir golden-set-study -q
tally report golden-set-study --notebook notebooks-export/golden-set-study.ipynb --stable -q \
  --title "Golden-set study: overlap, control share and ban threshold"

mkdir -p "$out"
for nb in bench-scenarios audio-gender-replay golden-set-study; do
  cp "notebooks-export/$nb.ipynb" "$out/.$nb.ipynb.tmp"
  mv -f "$out/.$nb.ipynb.tmp" "$out/$nb.ipynb"
done
echo "export-notebooks: wrote bench-scenarios.ipynb, audio-gender-replay.ipynb, golden-set-study.ipynb in $out" >&2
