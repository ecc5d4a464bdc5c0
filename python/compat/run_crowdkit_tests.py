#!/usr/bin/env python3
"""Runs crowd-kit 1.4.2's own tests of the categorical aggregators against tally.aggregation.

    python run_crowdkit_tests.py PATH/TO/crowd-kit/tests [--compat crowd-kit] [--json out.json] [-- pytest args]

PATH is crowd-kit's `tests` folder (the 1.4.2 release; get it from its repository or sdist: this
script fetches nothing and the tests are never committed here). The folder is copied to a
temporary directory beside a conftest.py that maps `crowdkit.aggregation` to `tally.aggregation`;
only the categorical test files run. Prints passed / failed / skipped per class.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

FILES = [
    "test_classification_aggregation.py",
    "test_classification_aggregation_edge_cases.py",
    "test_ds_aggregation.py",
    "test_glad_aggregation.py",
    "test_kos_aggregation.py",
    "test_mace_aggregation.py",
    "test_majority_vote.py",
]

CONFTEST = r'''
# Written by run_crowdkit_tests.py: crowd-kit's imports mapped to tally.aggregation.
import json, os, sys, types
import numpy as np
import pandas as pd
import pytest
import tally.aggregation as _ta

_COMPAT = os.environ.get("TALLY_CK_COMPAT") or None
_SHARED = ["MajorityVote", "Wawa", "ZeroBasedSkill", "GoldMajorityVote", "DawidSkene", "OneCoinDawidSkene", "GLAD", "MACE", "KOS", "MMSR"]


def _with_compat(cls):
    if _COMPAT is None:
        return cls
    def __init__(self, *a, **k):
        k.setdefault("compat", _COMPAT)
        cls.__init__(self, *a, **k)
    return type(cls.__name__, (cls,), {"__init__": __init__})


class _NotShared:
    """A crowd-kit class Tally does not have (not a categorical aggregator): its tests are skipped."""
    def __init__(self, *a, **k):
        pytest.skip(f"{type(self).__name__} is not a categorical aggregator shared with Tally")


def _evaluate_equal(row):
    return int(row["label_true"] == row["label_pred"])


def _evaluate(df_true, df_pred, evaluate_func=_evaluate_equal):
    df = df_true.join(df_pred, how="inner", lsuffix="_true", rsuffix="_pred")
    return float(df.apply(evaluate_func, axis=1).mean())


crowdkit = types.ModuleType("crowdkit")
aggregation = types.ModuleType("crowdkit.aggregation")
for _name in _SHARED:
    setattr(aggregation, _name, _with_compat(getattr(_ta, _name)))
for _name in ["SegmentationMajorityVote", "SegmentationRASA", "SegmentationEM", "BinaryRelevance", "ROVER", "RASA", "HRRASA",
              "TextRASA", "TextHRRASA", "ClosestToAverage", "BradleyTerry", "NoisyBradleyTerry"]:
    setattr(aggregation, _name, type(_name, (_NotShared,), {}))
utils = types.ModuleType("crowdkit.aggregation.utils")
utils.evaluate, utils.evaluate_equal = _evaluate, _evaluate_equal
aggregation.utils = utils
crowdkit.aggregation = aggregation
sys.modules.update({"crowdkit": crowdkit, "crowdkit.aggregation": aggregation, "crowdkit.aggregation.utils": utils})


def _class_of(item):
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "agg_class" in params:
        return params["agg_class"].__name__
    f, n = item.fspath.basename, item.name.lower()
    if f == "test_ds_aggregation.py":
        return "OneCoinDawidSkene" if "hds" in n else "DawidSkene"
    if f == "test_glad_aggregation.py":
        return "GLAD"
    if f == "test_kos_aggregation.py":
        return "KOS"
    if f == "test_mace_aggregation.py":
        return "MACE"
    if "segmentation" in n:
        return "SegmentationMajorityVote (not shared)"
    if "gold" in n:
        return "GoldMajorityVote"
    return "MajorityVote"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" or (rep.when == "setup" and rep.outcome != "passed"):
        out = os.environ.get("TALLY_CK_REPORT")
        if out:
            message = ""
            if rep.outcome == "failed":
                message = str(rep.longrepr.reprcrash.message) if hasattr(rep.longrepr, "reprcrash") else str(rep.longrepr)[-300:]
            elif rep.outcome == "skipped":
                message = str(rep.longrepr[2]) if isinstance(rep.longrepr, tuple) else ""
            with open(out, "a") as fh:
                fh.write(json.dumps({"id": item.nodeid, "class": _class_of(item), "outcome": rep.outcome, "message": message[:400]}) + "\n")
'''


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tests", type=Path, help="crowd-kit's tests folder (holding conftest.py and aggregation/)")
    ap.add_argument("--compat", default=None, help="pass compat=... to every class (e.g. crowd-kit)")
    ap.add_argument("--json", type=Path, help="write the per-test outcomes here")
    ap.add_argument("pytest_args", nargs="*")
    a = ap.parse_args()
    src = a.tests.resolve()
    if not (src / "aggregation").is_dir() or not (src / "conftest.py").is_file():
        print(f"error: {src} is not crowd-kit's tests folder (no conftest.py and aggregation/)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="tally-ck-tests-") as tmp:
        root = Path(tmp)
        shutil.copytree(src, root / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        (root / "conftest.py").write_text(CONFTEST)
        report = root / "report.jsonl"
        env = dict(os.environ, TALLY_CK_REPORT=str(report))
        if a.compat:
            env["TALLY_CK_COMPAT"] = a.compat
        files = [f"tests/aggregation/{f}" for f in FILES if (root / "tests/aggregation" / f).exists()]
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(root), *files, *a.pytest_args]
        subprocess.run(cmd, cwd=root, env=env)
        rows = [json.loads(l) for l in report.read_text().splitlines()] if report.exists() else []
    per = defaultdict(Counter)
    for r in rows:
        per[r["class"]][r["outcome"]] += 1
    print(f"\ncrowd-kit tests against tally.aggregation (compat={a.compat}):")
    print(f"{'class':<40} {'passed':>6} {'failed':>6} {'skipped':>7}")
    for cls in sorted(per):
        c = per[cls]
        print(f"{cls:<40} {c['passed']:>6} {c['failed']:>6} {c['skipped']:>7}")
    total = sum(per.values(), Counter())
    print(f"{'total':<40} {total['passed']:>6} {total['failed']:>6} {total['skipped']:>7}")
    for r in rows:
        if r["outcome"] == "failed":
            print(f"FAILED {r['id']} [{r['class']}]: {r['message'][:300]}")
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
