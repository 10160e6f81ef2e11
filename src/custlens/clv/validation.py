"""Holdout validation of the transaction models and automatic model choice.

All functions take the calibration/holdout frame of :func:`summary_from_transactions`
(``frequency, recency, T, frequency_holdout, duration_holdout``) or raw transactions,
and return DataFrames for the report to draw.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from custlens.clv import _names as N
from custlens.clv._base import as_frame, column
from custlens.clv.data import _timestamps, _unit_days
from custlens.errors import ConvergenceError, InputError, MissingDataError


def _holdout(model: Any, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Actual and predicted holdout purchases per customer."""
    as_frame(data, (N.FREQUENCY, N.RECENCY, N.T, N.FREQUENCY_HOLDOUT, N.DURATION_HOLDOUT),
             "holdout validation")
    actual = column(data, N.FREQUENCY_HOLDOUT)
    duration = column(data, N.DURATION_HOLDOUT)
    predicted = np.empty(len(data))
    for d in np.unique(duration):
        rows = duration == d
        predicted[rows] = model.expected_purchases(data.loc[rows], float(d))
    return actual, predicted


def holdout_by_frequency(model: Any, data: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases by calibration frequency.

    Parameters
    ----------
    model : fitted transaction model
    data : DataFrame
        Calibration/holdout frame.
    max_frequency : int, default 7
        Frequencies above it are pooled into one ``max_frequency+`` group.

    Returns
    -------
    DataFrame
        Index ``frequency`` (0..max_frequency), columns ``customers``, ``actual``,
        ``predicted`` (mean holdout purchases per customer).
    """
    actual, predicted = _holdout(model, data)
    freq = np.minimum(column(data, N.FREQUENCY), max_frequency).astype(int)
    table = pd.DataFrame({N.FREQUENCY: freq, "actual": actual, "predicted": predicted})
    out = table.groupby(N.FREQUENCY).agg(customers=("actual", "size"), actual=("actual", "mean"),
                                         predicted=("predicted", "mean"))
    return out


def holdout_errors(model: Any, data: pd.DataFrame) -> dict[str, float]:
    """Per-customer and aggregate holdout errors.

    Returns
    -------
    dict
        ``mae`` and ``rmse`` per customer, ``actual`` and ``predicted`` totals and
        ``aggregate_pct_error`` = 100 (predicted - actual) / actual.
    """
    actual, predicted = _holdout(model, data)
    err = predicted - actual
    total = actual.sum()
    return {"mae": float(np.mean(np.abs(err))), "rmse": float(np.sqrt(np.mean(err**2))),
            "actual": float(total), "predicted": float(predicted.sum()),
            "aggregate_pct_error": float(100 * (predicted.sum() - total) / total) if total else np.nan}


def tracking(model: Any, transactions: pd.DataFrame, customer_col: str, date_col: str,
             calibration_end: Any, observation_end: Any, time_unit: str = "W") -> pd.DataFrame:
    """Repeat transactions per period, actual vs model: the classic CDNOW tracking plot.

    The cohort is the customers whose first purchase is on or before ``calibration_end``;
    same-day purchases count once. The model line is the sum over customers of the
    expected repeat purchases of a new customer since their first purchase.

    Parameters
    ----------
    model : fitted transaction model
        Fitted on the calibration period of the same transactions.
    transactions : DataFrame
    customer_col, date_col : str
    calibration_end, observation_end : date-like
    time_unit : {"D", "W", "M", "Y"}
        Length of one period.

    Returns
    -------
    DataFrame
        One row per period (1, 2, ...): ``period_end`` (date), ``actual``, ``model``
        (repeat transactions in the period), ``actual_cumulative``,
        ``model_cumulative`` and ``holdout`` (bool).
    """
    day = _timestamps(transactions[date_col], date_col)
    frame = pd.DataFrame({"c": transactions[customer_col].to_numpy(), "d": day.to_numpy()})
    end = pd.Timestamp(observation_end).normalize()
    frame = frame[frame["d"] <= end].drop_duplicates()
    first = frame.groupby("c")["d"].transform("min")
    pairs = pd.DataFrame({"first": first, "day": frame["d"]}).value_counts().rename("n").reset_index()
    return tracking_pairs(model, pairs, calibration_end, observation_end, time_unit)


def tracking_pairs(model: Any, pairs: pd.DataFrame, calibration_end: Any, observation_end: Any,
                   time_unit: str = "W") -> pd.DataFrame:
    """:func:`tracking` from customer counts per (first purchase day, purchase day).

    Parameters
    ----------
    model : fitted transaction model
    pairs : DataFrame
        ``first`` (a customer's first purchase day), ``day`` (one of their purchase days,
        the first included) and ``n`` (customers with that pair); what a store can
        aggregate without handing over every order.
    calibration_end, observation_end : date-like
    time_unit : {"D", "W", "M", "Y"}

    Returns
    -------
    DataFrame
        As :func:`tracking`.
    """
    unit = _unit_days(time_unit)
    end, cal_end = pd.Timestamp(observation_end).normalize(), pd.Timestamp(calibration_end).normalize()
    frame = pairs[(pairs["day"] <= end) & (pairs["first"] <= cal_end)]
    if frame.empty:
        raise MissingDataError("no customers made a first purchase before calibration_end")
    start = frame["first"].min()
    n_periods = int(np.ceil(((end - start).days + 1) / unit))
    weight = frame["n"].to_numpy(dtype=float)
    is_repeat = (frame["day"] > frame["first"]).to_numpy()
    offset = (frame["day"][is_repeat] - start).dt.days.to_numpy()
    actual = np.bincount((offset // unit).astype(int), weights=weight[is_repeat],
                         minlength=n_periods)[:n_periods]
    firsts = (frame["first"][~is_repeat] - start).dt.days.to_numpy() / unit
    starts, inverse = np.unique(firsts, return_inverse=True)
    counts = np.bincount(inverse, weights=weight[~is_repeat])
    edges = np.minimum(np.arange(1, n_periods + 1) * 1.0, ((end - start).days + 1) / unit)
    cumulative = np.zeros(n_periods)
    for s0, cnt in zip(starts, counts, strict=True):
        live = edges > s0
        cumulative[live] += cnt * model.expected_purchases_new_customer(edges[live] - s0)
    period_end = start + pd.to_timedelta(edges * unit - 1, unit="D")
    return pd.DataFrame({
        "period_end": period_end.normalize(), "actual": actual.astype(float),
        "model": np.diff(cumulative, prepend=0.0), "actual_cumulative": np.cumsum(actual).astype(float),
        "model_cumulative": cumulative, "holdout": period_end.normalize() > cal_end,
    }, index=pd.RangeIndex(1, n_periods + 1, name="period"))


@dataclass
class ModelComparison:
    """Fit statistics of several models, their soundness checks and the one chosen.

    Attributes
    ----------
    table : DataFrame
        One row per model: ``log_likelihood``, ``n_params``, ``aic``, ``bic``, with a
        holdout ``holdout_mae``, ``holdout_rmse``, ``holdout_pct_error``, and ``sound``
        (passed :func:`~custlens.clv.diagnostics.check_fit`).
    best : str
        Name of the chosen model; empty when no fit is sound.
    criterion : str
        The rule of the choice: ``holdout_mae_bic`` (lowest BIC among the sound models
        within 5% of the best holdout MAE), ``bic``, or the column asked for.
    models : dict
        The fitted models by name.
    checks : dict
        :class:`~custlens.clv.diagnostics.FitCheck` by name.
    ranking : list of str
        The sound models in the order of the rule (``best`` first).
    """

    table: pd.DataFrame
    best: str
    criterion: str
    models: dict[str, Any] = field(repr=False)
    checks: dict[str, Any] = field(default_factory=dict, repr=False)
    ranking: list[str] = field(default_factory=list)

    @property
    def best_model(self) -> Any:
        """The chosen fitted model."""
        if not self.best:
            raise ConvergenceError("no model passed the soundness checks; see the checks attribute")
        return self.models[self.best]


def _default_models() -> dict[str, Any]:
    from custlens.clv.bgnbd import BetaGeoModel
    from custlens.clv.mbgnbd import ModifiedBetaGeoModel
    from custlens.clv.pareto_nbd import ParetoNBDModel

    return {"bgnbd": BetaGeoModel(), "mbgnbd": ModifiedBetaGeoModel(), "pnbd": ParetoNBDModel()}


def compare_models(data: pd.DataFrame, models: dict[str, Any] | None = None,
                   criterion: str | None = None) -> ModelComparison:
    """Fit several transaction models, check each, and pick the best sound one.

    Every fit is checked (:func:`~custlens.clv.diagnostics.check_fit`: parameters on a
    bound, singular Hessian, huge holdout error...); only sound fits can be chosen. The
    default rule (:func:`~custlens.clv.diagnostics.rank_models`): with a holdout, the
    lowest BIC among the sound models whose holdout MAE is within 5% of the best; without
    one, the lowest BIC. The fits' warnings are recorded in the checks, never re-raised.

    Parameters
    ----------
    data : DataFrame
        ``frequency, recency, T``; with ``frequency_holdout`` and ``duration_holdout``
        the holdout errors are computed too.
    models : dict, optional
        Unfitted models by name (default BG/NBD ``bgnbd``, MBG/NBD ``mbgnbd`` and
        Pareto/NBD ``pnbd``).
    criterion : str, optional
        A column of the table to minimise instead of the default rule (among sound fits).

    Returns
    -------
    ModelComparison
        ``best`` is empty when no fit is sound.

    Raises
    ------
    MissingDataError
        When no model could be fitted.
    """
    from custlens.clv.diagnostics import FitCheck, check_fit, rank_models

    models = models or _default_models()
    has_holdout = N.FREQUENCY_HOLDOUT in data.columns and N.DURATION_HOLDOUT in data.columns
    rows, fitted, checks = [], {}, {}
    for name, model in models.items():
        try:
            with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
                warnings.simplefilter("always")
                model.fit(data)
        except ConvergenceError:
            checks[name] = FitCheck(name, [("clv.diag.failed", {"model": name})])
            continue
        fitted[name] = model
        row = {"model": name, "log_likelihood": model.log_likelihood_,
               "n_params": len(model.params_), "aic": model.aic_, "bic": model.bic_}
        pct = None
        if has_holdout:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                err = holdout_errors(model, data)
            pct = err["aggregate_pct_error"]
            row |= {"holdout_mae": err["mae"], "holdout_rmse": err["rmse"],
                    "holdout_pct_error": pct}
        checks[name] = check_fit(model, name, pct, caught)
        row["sound"] = checks[name].sound
        rows.append(row)
    if not rows:
        raise MissingDataError("none of the CLV models could be fitted; more customers with "
                               "repeat purchases are needed")
    table = pd.DataFrame(rows).set_index("model")
    sound = {m: c.sound for m, c in checks.items()}
    if criterion is None:
        ranking, criterion = rank_models(table, sound)
    else:
        if criterion not in table.columns:
            raise InputError(f"criterion={criterion!r} is not one of {list(table.columns)}")
        ok = table[table["sound"] & table[criterion].notna()]
        ranking = [str(m) for m in ok.sort_values(criterion).index]
    return ModelComparison(table, ranking[0] if ranking else "", criterion, fitted, checks, ranking)
