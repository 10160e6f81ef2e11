"""Preferences: category, brand, channel and payment shares (overall and by segment) and price bands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from custlens.behaviour._common import has_column, orders_as_of, query, ts, with_frame
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store

__all__ = ["MISSING", "PRICE_BANDS", "PreferenceResult", "preferences", "customer_preferences"]

#: Label of a missing value (shown as its own category, never dropped).
MISSING = "(missing)"
#: Price bands by unit-price quartile of the order lines.
PRICE_BANDS: tuple[str, ...] = ("low", "mid", "high", "premium")
#: Dimension -> (table, column): ``order_items`` dimensions weigh line amounts, ``orders`` ones order amounts.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "category": ("order_items", "category"),
    "brand": ("order_items", "brand"),
    "channel": ("orders", "channel"),
    "payment_method": ("orders", "payment_method"),
}


@dataclass
class PreferenceResult(Result):
    """What customers buy and how they pay.

    Attributes
    ----------
    shares : dict of str to DataFrame
        Per dimension (``category, brand, channel, payment_method``; those with data):
        ``value, orders, customers, revenue, revenue_share``, largest first. Missing values
        are the category ``"(missing)"``.
    by_segment : DataFrame
        ``dimension, segment, value, revenue, share`` (share of the segment's revenue); empty
        when no segments were given.
    price_bands : DataFrame
        ``band`` (low/mid/high/premium by unit-price quartile), ``price_from, price_to, lines,
        revenue, revenue_share, customers`` (customers spending most in the band).
    as_of : Timestamp
    """

    shares: dict[str, pd.DataFrame]
    by_segment: pd.DataFrame
    price_bands: pd.DataFrame
    as_of: pd.Timestamp
    dimensions: list[str] = field(default_factory=list)

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        """Plain-JSON view (the ``top`` values of each dimension)."""
        return {
            "as_of": str(self.as_of.date()),
            "shares": {k: v.head(top).to_dict("records") for k, v in self.shares.items()},
            "price_bands": self.price_bands.to_dict("records"),
        }


def _source(table: str, column: str) -> tuple[str, str]:
    """FROM clause and revenue expression of a dimension."""
    if table == "orders":
        return (f'SELECT o.customer_id, o.order_id, o.amount AS rev, o."{column}" AS v '
                "FROM orders o WHERE o.ordered_at < ?"), "rev"
    return (f'SELECT o.customer_id, i.order_id, i.line_amount AS rev, i."{column}" AS v '
            "FROM order_items i JOIN orders o USING (order_id) WHERE o.ordered_at < ?"), "rev"


def preferences(store: Store, *, as_of: AsOf = None, segments: pd.DataFrame | None = None) -> PreferenceResult:
    """Shares of categories, brands, channels and payment methods, overall and by segment.

    Parameters
    ----------
    store : Store
        Needs ``orders``; ``order_items`` adds categories, brands and price bands.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    segments : DataFrame, optional
        ``customer_id, segment`` (e.g. ``rfm(...).customers``) for the shares by segment.

    Returns
    -------
    PreferenceResult

    Notes
    -----
    Revenue of ``order_items`` dimensions is the sum of line amounts, of ``orders``
    dimensions the sum of net order amounts. Price bands cut the unit prices of all order
    lines at their quartiles; a customer's preferred band is where they spent the most.
    """
    as_of = orders_as_of(store, as_of, "preferences")
    cut = ts(as_of)
    dims = [d for d, (tab, col) in DIMENSIONS.items() if has_column(store, tab, col)]
    shares: dict[str, pd.DataFrame] = {}
    seg_parts = []
    for dim in dims:
        src, _ = _source(*DIMENSIONS[dim])
        df = query(store, f"""
            WITH s AS ({src})
            SELECT coalesce(CAST(v AS VARCHAR), '{MISSING}') AS value, count(DISTINCT order_id) AS orders,
                   count(DISTINCT customer_id) AS customers, sum(rev) AS revenue
            FROM s GROUP BY 1 ORDER BY revenue DESC, value
        """, [cut])
        total = float(df["revenue"].sum())
        df["revenue_share"] = df["revenue"] / total if total else 0.0
        shares[dim] = df.reset_index(drop=True)
        if segments is not None and len(segments):
            part = with_frame(store, "_cl_segments", segments[["customer_id", "segment"]].astype(str), f"""
                WITH s AS ({src})
                SELECT g.segment, coalesce(CAST(s.v AS VARCHAR), '{MISSING}') AS value, sum(s.rev) AS revenue
                FROM s JOIN _cl_segments g USING (customer_id) GROUP BY 1, 2
            """, [cut])
            part["share"] = part["revenue"] / part.groupby("segment")["revenue"].transform("sum")
            part.insert(0, "dimension", dim)
            seg_parts.append(part.sort_values(["segment", "revenue"], ascending=[True, False]))
    by_segment = (pd.concat(seg_parts, ignore_index=True) if seg_parts
                  else pd.DataFrame(columns=["dimension", "segment", "value", "revenue", "share"]))
    bands = _price_bands(store, cut) if has_column(store, "order_items", "unit_price") else _empty_bands()
    return PreferenceResult(shares=shares, by_segment=by_segment, price_bands=bands, as_of=as_of, dimensions=dims)


def _empty_bands() -> pd.DataFrame:
    return pd.DataFrame(columns=["band", "price_from", "price_to", "lines", "revenue", "revenue_share", "customers"])


def _price_bands(store: Store, cut: Any) -> pd.DataFrame:
    df = query(store, """
        WITH l AS (SELECT o.customer_id, i.unit_price AS p, coalesce(i.line_amount, i.unit_price * i.quantity) AS rev
                   FROM order_items i JOIN orders o USING (order_id)
                   WHERE o.ordered_at < ? AND i.unit_price IS NOT NULL),
        q AS (SELECT quantile_cont(p, 0.25) AS q1, quantile_cont(p, 0.5) AS q2, quantile_cont(p, 0.75) AS q3 FROM l),
        b AS (SELECT l.*, CASE WHEN p <= q1 THEN 0 WHEN p <= q2 THEN 1 WHEN p <= q3 THEN 2 ELSE 3 END AS band FROM l, q),
        pc AS (SELECT customer_id, band, sum(rev) AS rev FROM b GROUP BY 1, 2),
        pref AS (SELECT customer_id, arg_max(band, rev) AS band FROM pc GROUP BY 1),
        agg AS (SELECT band, min(p) AS price_from, max(p) AS price_to, count(*) AS lines, sum(rev) AS revenue
                FROM b GROUP BY band)
        SELECT agg.*, (SELECT count(*) FROM pref WHERE pref.band = agg.band) AS customers FROM agg ORDER BY band
    """, [cut])
    if df.empty:
        return _empty_bands()
    df["band"] = [PRICE_BANDS[int(b)] for b in df["band"]]
    total = float(df["revenue"].sum())
    df["revenue_share"] = df["revenue"] / total if total else 0.0
    df["lines"] = df["lines"].astype("int64")
    df["customers"] = df["customers"].astype("int64")
    return df[["band", "price_from", "price_to", "lines", "revenue", "revenue_share", "customers"]]


def customer_preferences(store: Store, customer_id: str, as_of: AsOf = None, top: int = 3) -> dict[str, list[dict[str, Any]]]:
    """The ``top`` categories, brands, channels and payment methods of one customer by spend."""
    as_of = orders_as_of(store, as_of, "preferences")
    out: dict[str, list[dict[str, Any]]] = {}
    for dim, (tab, col) in DIMENSIONS.items():
        if not has_column(store, tab, col):
            continue
        src, _ = _source(tab, col)
        df = query(store, f"""
            WITH s AS ({src} AND o.customer_id = ?)
            SELECT coalesce(CAST(v AS VARCHAR), '{MISSING}') AS value, count(DISTINCT order_id) AS orders,
                   sum(rev) AS revenue FROM s GROUP BY 1 ORDER BY revenue DESC, value LIMIT {int(top)}
        """, [ts(as_of), str(customer_id)])
        out[dim] = df.to_dict("records")
    return out
