"""Days between consecutive purchase days, counted per gap length, and their exact statistics.

The gaps of every customer need each customer's purchase days in order. A window over the
orders partitioned by customer id does that in SQL but is the dearest step of the behaviour
section at scale (about 7 s of CPU for 10M orders). The fast path fetches one integer per
order, packed in the store from a 64-bit hash of the customer id (its top 48 bits) and the day
offset (the low 16 bits), and sorts it with NumPy: about 1 s. It is used
only when it is exact: the packed keys must tell exactly as many customers apart as there are
customers (no two customers share 48 hash bits) and the days must span less than 2**16.
Otherwise the window runs in the store. Both give the same counts; the statistics are then
computed from the counts exactly as SQL ``quantile_cont`` and ``avg`` compute them.

When the caller holds the customer table's purchase days (`PurchaseDays`: each customer's
distinct days in ascending order, e.g. the report's ``ctx.customer_build().days``),
`days_gap_counts` counts the same gaps from them: one difference of adjacent days, no query.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from custlens import schema
from custlens.features.purchase_days import PurchaseDays
from custlens.store import Store

_EPOCH = pd.Timestamp("1970-01-01")
#: Bits of the packed key that hold the day offset (the rest hold the customer's hash).
DAY_BITS = 16


def gap_counts(store: Store, orders: ibis.Table, n_customers: int) -> pd.DataFrame:
    """``gap`` (days, > 0), ``first`` (the gap from a customer's first to second purchase day)
    and ``n`` (how many such gaps), one row per distinct ``(first, gap)``.

    Parameters
    ----------
    store : Store
        The store that runs the expressions.
    orders : ibis.Table
        The orders to measure (already cut at ``as_of``; null customer ids left out).
    n_customers : int
        Distinct customers in ``orders``: the check that the packed keys lose no customer.
    """
    fast = _packed_counts(store, orders, n_customers)
    return fast if fast is not None else _window_counts(store, orders)


def _packed_counts(store: Store, orders: ibis.Table, n_customers: int) -> pd.DataFrame | None:
    at = orders[schema.ORDERED_AT]
    span = store.execute(orders.aggregate(lo=at.min(), hi=at.max()))
    lo, hi = span["lo"].iloc[0], span["hi"].iloc[0]
    if pd.isna(lo):
        return _frame(np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, np.int64))
    low = int((pd.Timestamp(lo).normalize() - _EPOCH).days)
    if int((pd.Timestamp(hi).normalize() - _EPOCH).days) - low >= 1 << DAY_BITS:
        return None
    # One int64 per order: the customer hash with its low DAY_BITS cleared, or-ed with the day offset.
    key = (orders[schema.CUSTOMER_ID].hash() & ibis.literal(-(1 << DAY_BITS), type="int64")) | (
        at.date().epoch_days() - low)
    k = np.sort(store.ibis.to_pyarrow(orders.select(k=key)).column("k").to_numpy())  # Arrow to NumPy, no pandas
    k = k[_changes(k)]  # distinct (customer, day)
    starts = _changes(k >> DAY_BITS)
    if int(starts.sum()) != n_customers:  # two customers share a key: not exact, use the window
        return None
    same = ~starts[1:]
    gap = np.diff(k)[same]
    first = starts[:-1][same]
    # Count per (first, gap): gaps are < 2**DAY_BITS, so one bincount holds both halves.
    binned = np.bincount(gap + (first.astype(np.int64) << DAY_BITS), minlength=2 << DAY_BITS)
    idx = np.flatnonzero(binned)
    return _frame(idx & ((1 << DAY_BITS) - 1), (idx >> DAY_BITS).astype(bool), binned[idx])


def days_gap_counts(days: PurchaseDays) -> pd.DataFrame:
    """`gap_counts` from every customer's purchase days (customers without an id left out, as
    `gap_counts`' orders are)."""
    day = days.day  # int32 epoch days: their differences fit
    lengths = np.diff(days.start)
    is_start = np.zeros(len(day) + 1, dtype=bool)
    is_start[days.start[:-1][lengths > 0]] = True
    is_start[-1] = True  # past the last day: no gap runs into it
    nameless = pd.isna(days.customer_id)
    if nameless.any():  # their days count for no one: mark every one a start (no gap to or from it)
        is_start[:-1] |= np.repeat(nameless, lengths)
    same = ~is_start[1:-1]  # day j + 1 belongs to day j's customer
    gap = np.diff(day)[same].astype(np.int64)
    first = is_start[:-2][same]  # the gap from a customer's first purchase day
    if not len(gap):
        return _frame(np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, np.int64))
    width = int(gap.max()) + 1
    binned = np.bincount(gap + first.astype(np.int64) * width, minlength=2 * width)
    idx = np.flatnonzero(binned)
    return _frame(idx % width, idx >= width, binned[idx])


def _changes(values: np.ndarray) -> np.ndarray:
    """True where a sorted array's value differs from the previous one (and at the start)."""
    out = np.empty(len(values), dtype=bool)
    out[:1] = True
    np.not_equal(values[1:], values[:-1], out=out[1:])
    return out


def _window_counts(store: Store, orders: ibis.Table) -> pd.DataFrame:
    """The portable path: distinct purchase days, a lag over each customer's days, counts."""
    d = orders.select(schema.CUSTOMER_ID, day=orders[schema.ORDERED_AT].date()).distinct()
    w = ibis.window(group_by=schema.CUSTOMER_ID, order_by="day")
    g = d.mutate(prev=d.day.lag().over(w), k=ibis.row_number().over(w))
    g = g.mutate(gap=g.day.delta(g.prev, unit="day"))
    g = g.filter(g.gap.notnull())
    out = store.execute(g.group_by(first=g.k == 1, gap=g.gap).aggregate(n=g.count()))
    return _frame(out["gap"].to_numpy(dtype=np.int64), out["first"].to_numpy(dtype=bool),
                  out["n"].to_numpy(dtype=np.int64))


def _frame(gap: np.ndarray, first: np.ndarray, n: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame({"gap": gap, "first": first, "n": n})
    return out.sort_values(["first", "gap"], ignore_index=True)


def summary(values: np.ndarray, weights: np.ndarray, quantiles: tuple[float, ...]) -> dict[object, float]:
    """``count``, ``mean`` and the ``quantiles`` of integer ``values`` repeated ``weights`` times.

    Quantiles as SQL ``quantile_cont`` (DuckDB): position ``(N - 1) q`` in the sorted values,
    interpolated linearly between its floor and ceiling; the mean as SQL ``avg`` of integers
    (exact sum, one division). NaN when there is no value.
    """
    order = np.argsort(values, kind="stable")
    v, w = values[order].astype(np.int64), weights[order].astype(np.int64)
    total = int(w.sum())
    out: dict[object, float] = {"count": float(total)}
    if total == 0:
        out["mean"] = float("nan")
        out.update({q: float("nan") for q in quantiles})
        return out
    out["mean"] = int((v * w).sum()) / total
    ends = np.cumsum(w)  # the sorted position just past each value's run
    for q in quantiles:
        pos = (total - 1) * q
        lo, hi = int(np.floor(pos)), int(np.ceil(pos))
        v_lo = float(v[np.searchsorted(ends, lo, side="right")])
        v_hi = float(v[np.searchsorted(ends, hi, side="right")])
        out[q] = v_lo if lo == hi else v_lo + (v_hi - v_lo) * (pos - lo)
    return out
