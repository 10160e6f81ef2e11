"""`rfm_inputs`: the customer table's RFM columns from one aggregate, value for value."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from custlens.features import customer_table, rfm_inputs
from custlens.store import Store

COLS = ["customer_id", "last_order_at", "days_since_last", "orders", "total_spend"]


@pytest.mark.parametrize("days_back", [0, 90, 400])
def test_rfm_inputs_equal_the_customer_table_columns(demo: Store, days_back: int) -> None:
    """Same customers, same order, same values and dtypes as `customer_table` at three dates
    (the default, and dates that cut customers' histories), on the demo shop."""
    as_of = demo.default_as_of() - pd.Timedelta(days=days_back) if days_back else None
    full = customer_table(demo, as_of)[COLS]
    light = rfm_inputs(demo, as_of)
    assert len(light) > 0
    assert_frame_equal(light[COLS], full, check_exact=True)


def test_rfm_inputs_before_the_first_order_is_empty(demo: Store) -> None:
    first = demo.execute(demo.table("orders").ordered_at.min().name("m").as_table())["m"].iloc[0]
    assert len(rfm_inputs(demo, pd.Timestamp(first).normalize())) == 0
