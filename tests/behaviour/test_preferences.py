"""Preference shares, by segment and price bands on the toy shop."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.behaviour import MISSING, customer_preferences, preferences


def test_channel_and_payment_shares_by_hand(toy) -> None:
    res = preferences(toy)
    ch = res.shares["channel"].set_index("value")
    # APP: 100+50+80+20+60+9*10+70 = 470; PC: 30+200 = 230; missing: 40 (o_c3)
    assert ch["revenue"].to_dict() == pytest.approx({"APP": 470.0, "PC": 230.0, MISSING: 40.0})
    assert ch.loc["APP", "orders"] == 15 and ch.loc["APP", "customers"] == 4
    assert res.shares["channel"]["revenue_share"].sum() == pytest.approx(1.0)
    pay = res.shares["payment_method"].set_index("value")
    assert pay.loc[MISSING, "revenue"] == 200.0  # b paid with an unknown method: its own category


def test_line_dimensions_and_segments(toy) -> None:
    seg = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "f"], "segment": ["s1", "s1", "s2", "s2", "s2"]})
    res = preferences(toy, segments=seg)
    cat = res.shares["category"].set_index("value")
    # line amounts are 10 * line_no: X in o_a1 (10), o_a2 (10, 20), o_b1 (10), o_c2 (10)
    assert cat.loc["catX", "revenue"] == 60.0 and cat.loc["catX", "orders"] == 4
    by = res.by_segment[res.by_segment["dimension"] == "category"]
    assert by.groupby("segment")["share"].sum().to_numpy() == pytest.approx([1.0, 1.0])
    s2 = by[by["segment"] == "s2"].set_index("value")["revenue"]
    assert s2.to_dict() == {"catY": 30.0, "catZ": 20.0, "catX": 10.0}  # o_c1: Y 10, Z 20; o_c2: X 10, Y 20


def test_price_bands_cover_every_line(toy) -> None:
    bands = preferences(toy).price_bands
    assert bands["lines"].sum() == 11
    assert bands["band"].tolist()[0] == "low" and bands["revenue_share"].sum() == pytest.approx(1.0)
    assert bands["customers"].sum() == 3  # customers a, b, c bought lines


def test_without_order_lines_only_order_dimensions(toy, store) -> None:
    store._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount, channel) "
                      "VALUES ('o', 'a', '2024-01-01', 5, 'APP')")
    res = preferences(store)
    assert res.dimensions == ["channel"] and res.price_bands.empty


def test_one_customer(toy) -> None:
    prefs = customer_preferences(toy, "c")
    assert prefs["channel"][0] == {"value": "APP", "orders": 2, "revenue": 100.0}
