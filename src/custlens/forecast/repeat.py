"""The CLV view of the next weeks: repeat purchases the existing customers are expected to make.

A BG/NBD model (`custlens.clv.BetaGeoModel`) is fitted on the customer table as of the
forecast origin; the expected number of repeat purchases of all existing customers in
``(0, t]`` weeks is ``sum_i E[X_i(t)]``, and the expected purchases of a period are the
differences of that curve at the period's ends. It counts purchase *days* of customers
already known at ``as_of``: new customers' orders are not in it, which is why it sits
below a time-series forecast of all orders by roughly the new customers' share.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from custlens.errors import CustlensError, InputError
from custlens.store import Store

__all__ = ["repeat_purchase_forecast"]

#: Rows scored per call of ``expected_purchases`` and ``p_alive``. A call on more rows than this
#: looks for repeated rows first (`custlens.clv` compresses above 20,000 rows): wasted work on rows
#: that are mostly distinct. The values are the same either way.
_CHUNK = 20_000


def repeat_purchase_forecast(store: Store, as_of: pd.Timestamp, starts: pd.DatetimeIndex,
                             ends: pd.DatetimeIndex, customers: pd.DataFrame | None = None,
                             fit_sample: int | None = None, random_state: int = 0) -> pd.DataFrame:
    """Expected repeat purchases of the existing customers in each period ``[start, end)``.

    Parameters
    ----------
    store : Store
        Holds ``orders``.
    as_of : Timestamp
        The forecast origin (first unobserved day).
    starts, ends : DatetimeIndex
        Period bounds (at or after ``as_of``).
    customers : pandas.DataFrame, optional
        The customer table as of ``as_of`` when the caller has it; computed when omitted.
    fit_sample : int, optional
        Fit the model on a uniform random sample of this many customers when there are more
        (the expected purchases are still summed over every customer); default: all of them.
    random_state : int
        Seed of the fit sample.

    Returns
    -------
    pandas.DataFrame
        ``ds`` (period start) and ``clv_orders``; ``attrs`` holds ``customers`` (scored) and
        ``fit_customers`` (the model was fitted on: fewer when sampled).

    Raises
    ------
    InputError
        When the BG/NBD model cannot be fitted (too few repeat customers), or for a
        ``fit_sample`` below 20.
    """
    from custlens.clv import BetaGeoModel
    from custlens.features import customer_table

    if fit_sample is not None and (isinstance(fit_sample, bool) or int(fit_sample) < 20):
        raise InputError(f"fit_sample={fit_sample!r} must be a whole number >= 20 (or None for every customer)")
    ct = customers if customers is not None else customer_table(store, as_of)
    rfm = ct[["frequency", "recency", "T"]].astype(float)
    if len(rfm) < 20 or (rfm["frequency"] > 0).sum() < 5:
        raise InputError(f"{len(rfm)} customers, {(rfm['frequency'] > 0).sum()} with repeat purchases: "
                         "too few for the BG/NBD model")
    fit_rows = rfm
    if fit_sample is not None and len(rfm) > int(fit_sample):
        rows = np.random.default_rng(random_state).choice(len(rfm), size=int(fit_sample), replace=False)
        fit_rows = rfm.iloc[np.sort(rows)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = BetaGeoModel().fit(fit_rows)
        except (CustlensError, ValueError, FloatingPointError) as exc:
            raise InputError(f"the BG/NBD model could not be fitted: {exc}") from exc
    bounds = sorted({*(pd.DatetimeIndex(starts)), *(pd.DatetimeIndex(ends))})
    # the customer table's unit is the week; no purchases in (T, T + 0]: exactly 0 there too
    horizons = {b: max((pd.Timestamp(b) - as_of).days, 0) / 7.0 for b in bounds}
    sums = _summed_expected(model, rfm, [t for t in horizons.values() if t > 0])
    cum = {b: 0.0 if t == 0 else sums[t] for b, t in horizons.items()}
    values = [max(cum[e] - cum[s], 0.0) for s, e in zip(starts, ends)]
    out = pd.DataFrame({"ds": pd.DatetimeIndex(starts), "clv_orders": values})
    out.attrs.update(customers=len(rfm), fit_customers=len(fit_rows))
    return out


def _summed_expected(model: object, rfm: pd.DataFrame, horizons: list[float]) -> dict[float, float]:
    """``sum_i E[X_i(t)]`` over the customers of ``rfm`` for each horizon ``t``.

    BG/NBD (Fader, Hardie & Lee 2005, eq. 10): ``E[X(t) | x, t_x, T] = P(alive | x, t_x, T) *
    h(x, T, t)``, where ``h`` does not depend on ``t_x``. So the sum is ``sum_j A_j h_j(t)`` over
    the distinct ``(x, T)`` pairs ``j`` (at 1M customers about 50,000, against 715,000 distinct
    ``(x, t_x, T)`` rows), with ``A_j`` the summed P(alive) of the pair's customers, and
    ``h_j = E / P(alive)`` of the pair at ``t_x = T`` (``t_x = 0`` without repeat purchases, where
    P(alive) is 1): the hypergeometric function is evaluated once per pair and horizon instead of
    once per customer row. Equal to the per-customer sum up to rounding (1e-12 relative;
    ``tests/forecast/test_repeat_fast.py``).
    """
    x = rfm["frequency"].to_numpy(dtype=float)
    age = rfm["T"].to_numpy(dtype=float)
    alive = _chunked(model.p_alive, rfm)
    fx, x_levels = pd.factorize(x, sort=False)
    fa, age_levels = pd.factorize(age, sort=False)
    _, first, inverse = np.unique(fx.astype(np.int64) * len(age_levels) + fa, return_index=True,
                                  return_inverse=True)
    summed_alive = np.bincount(inverse, weights=alive, minlength=len(first))
    px, page = x[first], age[first]
    pairs = pd.DataFrame({"frequency": px, "recency": np.where(px > 0, page, 0.0), "T": page})
    pair_alive = _chunked(model.p_alive, pairs)
    return {t: float(np.dot(summed_alive, _chunked(lambda d: model.expected_purchases(d, t), pairs) / pair_alive))
            for t in horizons}


def _chunked(score: object, rows: pd.DataFrame) -> np.ndarray:
    """``score(rows)``, computed `_CHUNK` rows at a time."""
    if len(rows) <= _CHUNK:
        return score(rows)
    return np.concatenate([score(rows.iloc[i:i + _CHUNK]) for i in range(0, len(rows), _CHUNK)])
