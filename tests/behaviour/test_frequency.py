"""Purchase frequency on the toy shop (hand-computed, see toyshop.py) and the demo truth."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.behaviour import purchase_frequency
from custlens.errors import MissingDataError


def test_distribution_buckets_and_repeat_rate_by_hand(toy) -> None:
    res = purchase_frequency(toy)  # as_of: 2024-03-26, every order counts
    assert dict(zip(res.distribution["orders"], res.distribution["customers"])) == {1: 2, 3: 2, 10: 1}
    assert res.buckets["bucket"].tolist() == ["one_time", "2_3", "4_9", "10_plus"]
    assert res.buckets["customers"].tolist() == [2, 2, 0, 1]
    # revenue: b 200 + f 70; a 180 + c 140; d 60 + 90
    assert res.buckets["revenue"].tolist() == pytest.approx([270.0, 320.0, 0.0, 150.0])
    assert res.buckets["revenue_share"].sum() == pytest.approx(1.0)
    assert res.repeat_rate == pytest.approx(3 / 5)
    assert res.n_customers == 5


def test_gaps_between_purchase_days_by_hand(toy) -> None:
    res = purchase_frequency(toy)
    # a: 15, 50; c: 10 (two orders on 1 Feb are one day); d: 10 (20 Feb -> 1 Mar 2024), then 8 x 1
    assert res.gap_summary["count"] == 12
    assert res.gap_summary["mean"] == pytest.approx((15 + 50 + 10 + 10 + 8) / 12)
    assert res.gap_summary["median"] == 1.0
    assert res.time_to_second["customers"] == 3
    assert res.time_to_second["median"] == 10.0
    assert res.time_to_second["mean"] == pytest.approx(35 / 3)
    assert res.gaps["gaps"].sum() == 12
    assert dict(zip(res.gaps["gap_band"], res.gaps["gaps"]))["0-6"] == 8
    assert dict(zip(res.gaps["gap_band"], res.gaps["gaps"]))["14-29"] == 1


def test_as_of_cuts_the_future(toy) -> None:
    res = purchase_frequency(toy, as_of="2024-02-01")  # a: 2 orders, b: 1
    assert dict(zip(res.distribution["orders"], res.distribution["customers"])) == {1: 1, 2: 1}
    assert res.repeat_rate == 0.5


def test_empty_store_says_what_to_load(store) -> None:
    with pytest.raises(MissingDataError, match="custlens ingest"):
        purchase_frequency(store)


def test_demo_repeat_rate_matches_the_truth(demo, demo_run) -> None:
    res = purchase_frequency(demo)
    truth = demo_run.truth["members"]
    assert res.n_customers == truth["buyers"]
    # truth: share of buyers with a repeat purchase (BG/NBD x > 0); campaign orders add a few repeats.
    assert res.repeat_rate == pytest.approx(truth["repeat_buyer_share"], abs=0.02)
    assert int(res.distribution["customers"].sum()) == res.buckets["customers"].sum()
    revenue = demo._con.execute("SELECT sum(amount) FROM orders").fetchall()[0][0]
    assert res.buckets["revenue"].sum() == pytest.approx(revenue)
    assert isinstance(res.to_dict()["buckets"], list) and not pd.isna(res.gap_summary["median"])
