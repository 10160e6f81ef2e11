"""Cohort retention by acquisition period: customers and revenue, first-time and recurring returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from custlens import schema
from custlens.behaviour._common import orders_as_of, orders_before
from custlens.errors import InputError
from custlens.features.customer_table import AsOf
from custlens.features.periods import MAX_BIT_PERIODS, WORD_BITS, CustomerActivity, customer_activity, period_index
from custlens.results import Result
from custlens.store import Store

if TYPE_CHECKING:  # pragma: no cover
    from custlens.features.purchase_days import PurchaseDays

__all__ = ["CohortResult", "cohorts"]

_UNITS = {"month": ("month", "MS"), "quarter": ("quarter", "QS")}
MATRICES = ("retention", "retention_first", "retention_recurring", "revenue", "revenue_retention",
            "revenue_per_customer", "active")


@dataclass
class CohortResult(Result):
    """Cohort retention.

    Attributes
    ----------
    cohorts : DataFrame
        ``cohort`` (first day of the acquisition period), ``customers, revenue`` (all revenue of
        the cohort before ``as_of``), ``periods_observed`` (complete periods after acquisition).
    table : DataFrame
        One row per cohort and period index ``period`` (0 = acquisition period), complete
        periods only: ``active`` (customers who ordered), ``first_time`` (their first repeat
        purchase day falls in the period), ``recurring`` (active and had repeated before),
        ``revenue``, and the rates ``retention = active / customers``, ``retention_first``,
        ``retention_recurring`` (the two add up to ``retention`` for period >= 1),
        ``revenue_per_customer = revenue / customers``, ``revenue_0`` (the cohort's revenue in
        period 0) and ``revenue_retention = revenue / revenue_0``.
    average : DataFrame
        ``period, cohorts, customers, retention, retention_first, retention_recurring,
        revenue_retention, revenue_per_customer``: the average curve, weighted by cohort size
        over the cohorts that observed the period; ``revenue_retention`` is the pooled
        ``sum(revenue) / sum(revenue_0)`` over those cohorts, cohorts with no revenue in the
        period included.
    freq : str
        ``month`` or ``quarter``.
    """

    cohorts: pd.DataFrame
    table: pd.DataFrame
    average: pd.DataFrame
    freq: str
    as_of: pd.Timestamp

    def matrix(self, value: str = "retention") -> pd.DataFrame:
        """Cohorts x periods of one column of `table` (e.g. ``retention``, ``revenue``)."""
        if value not in MATRICES:
            raise InputError(f"value={value!r} is unknown; use one of {', '.join(MATRICES)}")
        m = self.table.pivot(index="cohort", columns="period", values=value)
        m.columns.name = "period"
        return m

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: the average curve and the retention matrix."""
        mat = self.matrix("retention")
        return {
            "as_of": str(self.as_of.date()), "freq": self.freq,
            "average": self.average.to_dict("records"),
            "cohorts": [{"cohort": str(pd.Timestamp(c).date()), "customers": int(n),
                         "retention": [None if pd.isna(v) else float(v) for v in mat.loc[c].to_numpy()]}
                        for c, n in zip(self.cohorts["cohort"], self.cohorts["customers"])],
        }


def cohorts(store: Store, *, as_of: AsOf = None, freq: str = "month",
            activity: CustomerActivity | None = None, days: "PurchaseDays | None" = None) -> CohortResult:
    """Retention matrix of customers and revenue by acquisition period.

    Parameters
    ----------
    store : Store
        Needs the ``orders`` table.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    freq : {"month", "quarter"}
        Length of a period.
    activity : CustomerActivity, optional
        `custlens.features.periods.customer_activity` of the same period (``"M"`` or ``"Q"``)
        and ``as_of`` when the caller has it (the report shares it with the KPIs); queried
        when omitted.
    days : PurchaseDays, optional
        The customers' purchase days as of ``as_of`` (`custlens.features.purchase_days`) when the
        caller has them (the report's customer table): the revenue is summed from their day
        totals instead of a join over the orders (equal up to the last bits of the sums).

    Returns
    -------
    CohortResult

    Notes
    -----
    A customer's cohort is the period of their first order. Period ``k`` of a cohort is
    the ``k``-th period after it; only periods that ended by ``as_of`` are reported, so the
    last, partial period does not look like a drop. A customer active in period ``k >= 1``
    is *first-time* when their first repeat purchase (a purchase on a later day than the
    first order) falls in that period, else *recurring*.

    The counts come from the customers' activity bit sets (one grouping of the orders by
    customer); the revenue per cohort and period from one join of the orders with each
    customer's first period, or from ``days``.
    """
    if freq not in _UNITS:
        raise InputError(f"freq={freq!r} is unknown; use one of {', '.join(_UNITS)}")
    as_of = orders_as_of(store, as_of, "cohort retention")
    pfreq, pandas_freq = ("M", "MS") if freq == "month" else ("Q", "QS")
    if activity is None:
        activity = customer_activity(store, pfreq, as_of)
    elif activity.freq != pfreq:
        raise InputError(f"activity of freq={activity.freq!r} does not fit cohorts by {freq}; "
                         f"pass customer_activity(store, {pfreq!r}, as_of)")
    origin, n = activity.origin, activity.n_periods
    if activity.masks is None:
        raise InputError(f"{n} {freq}s of history are too many for cohorts by {freq} (at most {MAX_BIT_PERIODS}); "
                         "use freq='quarter'")
    starts = pd.date_range(origin, periods=n + 1, freq=pandas_freq)
    # the last period that ended by as_of (-1: none)
    last = n - 1 if starts[n] <= as_of else n - 2
    first = activity.first
    sizes_n = np.bincount(first, minlength=n)
    if days is None:
        revenue = _revenue(store, as_of, pfreq, origin, n)
    else:
        from custlens.features.activity_days import cohort_revenue_from_days

        revenue = cohort_revenue_from_days(days, pfreq, origin, n, as_of)
    observed = np.arange(n)[sizes_n > 0]
    sizes = pd.DataFrame({
        "cohort": starts[observed].astype("datetime64[ns]"),
        "customers": sizes_n[observed].astype("int64"),
        "revenue": revenue.sum(axis=1)[observed],
        "periods_observed": (last - observed).astype("int64"),
    })
    active = _active_by_cohort(activity, n)
    # each customer's first repeat period: a second purchase day in the first period, else the
    # first later period with an order
    repeat = np.where(activity.first_period_last_day > activity.first_day, first, _next_active(activity))
    has = repeat >= 0
    first_time = np.bincount(first[has] * n + repeat[has], minlength=n * n).reshape(n, n)
    cells = [(c, k) for c in observed for k in range(last - c + 1)]
    cc = np.array([c for c, _ in cells], dtype="int64")
    kk = np.array([k for _, k in cells], dtype="int64")
    pp = cc + kk
    ft = np.where(kk > 0, first_time[cc, pp], 0)
    table = pd.DataFrame({
        "cohort": starts[cc].astype("datetime64[ns]"), "period": kk, "active": active[cc, pp],
        "first_time": ft, "recurring": np.where(kk > 0, active[cc, pp] - ft, 0), "revenue": revenue[cc, pp],
    }).astype({"period": "int64", "active": "int64", "first_time": "int64", "recurring": "int64",
               "revenue": "float64"})
    table = table.merge(sizes[["cohort", "customers"]], on="cohort")
    table["retention"] = table["active"] / table["customers"]
    table["retention_first"] = table["first_time"] / table["customers"]
    table["retention_recurring"] = table["recurring"] / table["customers"]
    table["revenue_per_customer"] = table["revenue"] / table["customers"]
    base = table.loc[table["period"] == 0].set_index("cohort")["revenue"]
    # Period-0 revenue is carried as a column: recovering it as revenue / revenue_retention
    # lost every cohort with no revenue in a period (0 / 0), which inflated the average.
    table["revenue_0"] = table["cohort"].map(base).astype(float)
    table["revenue_retention"] = table["revenue"] / table["revenue_0"].replace(0, np.nan)
    avg_cols = ["period", "cohorts", "customers", "retention", "retention_first", "retention_recurring",
                "revenue_retention", "revenue_per_customer"]
    if table.empty:
        avg = pd.DataFrame({c: pd.Series(dtype="float64") for c in avg_cols})
    else:
        avg = table.groupby("period").apply(_weighted, include_groups=False).reset_index()[avg_cols]
    avg = avg.astype({"period": "int64", "cohorts": "int64", "customers": "int64"})
    return CohortResult(cohorts=sizes, table=table, average=avg, freq=freq, as_of=as_of)


def _active_by_cohort(activity: CustomerActivity, n: int) -> np.ndarray:
    """``active[c, p]``: customers of cohort ``c`` with an order in period ``p``."""
    order = np.argsort(activity.first, kind="stable")
    first = activity.first[order]
    cohorts_, starts = np.unique(first, return_index=True)
    active = np.zeros((n, n), dtype="int64")
    for j in range(activity.masks.shape[1]):
        words = np.ascontiguousarray(activity.masks[order, j]).view(np.uint8).reshape(-1, 8)
        bits = np.unpackbits(words, axis=1, bitorder="little")  # customers x 64 periods
        lo = j * WORD_BITS
        width = min(WORD_BITS, n - lo)
        # rows are sorted by cohort: one contiguous slice per cohort (np.add.reduceat is far slower)
        for c, a, b in zip(cohorts_, starts, [*starts[1:], len(first)]):
            active[c, lo:lo + width] = bits[a:b, :width].sum(axis=0, dtype="int64")
    return active


def _next_active(activity: CustomerActivity) -> np.ndarray:
    """Each customer's first period with an order after their first period (-1: none)."""
    first = activity.first
    out = np.full(len(first), -1, dtype="int64")
    for j in reversed(range(activity.masks.shape[1])):  # the lowest word with a later period wins
        m = activity.masks[:, j].copy()
        keep_from = first - j * WORD_BITS + 1  # bits below this are the first period or earlier
        m[keep_from >= WORD_BITS] = 0
        inside = (keep_from > 0) & (keep_from < WORD_BITS)
        m[inside] &= ~((np.int64(1) << keep_from[inside]) - 1)
        hit = m != 0
        out[hit] = j * WORD_BITS + np.log2((m[hit] & -m[hit]).astype(np.float64)).astype("int64")
    return out


def _revenue(store: Store, as_of: pd.Timestamp, pfreq: str, origin: pd.Timestamp, n: int) -> np.ndarray:
    """Revenue by cohort (rows) and period (columns), partial last period included."""
    o = orders_before(store, as_of)
    t = o.select(schema.CUSTOMER_ID, schema.AMOUNT, idx=period_index(o[schema.ORDERED_AT], pfreq, origin))
    f = t.group_by(schema.CUSTOMER_ID).aggregate(cohort=t.idx.min())
    j = t.join(f, schema.CUSTOMER_ID)
    df = store.execute(j.group_by(["cohort", "idx"]).aggregate(revenue=j[schema.AMOUNT].sum()))
    out = np.zeros((n, n))
    out[df["cohort"].to_numpy(dtype="int64"), df["idx"].to_numpy(dtype="int64")] = df["revenue"].to_numpy(dtype=float)
    return out


def _weighted(g: pd.DataFrame) -> pd.Series:
    n = g["customers"].sum()
    rev0 = g["revenue_0"].sum()
    return pd.Series({
        "cohorts": len(g), "customers": int(n),
        "retention": g["active"].sum() / n, "retention_first": g["first_time"].sum() / n,
        "retention_recurring": g["recurring"].sum() / n,
        "revenue_retention": g["revenue"].sum() / rev0 if rev0 else np.nan,
        "revenue_per_customer": g["revenue"].sum() / n,
    })
