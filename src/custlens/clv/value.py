"""Customer lifetime value: expected purchases x expected spend, discounted monthly."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from custlens.clv import _names as N
from custlens.clv._fit import compress, mostly_distinct
from custlens.errors import InputError


def _months(horizon_months: float | None, horizon_days: float | None) -> float:
    if (horizon_months is None) == (horizon_days is None):
        raise InputError("pass exactly one of horizon_months and horizon_days")
    months = horizon_months if horizon_months is not None else horizon_days / N.TIME_UNIT_DAYS["M"]
    if not np.isfinite(months) or months <= 0:
        raise InputError(f"the horizon must be > 0, got {months} months")
    return float(months)


def _fast(model: Any) -> bool:
    return hasattr(model, "_expected") and hasattr(model, "_rfm")


def _discounted_purchases(model: Any, data: pd.DataFrame, months: float, discount_rate: float,
                          units_per_month: float) -> np.ndarray:
    """Sum over months k of (expected purchases in month k) / (1 + d)^k, per customer
    (models without ``_horizon_scores``, e.g. BG/BB)."""
    n_steps = math.ceil(months - 1e-12)
    ends = np.minimum(np.arange(1, n_steps + 1, dtype=float), months)
    out = 0.0
    previous = 0.0
    for end in ends:
        current = np.asarray(model.expected_purchases(data, end * units_per_month), dtype=float)
        out = out + (current - previous) / (1.0 + discount_rate) ** end
        previous = current
    return np.asarray(out, dtype=float)


def _horizon_weights(months: float, discount_rate: float, units_per_month: float
                     ) -> tuple[np.ndarray, np.ndarray, int]:
    """Horizons, weights and the index of the whole horizon, so that
    ``sum_k weights[k] E(ts[k])`` is :func:`_discounted_purchases`' sum.

    ``sum_k (E_k - E_{k-1}) v_k = sum_k E_k (v_k - v_{k+1})`` with ``v_k = (1 + d)^-end_k``
    and ``v_{K+1} = 0``: every horizon's expectation enters once.
    """
    n_steps = math.ceil(months - 1e-12)
    ends = np.minimum(np.arange(1, n_steps + 1, dtype=float), months)
    v = (1.0 + discount_rate) ** -ends
    weights = v - np.append(v[1:], 0.0)
    ts = ends * units_per_month
    horizon = months * units_per_month
    if ts[-1] == horizon:
        return ts, weights, len(ts) - 1
    return np.append(ts, horizon), np.append(weights, 0.0), len(ts)


def _spend(data: pd.DataFrame, spend_model: Any | None) -> np.ndarray:
    if spend_model is not None:
        return np.asarray(spend_model.conditional_expected_spend(data), dtype=float)
    if N.MONETARY_VALUE not in data.columns:
        raise InputError(f"pass a fitted GammaGammaModel as spend_model or a '{N.MONETARY_VALUE}' column")
    return data[N.MONETARY_VALUE].to_numpy(dtype=float)


def _units_per_month(discount_rate: float, time_unit: str, units_per_month: float | None) -> float:
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise InputError(f"discount_rate={discount_rate} must be a monthly rate > -1 (e.g. 0.01)")
    if units_per_month is not None:
        return float(units_per_month)
    if time_unit not in N.TIME_UNIT_DAYS:
        raise InputError(f"time_unit={time_unit!r} is not one of {sorted(N.TIME_UNIT_DAYS)}")
    return N.TIME_UNIT_DAYS["M"] / N.TIME_UNIT_DAYS[time_unit]


def customer_lifetime_value(
    transaction_model: Any,
    data: pd.DataFrame,
    spend_model: Any | None = None,
    *,
    horizon_months: float | None = None,
    horizon_days: float | None = None,
    discount_rate: float = 0.01,
    time_unit: str = "W",
    units_per_month: float | None = None,
) -> np.ndarray:
    """Discounted expected value of each customer's purchases over a horizon.

    ``CLV = spend * sum_k E[purchases in month k] / (1 + discount_rate)^k``, where the
    expected purchases come from ``transaction_model`` given each history and the spend
    per purchase from ``spend_model`` (a fitted :class:`GammaGammaModel`) or, without
    one, the ``monetary_value`` column. A partial last month is discounted at its
    fractional exponent. This is the scheme of lifetimes' ``customer_lifetime_value``.

    Parameters
    ----------
    transaction_model : fitted transaction model
        BG/NBD, MBG/NBD, Pareto/NBD (or BG/BB, whose time unit is its period).
    data : DataFrame
        ``frequency, recency, T`` (and ``monetary_value``) per customer.
    spend_model : GammaGammaModel, optional
        Fitted spend model.
    horizon_months, horizon_days : float
        The horizon; pass exactly one (a month is 365.25 / 12 days).
    discount_rate : float, default 0.01
        Monthly discount rate.
    time_unit : {"D", "W", "M", "Y"}, default "W"
        Time unit of ``recency`` and ``T``.
    units_per_month : float, optional
        Overrides the time units per month derived from ``time_unit`` (365.25 / 12 / 7 =
        4.348 weeks; lifetimes uses 4.345 weeks and 30 days).

    Returns
    -------
    ndarray
        CLV per customer, in the currency of the spend.

    Examples
    --------
    >>> clv = customer_lifetime_value(bgnbd, rfm, gamma_gamma, horizon_months=12)  # doctest: +SKIP
    """
    return score_customers(transaction_model, data, spend_model, horizon_months=horizon_months,
                           horizon_days=horizon_days, discount_rate=discount_rate,
                           time_unit=time_unit, units_per_month=units_per_month,
                           _clv_only=True)["clv"].to_numpy()


def score_customers(
    transaction_model: Any,
    data: pd.DataFrame,
    spend_model: Any | None = None,
    *,
    horizon_months: float | None = None,
    horizon_days: float | None = None,
    discount_rate: float = 0.01,
    time_unit: str = "W",
    units_per_month: float | None = None,
    _clv_only: bool = False,
) -> pd.DataFrame:
    """Per-customer CLV table: predicted purchases, P(alive), expected spend and CLV.

    Parameters are those of :func:`customer_lifetime_value`; the predicted purchases
    cover the same horizon. Identical histories are scored once.

    Returns
    -------
    DataFrame
        Columns ``predicted_purchases``, ``p_alive``, ``expected_spend``, ``clv``; same
        index as ``data``.
    """
    months = _months(horizon_months, horizon_days)
    upm = _units_per_month(discount_rate, time_unit, units_per_month)
    spend = _spend(data, spend_model)
    out = pd.DataFrame(index=data.index)
    if _fast(transaction_model):
        cols = transaction_model._rfm(data)
        # time-stamp data are nearly all distinct: merging them would cost more than it saves
        unique, inverse = (cols, None) if mostly_distinct(cols) else compress(cols)[::2]
        ts, weights, keep = _horizon_weights(months, discount_rate, upm)
        p_alive, predicted, disc = transaction_model._horizon_scores(ts, weights, keep, *unique)
        if inverse is not None:
            p_alive, predicted, disc = p_alive[inverse], predicted[inverse], disc[inverse]
        if not _clv_only:
            out["predicted_purchases"] = predicted
            out["p_alive"] = p_alive
    else:
        disc = _discounted_purchases(transaction_model, data, months, discount_rate, upm)
        if not _clv_only:
            out["predicted_purchases"] = transaction_model.expected_purchases(data, months * upm)
            out["p_alive"] = transaction_model.p_alive(data)
    if not _clv_only:
        out["expected_spend"] = spend
    out["clv"] = spend * disc
    return out
