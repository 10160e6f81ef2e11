"""Cohort retention by acquisition period: customers and revenue, first-time and recurring returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd

from custlens import schema
from custlens.behaviour._common import orders_as_of, orders_before, ts
from custlens.errors import InputError
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store

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


def cohorts(store: Store, *, as_of: AsOf = None, freq: str = "month") -> CohortResult:
    """Retention matrix of customers and revenue by acquisition period.

    Parameters
    ----------
    store : Store
        Needs the ``orders`` table.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    freq : {"month", "quarter"}
        Length of a period.

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
    """
    if freq not in _UNITS:
        raise InputError(f"freq={freq!r} is unknown; use one of {', '.join(_UNITS)}")
    unit, _ = _UNITS[freq]
    as_of = orders_as_of(store, as_of, "cohort retention")
    months = 1 if unit == "month" else 3
    trunc = "M" if unit == "month" else "Q"
    orders = orders_before(store, as_of)
    o = orders.select(schema.CUSTOMER_ID, schema.AMOUNT, at=orders[schema.ORDERED_AT],
                      day=orders[schema.ORDERED_AT].date(), p=orders[schema.ORDERED_AT].truncate(trunc))
    f = o.group_by(schema.CUSTOMER_ID).aggregate(cohort=o.p.min(), first_day=o.day.min())
    later = o.join(f, schema.CUSTOMER_ID)
    later = later.filter(later.day > later.first_day)
    rep = later.group_by(schema.CUSTOMER_ID).aggregate(first_repeat=later.day.min())
    j = o.join(f, schema.CUSTOMER_ID)
    # Periods between two period starts, in whole months (portable: no engine date_diff needed).
    period = ((j.p.year() - j.cohort.year()) * 12 + j.p.month() - j.cohort.month()) // months
    a_ = j.group_by([j[schema.CUSTOMER_ID], j.cohort, j.p, period.name("period")]).aggregate(revenue=j[schema.AMOUNT].sum())
    a_ = a_.filter(a_.p + ibis.interval(months=months) <= ibis.literal(ts(as_of)))
    t = a_.left_join(rep, schema.CUSTOMER_ID)
    repeat_day, start = t.first_repeat, t.p.date()
    table = store.execute(t.group_by(["cohort", "period"]).aggregate(
        active=t.count(),
        first_time=t.count(where=(t.period > 0) & (repeat_day >= start)),
        recurring=t.count(where=(t.period > 0) & (repeat_day < start)),
        revenue=t.revenue.sum()).order_by(["cohort", "period"]))
    table = table.astype({"period": "int64", "active": "int64", "first_time": "int64", "recurring": "int64"})
    per_customer = o.group_by(schema.CUSTOMER_ID).aggregate(cohort=o.at.min().truncate(trunc),
                                                          revenue=o[schema.AMOUNT].sum())
    sizes = store.execute(per_customer.group_by("cohort").aggregate(
        customers=per_customer.count(), revenue=per_customer.revenue.sum()).order_by("cohort"))
    sizes["cohort"] = pd.to_datetime(sizes["cohort"]).astype("datetime64[ns]")
    table["cohort"] = pd.to_datetime(table["cohort"]).astype("datetime64[ns]")
    last_complete = (as_of - pd.Timedelta(days=1)).to_period("M" if unit == "month" else "Q")
    if (as_of.to_period("M" if unit == "month" else "Q").start_time != as_of):
        last_complete = last_complete - 1
    step = 1 if unit == "month" else 3
    sizes["periods_observed"] = [
        max(-1, (last_complete.start_time.year - c.year) * 12 // step + (last_complete.start_time.month - c.month) // step)
        for c in sizes["cohort"]]
    for c in ("customers", "periods_observed"):
        sizes[c] = sizes[c].astype("int64")
    # Every observed cell, zero-activity periods included.
    grid = pd.DataFrame([(c, k) for c, n in zip(sizes["cohort"], sizes["periods_observed"]) for k in range(n + 1)],
                        columns=["cohort", "period"]).astype({"cohort": "datetime64[ns]", "period": "int64"})
    table = grid.merge(table, on=["cohort", "period"], how="left").fillna(
        {"active": 0, "first_time": 0, "recurring": 0, "revenue": 0.0})
    for c in ("active", "first_time", "recurring", "period"):
        table[c] = table[c].astype("int64")
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
