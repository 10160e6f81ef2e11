"""`custlens.cohorts.cohorts` as of commit 5c1950d (before session 4), the reference of the new
one in tests/test_cohorts_reference.py: a grouping of the orders by (customer, cohort, period) and
a join with each customer's first repeat day. The code is verbatim (renamed `reference_cohorts`);
`CohortResult`, `_UNITS` and `_weighted`, unchanged since 5c1950d, are imported from src."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from custlens import schema
from custlens.behaviour._common import orders_as_of, orders_before, ts
from custlens.cohorts import _UNITS, CohortResult, _weighted
from custlens.errors import InputError


def reference_cohorts(store, *, as_of=None, freq: str = "month") -> CohortResult:
    """The old `custlens.cohorts.cohorts` (same parameters, result and rules; see its docstring)."""
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
