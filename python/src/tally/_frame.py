"""Turning a crowd-kit answers DataFrame into codes, vectorised, with crowd-kit-like errors."""

from __future__ import annotations

import re
from typing import Any, Optional

import numpy as np
import pandas as pd

COLUMNS = ("task", "worker", "label")


class MissingColumnError(KeyError, ValueError):
    """A required column is missing. A KeyError as in crowd-kit (``data[["task", ...]]``), and a
    ValueError like every other bad-input error of this package."""

    def __str__(self) -> str:  # KeyError's str() would quote the message again
        return str(self.args[0]) if self.args else ""


def require_columns(data: Any, columns=COLUMNS, what: str = "data") -> None:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame with columns {list(columns)}, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise MissingColumnError(f"{missing} not in index: {what} must have the columns {list(columns)}; it has {list(data.columns)}")


_CANONICAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")


def is_canonical_integer(value: Any) -> bool:
    """Whether `value` is a str spelling an integer canonically (``-?(0|[1-9][0-9]*)``, not ``-0``),
    as the CLI's LabelSet.isCanonicalInteger."""
    return isinstance(value, str) and value != "-0" and _CANONICAL_INTEGER.match(value) is not None


def label_order(values) -> np.ndarray:
    """The positions of `values` (distinct labels) in the CLI's label order (Tally's LabelSet):
    when every value is a str spelling an integer canonically, numeric order ("2" before "10");
    otherwise Python's sort order (for str: Unicode scalar order, the CLI's). Raises TypeError
    when the values cannot be ordered."""
    arr = values.to_numpy() if isinstance(values, pd.Index) else np.asarray(values, dtype=object)
    if len(arr) and all(is_canonical_integer(v) for v in arr):
        # Arbitrary length, as the CLI: Python ints do not overflow.
        return np.array(sorted(range(len(arr)), key=lambda i: int(arr[i])), dtype=np.intp)
    return np.argsort(arr, kind="stable")


def sort_labels(values) -> list:
    """Distinct labels in the CLI's order (see :func:`label_order`)."""
    values = list(values)
    return [values[i] for i in label_order(np.array(values, dtype=object))] if values else []


def _sorted_uniques(values: pd.Index, what: str, cli_labels: bool = False):
    """(uniques in sorted order, rank of each first-appearance unique); `cli_labels`: in the CLI's
    label order (:func:`label_order`)."""
    try:
        order = label_order(values) if cli_labels else np.argsort(values.to_numpy(), kind="stable")
    except TypeError as e:
        raise ValueError(f"the {what} values cannot be ordered ({e}); use one type for every {what}") from None
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return values.take(order), rank


def _factorize(col: pd.Series, what: str):
    """pd.factorize of a column, refusing missing values and mixed types (checked on the codes and
    on the distinct values, so the column itself is scanned once)."""
    if col.dtype == object:
        # Strings as Python objects: Tally's interner reads their UTF-8 bytes, a few times faster
        # than pandas' object hash table; anything that is not a str falls back to pandas.
        from . import _native
        values = col.to_numpy()
        fast = _native.factorize_strings(values)
        if fast is not None:
            codes, first = fast
            return codes, pd.Index(values[first], dtype=object)
    codes, uniques = pd.factorize(col, sort=False)
    if len(codes) and codes.min() < 0:
        missing = codes < 0
        first = int(np.argmax(missing))
        raise ValueError(f"the {what} column holds {int(missing.sum())} missing values (NaN or None), first at row "
                         f"{first} (index {col.index[first]!r}); every answer needs a {what}")
    kind = pd.api.types.infer_dtype(uniques, skipna=False)
    if kind.startswith("mixed") and kind != "mixed-integer-float":
        types = sorted({type(v).__name__ for v in uniques[:1000]})
        raise ValueError(f"the {what} column mixes value types ({', '.join(types) or kind}); use one type for every {what}")
    return codes, pd.Index(uniques)


def rank_names(n: int):
    """Zero-padded decimal names 0..n-1: their string order is their numeric order, so Tally's
    label and worker orders are the Python sort order of the values they stand for."""
    width = len(str(max(n - 1, 0)))
    return [f"{i:0{width}d}" for i in range(n)]


class Factorized:
    """Codes and name tables of one answers frame.

    tasks: first-appearance order (Tally's task ids); workers: first-appearance order (ids), named
    by their sorted rank; labels: codes are ranks in the CLI's label order (:func:`label_order`:
    numeric for integers written as strings, else sorted, pandas 2's order and crowd-kit's columns
    and ties)."""

    def __init__(self, data: Any, what: str = "data"):
        require_columns(data, what=what)
        if len(data) == 0:
            raise ValueError(f"{what} is empty: no answers to aggregate (an empty DataFrame with columns {list(COLUMNS)})")
        self.n = len(data)
        self.task, self.tasks = _factorize(data["task"], "task")
        self.worker, self.workers = _factorize(data["worker"], "worker")
        label_codes, label_uniques = _factorize(data["label"], "label")
        # Labels in the CLI's order (numeric for integers written as strings: "2" before "10"), so
        # that ties break towards the same label as `tally aggregate`.
        self.labels, rank = _sorted_uniques(label_uniques, "label", cli_labels=True)
        self.label = rank[label_codes]
        # First appearance of each label (crowd-kit's MACE orders its thetas_ columns this way).
        self.label_appearance = rank
        _, wrank = _sorted_uniques(pd.Index(self.workers), "worker")
        self.worker_rank = wrank
        names = rank_names(len(wrank))
        self.worker_names = [names[r] for r in wrank]
        self.label_names = rank_names(len(self.labels))
        self.task_index = pd.Index(self.tasks, name="task")
        self.worker_index = pd.Index(self.workers, name="worker")
        self.label_index = pd.Index(self.labels, name="label")

    def task_codes(self, tasks: pd.Index) -> np.ndarray:
        """Codes of `tasks` (-1 for tasks without answers)."""
        return self.task_index.get_indexer(tasks)

    def worker_codes(self, workers: pd.Index) -> np.ndarray:
        return self.worker_index.get_indexer(workers)

    def label_codes(self, labels: Any) -> np.ndarray:
        return self.label_index.get_indexer(pd.Index(labels))

    def gold(self, true_labels: Optional[pd.Series]):
        """(task codes, label codes, label names) for gold labels, tasks without answers dropped."""
        if true_labels is None:
            return None
        if isinstance(true_labels, pd.DataFrame):
            require_columns(true_labels, ("task", "label"), what="true_labels")
            true_labels = true_labels.set_index("task")["label"]
        if not isinstance(true_labels, pd.Series):
            raise ValueError(f"true_labels must be a pandas Series indexed by task, got {type(true_labels).__name__}")
        if true_labels.isna().any():
            raise ValueError("true_labels holds missing values (NaN or None); give a label for every golden task")
        tasks = self.task_codes(true_labels.index)
        keep = tasks >= 0
        values = pd.Index(true_labels.to_numpy()[keep])
        codes, uniques = pd.factorize(values, sort=False)
        # Names: a known label keeps its rank name; an unknown one gets a name no rank can have.
        known = self.label_index.get_indexer(pd.Index(uniques)) if len(uniques) else np.array([], dtype=np.intp)
        names = [self.label_names[k] if k >= 0 else f"unseen:{v!r}" for k, v in zip(known, uniques)]
        return tasks[keep].astype(np.int32), np.asarray(codes, dtype=np.int32), names
