"""Customer 360: everything the store knows about one customer, as one plain dictionary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import ibis
import pandas as pd

from custlens.behaviour._common import before, ts
from custlens.behaviour.preferences import customer_preferences
from custlens.errors import MissingDataError
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.lifecycle import StageRules, customer_stages
from custlens.results import Result, jsonable, records
from custlens.store import Store

__all__ = ["Customer360", "customer_360", "saved_row"]

#: Profile columns of the customers table shown in the 360 view.
PROFILE_COLUMNS = ("signup_at", "gender", "age", "birth_date", "region", "city", "city_tier", "occupation",
                   "income", "acquisition_channel")
SUMMARY_COLUMNS = ("orders", "purchase_days", "total_spend", "aov", "days_since_last", "tenure_days",
                   "gap_mean_days", "returns_count", "returns_value", "return_rate", "discount_share",
                   "favourite_category", "favourite_channel")


@dataclass
class Customer360(Result):
    """Everything known about one customer as of a date (see `customer_360` for each field).

    Every field is already plain (ids and texts, numbers, ISO dates, dicts and lists of
    them); `to_dict` is the content of ``custlens customer ID --json``, field by field.
    """

    customer_id: str
    as_of: str
    orders: int
    revenue: float
    first_order: str | None
    last_order: str | None
    aov: float | None
    days_since_last: float | None
    segment: str | None
    segment_scheme: str
    rfm: dict[str, Any] | None
    lifecycle_stage: str
    profile: dict[str, Any] | None
    order_summary: dict[str, Any]
    preferences: dict[str, list[dict[str, Any]]]
    clv: dict[str, Any] | None
    churn: dict[str, Any] | None
    scores: dict[str, dict[str, Any]]
    recent_orders: list[dict[str, Any]]
    feedback: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    surveys: list[dict[str, Any]]
    voc: dict[str, Any] | None


def _scores(store: Store, table: str, customer_id: str, as_of: pd.Timestamp) -> dict[str, Any] | None:
    """The customer's saved scores, only when they were computed as of ``as_of`` (else None)."""
    from custlens.clv.scores import score_status

    if not score_status(store, table, as_of).ok or "customer_id" not in store.columns(table):
        return None
    t = store.table(table)
    df = store.execute(t.filter(t.customer_id.cast("string") == customer_id).limit(1))
    return None if df.empty else saved_row({k: v for k, v in df.iloc[0].items() if k != "customer_id"})


def saved_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row of a saved table as the 360 view shows it: plain values, the JSON columns
    (``reasons``, ``options``, see `custlens.schema.SAVED_TABLES`) as lists and dicts."""
    out = {k: jsonable(v) for k, v in row.items()}
    for col in ("reasons", "options"):
        if isinstance(out.get(col), str):
            try:
                out[col] = json.loads(out[col])
            except ValueError:
                pass  # a table saved before reasons were keys: shown as it is
    return out


def _recent(store: Store, table: str, time_col: str, customer_id: str, cut: Any, limit: int) -> list[dict[str, Any]]:
    if not store.has(table):
        return []
    t = before(store, table, time_col, cut)
    t = t.filter(t.customer_id == customer_id).order_by(ibis.desc(time_col)).limit(int(limit))
    df = store.execute(t.drop("customer_id"))
    return records(df.drop(columns=[c for c in ("source",) if c in df.columns]))


def customer_360(store: Store, customer_id: str, *, as_of: AsOf = None, recent: int = 10,
                 scheme: str = "rfm11") -> Customer360:
    """Everything known about one customer as of a date.

    Parameters
    ----------
    store : Store
        The store; ``orders`` is needed, every other table is used when present.
    customer_id : str
        The customer.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    recent : int, default 10
        How many recent orders, feedback items, tickets and survey answers to list.
    scheme : str, default "rfm11"
        RFM segment map.

    Returns
    -------
    Customer360
        Fields ``customer_id, as_of, orders, revenue, first_order, last_order, aov, days_since_last,
        segment, segment_scheme, rfm (r/f/m scores), lifecycle_stage, profile (customers
        table row or None), order_summary, preferences, clv (row of ``clv_scores`` or None),
        churn (row of ``churn_scores`` or None), scores (per ``clv``/``churn``: the state
        ``ok``/``stale``/``missing`` and the model, horizon and as-of the saved scores were
        computed with), recent_orders, feedback, tickets, surveys,
        voc`` (`custlens.voc.customer.customer_voc` row: NPS, complaints, sentiment, open tickets; or None). Saved scores computed at
        another as-of than the view's are stale and not shown (``clv``/``churn`` None).
        Keys are i18n-free: ``segment`` is a key of ``segment.<scheme>.*``,
        ``lifecycle_stage`` a key of ``lifecycle.stage.*``.

    Raises
    ------
    MissingDataError
        When the customer has neither an order nor a customer record.
    """
    from custlens.clv.scores import score_status
    from custlens.features import customer_table
    from custlens.segments import rfm

    store.require("orders", "the customer 360 view")
    as_of = resolve_as_of(store, as_of)
    cid = str(customer_id).strip()
    cut = ts(as_of)
    o = store.table("orders")
    in_orders = int(store.execute(o.filter(o.customer_id == cid).count()))
    c = store.table("customers")
    in_customers = store.has("customers") and int(store.execute(c.filter(c.customer_id == cid).count()))
    if not in_orders and not in_customers:
        examples = list(store.execute(o.select("customer_id").distinct().order_by("customer_id").limit(3))["customer_id"])
        raise MissingDataError(
            f"customer {cid!r} is not in the store {store.path!r} (no order and no customer record); "
            f"customer ids look like {', '.join(map(repr, examples))}")
    table = customer_table(store, as_of)
    row = table.loc[table["customer_id"] == cid]
    summary = {c: jsonable(row.iloc[0][c]) for c in SUMMARY_COLUMNS if c in row} if len(row) else {}
    segment, scores = None, None
    if len(row):
        seg = rfm(table, scheme=scheme).customers.set_index("customer_id").loc[cid]
        segment = str(seg["segment"])
        scores = {k: jsonable(seg[f"{k}_score"]) for k in ("r", "f", "m")}
    stages = customer_stages(store, as_of, StageRules())
    st = stages.loc[stages["customer_id"] == cid, "stage"]
    stage = str(st.iloc[0]) if len(st) else "prospect"
    profile = None
    if in_customers:
        prof = store.execute(c.filter(c.customer_id == cid)).iloc[0]
        profile = {c: jsonable(prof[c]) for c in PROFILE_COLUMNS if c in prof.index}
    recent_orders = _recent(store, "orders", "ordered_at", cid, cut, recent)
    surveys = _recent(store, "surveys", "answered_at", cid, cut, recent)
    return Customer360(**{
        "customer_id": cid,
        "as_of": str(as_of.date()),
        "orders": int(summary.get("orders") or 0),
        "revenue": float(summary.get("total_spend") or 0.0),
        "first_order": jsonable(row.iloc[0]["first_order_at"]) if len(row) else None,
        "last_order": jsonable(row.iloc[0]["last_order_at"]) if len(row) else None,
        "aov": summary.get("aov"),
        "days_since_last": summary.get("days_since_last"),
        "segment": segment,
        "segment_scheme": scheme,
        "rfm": scores,
        "lifecycle_stage": stage,
        "profile": profile,
        "order_summary": summary,
        "preferences": {k: records(pd.DataFrame(v)) for k, v in customer_preferences(store, cid, as_of).items()}
        if in_orders else {},
        "clv": _scores(store, "clv_scores", cid, as_of),
        "churn": _scores(store, "churn_scores", cid, as_of),
        "scores": {name: score_status(store, f"{name}_scores", as_of).to_dict() for name in ("clv", "churn")},
        "recent_orders": recent_orders,
        "feedback": _recent(store, "feedback", "created_at", cid, cut, recent),
        "tickets": _recent(store, "tickets", "opened_at", cid, cut, recent),
        "surveys": surveys,
        "voc": _voc(store, cid, as_of),
    })


def _voc(store: Store, cid: str, as_of: pd.Timestamp) -> dict[str, Any] | None:
    """Surveys, last NPS, mean CSAT, complaints, feedback sentiment and open tickets before ``as_of``."""
    from custlens.voc.customer import customer_voc

    row = customer_voc(store, as_of, cid)
    return None if row.empty else {k: jsonable(v) for k, v in row.iloc[0].items()}


