"""Preferences: category, brand, channel and payment shares (overall and by segment) and price bands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custlens import schema
from custlens.behaviour._common import has_column, orders_as_of, orders_before
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.errors import InputError
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


def _source(store: Store, cut: Any, table: str, column: str) -> ibis.Table:
    """``customer_id, order_id, rev, v`` of one dimension: orders (net amount) or order lines (line amount)."""
    o = orders_before(store, cut)
    if table == "orders":
        return o.select(schema.CUSTOMER_ID, schema.ORDER_ID, rev=o[schema.AMOUNT], v=o[column])
    i = store.table("order_items")
    lines = i.select(schema.ORDER_ID, rev=i["line_amount"], v=i[column])
    return lines.join(o.select(schema.ORDER_ID, schema.CUSTOMER_ID), schema.ORDER_ID)


def _value(s: ibis.Table, column: str = "v") -> ibis.Value:
    return s[column].cast("string").fill_null(MISSING)


def _present(store: Store) -> list[str]:
    """The dimensions with at least one value: one count per table over all its candidate columns."""
    dims = []
    for table in dict.fromkeys(tab for tab, _ in DIMENSIONS.values()):
        wanted = {d: col for d, (tab, col) in DIMENSIONS.items() if tab == table}
        if not store.exists(table):
            continue
        have = {d: col for d, col in wanted.items() if col in store.columns(table)}
        if not have:
            continue
        t = store.table(table)
        row = store.execute(t.aggregate(**{d: t[col].count() for d, col in have.items()})).iloc[0]
        dims += [d for d in have if int(row[d])]
    return [d for d in DIMENSIONS if d in dims]


def _segment_table(segments: pd.DataFrame | None) -> ibis.Table | None:
    if segments is None or not len(segments):
        return None
    fast = _arrow_segments(segments)
    if fast is not None:
        return ibis.memtable(fast)
    seg = segments[["customer_id", "segment"]].astype(str)
    if not seg["customer_id"].is_unique:
        _refuse_duplicates(seg["customer_id"])
    return ibis.memtable(seg.rename(columns={"segment": "_segment"}))


def _arrow_segments(segments: pd.DataFrame) -> pa.Table | None:
    """``customer_id, _segment`` as an Arrow table when both columns are strings without nulls
    (then equal to their ``astype(str)``): a million ids go to the store without pandas objects.
    Ids in strictly increasing order (the customer table's) are unique without hashing them.
    None otherwise (the caller converts)."""
    try:
        ids = pa.array(segments["customer_id"].to_numpy(), type=pa.string(), from_pandas=True)
        seg = pa.array(segments["segment"].to_numpy(), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if ids.null_count or seg.null_count:
        return None  # astype(str) spells a null 'None' or 'nan': leave that to the slow path
    ascending = len(ids) < 2 or pc.all(pc.greater(ids.slice(1), ids.slice(0, len(ids) - 1))).as_py()
    if not ascending and not segments["customer_id"].is_unique:
        _refuse_duplicates(segments["customer_id"].astype(str))
    return pa.table({"customer_id": ids, "_segment": seg})


def _refuse_duplicates(ids: pd.Series) -> None:
    dup = ids.duplicated()
    raise InputError(f"segments: customer_id {ids[dup].iloc[0]!r} has more than one row "
                     f"({int(dup.sum())} duplicates); pass one segment per customer")


def _revenue_by(store: Store, cut: Any, table: str, dims: list[str], seg: ibis.Table | None) -> pd.DataFrame:
    """Revenue per (segment, value of each of ``dims``) of one source table, in one query.

    ``_segment`` is null for customers without a segment (left join), so the sums over all
    segments are the overall revenue per value."""
    o = orders_before(store, cut)
    if table == "orders":
        src = o.select(schema.CUSTOMER_ID, rev=o[schema.AMOUNT], **{d: o[DIMENSIONS[d][1]] for d in dims})
    else:
        i = store.table("order_items")
        lines = i.select(schema.ORDER_ID, rev=i["line_amount"], **{d: i[DIMENSIONS[d][1]] for d in dims})
        src = lines.join(o.select(schema.ORDER_ID, schema.CUSTOMER_ID), schema.ORDER_ID)
    if seg is not None:
        src = src.left_join(seg, src[schema.CUSTOMER_ID] == seg[schema.CUSTOMER_ID]).select(
            "rev", "_segment", *dims)
    keys = {d: _value(src, d) for d in dims}
    if seg is not None:
        keys["_segment"] = src["_segment"]
    return store.execute(src.group_by(**keys).aggregate(revenue=src.rev.sum()))


def preferences(store: Store, *, as_of: AsOf = None, segments: pd.DataFrame | None = None,
                counts: bool = True) -> PreferenceResult:
    """Shares of categories, brands, channels and payment methods, overall and by segment.

    Parameters
    ----------
    store : Store
        Needs ``orders``; ``order_items`` adds categories, brands and price bands.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    segments : DataFrame, optional
        ``customer_id, segment`` (e.g. ``rfm(...).customers``, one row per customer) for the
        shares by segment.
    counts : bool, default True
        Count the distinct ``orders`` and ``customers`` of each value: two distinct counts per
        dimension, most of the cost at scale. With False (the report, which shows revenue
        shares only) ``shares`` have no ``orders`` and ``customers`` columns.

    Returns
    -------
    PreferenceResult

    Notes
    -----
    Revenue of ``order_items`` dimensions is the sum of line amounts, of ``orders``
    dimensions the sum of net order amounts. Price bands cut the unit prices of all order
    lines at their quartiles; a customer's preferred band is where they spent the most.
    The revenue of every dimension of one table, overall and by segment, comes from one query.
    """
    as_of = orders_as_of(store, as_of, "preferences")
    cut = as_of
    dims = _present(store)
    seg = _segment_table(segments)
    shares: dict[str, pd.DataFrame] = {}
    seg_parts = []
    for table in dict.fromkeys(DIMENSIONS[d][0] for d in dims):
        mine = [d for d in dims if DIMENSIONS[d][0] == table]
        rev = _revenue_by(store, cut, table, mine, seg)
        for dim in mine:
            if counts:
                s = _source(store, cut, *DIMENSIONS[dim])
                df = store.execute(s.group_by(value=_value(s)).aggregate(
                    orders=s[schema.ORDER_ID].nunique(), customers=s[schema.CUSTOMER_ID].nunique(),
                    revenue=s.rev.sum()))
            else:
                df = rev.groupby(dim, as_index=False)["revenue"].sum().rename(columns={dim: "value"})
            df = df.sort_values(["revenue", "value"], ascending=[False, True], ignore_index=True)
            total = float(df["revenue"].sum())
            df["revenue_share"] = df["revenue"] / total if total else 0.0
            shares[dim] = df
            if seg is not None:
                part = rev[rev["_segment"].notna()].groupby(["_segment", dim], as_index=False)["revenue"].sum()
                part = part.rename(columns={"_segment": "segment", dim: "value"})
                part["share"] = part["revenue"] / part.groupby("segment")["revenue"].transform("sum")
                part.insert(0, "dimension", dim)
                seg_parts.append(part.sort_values(["segment", "revenue"], ascending=[True, False]))
    by_segment = (pd.concat(seg_parts, ignore_index=True) if seg_parts
                  else pd.DataFrame(columns=["dimension", "segment", "value", "revenue", "share"]))
    bands = _price_bands(store, cut) if has_column(store, "order_items", "unit_price") else _empty_bands()
    return PreferenceResult(shares={d: shares[d] for d in dims}, by_segment=by_segment, price_bands=bands,
                            as_of=as_of, dimensions=dims)


def _empty_bands() -> pd.DataFrame:
    return pd.DataFrame(columns=["band", "price_from", "price_to", "lines", "revenue", "revenue_share", "customers"])


def _price_bands(store: Store, cut: Any) -> pd.DataFrame:
    o = orders_before(store, cut)
    i = store.table("order_items")
    i = i.filter(i["unit_price"].notnull())
    priced = i.select(schema.ORDER_ID, p=i["unit_price"], rev=i["line_amount"].fill_null(i["unit_price"] * i["quantity"]))
    line = priced.join(o.select(schema.ORDER_ID, schema.CUSTOMER_ID), schema.ORDER_ID)
    q = line.aggregate(q1=line.p.quantile(0.25), q2=line.p.quantile(0.5), q3=line.p.quantile(0.75))
    b = line.cross_join(q)
    b = b.select(schema.CUSTOMER_ID, "p", "rev", band=ibis.cases((b.p <= b.q1, 0), (b.p <= b.q2, 1),
                                                                 (b.p <= b.q3, 2), else_=3))
    pc = b.group_by([schema.CUSTOMER_ID, "band"]).aggregate(rev=b.rev.sum())
    pref = pc.group_by(schema.CUSTOMER_ID).aggregate(band=pc.band.argmax(pc.rev))
    customers = pref.group_by("band").aggregate(customers=pref.count())
    agg = b.group_by("band").aggregate(price_from=b.p.min(), price_to=b.p.max(), lines=b.count(), revenue=b.rev.sum())
    df = store.execute(agg.left_join(customers, "band").select(agg, customers=customers.customers.fill_null(0))
                       .order_by("band"))
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
        s = _source(store, as_of, tab, col)
        s = s.filter(s[schema.CUSTOMER_ID] == str(customer_id))
        df = store.execute(s.group_by(value=_value(s)).aggregate(orders=s[schema.ORDER_ID].nunique(),
                                                                 revenue=s.rev.sum())
                           .order_by([ibis.desc("revenue"), "value"]).limit(int(top)))
        out[dim] = df.to_dict("records")
    return out
