"""Timing: the heat map and indices on the toy shop; the demo's weekday and hour pattern."""

from __future__ import annotations

import numpy as np
import pytest

from custlens.behaviour import purchase_timing


def test_heatmap_counts_by_hand(toy) -> None:
    res = purchase_timing(toy)
    assert len(res.heatmap) == 168
    assert res.untimed_orders == 1  # b's order has a date only
    assert res.heatmap["orders"].sum() == 17  # 18 orders, one without a time
    cell = res.heatmap.set_index(["weekday", "hour"])["orders"]
    # 20:00 orders: d on 1-9 March 2024 (Fri 1st .. Sat 9th), c on Sun 11 Feb, f on Mon 25 Mar
    assert cell.loc[(4, 20)] == 2 and cell.loc[(6, 20)] == 2 and cell.loc[(0, 20)] == 2
    assert res.heatmap.groupby("hour")["orders"].sum()[20] == 11
    assert cell.loc[(4, 10)] == 1  # a: Fri 5 Jan 10:00
    assert res.peak()[1] == 20


def test_monthly_and_indices(toy) -> None:
    res = purchase_timing(toy)
    m = res.monthly.set_index(res.monthly["month"].dt.strftime("%Y-%m"))
    assert m["orders"].to_dict() == {"2024-01": 3, "2024-02": 4, "2024-03": 11}
    assert m.loc["2024-03", "customers"] == 3
    assert m["revenue"].sum() == pytest.approx(740.0)
    # index = mean orders per weekday / mean orders per day; days-weighted mean of the indices is 1
    w = res.weekday
    assert np.average(w["index"], weights=w["days"]) == pytest.approx(1.0)
    assert w["days"].sum() == (res.as_of - np.datetime64("2024-01-05")).days


def test_demo_weekends_and_evenings_are_busiest(demo, demo_run) -> None:
    res = purchase_timing(demo)
    truth = demo_run.truth["calendar"]
    w = res.weekday.set_index("weekday")["index"]
    assert set(w.nlargest(2).index) == {5, 6}  # Saturday, Sunday: multiplier 1.25
    assert w.idxmin() in (0, 1, 2)  # Monday-Wednesday: 0.95
    hours = res.heatmap.groupby("hour")["orders"].sum()
    assert hours.idxmax() == int(np.argmax(truth["hour_weights"]))  # 21:00
    # correlation of the observed hour profile with the generating weights
    assert np.corrcoef(hours.to_numpy(), truth["hour_weights"])[0, 1] > 0.9
