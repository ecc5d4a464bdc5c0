"""The shared machinery of tally.aggregation's classes: one fit through the C ABI, results as
pandas objects with crowd-kit's names."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd

from .. import _native
from .._frame import Factorized, require_columns


class BaseAggregator:
    """One Tally registry method behind a crowd-kit-style estimator.

    Subclasses set ``_method`` (the registry name) and ``_options()`` (registry parameters)."""

    _method: str = ""

    #: "crowd-kit" reproduces crowd-kit 1.4.2 where Tally deliberately differs (MACE's and GLAD's
    #: defects); None keeps Tally's defaults.
    compat: Optional[str] = None
    #: Threads for one fit (None: Tally's default, two when the machine has two cores).
    threads: Optional[int] = None

    def _options(self) -> Dict[str, Any]:
        return {}

    def _all_options(self, extra: Optional[Dict[str, Any]] = None, own: bool = True) -> Dict[str, Any]:
        o = dict(self._options()) if own else {}
        if self.compat is not None:
            o["compat"] = self.compat
        if self.threads is not None:
            o["threads"] = int(self.threads)
        o.update(extra or {})
        return {k: v for k, v in o.items() if v is not None}

    def _fit_native(self, data: Any, method: Optional[str] = None, extra: Optional[Dict[str, Any]] = None,
                    true_labels: Optional[pd.Series] = None, weights: Optional[pd.Series] = None,
                    initial: Optional[tuple] = None):
        f = Factorized(data)
        gold = f.gold(true_labels)
        w = None
        if weights is not None:
            if not isinstance(weights, pd.Series):
                raise ValueError(f"skills must be a pandas Series indexed by worker, got {type(weights).__name__}")
            codes = f.worker_codes(weights.index)
            keep = codes >= 0
            values = pd.to_numeric(weights, errors="coerce").to_numpy(dtype=np.float64)[keep]
            if np.isnan(values).any():
                raise ValueError("skills holds missing or non-numeric values")
            w = (codes[keep], values)
        init = initial(f) if callable(initial) else None
        r = _native.fit(method or self._method, self._all_options(extra, own=method is None), f.task, f.worker, f.label, None,
                        f.worker_names, f.label_names, len(f.tasks), gold=gold, weights=w, initial=init)
        return f, r

    # Results as crowd-kit's pandas objects.
    @staticmethod
    def _labels(f: Factorized, r) -> pd.Series:
        return pd.Series(f.labels.take(r.labels), index=f.task_index, name="agg_label")

    @staticmethod
    def _probas(f: Factorized, r) -> pd.DataFrame:
        return pd.DataFrame(r.probabilities, index=f.task_index, columns=f.label_index, copy=False)

    @staticmethod
    def _skills(f: Factorized, r, name: str = "skill", sort: bool = False) -> Optional[pd.Series]:
        """Skills by worker; `sort` puts workers in sorted order (crowd-kit's groupby order for the
        vote family), else first appearance."""
        if r.skills is None:
            return None
        if not sort:
            return pd.Series(r.skills, index=f.worker_index, name=name)
        order = np.argsort(f.worker_rank, kind="stable")
        return pd.Series(r.skills[order], index=f.worker_index.take(order), name=name)

    @staticmethod
    def _agreement(f: Factorized, r, keep: Optional[np.ndarray] = None) -> pd.Series:
        """crowd-kit's get_accuracy: per worker, the share of its distinct (task, label) answers
        that equal the aggregated label (workers in sorted order); `keep` masks answers."""
        k = len(f.labels)
        key = (f.task.astype(np.int64) * len(f.workers) + f.worker) * k + f.label
        if keep is not None:
            key = key[keep]
        key = np.unique(key)
        label = key % k
        tw = key // k
        worker, task = tw % len(f.workers), tw // len(f.workers)
        right = (r.labels[task] == label).astype(np.float64)
        n = np.bincount(worker, minlength=len(f.workers))
        hits = np.bincount(worker, weights=right, minlength=len(f.workers))
        present = n > 0
        order = np.argsort(f.worker_rank, kind="stable")
        order = order[present[order]]
        return pd.Series(hits[order] / n[order], index=f.worker_index.take(order), name="skill")

    @staticmethod
    def _priors(f: Factorized, r) -> Optional[pd.Series]:
        return None if r.priors is None else pd.Series(r.priors, index=f.label_index, name="prior")

    @staticmethod
    def _loss(r) -> List[float]:
        return [] if r.loss_history is None else r.loss_history.tolist()

    @staticmethod
    def _errors(f: Factorized, r) -> Optional[pd.DataFrame]:
        """crowd-kit's errors_: rows (worker, answered label) for the pairs the data hold, in order
        of first appearance; columns the true labels."""
        if r.confusions is None:
            return None
        k, n = len(f.labels), len(f.worker)
        pairs = f.worker.astype(np.int64) * k + f.label
        # First answer of each (worker, label) pair without sorting the answers: scatter the
        # positions backwards, so the earliest position of each pair is the one left.
        first = np.full(len(f.workers) * k, n, dtype=np.int64)
        first[pairs[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)
        seen = np.flatnonzero(first < n)
        pairs = seen[np.argsort(first[seen], kind="stable")]
        w, y = pairs // k, pairs % k
        values = r.confusions[w, y, :]
        index = pd.MultiIndex.from_arrays([f.workers.take(w), f.labels.take(y)], names=["worker", "label"])
        return pd.DataFrame(values, index=index, columns=pd.Index(f.labels))

    @staticmethod
    def _table(f: Factorized, r, name: str) -> Optional[pd.DataFrame]:
        t = r.tables.get(name)
        if t is None:
            return None
        index = f.worker_index if t["rows"] == "worker" else f.task_index
        return pd.DataFrame(t["values"], index=index, columns=t["columns"])

    def _check_fitted(self, attr: str = "labels_") -> None:
        if getattr(self, attr, None) is None:
            raise ValueError(f"this {type(self).__name__} is not fitted yet; call fit first")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if not k.endswith("_") and not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class WeightedPredictMixin:
    """predict / predict_proba on (possibly new) answers: a vote weighted by the learned skills_,
    as crowd-kit's Wawa, ZeroBasedSkill, GoldMajorityVote and MMSR do."""

    def _weighted_vote(self, data: Any):
        self._check_fitted("skills_")
        require_columns(data)
        return self._fit_native(data, method="mv", extra={"on-missing-skill": "error"}, weights=self.skills_)

    def predict(self, data: pd.DataFrame) -> pd.Series:
        """The labels of a vote weighted by ``skills_`` on `data`; sets ``labels_``."""
        f, r = self._weighted_vote(data)
        self.labels_ = self._labels(f, r)
        return self.labels_
