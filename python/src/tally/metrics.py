"""Accuracy and macro-F1 of aggregated labels against gold, computed by Tally's Evaluation."""

from __future__ import annotations

from typing import Dict

import numpy as np
import pandas as pd

from . import _native


def _codes(predictions: pd.Series, gold: pd.Series):
    for name, s in (("predictions", predictions), ("gold", gold)):
        if not isinstance(s, pd.Series):
            raise ValueError(f"{name} must be a pandas Series indexed by task, got {type(s).__name__}")
        if s.isna().any():
            raise ValueError(f"{name} holds missing values (NaN or None)")
    task_codes, tasks = pd.factorize(pd.Index(predictions.index).append(pd.Index(gold.index)))
    label_codes, labels = pd.factorize(np.concatenate([predictions.to_numpy(dtype=object), gold.to_numpy(dtype=object)]))
    n = len(predictions)
    return (task_codes[:n], label_codes[:n], task_codes[n:], label_codes[n:],
            [str(t) for t in tasks], [str(l) for l in labels])


def evaluate(predictions: pd.Series, gold: pd.Series) -> Dict[str, float]:
    """{"accuracy", "macro_f1", "scored", "gold_tasks"} of `predictions` (labels by task) against
    `gold` (labels by task); tasks of gold without a prediction are not scored."""
    out = _native.evaluate(*_codes(predictions, gold))
    return {"accuracy": float(out[0]), "macro_f1": float(out[1]), "scored": int(out[2]), "gold_tasks": int(out[3])}


def accuracy(predictions: pd.Series, gold: pd.Series) -> float:
    """The share of scored gold tasks whose predicted label equals the gold one."""
    return evaluate(predictions, gold)["accuracy"]


def macro_f1(predictions: pd.Series, gold: pd.Series) -> float:
    """The mean over labels of per-label F1 on the gold tasks."""
    return evaluate(predictions, gold)["macro_f1"]
