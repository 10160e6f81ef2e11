"""The lifecycle's one pass over the orders: each customer's purchase days (and amounts) as flat arrays.

`read_activity` runs one aggregate (per customer: the list of order days, the list of
amounts when asked, the revenue), so the stages at two dates, the gap before the last
purchase day and the monthly states all come from the same scan; before, the report ran
three (two stage tables and the monthly states), each with a window over the orders.

The lists arrive as Arrow list columns: their values are one flat array grouped by
customer, so every per-customer figure is a segmented NumPy reduction (``ufunc.reduceat``)
and nothing walks a Python list. Customers are held in ``customer_id`` order (the byte order
DuckDB's ``ORDER BY`` gives), sorted here with Arrow on the 1M ids rather than in the query,
where the sort would carry the lists along.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custlens import schema
from custlens.behaviour._common import has_column, orders_before, ts
from custlens.store import Store

_EPOCH = pd.Timestamp("1970-01-01")
#: Sentinels of empty or masked reductions over int32 epoch days.
_LO, _HI = np.iinfo(np.int32).min, np.iinfo(np.int32).max
#: Customer-months flagged per chunk when the monthly states are counted (bounds the memory).
_CHUNK_CELLS = 1 << 22


def epoch_day(when: pd.Timestamp) -> int:
    """Days since 1970-01-01 of a midnight timestamp."""
    return int((pd.Timestamp(when) - _EPOCH).days)


@dataclass
class Activity:
    """Orders before ``as_of`` per customer, for the buyers and the known prospects.

    The buyers come first, in the order the store returned them, then the prospects;
    `order` puts them in ``customer_id`` order (the frames returned to callers use it).

    Attributes
    ----------
    ids : ndarray of object
        Customer ids: the buyers before ``as_of``, then the customers of the ``customers`` table
        with a signup before ``as_of`` (or none) and no order.
    order : ndarray of int64 or None
        The permutation that sorts `ids` (byte order, as DuckDB's ``ORDER BY customer_id``);
        None when the caller needs no per-customer rows.
    lengths : ndarray of int64
        Orders per buyer; buyer ``i``'s orders are ``day[starts[i]:starts[i] + lengths[i]]``.
    day : ndarray of int32
        Epoch day of each order, grouped by buyer.
    amount : ndarray of float64 or None
        Amount of each order (aligned with ``day``), read only when asked.
    revenue : ndarray of float64
        Sum of the amounts per customer (0 for prospects), summed by the store.
    signup_day : ndarray of int64
        Epoch day of the signup; ``_LO`` when the customers table gives none (known at any date),
        ``_HI`` when the customer is not in that table (known from the first order only).
    counts : ndarray of int64 or None
        None: every entry of `day` is one order. Else the entries are distinct purchase days,
        ascending per buyer, and ``counts`` the orders of each (`custlens._lifecycle_days`).
    """

    ids: np.ndarray
    order: np.ndarray | None
    lengths: np.ndarray
    day: np.ndarray
    amount: np.ndarray | None
    revenue: np.ndarray
    signup_day: np.ndarray
    as_of: pd.Timestamp
    counts: np.ndarray | None = None

    @property
    def n_buyers(self) -> int:
        return len(self.lengths)

    @cached_property
    def starts(self) -> np.ndarray:
        """Index in `day` of each buyer's first order."""
        return np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)

    @cached_property
    def first_day(self) -> np.ndarray:
        """Each customer's first purchase day (``_HI`` for prospects); the same at any date after it."""
        return self.reduce(np.minimum, self.day, _HI)

    def reduce(self, ufunc: np.ufunc, values: np.ndarray, empty: int, dtype: type = np.int32) -> np.ndarray:
        """``ufunc`` over each customer's orders of ``values`` (aligned with `day`); ``empty`` for prospects."""
        out = np.full(len(self.ids), empty, dtype=dtype)
        if self.n_buyers:  # every buyer has an order: no empty segment for reduceat
            out[: self.n_buyers] = ufunc.reduceat(values, self.starts, dtype=dtype)
        return out

    def per_order(self, per_customer: np.ndarray) -> np.ndarray:
        """A per-customer array repeated for each of the customer's orders (aligned with `day`)."""
        return np.repeat(per_customer[: self.n_buyers], self.lengths)


def read_activity(store: Store, as_of: pd.Timestamp, amounts: bool = False) -> Activity:
    """Every customer's order days (and amounts) before ``as_of``, in one query over the orders."""
    o = orders_before(store, as_of)
    day = o[schema.ORDERED_AT].date().epoch_days().cast("int32")
    # No element is null (the day of a kept order never is; a missing amount counts as 0, as SUM
    # skips it), so DuckDB may collect without a null filter; Spark's collect_list has no switch.
    keep = {"include_null": True} if store.engine == "duckdb" else {}
    cols = {"_days": day.collect(**keep)}
    # With the amounts at hand the revenue is their sum here; without, the store sums them.
    cols.update({"_amounts": o[schema.AMOUNT].fill_null(0.0).collect(**keep)} if amounts
                else {"_revenue": o[schema.AMOUNT].sum()})
    buyers = store.ibis.to_pyarrow(o.group_by(schema.CUSTOMER_ID).aggregate(**cols))
    ids = buyers.column(schema.CUSTOMER_ID).combine_chunks()
    lengths, flat_days = _flatten(buyers.column("_days"), np.int32)
    flat_amounts = None
    if amounts:
        a_lengths, flat_amounts = _flatten(buyers.column("_amounts"), np.float64)
        if not np.array_equal(a_lengths, lengths):
            raise RuntimeError("the engine dropped null amounts from the lists: days and amounts no longer align")
        revenue = np.add.reduceat(flat_amounts, np.concatenate([[0], np.cumsum(lengths)[:-1]])) if len(lengths) \
            else np.zeros(0)
    else:
        revenue = buyers.column("_revenue").to_numpy().astype(np.float64)
    del buyers  # the Arrow lists: the flat NumPy copies replace them
    signup = np.full(len(ids), _HI, dtype=np.int64)
    pros_ids, pros_signup = _known_customers(store, as_of, ids, signup)
    all_ids = pa.concat_arrays([ids, pros_ids]) if len(pros_ids) else ids
    return Activity(
        ids=all_ids.to_numpy(zero_copy_only=False),
        order=pc.sort_indices(all_ids).to_numpy(),
        lengths=lengths,
        day=flat_days,
        amount=flat_amounts,
        revenue=np.concatenate([revenue, np.zeros(len(pros_ids))]),
        signup_day=np.concatenate([signup, pros_signup]),
        as_of=as_of,
    )


def _flatten(lists: pa.ChunkedArray, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Lengths and concatenated values of an Arrow list column, chunk by chunk (one copy, in NumPy)."""
    chunks = lists.chunks
    lengths = [pc.list_value_length(c).fill_null(0).to_numpy(zero_copy_only=False) for c in chunks]
    values = [c.flatten().to_numpy(zero_copy_only=False) for c in chunks]
    if not chunks:
        return np.zeros(0, np.int64), np.zeros(0, dtype)
    return np.concatenate(lengths).astype(np.int64), np.concatenate(values).astype(dtype, copy=False)


def _known_customers(store: Store, as_of: pd.Timestamp, buyer_ids: pa.Array,
                     buyer_signup: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Prospects (customers table, signed up before ``as_of`` or undated, no order) and their
    signup days; ``buyer_signup`` gets the buyers' signup days in place."""
    if not store.has("customers"):
        return pa.array([], buyer_ids.type), np.zeros(0, np.int64)
    c = store.table("customers")
    c = c.filter(c[schema.CUSTOMER_ID].notnull())
    if has_column(store, "customers", "signup_at"):
        c = c.filter(c.signup_at.isnull() | (c.signup_at < ibis.literal(ts(as_of))))
        first = c.signup_at.date().epoch_days().min().cast("int64")
        # An undated row makes the customer known at any date (as the filter above admits it).
        signup = ibis.ifelse(c.signup_at.isnull().any(), ibis.literal(int(_LO), type="int64"), first)
    else:
        signup = ibis.literal(int(_LO), type="int64")
    known = store.ibis.to_pyarrow(c.group_by(schema.CUSTOMER_ID).aggregate(_signup=signup))
    kid = known.column(schema.CUSTOMER_ID).combine_chunks().cast(buyer_ids.type)
    ksign = known.column("_signup").to_numpy(zero_copy_only=False).astype(np.int64)
    pos = pc.index_in(buyer_ids, value_set=kid).fill_null(-1).to_numpy(zero_copy_only=False)
    hit = pos >= 0
    buyer_signup[hit] = ksign[pos[hit]]
    prospect = ~pc.is_in(kid, value_set=buyer_ids).to_numpy(zero_copy_only=False)
    return kid.filter(pa.array(prospect)), ksign[prospect]


@dataclass
class StageInputs:
    """Per customer of an `Activity`, at a date: what the stage rules read (NaN where there is none)."""

    known: np.ndarray  # bool: a buyer before the date, or signed up before it (or undated)
    orders: np.ndarray  # int64
    first_day: np.ndarray  # float64 epoch days
    last_day: np.ndarray
    prev_gap: np.ndarray  # days from the previous purchase day to the last one


def stage_inputs(act: Activity, when: pd.Timestamp) -> StageInputs:
    """The stage inputs of every customer of ``act`` as of ``when`` (``when <= act.as_of``)."""
    if act.counts is not None:  # distinct purchase days, sorted: read by position
        from custlens._lifecycle_days import sorted_stage_inputs

        return sorted_stage_inputs(act, when)
    cut = epoch_day(when)
    if when >= act.as_of:  # every order of the activity counts: no masking pass
        orders = np.concatenate([act.lengths, np.zeros(len(act.ids) - act.n_buyers, np.int64)])
        last = act.reduce(np.maximum, act.day, _LO)
    else:
        seen = act.day < cut
        orders = act.reduce(np.add, seen, 0, dtype=np.int64)
        last = act.reduce(np.maximum, np.where(seen, act.day, _LO), _LO)
    # The previous purchase day: the latest day before the last one (same-day orders are one day).
    prev = act.reduce(np.maximum, np.where(act.day < act.per_order(last), act.day, _LO), _LO)
    bought = orders > 0
    last_f = np.where(bought, last, np.nan)
    return StageInputs(known=bought | (act.signup_day < cut), orders=orders,
                       first_day=np.where(bought, act.first_day, np.nan), last_day=last_f,
                       prev_gap=np.where(prev != _LO, last_f - prev, np.nan))


def monthly_states(act: Activity) -> pd.DataFrame:
    """Per month with an order: ``period, new, returning, resurrecting`` (customer counts) and
    ``revenue_new, revenue_returning, revenue_resurrecting`` (see `custlens.lifecycle`)."""
    cols = ["new", "returning", "resurrecting", "revenue_new", "revenue_returning", "revenue_resurrecting"]
    if act.counts is not None:  # distinct purchase days, sorted: one customer-month per run
        from custlens._lifecycle_days import sorted_monthly_states

        return sorted_monthly_states(act)
    if act.n_buyers == 0 or act.amount is None:
        return pd.DataFrame({"period": pd.to_datetime([]), **{c: [] for c in cols}})
    # Month of each order through a table of the few thousand days spanned (a calendar
    # conversion per order would cost more than everything else here).
    d0, d1 = int(act.day.min()), int(act.day.max())
    months = np.arange(d0, d1 + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    m0, width = int(months[0]), int(months[-1] - months[0]) + 1
    month_of = (months - m0).astype(np.int32)
    new = np.zeros(width, np.int64)
    active = np.zeros(width, np.int64)
    returning = np.zeros(width, np.int64)
    revenue = np.zeros(3 * width)
    # Customer-month flags, one row of width + 1 per buyer whose first cell stays False (the
    # month before the first month), for a chunk of buyers at a time (bounded temporaries).
    row = width + 1
    step = max(1, _CHUNK_CELLS // row)
    ends = np.cumsum(act.lengths)
    for b0 in range(0, act.n_buyers, step):
        b1 = min(b0 + step, act.n_buyers)
        e0, e1 = (int(ends[b0 - 1]) if b0 else 0), int(ends[b1 - 1])
        lengths = act.lengths[b0:b1]
        r = month_of[act.day[e0:e1] - d0]
        first = np.minimum.reduceat(r, act.starts[b0:b1] - e0)  # each buyer's first month
        new += np.bincount(first, minlength=width)
        key = np.repeat(np.arange(1, (b1 - b0) * row, row, dtype=np.int32), lengths)
        key += r
        flags = np.zeros((b1 - b0) * row, bool)
        flags[key] = True
        grid = flags.reshape(b1 - b0, row)
        active += grid[:, 1:].sum(axis=0)
        returning += (grid[:, 1:] & grid[:, :-1]).sum(axis=0)
        # Per order: month * 3 + (0 new, 1 returning, 2 resurrecting).
        code = r * 3
        code += 2
        key -= 1
        code -= flags[key]  # returning: active the month before (never so in the first month)
        is_new = r == np.repeat(first, lengths)
        code -= is_new  # new: the first month, 2 below resurrecting
        code -= is_new
        revenue += np.bincount(code, weights=act.amount[e0:e1], minlength=3 * width)
    revenue = revenue.reshape(width, 3)
    periods = pd.date_range(pd.Timestamp(np.datetime64(m0, "M")), periods=width, freq="MS")
    out = pd.DataFrame({"period": periods, "new": new, "returning": returning,
                        "resurrecting": active - new - returning, "revenue_new": revenue[:, 0],
                        "revenue_returning": revenue[:, 1], "revenue_resurrecting": revenue[:, 2]})
    return out.loc[active > 0].reset_index(drop=True)
