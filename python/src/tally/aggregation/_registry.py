"""Classes for the registry methods crowd-kit lacks, made from the library's own description, so a
method added to Tally's registry appears here without a change to this package."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import pandas as pd

from .. import _native
from ._base import BaseAggregator

#: crowd-kit's spelling of the registry's shared parameter names.
_CROWD_KIT_NAMES = {"max-iterations": "n_iter", "tolerance": "tol", "seed": "random_state"}


def python_name(parameter: str) -> str:
    return _CROWD_KIT_NAMES.get(parameter, parameter.replace("-", "_"))


def class_name(method: Dict[str, Any]) -> str:
    """IBCC for "IBCC", FastDawidSkene for "Fast Dawid-Skene": the title without separators."""
    words = re.split(r"[^0-9A-Za-z]+", method["title"])
    return "".join(w if w.isupper() else w[:1].upper() + w[1:] for w in words if w)


class RegistryAggregator(BaseAggregator):
    """Any registry method: parameters as keyword arguments (``n_iter``, ``tol``,
    ``random_state`` or the registry name with ``_`` for ``-``); ``fit(data, true_labels=None)``;
    ``labels_``, ``probas_`` and, when the method makes them, ``skills_``, ``priors_``,
    ``errors_``, ``loss_history_`` and one DataFrame per extra table (``<name>_``)."""

    _description: Dict[str, Any] = {}

    def __init__(self, compat: Optional[str] = None, threads: Optional[int] = None, **params: Any):
        known = {python_name(p["name"]): p for p in self._description.get("parameters", [])}
        for k in params:
            if k not in known:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {k!r}; it takes {sorted(known)}")
        self.params = {known[k]["name"]: v for k, v in params.items()}
        self.compat, self.threads = compat, threads
        self.labels_: Optional[pd.Series] = None
        self.probas_: Optional[pd.DataFrame] = None

    def _options(self) -> Dict[str, Any]:
        return dict(self.params)

    def fit(self, data: pd.DataFrame, true_labels: Optional[pd.Series] = None) -> "RegistryAggregator":
        if self._description.get("needs_gold") and true_labels is None:
            raise ValueError(f"{type(self).__name__} needs true_labels")
        f, r = self._fit_native(data, true_labels=true_labels)
        self.labels_ = self._labels(f, r)
        self.probas_ = self._probas(f, r)
        self.skills_ = self._skills(f, r)
        self.priors_ = self._priors(f, r)
        self.errors_ = self._errors(f, r)
        self.loss_history_: List[float] = self._loss(r)
        for name in r.tables:
            setattr(self, name.replace("-", "_") + "_", self._table(f, r, name))
        self.notes_ = r.notes
        return self

    def fit_predict(self, data: pd.DataFrame, true_labels: Optional[pd.Series] = None) -> pd.Series:
        return self.fit(data, true_labels).labels_

    def fit_predict_proba(self, data: pd.DataFrame, true_labels: Optional[pd.Series] = None) -> pd.DataFrame:
        return self.fit(data, true_labels).probas_


def make_class(method: Dict[str, Any]) -> type:
    params = ", ".join(f"{python_name(p['name'])}={p['default']!r}" for p in method["parameters"]) or "none"
    doc = f"{method['title']} ({method['citation']}): {method['summary']}\n\nRegistry name {method['name']!r}; parameters {params}."
    return type(class_name(method), (RegistryAggregator,), {"_method": method["name"], "_description": method, "__doc__": doc})


def registry_classes() -> Dict[str, type]:
    """A class for every registry method without a crowd-kit class."""
    return {class_name(m): make_class(m) for m in _native.methods() if not m.get("crowd_kit_class")}


def aggregator(method: str, **params: Any) -> RegistryAggregator:
    """Any registry method by its registry name (``"ds"``, ``"ibcc"``, …) as a generic estimator."""
    for m in _native.methods():
        if m["name"] == method:
            return make_class(m)(**params)
    raise ValueError(f"unknown method {method!r}; choose from {', '.join(m['name'] for m in _native.methods())}")
