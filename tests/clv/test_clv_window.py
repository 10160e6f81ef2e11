"""run_clv's customer frames, from the customer table and its purchase days, against the
queries they replaced (kept here as references: one aggregate of the purchase days per date,
and the (first day, day) pairs counted in the store)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ibis import _

from custlens import schema
from custlens.clv import _window
from custlens.clv._window import _calibration, _day_pairs, _frame
from custlens.clv.bgnbd import BetaGeoModel
from custlens.clv.validation import tracking, tracking_pairs
from custlens.features import columns as c
from custlens.features.customer_table import _epoch_day, _orders_before
from custlens.features.purchase_days import build_customer_table
from custlens.store import Store

COLUMNS = [c.FREQUENCY, c.RECENCY, c.T, c.MONETARY_VALUE]


@pytest.fixture(scope="module")
def store(demo_run):
    st = Store(demo_run.store_path, read_only=True)
    yield st
    st.close()


def _old_frame(store: Store, as_of: pd.Timestamp) -> pd.DataFrame:
    """The session-3 ``_rfm_pair`` for one date: per customer from the purchase days in the store."""
    orders = _orders_before(store, as_of)
    days = orders.group_by([schema.CUSTOMER_ID, "_day"]).aggregate(_total=orders[schema.AMOUNT].sum())
    raw = store.execute(days.group_by(schema.CUSTOMER_ID).aggregate(
        _n=_._day.count(), _first=_._day.min(), _last=_._day.max(), _spend=_._total.sum(),
        _first_total=_._total.argmin(_._day)).order_by(schema.CUSTOMER_ID))
    freq = raw["_n"].to_numpy(dtype=np.int64) - 1
    first, last, day = raw["_first"].to_numpy(float), raw["_last"].to_numpy(float), _epoch_day(as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(freq > 0, (raw["_spend"] - raw["_first_total"]).to_numpy(float) / freq, 0.0)
    return pd.DataFrame({c.FREQUENCY: freq, c.RECENCY: (last - first) / 7.0, c.T: (day - first) / 7.0,
                         c.MONETARY_VALUE: monetary}, index=pd.Index(raw[schema.CUSTOMER_ID], name=schema.CUSTOMER_ID))


def _old_day_pairs(store: Store, as_of: pd.Timestamp) -> pd.DataFrame:
    """The session-3 ``_day_pairs``: customers per (first purchase day, purchase day), in the store."""
    orders = _orders_before(store, as_of)
    days = orders.select(schema.CUSTOMER_ID, "_day").distinct()
    first = days.group_by(schema.CUSTOMER_ID).aggregate(_first=days._day.min())
    frame = store.execute(days.join(first, schema.CUSTOMER_ID).group_by(["_first", "_day"]).aggregate(
        n=days._day.count()))
    epoch = pd.Timestamp("1970-01-01")
    return pd.DataFrame({"first": epoch + pd.to_timedelta(frame["_first"].to_numpy(), unit="D"),
                         "day": epoch + pd.to_timedelta(frame["_day"].to_numpy(), unit="D"),
                         "n": frame["n"].to_numpy(dtype=float)})


def _sorted(pairs: pd.DataFrame) -> pd.DataFrame:
    return pairs.sort_values(["first", "day"]).reset_index(drop=True)


@pytest.mark.parametrize("days_back", [1, 60, 200, 400])
def test_calibration_frame_equals_the_store_aggregate(store, days_back):
    as_of = store.default_as_of()
    split = as_of - pd.Timedelta(days=days_back)
    build = build_customer_table(store, as_of)
    full = _frame(build.frame)
    cal, rows = _calibration(full, build.days, split)
    ref = _old_frame(store, split)
    assert list(cal.index) == list(ref.index)
    assert (full.index[rows] == cal.index).all()
    for col in (c.FREQUENCY, c.RECENCY, c.T):
        np.testing.assert_array_equal(cal[col].to_numpy(), ref[col].to_numpy(), err_msg=col)
    # the same sums of day totals, added in another order: equal to rounding
    np.testing.assert_allclose(cal[c.MONETARY_VALUE], ref[c.MONETARY_VALUE], rtol=1e-12, atol=1e-9)
    assert (cal[c.FREQUENCY] == 0).any() and (cal[c.FREQUENCY] > 2).any()


def test_full_frame_equals_the_store_aggregate(store):
    as_of = store.default_as_of()
    full = _frame(build_customer_table(store, as_of).frame)
    ref = _old_frame(store, as_of)
    assert list(full.index) == list(ref.index)
    for col in (c.FREQUENCY, c.RECENCY, c.T):
        np.testing.assert_array_equal(full[col].to_numpy(), ref[col].to_numpy(), err_msg=col)
    np.testing.assert_allclose(full[c.MONETARY_VALUE], ref[c.MONETARY_VALUE], rtol=1e-12, atol=1e-9)


def test_calibration_before_every_order_is_empty(store):
    build = build_customer_table(store)
    cal, rows = _calibration(_frame(build.frame), build.days, pd.Timestamp("1990-01-01"))
    assert len(cal) == 0 and len(rows) == 0


@pytest.mark.parametrize("cells", [_window._PAIR_CELLS, 1])  # the count table, and the sort
def test_day_pairs_equal_the_store_pairs(store, monkeypatch, cells):
    monkeypatch.setattr(_window, "_PAIR_CELLS", cells)
    as_of = store.default_as_of()
    got = _sorted(_day_pairs(build_customer_table(store, as_of).days))
    pd.testing.assert_frame_equal(got, _sorted(_old_day_pairs(store, as_of)))


def test_tracking_from_pairs_equals_tracking_from_orders(store):
    as_of = store.default_as_of()
    orders = store.execute(store.require("orders", "test").select(schema.CUSTOMER_ID, schema.ORDERED_AT))
    orders = orders[orders[schema.ORDERED_AT] < as_of]
    orders["day"] = pd.to_datetime(orders[schema.ORDERED_AT]).dt.normalize()
    model = BetaGeoModel.from_params(r=0.5, alpha=10.0, a=0.8, b=2.5)
    cal_end, end = as_of - pd.Timedelta(days=150), as_of - pd.Timedelta(days=1)
    ref = tracking(model, orders, schema.CUSTOMER_ID, "day", cal_end, end)
    got = tracking_pairs(model, _day_pairs(build_customer_table(store, as_of).days), cal_end, end)
    pd.testing.assert_frame_equal(got, ref)
