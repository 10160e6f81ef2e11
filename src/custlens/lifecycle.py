"""Customer lifecycle: period states over time, per-customer stages, transitions and value per stage.

Period states (growth accounting, per month): *new* (first order in the period),
*returning* (active in this and the previous period), *resurrecting* (active now, not in
the previous period, not new), *dormant* (acquired earlier, no order in the period;
*lapsed* counts those of them who were active in the previous period).

Per-customer stages as of a date follow the rules of `StageRules` (first match wins):
prospect → new → reactivated → mature → active → at risk → churned.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from custlens.behaviour._common import has_column, orders_as_of, query, ts
from custlens.errors import InputError
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.results import Result
from custlens.store import Store

__all__ = ["STAGES", "STATES", "LifecycleResult", "StageRules", "TransitionResult", "customer_stages",
           "lifecycle", "transitions"]

STATES: tuple[str, ...] = ("new", "returning", "resurrecting", "dormant")
STAGES: tuple[str, ...] = ("prospect", "new", "active", "mature", "reactivated", "at_risk", "churned")
#: Row label of customers not yet known at the first date of a transition matrix.
NOT_ACQUIRED = "not_acquired"


@dataclass(frozen=True)
class StageRules:
    """Rules of the per-customer stages; days are counted from the last purchase day to ``as_of``.

    Parameters
    ----------
    new_days : int, default 90
        *new*: first purchase within the last ``new_days`` days.
    active_days : int, default 180
        *active*: last purchase within the last ``active_days`` days.
    churn_days : int, default 365
        *churned*: no purchase for more than ``churn_days`` days; in between: *at risk*.
    mature_orders : int, default 4
        *mature*: active with at least ``mature_orders`` orders.
    reactivation_gap_days : int, default 180
        *reactivated*: active, and the gap before the last purchase day was at least this long.

    Customers in the ``customers`` table (signed up before ``as_of`` or with no signup date)
    without an order are *prospects*. Precedence: prospect, new, reactivated, mature,
    active, at risk, churned.
    """

    new_days: int = 90
    active_days: int = 180
    churn_days: int = 365
    mature_orders: int = 4
    reactivation_gap_days: int = 180

    def __post_init__(self) -> None:
        if not 0 < self.new_days <= self.active_days < self.churn_days:
            raise InputError(f"stage rules need 0 < new_days <= active_days < churn_days; got {asdict(self)}")


@dataclass
class LifecycleResult(Result):
    """Lifecycle states and stages.

    Attributes
    ----------
    periods : DataFrame
        Per month: ``period, new, returning, resurrecting, dormant, lapsed, active, revenue_new,
        revenue_returning, revenue_resurrecting, complete`` (``complete`` False for a period
        that ends after ``as_of``).
    customers : DataFrame
        Per customer: ``customer_id, stage, orders, revenue, first_day, last_day,
        days_since_last, prev_gap_days``.
    stages : DataFrame
        Value per stage: ``stage, customers, share, revenue, revenue_share, revenue_per_customer,
        mean_orders`` (and ``clv, clv_share`` when the store has ``clv_scores`` saved as of
        the same date).
    rules : StageRules
    clv_scores : dict
        State (``ok``, ``stale``, ``missing``) and context (model, horizon, as-of) of the
        saved CLV scores (`custlens.clv.scores.score_status`).
    """

    periods: pd.DataFrame
    customers: pd.DataFrame
    stages: pd.DataFrame
    rules: StageRules
    as_of: pd.Timestamp
    clv_scores: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        periods = self.periods.assign(period=self.periods["period"].dt.strftime("%Y-%m-%d"))
        return {"as_of": str(self.as_of.date()), "rules": asdict(self.rules), "clv_scores": self.clv_scores,
                "stages": self.stages.to_dict("records"), "periods": periods.to_dict("records")}


@dataclass
class TransitionResult(Result):
    """Stage transitions between two dates.

    Attributes
    ----------
    counts : DataFrame
        Rows: stage at ``date_from`` (plus ``not_acquired``), columns: stage at ``date_to``.
    shares : DataFrame
        ``counts`` divided by row totals.
    """

    counts: pd.DataFrame
    shares: pd.DataFrame
    date_from: pd.Timestamp
    date_to: pd.Timestamp


def _activity_cte(unit: str) -> str:
    return f"""
        WITH a AS (SELECT customer_id, date_trunc('{unit}', ordered_at) AS p, sum(amount) AS revenue
                   FROM orders WHERE ordered_at < ? GROUP BY 1, 2),
        x AS (SELECT a.*, min(p) OVER (PARTITION BY customer_id) AS first_p,
                     lag(p) OVER (PARTITION BY customer_id ORDER BY p) AS prev_p FROM a)
    """


def period_states(store: Store, as_of: AsOf = None) -> pd.DataFrame:
    """Monthly counts of new, returning, resurrecting and dormant customers (see the module doc)."""
    as_of = orders_as_of(store, as_of, "lifecycle states")
    cut = ts(as_of)
    df = query(store, _activity_cte("month") + """
        SELECT p AS period,
               count(*) FILTER (WHERE p = first_p) AS new,
               count(*) FILTER (WHERE p <> first_p AND prev_p = p - INTERVAL 1 MONTH) AS returning,
               count(*) FILTER (WHERE p <> first_p AND prev_p < p - INTERVAL 1 MONTH) AS resurrecting,
               coalesce(sum(revenue) FILTER (WHERE p = first_p), 0) AS revenue_new,
               coalesce(sum(revenue) FILTER (WHERE p <> first_p AND prev_p = p - INTERVAL 1 MONTH), 0) AS revenue_returning,
               coalesce(sum(revenue) FILTER (WHERE p <> first_p AND prev_p < p - INTERVAL 1 MONTH), 0) AS revenue_resurrecting
        FROM x GROUP BY 1 ORDER BY 1
    """, [cut])
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
    cut = ts(as_of)
    prospects = ""
    params: list[Any] = [cut, cut]
    if store.has("customers"):
        signup = "signup_at IS NULL OR signup_at < ?" if has_column(store, "customers", "signup_at") else "true"
        prospects = f"UNION SELECT customer_id FROM customers WHERE {signup}"
        if "?" in signup:
            params.append(cut)
    df = query(store, f"""
        WITH d AS (SELECT DISTINCT customer_id, CAST(ordered_at AS DATE) AS day FROM orders WHERE ordered_at < ?),
        r AS (SELECT customer_id, day, lag(day) OVER w AS prev, row_number() OVER (PARTITION BY customer_id ORDER BY day DESC) AS rk
              FROM d WINDOW w AS (PARTITION BY customer_id ORDER BY day)),
        agg AS (SELECT customer_id, min(day) AS first_day, max(day) AS last_day FROM d GROUP BY 1),
        lastgap AS (SELECT customer_id, date_diff('day', prev, day) AS prev_gap_days FROM r WHERE rk = 1),
        v AS (SELECT customer_id, count(*) AS orders, sum(amount) AS revenue FROM orders WHERE ordered_at < ? GROUP BY 1),
        pop AS (SELECT customer_id FROM agg {prospects})
        SELECT pop.customer_id, agg.first_day, agg.last_day, lastgap.prev_gap_days,
               coalesce(v.orders, 0) AS orders, coalesce(v.revenue, 0) AS revenue
        FROM pop LEFT JOIN agg USING (customer_id) LEFT JOIN lastgap USING (customer_id) LEFT JOIN v USING (customer_id)
        ORDER BY pop.customer_id
    """, params)
    df["first_day"] = pd.to_datetime(df["first_day"])
    df["last_day"] = pd.to_datetime(df["last_day"])
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
        clv = query(store, "SELECT CAST(customer_id AS VARCHAR) AS customer_id, clv FROM clv_scores")
        m = stages[["customer_id", "stage"]].merge(clv, on="customer_id", how="left")
        out["clv"] = m.groupby("stage")["clv"].sum(min_count=1).reindex(out.index)
        total = out["clv"].sum()
        out["clv_share"] = out["clv"] / total if total else np.nan
        cols += ["clv", "clv_share"]
    return out[cols].rename_axis("stage").reset_index()


def lifecycle(store: Store, *, as_of: AsOf = None, rules: StageRules | None = None) -> LifecycleResult:
    """Monthly lifecycle states, per-customer stages and the value held in each stage.

    Parameters
    ----------
    store : Store
        Needs ``orders``; ``customers`` adds prospects; ``clv_scores`` adds CLV per stage.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    rules : StageRules, optional
        Stage thresholds (defaults: new 90 days, active 180, churned after 365, mature 4
        orders, reactivated after a gap of 180 days).

    Returns
    -------
    LifecycleResult
    """
    rules = rules or StageRules()
    as_of = orders_as_of(store, as_of, "the customer lifecycle")
    stages = customer_stages(store, as_of, rules)
    from custlens.clv.scores import score_status

    return LifecycleResult(periods=period_states(store, as_of), customers=stages,
                           stages=stage_value(store, stages, as_of), rules=rules, as_of=as_of,
                           clv_scores=score_status(store, "clv_scores", as_of).to_dict())


def transitions(store: Store, date_from: AsOf, date_to: AsOf = None, rules: StageRules | None = None) -> TransitionResult:
    """How customers moved between stages from ``date_from`` to ``date_to``.

    Customers unknown at ``date_from`` (no order and no signup yet) are the row ``not_acquired``.
    """
    store.require("orders", "lifecycle transitions")
    d0, d1 = resolve_as_of(store, date_from), resolve_as_of(store, date_to)
    if d0 >= d1:
        raise InputError(f"date_from={d0.date()} should be before date_to={d1.date()}")
    a = customer_stages(store, d0, rules)[["customer_id", "stage"]]
    b = customer_stages(store, d1, rules)[["customer_id", "stage"]]
    m = b.merge(a, on="customer_id", how="left", suffixes=("_to", "_from")).fillna({"stage_from": NOT_ACQUIRED})
    counts = pd.crosstab(m["stage_from"], m["stage_to"]).reindex(
        index=[*STAGES, NOT_ACQUIRED], columns=list(STAGES), fill_value=0)
    counts = counts.loc[counts.sum(axis=1) > 0]
    counts.index.name, counts.columns.name = "from", "to"
    shares = counts.div(counts.sum(axis=1), axis=0)
    return TransitionResult(counts=counts, shares=shares, date_from=d0, date_to=d1)
