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
    lengths = np.diff(days.start)
    # A missing amount counts as 0 (as the order query's fill_null); the store's SUM is NaN only
    # when every amount of the day (or customer) is missing. No copy of 10M days when none is.
    amount = days.total
    if np.isnan(amount).any():
        amount = np.nan_to_num(amount, nan=0.0)
    revenue = build.frame[c.TOTAL_SPEND].to_numpy(dtype=np.float64)
    if np.isnan(revenue).any():
        revenue = np.nan_to_num(revenue, nan=0.0)
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
        day=days.day,
        amount=amount,
        revenue=np.concatenate([revenue, np.zeros(len(pros_ids))]),
        signup_day=np.concatenate([signup, pros_signup]),
        as_of=pd.Timestamp(as_of),
        counts=days.orders,
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
    if nb == 0:
        k = orders = np.zeros(0, np.int64)
    elif when >= act.as_of:
        k = act.lengths
        orders = np.add.reduceat(act.counts, starts, dtype=np.int64)
    else:
        seen = act.day < cut
        k = np.add.reduceat(seen, starts, dtype=np.int64)
        orders = np.add.reduceat(np.where(seen, act.counts, 0), starts, dtype=np.int64)
    end = starts + k  # one past the last day before the cut
    bought, two = k > 0, k > 1
    # Gather the last two days before the cut (clipped positions: masked where there are none).
    last = np.where(bought, act.day[np.maximum(end - 1, 0)] if nb else 0, _LO).astype(np.int64)
    prev = np.where(two, act.day[np.maximum(end - 2, 0)] if nb else 0, _LO).astype(np.int64)
    first = act.day[starts].astype(np.int64) if nb else np.zeros(0, np.int64)
    pad = n - nb

    def full(values: np.ndarray, fill: float) -> np.ndarray:
        return np.concatenate([values, np.full(pad, fill, dtype=values.dtype)])

    bought = full(bought, False)
    last_f = np.where(bought, full(last, _LO), np.nan)
    prev = full(prev, _LO)
    return StageInputs(known=bought | (act.signup_day < cut), orders=full(orders, 0),
                       first_day=np.where(bought, full(first, _HI), np.nan), last_day=last_f,
                       prev_gap=np.where(prev != _LO, last_f - prev, np.nan))


def sorted_monthly_states(act: Activity) -> pd.DataFrame:
    """`monthly_states` of an activity of distinct purchase days, ascending per customer.

    The days of a customer in one month are a contiguous run, so each run is one active
    customer-month: *new* when it is the customer's first run, *returning* when the run before
    it is the month before, else *resurrecting*; revenue is summed per run, then per month and
    state. No customer × month grid.
    """
    cols = ["new", "returning", "resurrecting", "revenue_new", "revenue_returning", "revenue_resurrecting"]
    if act.n_buyers == 0 or act.amount is None:
        return pd.DataFrame({"period": pd.to_datetime([]), **{c: [] for c in cols}})
    d0, d1 = int(act.day.min()), int(act.day.max())
    months = np.arange(d0, d1 + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    m0, width = int(months[0]), int(months[-1] - months[0]) + 1
    r = (months - m0).astype(np.int32)[act.day - d0]  # month of each purchase day, via a table of days
    begins = np.ones(len(r), dtype=bool)
    np.not_equal(r[1:], r[:-1], out=begins[1:])
    first_run = np.zeros(len(r), dtype=bool)
    first_run[act.starts] = True
    begins |= first_run
    at = np.flatnonzero(begins)  # the start of every customer-month run
    month = r[at].astype(np.int64)
    is_new = first_run[at]
    before = np.where(is_new, -2, r[np.maximum(at - 1, 0)])  # the previous run's month (same customer)
    state = np.where(is_new, 0, np.where(before == month - 1, 1, 2))
    counts = np.bincount(month * 3 + state, minlength=3 * width).reshape(width, 3)
    revenue = np.bincount(month * 3 + state, weights=np.add.reduceat(act.amount, at),
                          minlength=3 * width).reshape(width, 3)
    active = counts.sum(axis=1)
    periods = pd.date_range(pd.Timestamp(np.datetime64(m0, "M")), periods=width, freq="MS")
    out = pd.DataFrame({"period": periods, "new": counts[:, 0], "returning": counts[:, 1],
                        "resurrecting": counts[:, 2], "revenue_new": revenue[:, 0],
                        "revenue_returning": revenue[:, 1], "revenue_resurrecting": revenue[:, 2]})
    return out.loc[active > 0].reset_index(drop=True)
