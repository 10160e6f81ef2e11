"""Churn definitions: the horizon, the snapshot dates and the labels.

Definition (a), the one the model learns: a customer who bought before a snapshot date has
*churned* at that date when they make no purchase in the ``H`` days from it. ``H`` defaults to
the 90th percentile of the gaps between consecutive purchase days of all customers before
``as_of``: nine in ten repeat purchases come within ``H`` days of the previous one, so ``H``
days of silence is unusual. A snapshot is labelled only when its whole window lies before
``as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
from ibis import _

from custlens import schema
from custlens.errors import InputError, MissingDataError
from custlens.store import Store

__all__ = ["Horizon", "default_horizon", "snapshot_dates", "churn_labels", "snapshot_labels"]

#: Shortest and longest horizon derived from the data, in days.
MIN_HORIZON, MAX_HORIZON = 30, 365
#: Gaps needed before the percentile is trusted.
MIN_GAPS = 30


@dataclass(frozen=True)
class Horizon:
    """The churn horizon and how it was chosen.

    Attributes
    ----------
    days : int
        ``H``: days without a purchase that count as churn.
    basis : str
        ``"percentile"`` (from the data), ``"fallback"`` (too few gaps: 90 days) or ``"given"``.
    quantile : float
        The percentile used (0.9).
    n_gaps : int
        Gaps between purchase days the percentile was computed from.
    raw_days : float
        The percentile before rounding and clipping to [30, 365].
    """

    days: int
    basis: str
    quantile: float = 0.9
    n_gaps: int = 0
    raw_days: float = float("nan")

    def to_dict(self) -> dict[str, object]:
        return {"days": self.days, "basis": self.basis, "quantile": self.quantile,
                "n_gaps": self.n_gaps, "raw_days": None if np.isnan(self.raw_days) else self.raw_days}


def _gap_counts(store: Store, as_of: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """Distinct gaps between consecutive purchase days before ``as_of`` and how often each occurs.

    Gaps are whole days, so a few hundred distinct values stand for millions of gaps: the store
    counts them instead of sending every gap (ten million rows at a million customers) to pandas.
    """
    orders = store.require(schema.ORDERS.name, "churn analysis")
    cut = ibis.literal(as_of.to_pydatetime(), type="timestamp")
    days = (orders.filter(orders[schema.ORDERED_AT] < cut)
            .mutate(_day=_[schema.ORDERED_AT].date().epoch_days())
            .select(schema.CUSTOMER_ID, "_day").distinct())
    w = ibis.window(group_by=schema.CUSTOMER_ID, order_by="_day")
    gaps = days.mutate(gap=(_._day - _._day.lag().over(w))).filter(_.gap.notnull())
    counts = store.execute(gaps.group_by("gap").aggregate(n=_.count()).order_by("gap"))
    return counts["gap"].to_numpy(dtype=float), counts["n"].to_numpy(dtype=np.int64)


def _gaps(store: Store, as_of: pd.Timestamp) -> np.ndarray:
    """Every gap between consecutive purchase days before ``as_of`` (sorted), from `_gap_counts`."""
    values, counts = _gap_counts(store, as_of)
    return np.repeat(values, counts)


def default_horizon(store: Store, as_of: pd.Timestamp, horizon_days: int | None = None,
                    quantile: float = 0.9) -> Horizon:
    """The churn horizon ``H``: given, or the ``quantile`` of the gaps between purchase days.

    Parameters
    ----------
    store : Store
    as_of : Timestamp
        Only gaps that end before ``as_of`` are used.
    horizon_days : int, optional
        A horizon set by the user (must be >= 1).
    quantile : float, default 0.9

    Returns
    -------
    Horizon
    """
    if horizon_days is not None:
        if int(horizon_days) < 1:
            raise InputError(f"horizon_days={horizon_days} must be >= 1 (days without a purchase that count as churn)")
        return Horizon(int(horizon_days), "given", quantile)
    gaps = _gaps(store, as_of)
    if len(gaps) < MIN_GAPS:
        return Horizon(90, "fallback", quantile, len(gaps))
    raw = float(np.quantile(gaps, quantile))
    days = int(np.clip(np.ceil(raw), MIN_HORIZON, MAX_HORIZON))
    return Horizon(days, "percentile", quantile, len(gaps), raw)


def snapshot_dates(store: Store, as_of: pd.Timestamp, horizon_days: int, n_train: int = 3,
                   step_days: int | None = None) -> tuple[pd.Timestamp, list[pd.Timestamp]]:
    """The held-out snapshot and the training snapshots, stepping back from ``as_of``.

    The held-out snapshot is ``as_of - H`` (the most recent one whose label window has ended).
    Training snapshots start at ``as_of - 2H`` (their windows end before the held-out
    snapshot, so no label of the training data is observed after it) and step back by
    ``step_days`` (default ``min(H, 90)``) while at least 60 days of orders precede them.

    Returns
    -------
    (Timestamp, list of Timestamp)
        The held-out snapshot and the training snapshots, most recent first.

    Raises
    ------
    MissingDataError
        When the orders do not cover two horizons plus 60 days.
    """
    orders = store.require(schema.ORDERS.name, "churn analysis")
    first = pd.Timestamp(store.execute(orders[schema.ORDERED_AT].min())).normalize()
    step = int(step_days or min(horizon_days, 90))
    holdout = as_of - pd.Timedelta(days=horizon_days)
    start = as_of - pd.Timedelta(days=2 * horizon_days)
    train = [start - pd.Timedelta(days=k * step) for k in range(n_train)]
    train = [s for s in train if s >= first + pd.Timedelta(days=60)]
    if not train:
        span = (as_of - first).days
        raise MissingDataError(
            f"churn needs orders covering two horizons plus 60 days before as_of ({2 * horizon_days + 60} days "
            f"with horizon_days={horizon_days}); the orders cover {span} days ({first.date()} to {as_of.date()}). "
            "Load a longer history or pass a shorter --horizon")
    return holdout, train


def churn_labels(store: Store, snapshot: pd.Timestamp, horizon_days: int,
                 customers: pd.Index) -> pd.Series:
    """1 when the customer made no purchase in ``[snapshot, snapshot + H)``, else 0.

    Parameters
    ----------
    store : Store
    snapshot : Timestamp
    horizon_days : int
    customers : Index
        The customers with an order before ``snapshot`` (the rows of its features).

    Returns
    -------
    Series
        int 0/1 indexed like ``customers``, named ``churned``.
    """
    orders = store.table(schema.ORDERS.name)
    lo = ibis.literal(snapshot.to_pydatetime(), type="timestamp")
    hi = ibis.literal((snapshot + pd.Timedelta(days=horizon_days)).to_pydatetime(), type="timestamp")
    bought = orders.filter((orders[schema.ORDERED_AT] >= lo) & (orders[schema.ORDERED_AT] < hi))
    buyers = store.execute(bought.select(schema.CUSTOMER_ID).distinct())[schema.CUSTOMER_ID]
    churned = (~pd.Index(customers).isin(buyers)).astype("int64")
    return pd.Series(churned, index=customers, name="churned", dtype="int64")


def snapshot_labels(store: Store, snapshots: list[pd.Timestamp], horizon_days: int) -> dict[pd.Timestamp, pd.Series]:
    """The labels of every customer at each snapshot, from one pass over the orders.

    Labels are cheap (one flag per customer and snapshot) while features are not: computing the
    labels of all snapshots first lets `churn_analysis` draw its stratified sample of customers
    and build features for the sampled customers only.

    Parameters
    ----------
    store : Store
    snapshots : list of Timestamp
    horizon_days : int

    Returns
    -------
    dict
        Per snapshot, a Series like `churn_labels` over the customers with an order before the
        snapshot, ordered by ``customer_id`` (the order of `snapshot_features`).
    """
    orders = store.require(schema.ORDERS.name, "churn analysis")
    at = orders[schema.ORDERED_AT]

    def ts(t: pd.Timestamp) -> ibis.Expr:
        return ibis.literal(t.to_pydatetime(), type="timestamp")

    flags = {f"_b{i}": ((at >= ts(s)) & (at < ts(s + pd.Timedelta(days=horizon_days)))).any()
             for i, s in enumerate(snapshots)}
    df = store.execute(orders.group_by(schema.CUSTOMER_ID).aggregate(_first=at.min(), **flags))
    df = df.sort_values(schema.CUSTOMER_ID, kind="stable").set_index(schema.CUSTOMER_ID)
    first = pd.to_datetime(df["_first"]).to_numpy()
    out = {}
    for i, s in enumerate(snapshots):
        known = first < np.datetime64(s.to_datetime64())
        y = (~df[f"_b{i}"].to_numpy(dtype=bool)[known]).astype("int64")
        out[s] = pd.Series(y, index=df.index[known], name="churned", dtype="int64")
    return out
