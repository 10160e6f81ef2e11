"""Scoring a posted order history with the models fitted on the store.

The history goes into a throw-away in-memory store, so the customer table, the trend
features and the CLV inputs come from the same library code as for the store's own
customers. The models are fitted once per store state (`custlens.server.state.StoreState`):

- CLV: `custlens.clv.run_clv` (``model="auto"``, 365 days, 1 % a month, without writing);
- churn: `custlens.churn.churn_analysis` (default horizon); P(alive) and P(no purchase in H
  days), churn features, come from the churn run's own MBG/NBD (`ChurnResult.btyd`, `custlens.churn.features.btyd_model`) fitted on the store's customers as of the same date,
  as in `custlens.churn.features.snapshot_features`; reasons compare with the store's typical
  low-risk customer.

Scoring one of the store's own customers with their orders (and profile) reproduces their
scores; ``tests/server/test_scoring.py`` checks it.
"""

from __future__ import annotations

import atexit
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from custlens import schema
from custlens.errors import InputError
from custlens.store import Store

__all__ = ["Fitted", "fit_models", "fit_in_process", "score_history", "PROFILE_FIELDS"]

#: Profile fields a posted history may carry (the churn model's demographics).
PROFILE_FIELDS = ("age", "income", "gender", "city_tier", "acquisition_channel")
_CID = "posted"
_local = threading.local()


@dataclass
class Fitted:
    """Models fitted on one store state."""

    as_of: pd.Timestamp
    clv: Any  # ClvResult
    churn: Any  # ChurnResult
    btyd: Any  # the MBG/NBD of the churn features (`custlens.churn.features.btyd_model`), or None
    shop_gap: float
    reference: dict[str, Any]
    drivers: set[str]
    seconds: dict[str, float]  # wall time of each fit


def fit_models(store: Store) -> Fitted:
    """Fit the CLV and churn models on ``store`` as of its default date (seconds, once per state)."""
    from custlens import analyses
    from custlens.churn.analysis import drivers_of
    from custlens.churn.reasons import reference_values
    from custlens.features import columns as c
    from custlens.features import customer_table

    as_of = store.default_as_of()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clv = analyses.clv(store, as_of=as_of, model="auto")
        t1 = time.perf_counter()
        churn = analyses.churn(store, as_of=as_of, table=customer_table(store, as_of))
        X = churn.features
        # The MBG/NBD behind the churn features' P(alive) (fitted on a stated sample of the day's
        # customers): the very model the churn run used, so a posted history gets the same features.
        btyd = churn.btyd if "p_alive" in X else None
    gaps = X[c.GAP_MEAN_DAYS]
    shop_gap = float(np.nanmedian(gaps)) if gaps.notna().any() else float(X[c.T_DAYS].median() or 1.0)
    p_now = churn.scores["churn_probability"].to_numpy()
    return Fitted(as_of=as_of, clv=clv, churn=churn, btyd=btyd, shop_gap=shop_gap,
                  reference=reference_values(churn.model, X, p_now), drivers=drivers_of(churn.importance),
                  seconds={"clv": round(t1 - t0, 1), "churn": round(time.perf_counter() - t1, 1)})


def _fit_path(path: str) -> Fitted:
    import os

    if hasattr(os, "nice"):
        os.nice(10)  # requests first: the fit takes the CPU the server leaves
    with Store(path, read_only=True) as store:
        return fit_models(store)


def fit_in_process(path: str) -> Fitted:
    """`fit_models` on the store at ``path`` in a child process; the fitted models come back pickled.

    A fit in a thread of the server holds the GIL for most of its minutes and starves the
    request threads (the 360 fell from 50 to ~4 answers a second during a churn fit); a child
    process leaves the server's interpreter to the requests and frees the fit's memory when done.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_fit_path, str(path)).result()


class _Scratch:
    """A per-thread in-memory store for posted histories, with its queries compiled once.

    Building and compiling the customer-table expression costs ~0.9 s, running it ~5 ms: the
    SQL of `custlens.features.customer_table_expr` is compiled once per ``as_of`` and the trend
    query of `custlens.churn.features._trend` once per expression, then run as is.
    """

    def __init__(self) -> None:
        self.store = Store(":memory:")
        self.table = self.store.table  # what `_trend` reads
        self._run: dict[Any, Callable[[], pd.DataFrame]] = {}

    def execute(self, expr: Any) -> pd.DataFrame:
        run = self._run.get(expr)
        if run is None:
            run = self._run[expr] = self.store.prepare(expr)
        return run()

    def customer_table(self, as_of: pd.Timestamp) -> pd.DataFrame:
        from custlens.features import columns as c
        from custlens.features.customer_table import customer_table_expr

        key = ("customer_table", as_of)
        if key not in self._run:
            self._run[key] = self.store.prepare(customer_table_expr(self.store, as_of))
        return self._run[key]()[list(c.CUSTOMER_TABLE_COLUMNS)]


_ALL: list[_Scratch] = []


@atexit.register
def _close_all() -> None:
    """Close the scratch stores before the interpreter tears threads down (DuckDB aborts otherwise)."""
    for sc in _ALL:
        sc.store.close()
    _ALL.clear()


def _scratch() -> _Scratch:
    """This thread's scratch store, emptied."""
    sc = getattr(_local, "scratch", None)
    if sc is None:
        sc = _local.scratch = _Scratch()
        _ALL.append(sc)
    for t in ("orders", "order_items", "returns"):
        sc.store.clear(t)
    return sc


def _history_table(orders: pd.DataFrame, returns: pd.DataFrame | None, as_of: pd.Timestamp
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer-table row and trend features of the posted history."""
    from custlens.churn.features import _trend

    sc = _scratch()
    n = len(orders)
    o = pd.DataFrame({"order_id": [f"p{i}" for i in range(n)], "customer_id": _CID,
                      "ordered_at": orders["ordered_at"].dt.floor("us"), "amount": orders["amount"].astype(float),
                      "discount": orders["discount"].astype(float) if "discount" in orders else np.nan,
                      "channel": orders["channel"] if "channel" in orders else None,
                      "category": orders["category"] if "category" in orders else None})
    sc.store.append("orders", o[["order_id", "customer_id", "ordered_at", "amount", "discount", "channel"]])
    lines = o[o["category"].notna()]
    sc.store.append("order_items", pd.DataFrame({
        "order_id": lines["order_id"], "line_no": 1, "product_id": "posted", "quantity": 1.0,
        "unit_price": lines["amount"], "line_amount": lines["amount"], "category": lines["category"]}))
    if returns is not None and len(returns):
        r = pd.DataFrame({"order_id": [f"r{i}" for i in range(len(returns))], "customer_id": _CID,
                          "returned_at": returns["returned_at"].dt.floor("us"),
                          "amount": returns["amount"].astype(float)})
        sc.store.append("returns", r)
    table = sc.customer_table(as_of).set_index(schema.CUSTOMER_ID)
    return table, _trend(sc, as_of)


def score_history(fitted: Fitted, orders: pd.DataFrame, profile: dict[str, Any] | None = None,
                  returns: pd.DataFrame | None = None) -> dict[str, Any]:
    """P(alive), expected purchases, CLV, churn probability, band and reasons of one history.

    Parameters
    ----------
    fitted : Fitted
        From `fit_models`.
    orders : DataFrame
        ``ordered_at`` (datetime), ``amount`` (>= 0), optional ``discount``, ``channel`` and
        ``category`` (one category per order).
    profile : dict, optional
        Any of `PROFILE_FIELDS`.
    returns : DataFrame, optional
        ``returned_at`` (datetime) and ``amount`` (> 0) of the customer's returns.

    Raises
    ------
    InputError
        No orders, or an order on or after the models' ``as_of``.
    """
    from custlens.churn.reasons import contributions, join_reasons, reasons_for
    from custlens.churn.warning import bands
    from custlens.clv import _names as N
    from custlens.clv.value import score_customers
    from custlens.features import columns as c

    as_of = fitted.as_of
    if orders.empty:
        raise InputError("post at least one order")
    if (orders["ordered_at"] >= as_of).any():
        raise InputError(f"every order must be before {as_of.date()} (the date the models are fitted as of)")
    table, trend = _history_table(orders, returns, as_of)
    row = table.iloc[[0]]
    clv_res = fitted.clv
    model, gg = clv_res.fitted["transaction"], clv_res.fitted["spend"]
    data = row[[N.FREQUENCY, N.RECENCY, N.T, N.MONETARY_VALUE]]
    if gg is not None:
        x, m = float(data[N.FREQUENCY].iloc[0]), float(data[N.MONETARY_VALUE].iloc[0])
        spend = gg.conditional_expected_spend(pd.DataFrame({N.FREQUENCY: [x if (x > 0 and m > 0) else 0.0],
                                                            N.MONETARY_VALUE: [m]}))
    else:  # the store's mean order value, as run_clv scores its customers
        spend = np.full(1, float(clv_res.scores["expected_spend"].iloc[0]))
    frame = data.assign(**{N.MONETARY_VALUE: np.asarray(spend, dtype=float)})
    with np.errstate(all="ignore"):
        scored = score_customers(model, frame, horizon_days=clv_res.horizon_days,
                                 discount_rate=clv_res.discount_rate, time_unit="W")
        days_next = float(model.expected_time_to_next_purchase(frame, "W")["expected_days"].iloc[0])

    churn = fitted.churn
    h = churn.horizon.days
    X = pd.DataFrame(index=pd.Index([_CID], name=schema.CUSTOMER_ID), columns=churn.features.columns, dtype=object)
    for col in X.columns:
        if col in row.columns:
            X[col] = row[col].to_numpy()
    X["usual_gap_days"] = row[c.GAP_MEAN_DAYS].fillna(max(fitted.shop_gap, 1.0)).clip(lower=1.0).to_numpy()
    X["gap_ratio"] = row[c.DAYS_SINCE_LAST].to_numpy() / X["usual_gap_days"].to_numpy(dtype=float)
    if fitted.btyd is not None:
        X["p_alive"] = np.asarray(fitted.btyd.p_alive(row), dtype=float)
        X["p_no_purchase"] = np.asarray(fitted.btyd.probability_of_purchases(row, h / 7.0, 0), dtype=float)
    for col in trend.columns:
        if col in X.columns:
            X[col] = trend[col].reindex([_CID]).to_numpy()
    for col in ("complaints_90d", "tickets_90d"):
        if col in X.columns:
            X[col] = 0.0
    for key, value in (profile or {}).items():
        if key in X.columns:
            X[key] = value
    for col in X.columns:  # the dtypes of `snapshot_features`
        if col in churn.model.numeric:
            X[col] = pd.to_numeric(X[col], errors="coerce").astype(float)
        elif col in churn.model.categorical:
            X[col] = X[col].astype(object).where(X[col].notna(), None)
    p = churn.model.predict_proba(X)
    contrib = contributions(churn.model, X, fitted.reference)
    reasons = reasons_for(contrib, X, fitted.reference, h, drivers=fitted.drivers)[0]
    return {
        "as_of": str(as_of.date()),
        "orders": int(row[c.ORDERS].iloc[0]),
        "total_spend": float(row[c.TOTAL_SPEND].iloc[0]),
        "clv_model": clv_res.model,
        "horizon_days": float(clv_res.horizon_days),
        "p_alive": float(scored["p_alive"].iloc[0]),
        "expected_purchases": float(scored["predicted_purchases"].iloc[0]),
        "expected_spend": float(scored["expected_spend"].iloc[0]),
        "clv": float(scored["clv"].iloc[0]),
        "expected_days_to_next": days_next,
        "churn_horizon_days": int(h),
        "churn_probability": float(p[0]),
        "risk_band": str(bands(p, churn.cutoffs)[0]),
        "reasons": {"en": join_reasons(reasons, "en"), "zh": join_reasons(reasons, "zh")},
    }
