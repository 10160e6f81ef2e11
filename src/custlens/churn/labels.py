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
from typing import TYPE_CHECKING

import ibis
import numpy as np
import pandas as pd
from ibis import _

from custlens import schema
from custlens.errors import InputError, MissingDataError
from custlens.store import Store

if TYPE_CHECKING:  # pragma: no cover
    from custlens.features.purchase_days import PurchaseDays

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


def _gaps(store: Store, as_of: pd.Timestamp, days: "PurchaseDays | None" = None) -> np.ndarray:
    """Every gap between consecutive purchase days before ``as_of`` (sorted), from `_gap_counts`,
    or from ``days`` (the same gaps, in customer order) when they are the purchase days as of ``as_of``."""
    if _usable_days(days, as_of):
        return _day_gaps(days)  # type: ignore[arg-type]
    values, counts = _gap_counts(store, as_of)
    return np.repeat(values, counts)


def _usable_days(days: "PurchaseDays | None", as_of: pd.Timestamp) -> bool:
    """True when ``days`` are the purchase days of every customer as of ``as_of`` (a midnight)."""
    return days is not None and pd.Timestamp(days.as_of) == pd.Timestamp(as_of) and as_of == as_of.normalize()


def _day_gaps(days: "PurchaseDays") -> np.ndarray:
    """The gaps (days, float) between each customer's consecutive purchase days, in customer order."""
    gaps = np.diff(days.day).astype(float)
    # a customer's first day has no gap: drop the differences that cross from one customer to the next
    keep = np.ones(len(gaps), dtype=bool)
    keep[days.start[1:-1] - 1] = False
    return gaps[keep]


def default_horizon(store: Store, as_of: pd.Timestamp, horizon_days: int | None = None,
                    quantile: float = 0.9, days: "PurchaseDays | None" = None) -> Horizon:
    """The churn horizon ``H``: given, or the ``quantile`` of the gaps between purchase days.

    Parameters
    ----------
    store : Store
    as_of : Timestamp
        Only gaps that end before ``as_of`` are used.
    horizon_days : int, optional
        A horizon set by the user (must be >= 1).
    quantile : float, default 0.9
    days : PurchaseDays, optional
        Every customer's purchase days as of ``as_of`` (`custlens.features.purchase_days`, the
        report has them): the gaps come from them instead of a pass over the orders (the same
        gaps; days of another date are ignored).

    Returns
    -------
    Horizon
    """
    if horizon_days is not None:
        if int(horizon_days) < 1:
            raise InputError(f"horizon_days={horizon_days} must be >= 1 (days without a purchase that count as churn)")
        return Horizon(int(horizon_days), "given", quantile)
    gaps = _gaps(store, as_of, days)
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


def snapshot_labels(store: Store, snapshots: list[pd.Timestamp], horizon_days: int,
                    days: "PurchaseDays | None" = None) -> dict[pd.Timestamp, pd.Series]:
    """The labels of every customer at each snapshot, from one pass over the orders.

    Labels are cheap (one flag per customer and snapshot) while features are not: computing the
    labels of all snapshots first lets `churn_analysis` draw its stratified sample of customers
    and build features for the sampled customers only.

    Parameters
    ----------
    store : Store
    snapshots : list of Timestamp
    horizon_days : int
    days : PurchaseDays, optional
        Every customer's purchase days as of a date on or after every label window's end (the
        report's): the labels come from them (no pass over the orders) when every snapshot is a
        midnight; otherwise they are ignored.

    Returns
    -------
    dict
        Per snapshot, a Series like `churn_labels` over the customers with an order before the
        snapshot, ordered by ``customer_id`` (the order of `snapshot_features`).
    """
    if days is not None and _days_cover(days, snapshots, horizon_days):
        return _labels_from_days(days, snapshots, horizon_days)
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


def _days_cover(days: "PurchaseDays", snapshots: list[pd.Timestamp], horizon_days: int) -> bool:
    """True when ``days`` see every label window whole and each snapshot is a midnight."""
    end = pd.Timestamp(days.as_of)
    return all(s == s.normalize() and s + pd.Timedelta(days=horizon_days) <= end for s in snapshots)


def _labels_from_days(days: "PurchaseDays", snapshots: list[pd.Timestamp],
                      horizon_days: int) -> dict[pd.Timestamp, pd.Series]:
    """`snapshot_labels` from purchase days: a snapshot at midnight of day ``d`` knows the customers
    whose first day is before ``d``, and a customer bought in its window when one of their purchase
    days lies in ``[d, d + H)``; both are binary searches in each customer's sorted days."""
    from custlens.churn.days import epoch_day, window_sums

    ids = pd.Index(days.customer_id, name=schema.CUSTOMER_ID)
    first = days.day[days.start[:-1]]
    out = {}
    for s in snapshots:
        d = epoch_day(s)
        known = first < d
        bought = window_sums(days, d, d + horizon_days, counts_only=True)[0] > 0
        out[s] = pd.Series((~bought[known]).astype("int64"), index=ids[known], name="churned", dtype="int64")
    return out

