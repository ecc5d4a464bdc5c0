"""Reading answer files with Tally's readers."""

from __future__ import annotations

import os
from typing import Optional

import numpy as np
import pandas as pd

from . import _native


def read_answers(path: "str | os.PathLike[str]", format: str = "auto", label_column: Optional[str] = None,
                 task_column: Optional[str] = None, include_rejected: bool = False) -> pd.DataFrame:
    """Every answer of a file in any format ``tally aggregate`` reads (crowd-kit TSV/CSV, Toloka's
    TSV export, JSON Lines), as a DataFrame with columns ``task``, ``worker``, ``label`` (strings)."""
    options = {"format": format, "include_rejected": include_rejected}
    if label_column:
        options["label_column"] = label_column
    if task_column:
        options["task_column"] = task_column
    task, worker, label, tasks, workers, labels = _native.read_answers(os.fspath(path), options)
    # Strings in pandas' default string dtype (object under pandas 2, str under pandas 3), as
    # pandas.read_csv(..., dtype=str) gives them.
    return pd.DataFrame({
        "task": pd.Index(tasks, dtype=object).astype(str).take(task),
        "worker": pd.Index(workers, dtype=object).astype(str).take(worker),
        "label": pd.Index(labels, dtype=object).astype(str).take(label),
    })
