"""Customer 360: everything the store knows about one customer, as one plain dictionary."""

from __future__ import annotations

import math
from typing import Any

import ibis
import numpy as np
import pandas as pd

from custlens.behaviour._common import before, ts
from custlens.behaviour.preferences import customer_preferences
from custlens.errors import MissingDataError
from custlens.features.customer_table import AsOf, resolve_as_of
from custlens.lifecycle import StageRules, customer_stages
from custlens.store import Store

__all__ = ["customer_360"]

#: Profile columns of the customers table shown in the 360 view.
PROFILE_COLUMNS = ("signup_at", "gender", "age", "birth_date", "region", "city", "city_tier", "occupation",
                   "income", "acquisition_channel")
SUMMARY_COLUMNS = ("orders", "purchase_days", "total_spend", "aov", "days_since_last", "tenure_days",
                   "gap_mean_days", "returns_count", "returns_value", "return_rate", "discount_share",
                   "favourite_category", "favourite_channel")


def _plain(v: Any) -> Any:
    """JSON-friendly scalar: NaN/NaT to None, NumPy to Python, timestamps to ISO strings."""
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return None if pd.isna(v) else pd.Timestamp(v).isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else float(v)
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r.items()} for r in df.to_dict("records")]


def _scores(store: Store, table: str, customer_id: str, as_of: pd.Timestamp) -> dict[str, Any] | None:
    """The customer's saved scores, only when they were computed as of ``as_of`` (else None)."""
    from custlens.clv.scores import score_status

    if not score_status(store, table, as_of).ok or "customer_id" not in store.columns(table):
        return None
    t = store.table(table)
    df = store.execute(t.filter(t.customer_id.cast("string") == customer_id).limit(1))
    return None if df.empty else {k: _plain(v) for k, v in df.iloc[0].items() if k != "customer_id"}


def _recent(store: Store, table: str, time_col: str, customer_id: str, cut: Any, limit: int) -> list[dict[str, Any]]:
    if not store.has(table):
        return []
    t = before(store, table, time_col, cut)
    t = t.filter(t.customer_id == customer_id).order_by(ibis.desc(time_col)).limit(int(limit))
    df = store.execute(t.drop("customer_id"))
    return _records(df.drop(columns=[c for c in ("source",) if c in df.columns]))


def customer_360(store: Store, customer_id: str, as_of: AsOf = None, recent: int = 10,
                 scheme: str = "rfm11") -> dict[str, Any]:
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
    dict
        ``customer_id, as_of, orders, revenue, first_order, last_order, aov, days_since_last,
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
    summary = {c: _plain(row.iloc[0][c]) for c in SUMMARY_COLUMNS if c in row} if len(row) else {}
    segment, scores = None, None
    if len(row):
        seg = rfm(table, scheme=scheme).customers.set_index("customer_id").loc[cid]
        segment = str(seg["segment"])
        scores = {k: _plain(seg[f"{k}_score"]) for k in ("r", "f", "m")}
    stages = customer_stages(store, as_of, StageRules())
    st = stages.loc[stages["customer_id"] == cid, "stage"]
    stage = str(st.iloc[0]) if len(st) else "prospect"
    profile = None
    if in_customers:
        prof = store.execute(c.filter(c.customer_id == cid)).iloc[0]
        profile = {c: _plain(prof[c]) for c in PROFILE_COLUMNS if c in prof.index}
    recent_orders = _recent(store, "orders", "ordered_at", cid, cut, recent)
    surveys = _recent(store, "surveys", "answered_at", cid, cut, recent)
    return {
        "customer_id": cid,
        "as_of": str(as_of.date()),
        "orders": int(summary.get("orders") or 0),
        "revenue": float(summary.get("total_spend") or 0.0),
        "first_order": _plain(row.iloc[0]["first_order_at"]) if len(row) else None,
        "last_order": _plain(row.iloc[0]["last_order_at"]) if len(row) else None,
        "aov": summary.get("aov"),
        "days_since_last": summary.get("days_since_last"),
        "segment": segment,
        "segment_scheme": scheme,
        "rfm": scores,
        "lifecycle_stage": stage,
        "profile": profile,
        "order_summary": summary,
        "preferences": {k: _records(pd.DataFrame(v)) for k, v in customer_preferences(store, cid, as_of).items()}
        if in_orders else {},
        "clv": _scores(store, "clv_scores", cid, as_of),
        "churn": _scores(store, "churn_scores", cid, as_of),
        "scores": {name: score_status(store, f"{name}_scores", as_of).to_dict() for name in ("clv", "churn")},
        "recent_orders": recent_orders,
        "feedback": _recent(store, "feedback", "created_at", cid, cut, recent),
        "tickets": _recent(store, "tickets", "opened_at", cid, cut, recent),
        "surveys": surveys,
        "voc": _voc(store, cid, as_of),
    }


def _voc(store: Store, cid: str, as_of: pd.Timestamp) -> dict[str, Any] | None:
    """Surveys, last NPS, mean CSAT, complaints, feedback sentiment and open tickets before ``as_of``."""
    from custlens.voc.customer import customer_voc

    row = customer_voc(store, as_of, cid)
    return None if row.empty else {k: _plain(v) for k, v in row.iloc[0].items()}


