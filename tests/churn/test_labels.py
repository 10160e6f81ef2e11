"""Horizon, snapshot dates and labels on hand-built order histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn import churn_labels, default_horizon, snapshot_dates
from custlens.churn.labels import MIN_GAPS
from custlens.errors import InputError, MissingDataError


def _regular(n_customers: int, gap: int, start: str = "2023-01-01", orders: int = 4):
    """Customer k buys every ``gap + k`` days, ``orders`` times."""
    rows, t0 = [], pd.Timestamp(start)
    for k in range(n_customers):
        for j in range(orders):
            rows.append((f"o{k}_{j}", f"c{k}", str(t0 + pd.Timedelta(days=j * (gap + k))), 10.0))
    return rows


def test_horizon_is_the_90th_percentile_of_gaps(make_store) -> None:
    # gaps: customer k has 3 gaps of (20 + k) days, k = 0..19 -> 60 gaps
    st = make_store(_regular(20, 20))
    as_of = st.default_as_of()
    h = default_horizon(st, as_of)
    gaps = np.repeat(20 + np.arange(20), 3)
    expected = np.quantile(gaps, 0.9)  # 37.0
    assert h.basis == "percentile" and h.n_gaps == 60
    assert h.raw_days == pytest.approx(expected)
    assert h.days == int(np.ceil(expected))


def test_horizon_falls_back_and_can_be_given(make_store) -> None:
    st = make_store(_regular(3, 20))  # 9 gaps < MIN_GAPS
    assert 9 < MIN_GAPS
    assert default_horizon(st, st.default_as_of()).basis == "fallback"
    assert default_horizon(st, st.default_as_of(), 45).days == 45
    with pytest.raises(InputError, match="horizon_days=0"):
        default_horizon(st, st.default_as_of(), 0)


def test_labels_look_only_at_the_window(make_store) -> None:
    st = make_store([
        ("1", "a", "2024-01-01", 5.0), ("2", "a", "2024-03-05", 5.0),   # buys inside [03-01, 03-31)
        ("3", "b", "2024-01-01", 5.0), ("4", "b", "2024-03-31", 5.0),   # first day after the window
        ("5", "c", "2024-01-01", 5.0), ("6", "c", "2024-02-29", 5.0),   # last day before the window
    ])
    y = churn_labels(st, pd.Timestamp("2024-03-01"), 30, pd.Index(["a", "b", "c"]))
    assert y.to_dict() == {"a": 0, "b": 1, "c": 1}


def test_snapshots_hold_out_the_latest_window(make_store) -> None:
    st = make_store(_regular(20, 20, start="2022-01-01", orders=30))
    as_of = pd.Timestamp("2024-01-01")
    holdout, train = snapshot_dates(st, as_of, 50, n_train=3, step_days=40)
    assert holdout == as_of - pd.Timedelta(days=50)
    assert train == [as_of - pd.Timedelta(days=100 + 40 * k) for k in range(3)]
    # every training label window ends before the held-out snapshot
    assert all(s + pd.Timedelta(days=50) <= holdout for s in train)


def test_short_history_is_refused_with_the_numbers(make_store) -> None:
    st = make_store(_regular(20, 5))
    with pytest.raises(MissingDataError, match=r"two horizons plus 60 days before as_of \(460 days with horizon_days=200\); the orders cover 73 days"):
        snapshot_dates(st, st.default_as_of(), 200)


def test_labels_of_all_snapshots_in_one_pass_equal_churn_labels(make_store) -> None:
    from custlens.churn.labels import snapshot_labels

    st = make_store(_regular(12, 25, start="2023-01-01", orders=6) + [("late", "new", "2023-06-01", 5.0)])
    snaps = [pd.Timestamp("2023-03-01"), pd.Timestamp("2023-06-01"), pd.Timestamp("2023-06-15")]
    got = snapshot_labels(st, snaps, 40)
    for s in snaps:
        y = got[s]
        assert list(y.index) == sorted(y.index)  # the order of snapshot_features
        assert ("new" in y.index) == (s > pd.Timestamp("2023-06-01"))  # only customers who bought before s
        pd.testing.assert_series_equal(y, churn_labels(st, s, 40, y.index))
    assert got[snaps[0]].sum() == 0  # everyone buys again within 40 days of March 1
    for s in snaps[1:]:
        assert 0 < got[s].sum() < len(got[s])  # both outcomes occur: the comparison can fail
