"""Voice of the customer per customer, as of a date: for the customer 360, churn and the Cox model."""

from __future__ import annotations

import pandas as pd

from custlens.errors import MissingDependencyError
from custlens.store import Store

__all__ = ["MAX_SENTIMENT_TEXTS", "customer_voc", "feedback_sentiment"]

#: SnowNLP scores about 40 short texts a second; above this many distinct texts the sentiment
#: feature is left out of churn and Cox (it stays in `custlens feedback`).
MAX_SENTIMENT_TEXTS = 5000


def feedback_sentiment(store: Store, cut: pd.Timestamp, customer_id: str | None = None) -> pd.Series:
    """Mean sentiment (0–1) of each customer's feedback texts before ``cut``.

    Empty when there is no feedback, the ``voc`` extra is missing, or there are more than
    `MAX_SENTIMENT_TEXTS` distinct texts.
    """
    empty = pd.Series(dtype=float, name="feedback_sentiment")
    if not store.has("feedback"):
        return empty
    one = "AND customer_id = ?" if customer_id is not None else ""
    df = store._con.execute(f"SELECT customer_id, text FROM feedback WHERE created_at < ? AND text IS NOT NULL {one}",
                           [pd.Timestamp(cut).to_pydatetime(), *([customer_id] if customer_id is not None else [])]).df()
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
    ts = pd.Timestamp(cut).to_pydatetime()
    where, args = ("AND customer_id = ?", [customer_id]) if customer_id is not None else ("", [])
    parts = []
    if store.has("surveys"):
        cols = store.columns("surveys")
        nps = "arg_max(nps, answered_at) FILTER (WHERE nps IS NOT NULL)" if "nps" in cols else "NULL"
        csat = "avg(csat)" if "csat" in cols else "NULL"
        parts.append(store._con.execute(
            f"SELECT customer_id, count(*) AS surveys, {nps} AS nps_last, {csat} AS csat_mean FROM surveys "
            f"WHERE answered_at < ? {where} GROUP BY 1", [ts, *args]).df().set_index("customer_id"))
    if store.has("feedback") and "kind" in store.columns("feedback"):
        parts.append(store._con.execute(
            f"SELECT customer_id, count(*) FILTER (WHERE lower(kind) = 'complaint') AS complaints FROM feedback "
            f"WHERE created_at < ? {where} GROUP BY 1", [ts, *args]).df().set_index("customer_id"))
    if store.has("tickets"):
        parts.append(store._con.execute(
            f"SELECT customer_id, count(*) AS tickets, "
            f"count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at >= ?) AS open_tickets FROM tickets "
            f"WHERE opened_at < ? {where} GROUP BY 1", [ts, ts, *args]).df().set_index("customer_id"))
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
        n = store._con.execute(f"SELECT customer_id, count(*) AS n FROM orders WHERE ordered_at < ? {where} GROUP BY 1",
                              [ts, *args]).df().set_index("customer_id")["n"]
        out["complaint_rate"] = out["complaints"] / n.reindex(out.index).where(lambda v: v > 0)
    out.index.name = "customer_id"
    return out
