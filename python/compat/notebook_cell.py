#!/usr/bin/env python3
"""The original Toloka notebook's aggregation cell, run twice on the same answers: as written
(`from crowdkit.aggregation import DawidSkene`) and with that one import changed to
`from tally.aggregation import DawidSkene`. Prints both timings and whether the labels are identical.

    python notebook_cell.py ANSWERS.tsv [ANSWERS2.tsv ...]

Run it with the notebook's pinned environment (shared/tools/seed-notebook-requirements.txt:
crowd-kit 1.0.0, pandas 1.5.3) and tally importable. The answers are what the notebook collects
(task, worker, label), e.g. `tally simulate datasets/scenarios/audio-gender.json --seed 1`'s
answers.tsv (the accepted answers of the notebook's pool).
"""

import sys
import time

import pandas as pd

CELL = "aggregated = DawidSkene(n_iter=20).fit_predict(answers_df)"


def run(import_line: str, answers_df: pd.DataFrame):
    scope = {"answers_df": answers_df}
    exec(import_line, scope)
    t = time.perf_counter()
    exec(CELL, scope)
    return scope["aggregated"], time.perf_counter() - t


def main() -> int:
    from importlib.metadata import version as _v
    version = _v("crowd-kit")
    ok = True
    for path in sys.argv[1:]:
        answers_df = pd.read_csv(path, sep="\t")
        theirs, t1 = run("from crowdkit.aggregation import DawidSkene", answers_df)
        ours, t2 = run("from tally.aggregation import DawidSkene", answers_df)
        same_index = set(theirs.index) == set(ours.index)
        differ = int((ours.reindex(theirs.index) != theirs).sum()) if same_index else -1
        print(f"{path}: {len(answers_df)} answers, {len(theirs)} tasks; crowd-kit {version} {t1 * 1000:.1f} ms, "
              f"tally {t2 * 1000:.1f} ms; labels differ on {differ} tasks; name {ours.name!r}/{theirs.name!r}, "
              f"dtype {ours.dtype}/{theirs.dtype}")
        ok &= differ == 0 and ours.name == theirs.name and ours.dtype == theirs.dtype
    print("identical" if ok else "DIFFERENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
