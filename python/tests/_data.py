"""Paths and readers shared by the package's tests: the repository's crowd-kit fixtures (made by
scripts/crowdkit_fixtures*.py) and the real data sets in ../shared/datasets."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

REPO = Path(os.environ.get("TALLY_REPO", Path(__file__).resolve().parents[2]))
FIXTURES = REPO / "Tests/TallyAggregationTests/Fixtures"
DATASETS = Path(os.environ.get("TALLY_DATASETS", REPO.parent / "shared/datasets"))


def is_int_label(x: str) -> bool:
    return x.lstrip("-").isdigit() and str(int(x)) == x


def read_tsv(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False)


def dataset(name: str):
    """(answers, gold Series by task) as the fixture scripts read them: strings, labels converted to
    int64 when every label is an integer (as pandas.read_csv would)."""
    folder = FIXTURES / "crowdkit" / "toy" if name == "toy" else DATASETS / name
    df = read_tsv(folder / "answers.tsv")[["task", "worker", "label"]]
    gold = read_tsv(folder / "gold.tsv").set_index("task")["label"]
    if df["label"].map(is_int_label).all():
        df["label"] = df["label"].astype("int64")
        gold = gold.astype("int64")
    return df, gold


def manifest(folder: str) -> pd.DataFrame:
    lines = [l for l in (FIXTURES / folder / "manifest.tsv").read_text().splitlines() if not l.startswith("#")]
    rows = [l.split("\t") for l in lines]
    header, body = rows[0], rows[1:]
    return pd.DataFrame([r + [""] * (len(header) - len(r)) for r in body], columns=header)


def fixture(folder: str, ds: str, file: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / folder / ds / file, sep="\t", dtype=str, keep_default_na=False, compression="gzip")


def have_datasets() -> bool:
    return (DATASETS / "bluebirds" / "answers.tsv").exists()
