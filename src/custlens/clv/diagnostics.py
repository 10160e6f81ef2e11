"""Is a fitted CLV model sound enough to show its scores to a reader?

A maximum-likelihood fit can end in a place whose numbers look confident but mean
nothing: on the UCI Online Retail sample BG/NBD ends at ``a = 1e-08, b = 1236`` (the
optimiser's bound) with a singular Hessian, and then says every customer is alive.
:func:`check_fit` inspects a fitted model from the outside (parameters, standard errors,
log-likelihood, the warnings its fit raised, its holdout error) and lists the problems;
:func:`rank_models` applies the automatic model choice rule to the sound fits only.

Problems are ``(i18n key, fields)`` pairs (texts in :mod:`custlens.clv.texts`), so the
CLI and the report show them in English or Chinese instead of raw library warnings.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from custlens import i18n
from custlens.clv._fit import LOG_BOUND
from custlens.clv import _newton
from custlens.errors import ConvergenceWarning

__all__ = ["BOUND_MARGIN", "FitCheck", "MAE_TOLERANCE", "MAX_HOLDOUT_PCT", "MAX_RELATIVE_SE",
           "check_fit", "rank_models", "warning_problems"]

#: A log-parameter within this distance of the optimiser's bound (1e-8 or 1e8) is "on the bound".
BOUND_MARGIN = 1e-2
#: Standard error above this multiple of its estimate: the data cannot pin the parameter down.
MAX_RELATIVE_SE = 10.0
#: Aggregate holdout error (absolute, %) above which a fit is not used.
MAX_HOLDOUT_PCT = 50.0
#: Automatic choice: models whose holdout MAE is within this share of the best are tied on it.
MAE_TOLERANCE = 0.05


@dataclass
class FitCheck:
    """The problems found in one fitted model.

    Attributes
    ----------
    model : str
        Model name (``bgnbd``, ``mbgnbd``, ``pnbd``, ``bgbb``).
    problems : list of (str, dict)
        i18n keys of ``clv.diag.*`` and their fields; empty for a sound fit.
    """

    model: str
    problems: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def texts(self, lang: str = "en") -> list[str]:
        """The problems in ``lang``."""
        return [i18n.t(key, lang, **_named(fields, lang)) for key, fields in self.problems]


def _named(fields: dict[str, Any], lang: str) -> dict[str, Any]:
    out = dict(fields)
    if "model" in out:
        out["model"] = i18n.t(f"clv.model.{out['model']}", lang)
    return out


def warning_problems(name: str, caught: list[warnings.WarningMessage]) -> list[tuple[str, dict[str, Any]]]:
    """Problems a fit announced by warning that the parameter checks do not see.

    Bound and Hessian warnings are dropped (:func:`check_fit` finds those itself and says
    them in custlens' words); an optimiser that stopped early becomes ``clv.diag.not_converged``,
    one stopped by the Newton iteration cap (``MAX_NEWTON_ITER``) ``clv.diag.iteration_cap``.
    """
    out = []
    for w in caught:
        if issubclass(w.category, ConvergenceWarning) and "without converging" in str(w.message):
            if "the cap of" in str(w.message):  # _newton's iteration cap: a ridge
                out.append(("clv.diag.iteration_cap", {"model": name, "cap": _newton.MAX_NEWTON_ITER}))
            else:
                out.append(("clv.diag.not_converged", {"model": name}))
    return out[:1]


def check_fit(model: Any, name: str, holdout_pct_error: float | None = None,
              caught: list[warnings.WarningMessage] | None = None) -> FitCheck:
    """Check a fitted transaction model.

    Problems looked for:

    - a parameter or the log-likelihood that is not finite;
    - a parameter on the optimiser's bound (``1e-8`` or ``1e8``, within ``BOUND_MARGIN`` in
      log space): the likelihood kept improving towards a degenerate model;
    - a singular Hessian (standard errors NaN) or a standard error above ``MAX_RELATIVE_SE``
      times its estimate: the data cannot pin the parameters down;
    - an optimiser that stopped without converging (from ``caught``), including a Newton fit
      stopped by the iteration cap on a ridge of the likelihood;
    - an aggregate holdout error above ``MAX_HOLDOUT_PCT`` percent (or not finite).

    Parameters
    ----------
    model : fitted transaction model
        Any custlens CLV model (``params_``, ``log_likelihood_``, ``covariance_``).
    name : str
        Its name in the texts.
    holdout_pct_error : float, optional
        100 (predicted - actual) / actual on the holdout, when there was one.
    caught : list of warnings.WarningMessage, optional
        Warnings recorded while fitting.

    Returns
    -------
    FitCheck

    Examples
    --------
    >>> from custlens.clv import BetaGeoModel
    >>> m = BetaGeoModel.from_params(r=0.5, alpha=26.0, a=1e-8, b=1236.0)
    >>> [key for key, _ in check_fit(m, "bgnbd").problems][:1]
    ['clv.diag.bound']
    """
    problems: list[tuple[str, dict[str, Any]]] = []
    params = {k: float(v) for k, v in model.params_.items()}
    values = np.array(list(params.values()))
    fitted = getattr(model, "n_obs_", 0) > 0  # from_params models have no likelihood
    if not np.all(np.isfinite(values)) or (fitted and not np.isfinite(model.log_likelihood_)):
        problems.append(("clv.diag.nonfinite", {"model": name, "params": _fmt(params)}))
    with np.errstate(all="ignore"):
        logs = np.log(np.where(values > 0, values, np.nan))
    on_bound = np.isfinite(logs) & (np.abs(logs) >= LOG_BOUND - BOUND_MARGIN)
    for (k, v), hit in zip(params.items(), on_bound, strict=True):
        if hit:
            problems.append(("clv.diag.bound", {"model": name, "parameter": k, "value": f"{v:.3g}"}))
    cov = getattr(model, "covariance_", None)
    if cov is not None:
        diag = np.diag(np.asarray(cov, dtype=float))
        with np.errstate(all="ignore"):
            se = np.sqrt(diag)
        if not np.all(np.isfinite(se)) or np.any(diag <= 0):
            problems.append(("clv.diag.hessian", {"model": name}))
        else:
            rel = np.where(on_bound, 0.0, se / np.abs(values))  # a bound is reported already
            worst = int(np.argmax(rel))
            if rel[worst] > MAX_RELATIVE_SE:
                k = list(params)[worst]
                problems.append(("clv.diag.unidentified", {"model": name, "parameter": k,
                                                           "value": f"{values[worst]:.3g}",
                                                           "se": f"{se[worst]:.3g}"}))
    problems += warning_problems(name, caught or [])
    if holdout_pct_error is not None and (not np.isfinite(holdout_pct_error)
                                          or abs(holdout_pct_error) > MAX_HOLDOUT_PCT):
        problems.append(("clv.diag.holdout", {"model": name, "error": float(holdout_pct_error),
                                              "limit": MAX_HOLDOUT_PCT}))
    return FitCheck(name, problems)


def _fmt(params: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.4g}" for k, v in params.items())


def rank_models(table: pd.DataFrame, sound: dict[str, bool], tolerance: float = MAE_TOLERANCE
                ) -> tuple[list[str], str]:
    """Order the sound models by the automatic choice rule.

    With a holdout (``holdout_mae`` in ``table``): the sound models whose holdout MAE is
    within ``tolerance`` (5%) of the lowest are tied on accuracy and ordered by BIC (lowest
    first); the other sound models follow by holdout MAE. Without a holdout: by BIC.
    Per-customer MAE differences of a few percent are within noise, while BIC rewards the
    fit to the whole history and penalises parameters, so neither number decides alone.

    Parameters
    ----------
    table : DataFrame
        Index model name; columns ``bic`` and optionally ``holdout_mae``.
    sound : dict
        Model name -> passed :func:`check_fit`.
    tolerance : float, default 0.05

    Returns
    -------
    (list of str, str)
        The sound models, best first, and the rule used: ``"holdout_mae_bic"`` or ``"bic"``.
    """
    ok = table[[bool(sound.get(m, False)) for m in table.index]]
    ok = ok[np.isfinite(ok["bic"].to_numpy(dtype=float))]
    if "holdout_mae" not in table.columns:
        return [str(m) for m in ok.sort_values("bic").index], "bic"
    ok = ok[np.isfinite(ok["holdout_mae"].to_numpy(dtype=float))]
    if ok.empty:
        return [], "holdout_mae_bic"
    best = float(ok["holdout_mae"].min())
    tied = ok["holdout_mae"] <= best * (1.0 + tolerance)
    first = ok[tied].sort_values("bic")
    rest = ok[~tied].sort_values("holdout_mae")
    return [str(m) for m in [*first.index, *rest.index]], "holdout_mae_bic"
