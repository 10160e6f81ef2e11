"""Migration's start-date RFM from the report's purchase days equals the RFM of a store query.

`custlens.segments.migration` with ``days=`` (the purchase days behind the end date's customer
table) reads the first date's recency, orders and spend from those days instead of running
`custlens.features.rfm_inputs` at that date. The reference is the same function without
``days`` (the store query, itself compared with the pre-issue-13 code in ``test_fast_paths.py``),
on the demo shop and on a hand-made shop with ties, one-time buyers, same-day orders, orders at
the first date's midnight, customers without orders before it and empty periods.
"""

from __future__ import annotations

from contextlib import nullcontext
from unittest.mock import patch

import numpy as np
import pandas as pd
import pytest

from custlens.features import rfm_inputs
from custlens.features.purchase_days import build_customer_table
from custlens.segments import migration, rfm
from custlens.segments.migration import rfm_inputs_at
from custlens.segments.rfm_maps import SCHEMES
from custlens.store import Store


def _same(store: Store, t0: pd.Timestamp, t1: pd.Timestamp, scheme: str = "rfm11", fast: bool = True) -> None:
    build = build_customer_table(store, t1)
    after = rfm(build.frame, scheme)
    # the fast path must not read the orders: the store query raises inside it
    with patch("custlens.features.rfm_inputs", side_effect=AssertionError("read the orders")) if fast \
            else nullcontext():
        new = migration(store, t0, t1, scheme=scheme, customers=build.frame, after=after, days=build.days)
    old = migration(store, t0, t1, scheme=scheme, customers=build.frame, after=after)
    pd.testing.assert_frame_equal(new.matrix, old.matrix, check_exact=True)
    pd.testing.assert_frame_equal(new.flows, old.flows, check_exact=True)
    pd.testing.assert_frame_equal(new.customers, old.customers, check_exact=True)
    assert new.stayed == old.stayed or (np.isnan(new.stayed) and np.isnan(old.stayed))


@pytest.mark.parametrize("days_back", [1, 30, 90, 365, 5000])
def test_demo_shop(demo: Store, days_back: int) -> None:
    t1 = demo.default_as_of()
    _same(demo, t1 - pd.Timedelta(days=days_back), t1)


@pytest.mark.parametrize("scheme", ["rf10", "cn8"])
def test_demo_shop_other_maps(demo: Store, scheme: str) -> None:
    t1 = demo.default_as_of()
    _same(demo, t1 - pd.Timedelta(days=120), t1, scheme)


T0 = pd.Timestamp("2024-03-01")


@pytest.fixture
def edgy(store: Store) -> Store:
    """Ties in all three inputs, one-time buyers, several orders a day, orders on both sides of
    the first date (one at its midnight, one a second before), late first orders."""
    rows, k = [], 0

    def order(cust: str, when: str, amount: float) -> None:
        nonlocal k
        rows.append((f"o{k}", cust, pd.Timestamp(when), amount))
        k += 1

    for i in range(12):  # identical one-time buyers before T0: a tie in R, F and M
        order(f"tie{i:02d}", "2024-01-10 09:00", 20.0)
    for i in range(6):  # same-day double orders: 2 orders, 1 purchase day
        order(f"dbl{i}", "2024-02-02 08:00", 10.25)
        order(f"dbl{i}", "2024-02-02 18:30", 9.75)
    for i in range(8):  # buyers on both sides of T0, spend tied with the one-time buyers before it
        order(f"both{i}", f"2024-01-{i + 1:02d} 12:00", 20.0)
        order(f"both{i}", "2024-03-15 12:00", 5.5 * (i + 1))
    order("midnight", "2024-03-01 00:00:00", 30.0)  # on T0: not before it
    order("midnight", "2024-02-20 10:00", 7.0)
    order("lastsec", "2024-02-29 23:59:59", 30.0)  # a second before T0: before it
    for i in range(10):  # first order after T0: not yet customers at T0
        order(f"late{i}", f"2024-03-{i + 2:02d} 10:00", 12.0 + i)
    rng = np.random.default_rng(3)
    for i in range(60):  # a spread of histories
        for d in np.sort(rng.choice(120, size=1 + rng.poisson(2), replace=False)):
            order(f"r{i:02d}", str(pd.Timestamp("2023-12-01") + pd.Timedelta(days=int(d), hours=10)),
                  float(np.round(rng.gamma(2.0, 25.0), 2)))
    store._con.executemany("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES (?, ?, ?, ?)",
                           rows)
    return store


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("t0", ["2024-03-01", "2024-01-15", "2023-11-01", "2024-03-31"])
def test_edge_cases(edgy: Store, scheme: str, t0: str) -> None:
    """2023-11-01 is before every order (nobody is a customer yet); 2024-03-31 leaves an empty
    period (no orders after it before the end date)."""
    _same(edgy, pd.Timestamp(t0), pd.Timestamp("2024-04-15"), scheme)


def test_inputs_equal_the_store_query(edgy: Store) -> None:
    t1 = pd.Timestamp("2024-04-15")
    build = build_customer_table(edgy, t1)
    rows, frame = rfm_inputs_at(build.days, T0, build.frame)
    ref = rfm_inputs(edgy, T0)
    assert list(build.frame["customer_id"].to_numpy()[rows]) == list(ref["customer_id"])
    assert "midnight" in set(ref["customer_id"]) and "late0" not in set(ref["customer_id"])
    np.testing.assert_array_equal(frame["days_since_last"].to_numpy(), ref["days_since_last"].to_numpy())
    np.testing.assert_array_equal(frame["orders"].to_numpy(), ref["orders"].to_numpy())
    # sums of the same amounts in another order: equal to rounding (here exactly: cents add up)
    np.testing.assert_allclose(frame["total_spend"].to_numpy(), ref["total_spend"].to_numpy(), rtol=1e-13)
    got = dict(zip(ref["customer_id"], frame["total_spend"]))
    assert got["midnight"] == 7.0 and got["lastsec"] == 30.0 and got["dbl0"] == 20.0 and got["both3"] == 20.0
    rows2, frame2 = rfm_inputs_at(build.days, T0)  # without the table: everything from the days
    np.testing.assert_array_equal(rows2, rows)
    pd.testing.assert_frame_equal(frame2, frame)


def test_without_a_usable_date_or_table_the_store_answers(edgy: Store) -> None:
    t1 = pd.Timestamp("2024-04-15")
    build = build_customer_table(edgy, t1)
    assert rfm_inputs_at(build.days, pd.Timestamp("2024-03-01 12:00"), None) is None  # not a midnight
    assert rfm_inputs_at(build.days, pd.Timestamp("2024-05-01"), None) is None  # after the days' date
    _same(edgy, pd.Timestamp("2024-03-01 12:00"), t1, fast=False)  # falls back to the query: same result
    other = build.frame.iloc[::-1].reset_index(drop=True)  # rows not aligned with the days
    after = rfm(other)
    new = migration(edgy, T0, t1, customers=other, after=after, days=build.days)
    old = migration(edgy, T0, t1, customers=other, after=after)
    pd.testing.assert_frame_equal(new.matrix, old.matrix)


def test_segment_codes_equal_the_labels() -> None:
    """`SegmentMap.codes` names every score cell as `SegmentMap.assign` does."""
    for scheme, seg_map in SCHEMES.items():
        for bins in ([5] if seg_map.bins else [2, 3, 5, 7]):
            cells = np.array(np.meshgrid(*[np.arange(1, bins + 1)] * len(seg_map.axes))).reshape(len(seg_map.axes), -1)
            labels = seg_map.assign(*cells, bins=bins)
            codes = seg_map.codes(*cells, bins=bins)
            assert list(np.asarray(seg_map.segments)[codes]) == list(labels), scheme
