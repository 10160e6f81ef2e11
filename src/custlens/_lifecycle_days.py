"""The lifecycle's inputs from the customer table's purchase days (no pass over the orders).

The report has already built the customer table and kept every customer's distinct purchase
days (`custlens.features.purchase_days.PurchaseDays`: per customer, the days in ascending
order with the orders and the summed amount of each day). Those are all the lifecycle reads:
the stages need the orders, first, last and previous purchase day before a date, the monthly
states need who bought in which month and for how much. So `activity_from_build` turns them
into an `Activity` whose entries are purchase days instead of orders (``counts`` holds the
orders of each day), and `sorted_stage_inputs` reads the stage inputs by position in the
sorted runs instead of masked reductions over every order.
``tests/test_lifecycle_days.py`` compares the results with `read_activity`'s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custlens import schema
from custlens._lifecycle_activity import _HI, _LO, Activity, StageInputs, _known_customers, epoch_day
from custlens.features import columns as c
from custlens.features.purchase_days import CustomerBuild
from custlens.store import Store


def activity_from_build(store: Store, build: CustomerBuild, as_of: pd.Timestamp, ordered: bool = True) -> Activity:
    """The `Activity` of ``build``'s customers (plus the prospects of the ``customers`` table).

    ``ordered``: compute `Activity.order` (needed for the per-customer frame only; with
    prospects it is a sort of every id).

    Raises
    ------
    ValueError
        When ``build`` was computed as of another date than ``as_of``.
    """
    days = build.days
    if pd.Timestamp(days.as_of) != pd.Timestamp(as_of):
        raise ValueError(f"customers: the customer table is as of {pd.Timestamp(days.as_of).date()}, the "
                         f"lifecycle as of {pd.Timestamp(as_of).date()}; build it with the same as_of")
    ids = days.customer_id
    lengths = np.diff(days.start).astype(np.int64)
    # A missing amount counts as 0 (as the order query's fill_null); the store's SUM is NaN only
    # when every amount of the day (or customer) is missing.
    amount = np.nan_to_num(days.total.astype(np.float64), nan=0.0)
    revenue = np.nan_to_num(build.frame[c.TOTAL_SPEND].to_numpy(dtype=np.float64), nan=0.0)
    signup = np.full(len(ids), _HI, dtype=np.int64)
    pros_ids = np.zeros(0, dtype=object)
    pros_signup = np.zeros(0, np.int64)
    order: np.ndarray | None = np.arange(len(ids))  # the customer table is in customer_id order
    if store.has(schema.CUSTOMERS.name):
        arrow_ids = pa.array(ids, type=pa.string())
        known_ids, pros_signup = _known_customers(store, as_of, arrow_ids, signup)
        if len(known_ids):
            pros_ids = known_ids.to_numpy(zero_copy_only=False)
            order = pc.sort_indices(pa.concat_arrays([arrow_ids, known_ids])).to_numpy() if ordered else None
    all_ids = np.concatenate([ids, pros_ids]) if len(pros_ids) else ids
    return Activity(
        ids=all_ids,
        order=order,
        lengths=lengths,
        day=days.day.astype(np.int32, copy=False),
        amount=amount,
        revenue=np.concatenate([revenue, np.zeros(len(pros_ids))]),
        signup_day=np.concatenate([signup, pros_signup]),
        as_of=pd.Timestamp(as_of),
        counts=days.orders.astype(np.int64, copy=False),
    )


def sorted_stage_inputs(act: Activity, when: pd.Timestamp) -> StageInputs:
    """`stage_inputs` of an activity of distinct purchase days, ascending per customer.

    Before ``when`` a customer has the first ``k`` of their days; the last of those is the last
    purchase day, the one before it the previous purchase day, and the orders are a difference of
    the running order count: positions, no masked reduction over every day.
    """
    cut = epoch_day(when)
    n, nb = len(act.ids), act.n_buyers
    starts = act.starts
    if when >= act.as_of:
        k = act.lengths
    elif nb:
        k = np.add.reduceat(act.day < cut, starts, dtype=np.int64)
    else:
        k = np.zeros(0, np.int64)
    end = starts + k  # one past the last day before the cut
    running = np.concatenate([[0], np.cumsum(act.counts)])
    day = np.append(act.day, np.int32(0)).astype(np.int64)  # one spare so no index is out of range
    bought, two = k > 0, k > 1
    last = np.where(bought, day[end - 1], _LO)
    prev = np.where(two, day[end - 2], _LO)
    pad = n - nb

    def full(values: np.ndarray, fill: float) -> np.ndarray:
        return np.concatenate([values, np.full(pad, fill, dtype=values.dtype)])

    orders = full(running[end] - running[starts], 0)
    bought = full(bought, False)
    last_f = np.where(bought, full(last, _LO), np.nan)
    prev = full(prev, _LO)
    first = full(day[starts] if nb else np.zeros(0, np.int64), _HI)
    return StageInputs(known=bought | (act.signup_day < cut), orders=orders,
                       first_day=np.where(bought, first, np.nan), last_day=last_f,
                       prev_gap=np.where(prev != _LO, last_f - prev, np.nan))
