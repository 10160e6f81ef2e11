"""run_clv's customer frames (one pass over the orders) equal the customer table's columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.clv._window import _day_pairs, _first_day, _rfm_pair
from custlens.clv.validation import tracking, tracking_pairs
from custlens.clv.bgnbd import BetaGeoModel
from custlens.features import columns as c
from custlens.features import customer_table
from custlens.store import Store
from custlens import schema

COLUMNS = [c.FIRST_ORDER_AT, c.ORDERS, c.FREQUENCY, c.DAYS_SINCE_LAST, c.RECENCY, c.T, c.TOTAL_SPEND,
           c.MONETARY_VALUE]


@pytest.fixture(scope="module")
def store(demo_run):
    st = Store(demo_run.store_path, read_only=True)
    yield st
    st.close()


def test_frames_equal_the_customer_table_at_both_dates(store):
    as_of = store.default_as_of()
    split = as_of - pd.Timedelta(days=200)
    full, cal = _rfm_pair(store, as_of, split)
    for frame, day in ((full, as_of), (cal, split)):
        ref = customer_table(store, day).set_index(schema.CUSTOMER_ID, drop=False)
        assert list(frame.index) == list(ref.index)
        for col in COLUMNS:
            if col == c.FIRST_ORDER_AT:
                assert (pd.to_datetime(frame[col]) == pd.to_datetime(ref[col])).all()
            else:
                np.testing.assert_allclose(frame[col].to_numpy(float), ref[col].to_numpy(float),
                                           rtol=1e-9, atol=1e-9, err_msg=col)
    assert _first_day(store, as_of) == pd.to_datetime(full[c.FIRST_ORDER_AT]).min().normalize()


def test_tracking_from_store_pairs_equals_tracking_from_orders(store):
    as_of = store.default_as_of()
    orders = store.execute(store.require("orders", "test").select(schema.CUSTOMER_ID, schema.ORDERED_AT))
    orders["day"] = pd.to_datetime(orders[schema.ORDERED_AT]).dt.normalize()
    model = BetaGeoModel.from_params(r=0.5, alpha=10.0, a=0.8, b=2.5)
    cal_end, end = as_of - pd.Timedelta(days=150), as_of - pd.Timedelta(days=1)
    ref = tracking(model, orders, schema.CUSTOMER_ID, "day", cal_end, end)
    got = tracking_pairs(model, _day_pairs(store, as_of), cal_end, end)
    pd.testing.assert_frame_equal(got, ref)
