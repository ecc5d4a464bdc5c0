"""crowd-kit 1.4.2's categorical aggregators, with its class names, constructor arguments,
methods and fitted attributes, computed by Tally."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd

from ._base import BaseAggregator, WeightedPredictMixin


def _unsupported(cls: str, **given: Any) -> None:
    """Refuse crowd-kit arguments Tally's method does not have, rather than ignore them."""
    for name, (value, default) in given.items():
        if value != default and not (value is None and default is None):
            raise ValueError(f"{cls}: {name}={value!r} is not supported by Tally's {cls} (only {name}={default!r})")


class MajorityVote(BaseAggregator):
    """Majority vote (crowd-kit's ``MajorityVote``): ``fit(data, skills=None)``; ``labels_``,
    ``probas_`` and ``skills_`` (each worker's agreement with the result)."""

    _method = "mv"

    def __init__(self, default_skill: Optional[float] = None, on_missing_skill: str = "error",
                 compat: Optional[str] = None, threads: Optional[int] = None):
        self.default_skill = default_skill
        self.on_missing_skill = on_missing_skill
        self.compat, self.threads = compat, threads
        self.labels_: Optional[pd.Series] = None
        self.probas_: Optional[pd.DataFrame] = None
        self.skills_: Optional[pd.Series] = None

    def fit(self, data: pd.DataFrame, skills: Optional[pd.Series] = None) -> "MajorityVote":
        extra: Dict[str, Any] = {}
        if skills is not None:
            if self.on_missing_skill not in ("error", "ignore", "value"):
                raise ValueError(f"on_missing_skill must be 'error', 'ignore' or 'value', got {self.on_missing_skill!r}")
            extra["on-missing-skill"] = self.on_missing_skill
            if self.on_missing_skill == "value":
                if self.default_skill is None:
                    raise ValueError("on_missing_skill='value' needs default_skill")
                extra["default-skill"] = float(self.default_skill)
            from .._frame import Factorized
            known = Factorized(data).worker_codes(skills.index) if isinstance(skills, pd.Series) else None
            if known is not None and not (known >= 0).any():
                if self.on_missing_skill == "ignore":
                    raise ValueError("no worker in data has a skill: with on_missing_skill='ignore' every answer would be dropped")
                if self.on_missing_skill == "error":
                    raise ValueError("Skill value is missing for every worker in data; give skills or use on_missing_skill='value'")
        f, r = self._fit_native(data, extra=extra, weights=skills)
        self.probas_ = self._probas(f, r)
        self.labels_ = self._labels(f, r)
        if skills is None:
            self.skills_ = self._skills(f, r, sort=True)
        else:
            # crowd-kit: agreement with the result, over the answers that were counted.
            keep = None
            if self.on_missing_skill == "ignore":
                keep = np.isin(f.worker, f.worker_codes(skills.index))
            self.skills_ = self._agreement(f, r, keep)
        return self

    def fit_predict_proba(self, data: pd.DataFrame, skills: Optional[pd.Series] = None) -> pd.DataFrame:
        return self.fit(data, skills).probas_

    def fit_predict(self, data: pd.DataFrame, skills: Optional[pd.Series] = None) -> pd.Series:
        return self.fit(data, skills).labels_


class _SkillVote(WeightedPredictMixin, BaseAggregator):
    """Methods that learn worker skills and predict by a vote weighted with them."""

    def _store(self, f, r) -> None:
        self.skills_ = self._skills(f, r, sort=True)
        self.probas_ = self._probas(f, r)
        self.labels_ = self._labels(f, r)

    def predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:
        """Vote shares weighted by ``skills_`` on `data`; sets ``probas_``."""
        f, r = self._weighted_vote(data)
        self.probas_ = self._probas(f, r)
        return self.probas_

    def fit_predict(self, data: pd.DataFrame, *args: Any, **kwargs: Any) -> pd.Series:
        return self.fit(data, *args, **kwargs).labels_

    def fit_predict_proba(self, data: pd.DataFrame, *args: Any, **kwargs: Any) -> pd.DataFrame:
        return self.fit(data, *args, **kwargs).probas_


class Wawa(_SkillVote):
    """Worker Agreement With Aggregate (crowd-kit's ``Wawa``)."""

    _method = "wawa"

    def __init__(self, compat: Optional[str] = None, threads: Optional[int] = None):
        self.compat, self.threads = compat, threads
        self.skills_ = self.probas_ = self.labels_ = None

    def fit(self, data: pd.DataFrame) -> "Wawa":
        self._store(*self._fit_native(data))
        return self


class ZeroBasedSkill(_SkillVote):
    """Zero-Based Skill (crowd-kit's ``ZeroBasedSkill``); Tally's has crowd-kit's learning-rate
    schedule built in, so only ``n_iter`` may change."""

    _method = "zbs"

    def __init__(self, n_iter: int = 100, lr_init: float = 1.0, lr_steps_to_reduce: int = 20,
                 lr_reduce_factor: float = 0.5, eps: float = 1e-5, compat: Optional[str] = None, threads: Optional[int] = None):
        _unsupported("ZeroBasedSkill", lr_init=(lr_init, 1.0), lr_steps_to_reduce=(lr_steps_to_reduce, 20),
                     lr_reduce_factor=(lr_reduce_factor, 0.5), eps=(eps, 1e-5))
        self.n_iter, self.lr_init, self.lr_steps_to_reduce, self.lr_reduce_factor, self.eps = n_iter, lr_init, lr_steps_to_reduce, lr_reduce_factor, eps
        self.compat, self.threads = compat, threads
        self.skills_ = self.probas_ = self.labels_ = None

    def _options(self) -> Dict[str, Any]:
        return {"max-iterations": int(self.n_iter)}

    def fit(self, data: pd.DataFrame) -> "ZeroBasedSkill":
        self._store(*self._fit_native(data))
        return self


class GoldMajorityVote(_SkillVote):
    """A vote weighted by accuracy on golden tasks (crowd-kit's ``GoldMajorityVote``):
    ``fit(data, true_labels)``. crowd-kit raises when a worker has no golden answer; Tally gives
    such workers the mean skill (``on_missing_skill="mean"``); ``"error"`` raises as crowd-kit."""

    _method = "gold-mv"

    def __init__(self, on_missing_skill: str = "mean", compat: Optional[str] = None, threads: Optional[int] = None):
        self.on_missing_skill = on_missing_skill
        self.compat, self.threads = compat, threads
        self.skills_ = self.probas_ = self.labels_ = None

    def fit(self, data: pd.DataFrame, true_labels: pd.Series) -> "GoldMajorityVote":
        if true_labels is None:
            raise ValueError("GoldMajorityVote.fit needs true_labels (a Series of golden labels indexed by task)")
        self._store(*self._fit_native(data, extra={"on-missing-skill": self.on_missing_skill}, true_labels=true_labels))
        return self


class DawidSkene(BaseAggregator):
    """Dawid-Skene EM (crowd-kit's ``DawidSkene``): ``fit(data, true_labels=None,
    initial_error=None)``; ``labels_``, ``probas_``, ``priors_``, ``errors_``, ``loss_history_``.

    Tally extras: ``em="hard"`` or ``"hybrid"`` (Fast Dawid-Skene), ``initialization="spectral"``."""

    _method = "ds"

    def __init__(self, n_iter: int = 100, tol: float = 1e-5, initial_error_strategy: Optional[str] = None,
                 em: str = "soft", initialization: str = "mv", compat: Optional[str] = None, threads: Optional[int] = None):
        self.n_iter, self.tol, self.initial_error_strategy = n_iter, tol, initial_error_strategy
        self.em, self.initialization = em, initialization
        self.compat, self.threads = compat, threads
        self.labels_ = self.probas_ = self.priors_ = self.errors_ = None
        self.loss_history_: List[float] = []

    def _options(self) -> Dict[str, Any]:
        return {"max-iterations": int(self.n_iter), "tolerance": float(self.tol), "em": self.em, "initialization": self.initialization}

    def _initial(self, initial_error: Optional[pd.DataFrame]):
        if initial_error is None or self.initial_error_strategy is None:
            return None
        if self.initial_error_strategy not in ("assign", "addition"):
            raise ValueError(f"Invalid initial_error_strategy: {self.initial_error_strategy},should be 'assign' or 'addition'")
        if not isinstance(initial_error, pd.DataFrame):
            raise ValueError(f"initial_error must be a DataFrame indexed by (worker, label), got {type(initial_error).__name__}")
        if list(initial_error.index.names) != ["worker", "label"]:
            raise ValueError(f"The index of initial_error must be: ['worker', 'label'],but got: {list(initial_error.index.names)}")

        def build(f):
            long = initial_error.stack()
            workers = f.worker_codes(long.index.get_level_values(0))
            answers = f.label_codes(long.index.get_level_values(1))
            truths = f.label_codes(long.index.get_level_values(2))
            values = pd.to_numeric(long, errors="coerce").to_numpy(dtype=np.float64)
            if np.isnan(values).any() or (values < 0).any():
                raise ValueError("initial_error must hold non-negative numbers")
            keep = (workers >= 0) & (answers >= 0) & (truths >= 0)
            if self.initial_error_strategy == "assign":
                rows = initial_error.groupby(level="worker", sort=False).sum()
                if (initial_error.to_numpy() <= 1.0).all() and not np.allclose(rows.to_numpy(), 1.0):
                    raise ValueError("The sum of each worker's error matrix in initial_error should be 1.0")
            return workers[keep], answers[keep], truths[keep], values[keep]
        return build

    def fit(self, data: pd.DataFrame, true_labels: Optional[pd.Series] = None,
            initial_error: Optional[pd.DataFrame] = None) -> "DawidSkene":
        extra: Dict[str, Any] = {}
        initial = self._initial(initial_error)
        if initial is not None:
            extra["initial-error-strategy"] = self.initial_error_strategy
        if true_labels is not None:
            extra["clamp-gold"] = True
        f, r = self._fit_native(data, extra=extra, true_labels=true_labels, initial=initial)
        self._store(f, r)
        if initial is not None and self.initial_error_strategy == "assign" and int(self.n_iter) == 0 and self.errors_ is not None:
            # crowd-kit returns the assigned matrices as given, in initial_error's row order.
            rows = initial_error.index[initial_error.index.isin(self.errors_.index)]
            self.errors_ = self.errors_.loc[rows, list(initial_error.columns)]
        return self

    def _store(self, f, r) -> None:
        self.probas_ = self._probas(f, r)
        self.priors_ = self._priors(f, r)
        self.errors_ = self._errors(f, r)
        self.labels_ = self._labels(f, r)
        self.loss_history_ = self._loss(r)

    def fit_predict_proba(self, data: pd.DataFrame, true_labels: Optional[pd.Series] = None,
                          initial_error: Optional[pd.DataFrame] = None) -> pd.DataFrame:
        return self.fit(data, true_labels, initial_error).probas_

    def fit_predict(self, data: pd.DataFrame, true_labels: Optional[pd.Series] = None,
                    initial_error: Optional[pd.DataFrame] = None) -> pd.Series:
        return self.fit(data, true_labels, initial_error).labels_


class OneCoinDawidSkene(DawidSkene):
    """One-coin Dawid-Skene (crowd-kit's ``OneCoinDawidSkene``): also ``skills_``."""

    _method = "onecoin-ds"

    def __init__(self, n_iter: int = 100, tol: float = 1e-5, initial_error_strategy: Optional[str] = None,
                 compat: Optional[str] = None, threads: Optional[int] = None):
        self.n_iter, self.tol, self.initial_error_strategy = n_iter, tol, initial_error_strategy
        self.compat, self.threads = compat, threads
        self.labels_ = self.probas_ = self.priors_ = self.errors_ = self.skills_ = None
        self.loss_history_ = []

    def _options(self) -> Dict[str, Any]:
        return {"max-iterations": int(self.n_iter), "tolerance": float(self.tol)}

    def fit(self, data: pd.DataFrame) -> "OneCoinDawidSkene":  # type: ignore[override]
        f, r = self._fit_native(data)
        self._store(f, r)
        self.skills_ = self._skills(f, r)
        return self

    def fit_predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:  # type: ignore[override]
        return self.fit(data).probas_

    def fit_predict(self, data: pd.DataFrame) -> pd.Series:  # type: ignore[override]
        return self.fit(data).labels_


class GLAD(BaseAggregator):
    """GLAD (crowd-kit's ``GLAD``): ``labels_``, ``probas_``, ``alphas_`` (per worker),
    ``betas_`` (per task), ``priors_``, ``loss_history_``. ``compat="crowd-kit"`` stops as
    crowd-kit 1.4.2 does."""

    _method = "glad"

    def __init__(self, n_iter: int = 100, tol: float = 1e-5, silent: bool = True, labels_priors: Optional[pd.Series] = None,
                 alphas_priors_mean: Optional[pd.Series] = None, betas_priors_mean: Optional[pd.Series] = None,
                 m_step_max_iter: int = 25, m_step_tol: float = 1e-2, compat: Optional[str] = None, threads: Optional[int] = None):
        for name, v in (("labels_priors", labels_priors), ("alphas_priors_mean", alphas_priors_mean), ("betas_priors_mean", betas_priors_mean)):
            if v is not None:
                raise ValueError(f"GLAD: {name} is not reachable through Tally's method registry yet; leave it None")
        self.n_iter, self.tol, self.silent = n_iter, tol, silent
        self.labels_priors, self.alphas_priors_mean, self.betas_priors_mean = labels_priors, alphas_priors_mean, betas_priors_mean
        self.m_step_max_iter, self.m_step_tol = m_step_max_iter, m_step_tol
        self.compat, self.threads = compat, threads
        self.labels_ = self.probas_ = self.alphas_ = self.betas_ = self.priors_ = None
        self.loss_history_: List[float] = []

    def _options(self) -> Dict[str, Any]:
        return {"max-iterations": int(self.n_iter), "tolerance": float(self.tol), "m-step-iterations": int(self.m_step_max_iter),
                "m-step-tolerance": float(self.m_step_tol)}

    def fit(self, data: pd.DataFrame) -> "GLAD":
        f, r = self._fit_native(data)
        self.probas_ = self._probas(f, r)
        self.labels_ = self._labels(f, r)
        self.alphas_ = self._skills(f, r, name="alpha")
        betas = self._table(f, r, "betas")
        self.betas_ = None if betas is None else betas.iloc[:, 0].rename("beta")
        self.priors_ = self._priors(f, r)
        self.loss_history_ = self._loss(r)
        return self

    def fit_predict(self, data: pd.DataFrame) -> pd.Series:
        return self.fit(data).labels_

    def fit_predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:
        return self.fit(data).probas_


class MACE(BaseAggregator):
    """MACE (crowd-kit's ``MACE``): ``labels_``, ``probas_``, ``spamming_`` (workers × [spamming,
    knowing]) and ``thetas_`` (workers × labels in first-appearance order), numpy arrays as in
    crowd-kit. Tally's restarts differ from one another and its result does not depend on worker
    names; ``compat="crowd-kit"`` reproduces crowd-kit 1.4.2 exactly, defects included."""

    _method = "mace"

    def __init__(self, n_restarts: int = 10, n_iter: int = 50, method: str = "vb", smoothing: float = 0.1,
                 default_noise: float = 0.5, alpha: float = 0.5, beta: float = 0.5, random_state: int = 0, verbose: int = 0,
                 compat: Optional[str] = None, threads: Optional[int] = None):
        _unsupported("MACE", default_noise=(default_noise, 0.5), alpha=(alpha, 0.5), beta=(beta, 0.5))
        self.n_restarts, self.n_iter, self.method, self.smoothing = n_restarts, n_iter, method, smoothing
        self.default_noise, self.alpha, self.beta, self.random_state, self.verbose = default_noise, alpha, beta, random_state, verbose
        self.compat, self.threads = compat, threads
        self.labels_ = self.probas_ = self.spamming_ = self.thetas_ = None

    def _options(self) -> Dict[str, Any]:
        return {"max-iterations": int(self.n_iter), "restarts": int(self.n_restarts), "mace-method": self.method,
                "seed": int(self.random_state)}

    def fit(self, data: pd.DataFrame) -> "MACE":
        f, r = self._fit_native(data)
        self.probas_ = self._probas(f, r)
        self.labels_ = self._labels(f, r)
        spam = r.tables.get("spamming")
        self.spamming_ = None if spam is None else spam["values"]
        strategies = r.tables.get("strategies")
        # crowd-kit's thetas_ columns follow the labels' first appearance (pd.factorize).
        self.thetas_ = None if strategies is None else strategies["values"][:, f.label_appearance]
        return self

    def fit_predict(self, data: pd.DataFrame) -> pd.Series:
        return self.fit(data).labels_

    def fit_predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:
        return self.fit(data).probas_


class KOS(BaseAggregator):
    """Karger-Oh-Shah message passing on binary tasks (crowd-kit's ``KOS``): ``labels_``."""

    _method = "kos"

    def __init__(self, n_iter: int = 100, random_state: int = 0, compat: Optional[str] = None, threads: Optional[int] = None):
        self.n_iter, self.random_state = n_iter, random_state
        self.compat, self.threads = compat, threads
        self.labels_ = None

    def _options(self) -> Dict[str, Any]:
        return {"max-iterations": int(self.n_iter), "seed": int(self.random_state)}

    def fit(self, data: pd.DataFrame) -> "KOS":
        f, r = self._fit_native(data)
        self.labels_ = self._labels(f, r)
        return self

    def fit_predict(self, data: pd.DataFrame) -> pd.Series:
        return self.fit(data).labels_


class MMSR(_SkillVote):
    """M-MSR (crowd-kit's ``MMSR``): ``skills_``, ``scores_``, ``labels_``, ``loss_history_``;
    ``predict`` / ``predict_score`` vote with the learned skills."""

    _method = "mmsr"

    def __init__(self, n_iter: int = 10000, tol: float = 1e-10, random_state: Optional[int] = 0,
                 compat: Optional[str] = None, threads: Optional[int] = None):
        self.n_iter, self.tol, self.random_state = n_iter, tol, random_state
        self.compat, self.threads = compat, threads
        self.skills_ = self.scores_ = self.labels_ = None
        self.loss_history_: List[float] = []

    def _options(self) -> Dict[str, Any]:
        return {"max-iterations": int(self.n_iter), "tolerance": float(self.tol), "seed": int(self.random_state or 0)}

    def fit(self, data: pd.DataFrame) -> "MMSR":
        f, r = self._fit_native(data)
        self.skills_ = self._skills(f, r)
        self.scores_ = self._probas(f, r)
        self.labels_ = self._labels(f, r)
        self.loss_history_ = self._loss(r)
        return self

    def predict_score(self, data: pd.DataFrame) -> pd.DataFrame:
        f, r = self._weighted_vote(data)
        self.scores_ = self._probas(f, r)
        return self.scores_

    def fit_predict_score(self, data: pd.DataFrame) -> pd.DataFrame:
        return self.fit(data).scores_

    def fit_predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:  # type: ignore[override]
        return self.fit_predict_score(data)
