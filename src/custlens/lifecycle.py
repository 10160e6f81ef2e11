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
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custlens import schema
from custlens._lifecycle_activity import Activity, StageInputs, epoch_day, monthly_states, read_activity, stage_inputs
from custlens.behaviour._common import has_column, orders_as_of
from custlens.errors import InputError
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.results import Result
from custlens.store import Store

if TYPE_CHECKING:  # pragma: no cover
    from custlens.features.purchase_days import CustomerBuild

__all__ = ["STAGES", "STATES", "LifecycleResult", "StageRules", "TransitionResult", "customer_stages",
           "lifecycle", "transitions"]

STATES: tuple[str, ...] = ("new", "returning", "resurrecting", "dormant")
STAGES: tuple[str, ...] = ("prospect", "new", "active", "mature", "reactivated", "at_risk", "churned")
#: Row label of customers not yet known at the first date of a transition matrix.
NOT_ACQUIRED = "not_acquired"
_CODE = {s: i for i, s in enumerate(STAGES)}


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
    transitions : TransitionResult or None
        Stage transitions into ``as_of`` when `lifecycle` was given ``transitions_from``.
    """

    periods: pd.DataFrame
    customers: pd.DataFrame
    stages: pd.DataFrame
    rules: StageRules
    as_of: pd.Timestamp
    clv_scores: dict[str, Any] = field(default_factory=dict)
    transitions: TransitionResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        periods = self.periods.assign(period=self.periods["period"].dt.strftime("%Y-%m-%d"))
        out = {"as_of": str(self.as_of.date()), "rules": asdict(self.rules), "clv_scores": self.clv_scores,
               "stages": self.stages.to_dict("records"), "periods": periods.to_dict("records")}
        if self.transitions is not None:
            tr = self.transitions
            out["transitions"] = {"from": str(tr.date_from.date()), "to": str(tr.date_to.date()),
                                  "counts": tr.counts.to_dict(orient="index")}  # as `custlens lifecycle --json`
        return out


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


def period_states(store: Store, as_of: AsOf = None) -> pd.DataFrame:
    """Monthly counts of new, returning, resurrecting and dormant customers (see the module doc)."""
    as_of = orders_as_of(store, as_of, "lifecycle states")
    return _periods(read_activity(store, as_of, amounts=True), as_of)


def _periods(act: Activity, as_of: pd.Timestamp) -> pd.DataFrame:
    df = monthly_states(act)
    if df.empty:
        raise InputError(f"the lifecycle states need orders before as_of={as_of.date()}; the store has none "
                         f"that early: pass a later as_of")
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


def _stage_codes(x: StageInputs, when: pd.Timestamp, rules: StageRules) -> np.ndarray:
    """Index in `STAGES` of each customer's stage as of ``when`` (first matching rule wins)."""
    cut = epoch_day(when)
    since = cut - x.last_day  # NaN for prospects: every comparison below is False
    since_first = cut - x.first_day
    active = since <= rules.active_days
    return np.select(
        [x.orders == 0,
         since_first <= rules.new_days,
         active & (x.prev_gap >= rules.reactivation_gap_days),
         active & (x.orders >= rules.mature_orders),
         active,
         since <= rules.churn_days],
        [_CODE[s] for s in ("prospect", "new", "reactivated", "mature", "active", "at_risk")],
        default=_CODE["churned"],
    ).astype(np.int8)


def _stage_frame(act: Activity, x: StageInputs, codes: np.ndarray, rows: bool = True) -> pd.DataFrame:
    """The per-customer stage table (known customers, in ``customer_id`` order; no row unless ``rows``)."""
    if not rows:
        order = np.zeros(0, np.int64)
    elif act.order is None:
        raise ValueError("the activity was read without its customer order; read it with ordered=True")
    else:
        order = act.order[x.known[act.order]]

    def day(v: np.ndarray) -> np.ndarray:
        out = np.where(np.isnan(v), 0, v).astype("int64").astype("datetime64[D]").astype("datetime64[us]")
        out[np.isnan(v)] = np.datetime64("NaT")
        return out

    cut = epoch_day(act.as_of)
    last, first = x.last_day[order], x.first_day[order]
    return pd.DataFrame({
        "customer_id": act.ids[order], "stage": np.asarray(STAGES, dtype=object)[codes[order]],
        "orders": x.orders[order].astype("int64"), "revenue": act.revenue[order],
        "first_day": day(first), "last_day": day(last),
        "days_since_last": (cut - last).astype("float64"), "prev_gap_days": x.prev_gap[order].astype("float64"),
    })


def customer_stages(store: Store, as_of: AsOf = None, rules: StageRules | None = None) -> pd.DataFrame:
    """The lifecycle stage of every known customer as of a date (rules in `StageRules`).

    Returns
    -------
    DataFrame
        ``customer_id, stage, orders, revenue, first_day, last_day, days_since_last, prev_gap_days``,
        in ``customer_id`` order.
    """
    rules = rules or StageRules()
    store.require("orders", "lifecycle stages")
    as_of = resolve_as_of(store, as_of)
    act = read_activity(store, as_of)
    x = stage_inputs(act, as_of)
    return _stage_frame(act, x, _stage_codes(x, as_of, rules))


def stage_value(store: Store, stages: pd.DataFrame, as_of: AsOf = None) -> pd.DataFrame:
    """Customers, revenue and (when ``clv_scores`` were saved as of ``as_of``) CLV held in each stage.

    ``stages`` is a `customer_stages` frame (``customer_id, stage, orders, revenue``); rows of
    other stage names are left out. Scores saved at another as-of are stale and left out
    (`LifecycleResult.clv_scores` says so).
    """
    code = stages["stage"].map(_CODE)
    keep = code.notna().to_numpy()
    return _value_of_stages(store, code.to_numpy()[keep].astype(np.int64),
                            stages["revenue"].to_numpy(dtype=np.float64)[keep],
                            stages["orders"].to_numpy(dtype=np.float64)[keep],
                            lambda: stages["customer_id"].to_numpy()[keep], as_of)


def _value_of_stages(store: Store, codes: np.ndarray, revenue: np.ndarray, orders: np.ndarray,
                     ids: Callable[[], np.ndarray], as_of: AsOf) -> pd.DataFrame:
    """`stage_value` of customers given as arrays: stage codes (index in `STAGES`), revenue,
    orders, and their ids (asked for only when CLV scores are joined). Sums per stage are
    `numpy.bincount` over the codes: no per-customer frame, no grouping of strings."""
    from custlens.clv.scores import score_status

    k = len(STAGES)
    n_stage = np.bincount(codes, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_orders = np.where(n_stage > 0, np.bincount(codes, weights=orders, minlength=k) / n_stage, np.nan)
    out = pd.DataFrame({"customers": n_stage.astype("int64"),
                        "revenue": np.bincount(codes, weights=np.nan_to_num(revenue, nan=0.0), minlength=k),
                        "mean_orders": mean_orders}, index=pd.Index(list(STAGES), dtype=object))
    n, rev = int(out["customers"].sum()), float(out["revenue"].sum())
    out["share"] = out["customers"] / n if n else 0.0
    out["revenue_share"] = out["revenue"] / rev if rev else 0.0
    out["revenue_per_customer"] = out["revenue"] / out["customers"].where(out["customers"] > 0)
    cols = ["customers", "share", "revenue", "revenue_share", "revenue_per_customer", "mean_orders"]
    if has_column(store, "clv_scores", "clv") and score_status(store, "clv_scores", as_of).ok:
        out["clv"] = _clv_by_stage(store, codes, ids())
        total = out["clv"].sum()
        out["clv_share"] = out["clv"] / total if total else np.nan
        cols += ["clv", "clv_share"]
    return out[cols].rename_axis("stage").reset_index()


def _clv_by_stage(store: Store, codes: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The saved CLV summed per stage (NaN for a stage without any score): each customer's scores
    summed by the store, matched to ``ids`` by an Arrow hash lookup."""
    sc = store.table("clv_scores")
    per = sc.group_by(_cid=sc[schema.CUSTOMER_ID].cast("string")).aggregate(_clv=sc.clv.sum())
    scores = store.ibis.to_pyarrow(per)
    pos = pc.index_in(pa.array(ids, type=pa.string()), value_set=scores.column("_cid").combine_chunks())
    pos = pos.fill_null(-1).to_numpy(zero_copy_only=False)
    clv = scores.column("_clv").to_numpy().astype(np.float64)  # a null sum (no score) arrives as NaN
    hit = pos >= 0
    value = clv[pos[hit]]
    scored = ~np.isnan(value)
    where, value = codes[hit][scored], value[scored]
    k = len(STAGES)
    sums = np.bincount(where, weights=value, minlength=k)
    return np.where(np.bincount(where, minlength=k) > 0, sums, np.nan)


def lifecycle(store: Store, *, as_of: AsOf = None, rules: StageRules | None = None,
              transitions_from: AsOf = None, customers: CustomerBuild | None = None,
              per_customer: bool = True) -> LifecycleResult:
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
    transitions_from : date-like, optional
        When given, `LifecycleResult.transitions` holds the stage transitions from this date to
        ``as_of`` (`transitions`), read in the same pass over the orders.
    customers : CustomerBuild, optional
        The customer table and purchase days of the same ``as_of``
        (`custlens.features.purchase_days.build_customer_table`, e.g. the report's
        ``ctx.customer_build()``): everything is then read from its purchase days, with no pass
        over the orders. Same results (revenue sums to rounding: the amounts are added in
        another order).
    per_customer : bool, default True
        Build `LifecycleResult.customers` (a row per customer); with False it is empty and only
        the aggregates are computed (the report shows no per-customer row).

    Returns
    -------
    LifecycleResult
    """
    from custlens.clv.scores import score_status

    rules = rules or StageRules()
    as_of = orders_as_of(store, as_of, "the customer lifecycle")
    start = None if transitions_from is None else _check_dates(store, transitions_from, as_of)
    if customers is None:
        act = read_activity(store, as_of, amounts=True)
    else:
        from custlens._lifecycle_days import activity_from_build

        act = activity_from_build(store, customers, as_of, ordered=per_customer)
    x = stage_inputs(act, as_of)
    codes = _stage_codes(x, as_of, rules)
    stages = _stage_frame(act, x, codes) if per_customer else _stage_frame(act, x, codes, rows=False)
    known = x.known
    value = _value_of_stages(store, codes[known].astype(np.int64), act.revenue[known],
                             x.orders[known].astype(np.float64), lambda: act.ids[known], as_of)
    moves = None if start is None else _transitions(act, codes, start, as_of, rules)
    return LifecycleResult(periods=_periods(act, as_of), customers=stages, stages=value, rules=rules,
                           as_of=as_of, clv_scores=score_status(store, "clv_scores", as_of).to_dict(),
                           transitions=moves)


def _check_dates(store: Store, date_from: AsOf, date_to: pd.Timestamp) -> pd.Timestamp:
    d0 = resolve_as_of(store, date_from)
    if d0 >= date_to:
        raise InputError(f"date_from={d0.date()} should be before date_to={date_to.date()}")
    return d0


def transitions(store: Store, date_from: AsOf, date_to: AsOf = None, rules: StageRules | None = None,
                stages_to: pd.DataFrame | None = None) -> TransitionResult:
    """How customers moved between stages from ``date_from`` to ``date_to``.

    Customers unknown at ``date_from`` (no order and no signup yet) are the row ``not_acquired``.
    Both dates' stages come from one pass over the orders before ``date_to``. ``stages_to`` is
    `customer_stages` as of ``date_to`` under the same ``rules`` when the caller has it already
    (e.g. `LifecycleResult.customers`); it then gives the stages at ``date_to``.
    `lifecycle` with ``transitions_from`` gives the same matrix without a second pass.
    """
    rules = rules or StageRules()
    store.require("orders", "lifecycle transitions")
    d1 = resolve_as_of(store, date_to)
    d0 = _check_dates(store, date_from, d1)
    act = read_activity(store, d1)
    if stages_to is None:
        return _transitions(act, _stage_codes(stage_inputs(act, d1), d1, rules), d0, d1, rules)
    x0 = stage_inputs(act, d0)
    codes0 = _stage_codes(x0, d0, rules)
    a = pd.DataFrame({"customer_id": act.ids[x0.known], "stage_from": np.asarray(STAGES, object)[codes0[x0.known]]})
    m = stages_to[["customer_id", "stage"]].merge(a, on="customer_id", how="left")
    m = m.fillna({"stage_from": NOT_ACQUIRED})
    counts = pd.crosstab(m["stage_from"], m["stage"]).reindex(index=[*STAGES, NOT_ACQUIRED], columns=list(STAGES),
                                                              fill_value=0)
    return _transition_result(counts, d0, d1)


def _transitions(act: Activity, codes_to: np.ndarray, d0: pd.Timestamp, d1: pd.Timestamp,
                 rules: StageRules) -> TransitionResult:
    """The transition matrix from the stages of ``act``'s customers at ``d0`` to ``codes_to`` at ``d1``."""
    x0 = stage_inputs(act, d0)
    codes0 = np.where(x0.known, _stage_codes(x0, d0, rules), len(STAGES))  # the last row: not acquired
    k = len(STAGES)
    grid = np.bincount(codes0.astype(np.int64) * k + codes_to, minlength=(k + 1) * k).reshape(k + 1, k)
    counts = pd.DataFrame(grid.astype("int64"), index=pd.Index([*STAGES, NOT_ACQUIRED], dtype=object),
                          columns=pd.Index(list(STAGES), dtype=object))
    return _transition_result(counts, d0, d1)


def _transition_result(counts: pd.DataFrame, d0: pd.Timestamp, d1: pd.Timestamp) -> TransitionResult:
    counts = counts.loc[counts.sum(axis=1) > 0]
    counts.index.name, counts.columns.name = "from", "to"
    shares = counts.div(counts.sum(axis=1), axis=0)
    return TransitionResult(counts=counts, shares=shares, date_from=d0, date_to=d1)
