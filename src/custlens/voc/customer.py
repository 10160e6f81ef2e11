"""Voice of the customer per customer, as of a date: for the customer 360, churn and the Cox model."""

from __future__ import annotations

import ibis
import pandas as pd

from custlens.errors import MissingDependencyError
from custlens.store import Store

__all__ = ["MAX_SENTIMENT_TEXTS", "customer_voc", "feedback_sentiment"]

#: SnowNLP scores about 40 short texts a second; above this many distinct texts the sentiment
#: feature is left out of churn and Cox (it stays in `custlens feedback`).
MAX_SENTIMENT_TEXTS = 5000


def _before(store: Store, table: str, column: str, cut: pd.Timestamp, customer_id: str | None) -> ibis.Table:
    """Rows of ``table`` dated before ``cut``, of one customer when ``customer_id`` is given."""
    t = store.table(table)
    t = t.filter(t[column] < ibis.literal(pd.Timestamp(cut).to_pydatetime()))
    return t if customer_id is None else t.filter(t.customer_id == customer_id)


def feedback_sentiment(store: Store, cut: pd.Timestamp, customer_id: str | None = None) -> pd.Series:
    """Mean sentiment (0–1) of each customer's feedback texts before ``cut``.

    Empty when there is no feedback, the ``voc`` extra is missing, or there are more than
    `MAX_SENTIMENT_TEXTS` distinct texts.
    """
    empty = pd.Series(dtype=float, name="feedback_sentiment")
    if not store.has("feedback"):
        return empty
    f = _before(store, "feedback", "created_at", cut, customer_id)
    df = store.execute(f.filter(f.text.notnull()).select("customer_id", "text"))
    if df.empty or df["text"].nunique() > MAX_SENTIMENT_TEXTS:
        return empty
    try:
        from custlens.voc.sentiment import sentiment_frame

        scores = sentiment_frame(df["text"])["sentiment"].to_numpy()
    except MissingDependencyError:
        return empty
    return df.assign(s=scores).groupby("customer_id")["s"].mean().rename("feedback_sentiment")


def customer_voc(store: Store, cut: pd.Timestamp, customer_id: str | None = None) -> pd.DataFrame:
    """Per customer: ``surveys, nps_last, csat_mean, complaints, complaint_rate, feedback_sentiment,
    tickets, open_tickets`` (``complaint_rate`` = complaints per order).

    Only rows dated before ``cut``; a ticket resolved on or after ``cut`` counts as open.
    ``customer_id`` restricts the result to one customer (the customer 360).
    """
    parts = []
    if store.has("surveys"):
        cols = store.columns("surveys")
        sv = _before(store, "surveys", "answered_at", cut, customer_id)
        nps = sv.nps.argmax(sv.answered_at, where=sv.nps.notnull()) if "nps" in cols else ibis.null("float64")
        csat = sv.csat.mean() if "csat" in cols else ibis.null("float64")
        parts.append(store.execute(sv.group_by("customer_id").aggregate(
            surveys=sv.count(), nps_last=nps, csat_mean=csat)).set_index("customer_id"))
    if store.has("feedback") and "kind" in store.columns("feedback"):
        fb = _before(store, "feedback", "created_at", cut, customer_id)
        parts.append(store.execute(fb.group_by("customer_id").aggregate(
            complaints=fb.count(where=fb.kind.lower() == "complaint"))).set_index("customer_id"))
    if store.has("tickets"):
        tk = _before(store, "tickets", "opened_at", cut, customer_id)
        still_open = tk.resolved_at.isnull() | (tk.resolved_at >= ibis.literal(pd.Timestamp(cut).to_pydatetime()))
        parts.append(store.execute(tk.group_by("customer_id").aggregate(
            tickets=tk.count(), open_tickets=tk.count(where=still_open))).set_index("customer_id"))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, axis=1)
    if customer_id is None or len(out):
        sent = feedback_sentiment(store, cut, customer_id)
        if len(sent):
            out = out.join(sent, how="left")
    for col in ("surveys", "complaints", "tickets", "open_tickets"):
        if col in out:
            out[col] = out[col].fillna(0).astype(int)
    if "complaints" in out and store.has("orders"):
        # Complaints per order: a raw count grows with the orders a customer had (more chances
        # to complain) and would read as "complainers stay", a confounded hazard ratio.
        o = _before(store, "orders", "ordered_at", cut, customer_id)
        n = store.execute(o.group_by("customer_id").aggregate(n=o.count())).set_index("customer_id")["n"]
        out["complaint_rate"] = out["complaints"] / n.reindex(out.index).where(lambda v: v > 0)
    out.index.name = "customer_id"
    return out
