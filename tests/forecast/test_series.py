"""Series built in the store, checked against the hand-computed table in conftest.fill."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.errors import InputError, MissingDataError
from custlens.forecast import build_series


def test_daily_revenue_is_zero_filled_to_as_of(shop) -> None:
    s = build_series(shop, "revenue", "D")
    assert list(s["ds"]) == list(pd.date_range("2024-01-01", "2024-01-15"))
    by_day = dict(zip(s["ds"].dt.strftime("%m-%d"), s["y"]))
    assert by_day["01-01"] == 150 and by_day["01-03"] == 20 and by_day["01-09"] == 30 and by_day["01-15"] == 40
    assert by_day["01-02"] == 0 and s["y"].sum() == 240
    assert set(s["unique_id"]) == {"revenue"}


def test_daily_series_extends_with_zeros_to_a_later_as_of(shop) -> None:
    s = build_series(shop, "orders", "D", as_of="2024-01-20")
    assert s["ds"].max() == pd.Timestamp("2024-01-19")
    assert s["y"].tail(4).tolist() == [0, 0, 0, 0] and s["y"].sum() == 5


def test_weekly_series_drop_the_partial_week(shop) -> None:
    # as_of 2024-01-16: the week of 2024-01-15 is not complete and is left out.
    orders = build_series(shop, "orders", "W")
    assert orders["ds"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert orders["y"].tolist() == [3, 1]
    active = build_series(shop, "active", "W")
    assert active["y"].tolist() == [2, 1]  # a and b, then c
    new = build_series(shop, "new", "W", as_of="2024-01-22")
    assert new["y"].tolist() == [2, 1, 0]  # b's order in week 3 is a repeat


def test_monthly_series_need_a_complete_month(shop) -> None:
    with pytest.raises(InputError, match="no complete M period"):
        build_series(shop, "revenue", "M")
    s = build_series(shop, "revenue", "M", as_of="2024-03-01")
    assert s["y"].tolist() == [240, 0]


def test_category_demand_is_one_zero_filled_series_per_category(shop) -> None:
    s = build_series(shop, "category", "D")
    assert sorted(s["unique_id"].unique()) == ["bags", "shoes"]
    assert s.groupby("unique_id").size().tolist() == [15, 15]
    shoes = s[s["unique_id"] == "shoes"].set_index("ds")["y"]
    assert shoes[pd.Timestamp("2024-01-01")] == 2 and shoes[pd.Timestamp("2024-01-03")] == 1 and shoes.sum() == 3
    amount = build_series(shop, "category", "W", value="amount")
    assert amount.groupby("unique_id")["y"].sum().to_dict() == {"bags": 20, "shoes": 100}
    by_product = build_series(shop, "category", "D", by="product_id")
    assert sorted(by_product["unique_id"].unique()) == ["p1", "p2"]


def test_revenue_is_conserved_by_every_frequency(shop) -> None:
    total = build_series(shop, "revenue", "D", as_of="2024-02-01")["y"].sum()
    assert build_series(shop, "revenue", "W", as_of="2024-01-29")["y"].sum() == total == 240
    assert build_series(shop, "revenue", "M", as_of="2024-02-01")["y"].sum() == total


def test_bad_arguments_and_missing_data(store, shop) -> None:
    with pytest.raises(InputError, match="metric='profit'"):
        build_series(shop, "profit")
    with pytest.raises(InputError, match="freq='Q'"):
        build_series(shop, "revenue", "Q")
    with pytest.raises(InputError, match="by='colour'"):
        build_series(shop, "category", by="colour")


def test_empty_store_says_what_to_load(tmp_path) -> None:
    from custlens.store import Store

    with Store(tmp_path / "empty.duckdb") as st:
        with pytest.raises(MissingDataError):
            build_series(st, "revenue", as_of="2024-01-01")


def test_an_as_of_before_every_order_says_so_with_passed_kpis(shop) -> None:
    """The report passes its own (empty) period KPIs: a clear message, not an IndexError."""
    from custlens.features.periods import period_kpis

    kpis = period_kpis(shop, "D", "2024-02-01").iloc[:0]  # no period before as_of
    for metric in ("revenue", "active"):
        with pytest.raises(MissingDataError, match="no orders before as_of=2000-01-01"):
            build_series(shop, metric, "D", as_of="2000-01-01", kpis=kpis)
