"""Segment migration between two as-of dates: who moved from which segment to which.

Every customer known at either date is counted exactly once: a customer with no order before
the first date starts in the state ``none_before`` (not yet a customer), and a customer missing
from the second segmentation ends in ``none_after``. The transition matrix therefore sums to the number of
customers at the second date plus those only in the first, and its row sums are the segment
sizes at the first date (plus ``none_before``), its column sums those at the second date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from custlens.errors import InputError
from custlens.features.columns import CUSTOMER_ID, DAYS_SINCE_LAST, ORDERS, TOTAL_SPEND
from custlens.features.purchase_days import PurchaseDays
from custlens.results import Result
from custlens.store import Store

__all__ = ["MigrationResult", "migration", "migration_from_labels", "NEW", "NONE"]

#: State of a customer with no order before the first date ("not yet a customer"); not ``new``,
#: which is a segment of ``rfm11``.
NEW = "none_before"
#: State of a customer absent from the second segmentation.
NONE = "none_after"


@dataclass(frozen=True)
class MigrationResult(Result):
    """Transitions of customers between the segments of one scheme at two dates.

    Attributes
    ----------
    scheme : str
    start, end : pandas.Timestamp or None
        The two as-of dates.
    customers : pandas.DataFrame
        ``customer_id, from_segment, to_segment``, one row per customer.
    matrix : pandas.DataFrame
        Counts, rows = segment at ``start`` (with ``none_before``), columns = segment at
        ``end`` (with ``none_after``); zero rows and columns kept in display order.
    flows : pandas.DataFrame
        ``from_segment, to_segment, customers, share_of_from`` for every non-zero cell.
    """

    scheme: str
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    customers: pd.DataFrame
    matrix: pd.DataFrame
    flows: pd.DataFrame

    @property
    def stayed(self) -> float:
        """Share of the customers present at both dates who kept their segment."""
        # from the matrix (a segment's row and column share its position): no pass over the customers
        both = self.matrix.drop(index=NEW, columns=NONE, errors="ignore")
        n = int(both.to_numpy().sum())
        same = sum(int(both.at[s, s]) for s in both.index if s in both.columns)
        return same / n if n else float("nan")


def migration_from_labels(before: pd.DataFrame, after: pd.DataFrame, order: list[str] | tuple[str, ...] = (),
                          scheme: str = "", start: pd.Timestamp | None = None,
                          end: pd.Timestamp | None = None) -> MigrationResult:
    """Transition matrix between two labellings (``customer_id, segment`` frames).

    Parameters
    ----------
    before, after : pandas.DataFrame
        ``customer_id, segment``, one row per customer.
    order : sequence of str
        Segment display order; segments not listed are appended.

    Returns
    -------
    MigrationResult
    """
    # Customers are matched on integer positions. Tables sorted by id (the customer tables are)
    # are joined by a linear merge; others hash their ids once. At a million customers the
    # outer merge, crosstab and sort on string ids took seconds.
    ids, pos_b, pos_a = _match(before[CUSTOMER_ID], after[CUSTOMER_ID])
    n = len(ids)
    b_code, b_uniq = pd.factorize(before["segment"].to_numpy(), use_na_sentinel=True)
    a_code, a_uniq = pd.factorize(after["segment"].to_numpy(), use_na_sentinel=True)
    bc = np.full(n, -1, dtype=np.intp)  # label code per customer in id order; -1: none at that date
    ac = np.full(n, -1, dtype=np.intp)
    bc[pos_b], ac[pos_a] = b_code, a_code
    return _from_codes(ids, bc, list(b_uniq), ac, list(a_uniq), order, scheme, start, end)


def _from_codes(ids: np.ndarray, bc: np.ndarray, b_keys: list, ac: np.ndarray, a_keys: list,
                order: list[str] | tuple[str, ...], scheme: str, start: pd.Timestamp | None,
                end: pd.Timestamp | None) -> MigrationResult:
    """The result from each customer's label code at both dates (-1: not a customer then)."""
    # labels not in ``order`` follow it in order of first appearance (from column, then to column)
    appear = [b_keys[c] for c in pd.unique(bc) if c >= 0] + [a_keys[c] for c in pd.unique(ac) if c >= 0]
    listed = set(order)
    seen = list(order) + [s for s in dict.fromkeys(appear) if s not in listed and s not in (NEW, NONE)]
    rows, cols = [*seen, NEW], [*seen, NONE]
    at = {s: i for i, s in enumerate(seen)}
    # a missing label counts as "not a customer" at that date, as a missing customer does
    row_of = np.array([at.get(s, len(seen)) for s in b_keys] + [len(seen)], dtype=np.intp)
    col_of = np.array([at.get(s, len(seen)) for s in a_keys] + [len(seen)], dtype=np.intp)
    frm, to = row_of[bc], col_of[ac]  # code -1 takes the last entry
    counts = np.bincount(frm * len(cols) + to, minlength=len(rows) * len(cols)).reshape(len(rows), len(cols))
    matrix = pd.DataFrame(counts.astype("int64"), index=pd.Index(rows, name="from_segment"),
                          columns=pd.Index(cols, name="to_segment"))
    flows = matrix.stack().rename("customers").reset_index()
    flows = flows[flows["customers"] > 0].reset_index(drop=True)
    totals = matrix.sum(axis=1)
    flows["share_of_from"] = flows["customers"] / flows["from_segment"].map(totals).to_numpy(dtype=float)
    customers = pd.DataFrame({CUSTOMER_ID: ids, "from_segment": np.asarray(rows, dtype=object)[frm],
                              "to_segment": np.asarray(cols, dtype=object)[to]})
    return MigrationResult(scheme, start, end, customers, matrix, flows)


def _match(before: pd.Series, after: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every id once, sorted, and the positions of ``before``'s and ``after``'s ids in it."""
    b_idx, a_idx = pd.Index(before.to_numpy()), pd.Index(after.to_numpy())
    sorted_ids = b_idx.is_monotonic_increasing and a_idx.is_monotonic_increasing
    for name, idx in (("before", b_idx), ("after", a_idx)):
        if not idx.is_unique:  # free for sorted ids: the monotonic check tells
            raise InputError(f"{name}: duplicate customer ids (e.g. {idx[idx.duplicated()][0]!r})")
    if sorted_ids:
        ids, ai, bi = a_idx.join(b_idx, how="outer", return_indexers=True)
        n = len(ids)
        # each indexer maps a joined row to its row of after / before (-1: absent; None: identity)
        pos_a = np.flatnonzero(ai >= 0) if ai is not None else np.arange(n)
        pos_b = np.flatnonzero(bi >= 0) if bi is not None else np.arange(n)
        return ids.to_numpy(), pos_b, pos_a
    codes, uniq = pd.factorize(np.concatenate([b_idx.to_numpy(), a_idx.to_numpy()]).astype(object),
                               use_na_sentinel=False)
    order = pd.Series(uniq).sort_values(kind="mergesort").index.to_numpy()  # as the outer merge sorted
    rank = np.empty(len(uniq), dtype=np.intp)
    rank[order] = np.arange(len(uniq))
    return uniq[order], rank[codes[: len(b_idx)]], rank[codes[len(b_idx):]]


def migration(store: Store, start: str | pd.Timestamp, end: str | pd.Timestamp | None = None,
              scheme: str = "rfm11", *, customers: pd.DataFrame | None = None,
              after: Any = None, days: PurchaseDays | None = None, **kwargs: object) -> MigrationResult:
    """Segment the customers as of ``start`` and as of ``end`` and count the moves.

    The RFM schemes (``rfm11``, ``rf10``, ``cn8``) read only recency, orders and spend, so their
    tables come from `custlens.features.rfm_inputs` (one aggregate over the orders, the same
    values as the customer table's columns) instead of full customer tables; with ``days``
    (the purchase days behind ``customers``) they come from those days, without reading the
    orders again (`rfm_inputs_at`).

    Parameters
    ----------
    store : Store
    start : date-like
        The first as-of date (must be before ``end``).
    end : date-like, optional
        The second as-of date; default the store's (day after the last order).
    scheme : str, default "rfm11"
        Any scheme of `custlens.segments.segment_customers`.
    customers : pandas.DataFrame, optional
        The customer table as of ``end`` when the caller has it already (the report's shared
        one); computed when omitted.
    after : Segmentation or RFMResult, optional
        The customers already segmented under ``scheme`` as of ``end`` (the report's
        ``ctx.rfm("rfm11")``): its ``customers`` (``customer_id, segment``) and ``segments``
        (display order) are used instead of segmenting ``customers`` again.
    days : PurchaseDays, optional
        The purchase days as of ``end`` that ``customers`` was built from
        (`custlens.features.purchase_days.build_customer_table`; the report's
        ``ctx.customer_build().days``). With an RFM scheme and a ``start`` at midnight, the
        first date's recency, orders and spend are read from them (the same values as
        `rfm_inputs`; spend sums agree to rounding, see `rfm_inputs_at`).
    **kwargs
        Passed to `segment_customers` (e.g. ``k``).

    Returns
    -------
    MigrationResult
    """
    from custlens.features import customer_table, rfm_inputs
    from custlens.segments.rfm_maps import SCHEMES
    from custlens.segments.schemes import segment_customers

    store.require("orders", "segment migration")
    t1 = pd.Timestamp(end) if end is not None else store.default_as_of()
    t0 = pd.Timestamp(start)
    if not t0 < t1:
        raise InputError(f"the first date {t0.date()} must be before the second {t1.date()}")
    table = rfm_inputs if scheme in SCHEMES else customer_table
    if days is not None and customers is None:
        raise InputError("days= needs the customer table it was built with (customers=)")
    if after is None:
        after_tab = customers if customers is not None else table(store, t1)
        after = segment_customers(after_tab, scheme, store=store, as_of=t1, **kwargs)  # type: ignore[arg-type]
    order = list(after.segments["segment"])
    if days is not None and scheme in SCHEMES and not kwargs:
        fast = _from_days(days, customers, after, t0, t1, scheme, order)  # type: ignore[arg-type]
        if fast is not None:
            return fast
    before_tab = table(store, t0)
    if len(before_tab) == 0:
        before = pd.DataFrame({CUSTOMER_ID: pd.Series([], dtype=object), "segment": pd.Series([], dtype=object)})
    elif scheme in SCHEMES:
        # RFM reads ids only to check them (rfm_inputs gives unique ones): row numbers as ids
        # spare hashing a million strings; the labels are then put back on the real ids.
        ids = before_tab[CUSTOMER_ID].to_numpy()
        seg = segment_customers(before_tab.assign(**{CUSTOMER_ID: np.arange(len(before_tab))}), scheme,
                                store=store, as_of=t0, **kwargs)  # type: ignore[arg-type]
        before = pd.DataFrame({CUSTOMER_ID: ids[seg.customers[CUSTOMER_ID].to_numpy()],
                               "segment": seg.customers["segment"].to_numpy()})
    else:
        before = segment_customers(before_tab, scheme, store=store, as_of=t0, **kwargs).customers  # type: ignore[arg-type]
    return migration_from_labels(before, after.customers[[CUSTOMER_ID, "segment"]], order, scheme, t0, t1)


def _from_days(days: PurchaseDays, customers: pd.DataFrame, after: Any, t0: pd.Timestamp, t1: pd.Timestamp,
               scheme: str, order: list[str]) -> MigrationResult | None:
    """RFM migration with the first date's inputs from the purchase days, labels as integer codes.

    None when the days cannot answer (another date, ``start`` not at midnight, rows not aligned
    with ``customers`` or ``after``, null amounts): the caller then reads the orders.
    """
    from custlens.segments.rfm import rfm_scores
    from custlens.segments.rfm_maps import get_scheme

    ids = days.customer_id
    if pd.Timestamp(days.as_of) != t1 or len(customers) != len(ids) or not _same(customers[CUSTOMER_ID], ids):
        return None
    detail = getattr(after, "detail", after)  # RFMResult: customers with ids, scores, segment
    tab, seg_map = detail.customers, get_scheme(scheme)
    if (getattr(detail, "bins", None) != 5 or not set(seg_map.axes) <= set(tab.columns)
            or len(tab) != len(ids) or not _same(tab[CUSTOMER_ID], ids)):
        return None
    inputs = rfm_inputs_at(days, t0, customers)
    if inputs is None:
        return None
    rows, frame = inputs
    bc = np.full(len(ids), -1, dtype=np.intp)
    if len(rows):
        scores = rfm_scores(frame)
        bc[rows] = seg_map.codes(*(scores[a].to_numpy() for a in seg_map.axes))
    ac = seg_map.codes(*(tab[a].to_numpy() for a in seg_map.axes))
    keys = list(seg_map.segments)
    return _from_codes(ids, bc, keys, ac, keys, order, scheme, t0, t1)


def _same(column: pd.Series, ids: np.ndarray) -> bool:
    """Whether ``column`` holds ``ids`` in the same order (the same array costs nothing)."""
    values = column.to_numpy()
    return values is ids or bool(np.array_equal(values, ids))


def rfm_inputs_at(days: PurchaseDays, when: pd.Timestamp, table: pd.DataFrame | None = None
                  ) -> tuple[np.ndarray, pd.DataFrame] | None:
    """`custlens.features.rfm_inputs` as of an earlier date, from the purchase days of a later one.

    Parameters
    ----------
    days : PurchaseDays
        Every customer's purchase days before ``days.as_of``.
    when : Timestamp
        The earlier as-of date: midnight, at most ``days.as_of``.
    table : pandas.DataFrame, optional
        The customer table built with ``days`` (row for row). A customer whose every purchase
        day is before ``when`` then keeps its ``orders`` and ``total_spend``: exactly the same
        spend at both dates, so the two dates rank them alike. Without it they are summed from
        the days.

    Returns
    -------
    (rows, frame) or None
        ``rows``: the customers (rows of ``days``) with a purchase before ``when``, in order;
        ``frame``: their ``customer_id`` (0, 1, 2... in that order), ``days_since_last``,
        ``orders`` and ``total_spend``. None when the days cannot say: ``when`` is not a
        midnight or after ``days.as_of``, or a day's amounts are all null.

    Notes
    -----
    Recency and orders are exact. Spend is the sum of the customer's day totals: the
    store's ``SUM`` adds the same amounts in an order of its own, so the two can differ in
    the last bit (two equivalent SQL queries differ likewise). Migration's labels equal the store
    query's on the demo shop and the scale shops over the report's 90 days; over 400 days at 1M
    customers one customer of 1,000,000 ranks on the other side of a cent-equal spend (docs/segments.md).
    """
    from custlens.features.customer_table import _epoch_day

    when = pd.Timestamp(when)
    if when != when.normalize() or when > pd.Timestamp(days.as_of):
        return None
    cut = _epoch_day(when)
    n = len(days.customer_id)
    starts, ends = days.start[:-1], days.start[1:]
    # Each customer's days ascend, so those before ``when`` are a prefix of their run and the
    # later ones (few: the days since ``when``) a suffix. Work from the later days: no pass
    # over all purchase days but the one comparison.
    late = np.flatnonzero(days.day >= cut)
    owner = np.searchsorted(ends, late, side="right")  # the customer of each later day
    head = np.flatnonzero(np.diff(owner, prepend=-1) != 0)  # each owner's earliest later day
    first_late = np.full(n, -1, dtype=np.int64)
    first_late[owner[head]] = late[head]
    count = np.where(first_late >= 0, first_late - starts, ends - starts)  # days before ``when``
    rows = np.flatnonzero(count > 0)
    first, k = starts[rows], count[rows]
    if table is not None:
        spend, orders = table[TOTAL_SPEND].to_numpy(dtype=float), table[ORDERS].to_numpy(dtype=np.int64)
    else:
        spend = np.add.reduceat(days.total, starts) if n else np.zeros(0)
        orders = np.add.reduceat(days.orders.astype(np.int64), starts) if n else np.zeros(0, dtype=np.int64)
    total = spend[rows]  # right for customers without a later day
    part = np.flatnonzero(first_late[rows] >= 0)
    if len(part):  # the others: the sum of their day totals before ``when``, in day order
        lengths = k[part]
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        total[part] = np.add.reduceat(days.total[np.arange(int(lengths.sum())) + np.repeat(first[part] - offsets,
                                                                                           lengths)], offsets)
    if np.isnan(total).any():  # null amounts: SQL skips them, the store query handles that
        return None
    later_orders = np.bincount(owner, weights=days.orders[late], minlength=n).astype(np.int64)
    frame = pd.DataFrame({CUSTOMER_ID: np.arange(len(rows)),
                          DAYS_SINCE_LAST: (cut - days.day[first + k - 1]).astype(float),
                          ORDERS: (orders - later_orders)[rows],
                          TOTAL_SPEND: total})
    return rows, frame
