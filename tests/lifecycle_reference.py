"""The lifecycle queries as of commit 5c1950d, before the one-pass rewrite (session 4), kept as the
reference of tests/test_lifecycle_onepass.py: `period_states`, `customer_stages` and `transitions`
ran three Ibis queries with windows over the orders (two stage tables and the monthly states). All
four functions changed (or went) since 5c1950d, so all are kept, verbatim but for the imports; the
stage names, rules and result class are imported from src.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from custlens import schema
from custlens.behaviour._common import has_column, orders_as_of, orders_before, ts
from custlens.errors import InputError
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.lifecycle import NOT_ACQUIRED, STAGES, StageRules, TransitionResult
from custlens.store import Store


def _monthly_activity(store: Store, as_of: pd.Timestamp) -> ibis.Table:
    """Revenue per customer and active month, with the customer's first and previous active month."""
    o = orders_before(store, as_of)
    a = o.group_by([o[schema.CUSTOMER_ID], o[schema.ORDERED_AT].truncate("M").name("p")]).aggregate(
        revenue=o[schema.AMOUNT].sum())
    return a.mutate(first_p=a.p.min().over(group_by=schema.CUSTOMER_ID),
                    prev_p=a.p.lag().over(ibis.window(group_by=schema.CUSTOMER_ID, order_by="p")))


def period_states(store: Store, as_of: AsOf = None) -> pd.DataFrame:
    """Monthly counts of new, returning, resurrecting and dormant customers (see the module doc)."""
    as_of = orders_as_of(store, as_of, "lifecycle states")
    x = _monthly_activity(store, as_of)
    new = x.p == x.first_p
    month_before = x.p - ibis.interval(months=1)
    returning = (x.p != x.first_p) & (x.prev_p == month_before)
    resurrecting = (x.p != x.first_p) & (x.prev_p < month_before)
    df = store.execute(x.group_by(period=x.p).aggregate(
        new=x.count(where=new), returning=x.count(where=returning), resurrecting=x.count(where=resurrecting),
        revenue_new=x.revenue.sum(where=new).fill_null(0),
        revenue_returning=x.revenue.sum(where=returning).fill_null(0),
        revenue_resurrecting=x.revenue.sum(where=resurrecting).fill_null(0)).order_by("period"))
    df["period"] = pd.to_datetime(df["period"])
    full = pd.date_range(df["period"].min(), (as_of - pd.Timedelta(days=1)).to_period("M").start_time, freq="MS")
    df = df.set_index("period").reindex(full, fill_value=0).rename_axis("period").reset_index()
    for c in ("new", "returning", "resurrecting"):
        df[c] = df[c].astype("int64")
    df["active"] = df["new"] + df["returning"] + df["resurrecting"]
    known_before = df["new"].cumsum().shift(1, fill_value=0)
    df["dormant"] = (known_before - df["returning"] - df["resurrecting"]).astype("int64")
    df["lapsed"] = (df["active"].shift(1, fill_value=0) - df["returning"]).astype("int64")
    df["complete"] = (df["period"] + pd.offsets.MonthBegin(1)) <= as_of
    return df[["period", "new", "returning", "resurrecting", "dormant", "lapsed", "active",
               "revenue_new", "revenue_returning", "revenue_resurrecting", "complete"]]


def customer_stages(store: Store, as_of: AsOf = None, rules: StageRules | None = None) -> pd.DataFrame:
    """The lifecycle stage of every known customer as of a date (rules in `StageRules`).

    Returns
    -------
    DataFrame
        ``customer_id, stage, orders, revenue, first_day, last_day, days_since_last, prev_gap_days``.
    """
    rules = rules or StageRules()
    store.require("orders", "lifecycle stages")
    as_of = resolve_as_of(store, as_of)
    o = orders_before(store, as_of)
    d = o.select(schema.CUSTOMER_ID, day=o[schema.ORDERED_AT].date()).distinct()
    r = d.mutate(gap=d.day.delta(d.day.lag().over(ibis.window(group_by=schema.CUSTOMER_ID, order_by="day")),
                                 unit="day"))
    # One window and one aggregate: the gap before the last purchase day is the gap at the
    # largest day (null for one-day customers), so no second window or join is needed.
    agg = r.group_by(schema.CUSTOMER_ID).aggregate(first_day=r.day.min(), last_day=r.day.max(),
                                                   prev_gap_days=r.gap.argmax(r.day))
    v = o.group_by(schema.CUSTOMER_ID).aggregate(orders=o.count(), revenue=o[schema.AMOUNT].sum())
    pop = agg.select(schema.CUSTOMER_ID)
    if store.has("customers"):
        c = store.table("customers")
        if has_column(store, "customers", "signup_at"):
            c = c.filter(c.signup_at.isnull() | (c.signup_at < ibis.literal(ts(as_of))))
        pop = pop.union(c.select(schema.CUSTOMER_ID), distinct=True)
    j = pop.left_join(agg, schema.CUSTOMER_ID).left_join(v, schema.CUSTOMER_ID)
    df = store.execute(j.select(pop[schema.CUSTOMER_ID], agg.first_day, agg.last_day, agg.prev_gap_days,
                                orders=v.orders.fill_null(0), revenue=v.revenue.fill_null(0))
                       .order_by(schema.CUSTOMER_ID))
    df["first_day"] = pd.to_datetime(df["first_day"]).astype("datetime64[us]")
    df["last_day"] = pd.to_datetime(df["last_day"]).astype("datetime64[us]")
    df["prev_gap_days"] = pd.to_numeric(df["prev_gap_days"], errors="coerce").astype("float64")
    df["days_since_last"] = (as_of - df["last_day"]).dt.days.astype("float64")
    since = df["days_since_last"].to_numpy()
    since_first = (as_of - df["first_day"]).dt.days.astype("float64").to_numpy()
    gap = df["prev_gap_days"].to_numpy()
    orders = df["orders"].to_numpy()
    active = since <= rules.active_days
    df["stage"] = np.select(
        [orders == 0,
         since_first <= rules.new_days,
         active & (gap >= rules.reactivation_gap_days),
         active & (orders >= rules.mature_orders),
         active,
         since <= rules.churn_days],
        ["prospect", "new", "reactivated", "mature", "active", "at_risk"],
        default="churned",
    )
    df["orders"] = df["orders"].astype("int64")
    return df[["customer_id", "stage", "orders", "revenue", "first_day", "last_day", "days_since_last", "prev_gap_days"]]


def transitions(store: Store, date_from: AsOf, date_to: AsOf = None, rules: StageRules | None = None,
                stages_to: pd.DataFrame | None = None) -> TransitionResult:
    """How customers moved between stages from ``date_from`` to ``date_to``.

    Customers unknown at ``date_from`` (no order and no signup yet) are the row ``not_acquired``.
    ``stages_to`` is `customer_stages` as of ``date_to`` under the same ``rules`` when the caller
    has it already (e.g. `LifecycleResult.customers`); computed when omitted.
    """
    store.require("orders", "lifecycle transitions")
    d0, d1 = resolve_as_of(store, date_from), resolve_as_of(store, date_to)
    if d0 >= d1:
        raise InputError(f"date_from={d0.date()} should be before date_to={d1.date()}")
    a = customer_stages(store, d0, rules)[["customer_id", "stage"]]
    b = (stages_to if stages_to is not None else customer_stages(store, d1, rules))[["customer_id", "stage"]]
    m = b.merge(a, on="customer_id", how="left", suffixes=("_to", "_from")).fillna({"stage_from": NOT_ACQUIRED})
    counts = pd.crosstab(m["stage_from"], m["stage_to"]).reindex(
        index=[*STAGES, NOT_ACQUIRED], columns=list(STAGES), fill_value=0)
    counts = counts.loc[counts.sum(axis=1) > 0]
    counts.index.name, counts.columns.name = "from", "to"
    shares = counts.div(counts.sum(axis=1), axis=0)
    return TransitionResult(counts=counts, shares=shares, date_from=d0, date_to=d1)


# -- session 5: `stage_value` before it counted stages on integer codes (commit 7cf235a) ----------
def stage_value(store: Store, stages: pd.DataFrame, as_of: AsOf = None) -> pd.DataFrame:
    """Customers, revenue and (when ``clv_scores`` were saved as of ``as_of``) CLV held in each stage.

    Scores saved at another as-of are stale and left out (`LifecycleResult.clv_scores` says so).
    """
    from custlens.clv.scores import score_status

    g = stages.groupby("stage")
    out = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].sum(), "mean_orders": g["orders"].mean()})
    out = out.reindex(list(STAGES)).fillna({"customers": 0, "revenue": 0.0})
    out["customers"] = out["customers"].astype("int64")
    n, rev = int(out["customers"].sum()), float(out["revenue"].sum())
    out["share"] = out["customers"] / n if n else 0.0
    out["revenue_share"] = out["revenue"] / rev if rev else 0.0
    out["revenue_per_customer"] = out["revenue"] / out["customers"].where(out["customers"] > 0)
    cols = ["customers", "share", "revenue", "revenue_share", "revenue_per_customer", "mean_orders"]
    if has_column(store, "clv_scores", "clv") and score_status(store, "clv_scores", as_of).ok:
        sc = store.table("clv_scores")
        clv = store.execute(sc.select(customer_id=sc[schema.CUSTOMER_ID].cast("string"), clv=sc.clv))
        m = stages[["customer_id", "stage"]].merge(clv, on="customer_id", how="left")
        out["clv"] = m.groupby("stage")["clv"].sum(min_count=1).reindex(out.index)
        total = out["clv"].sum()
        out["clv_share"] = out["clv"] / total if total else np.nan
        cols += ["clv", "clv_share"]
    return out[cols].rename_axis("stage").reset_index()

