"""Churn's horizon, labels and trend from the report's purchase days equal the store queries they replace.

The store path (no ``days``) is the reference: it is what the CLI and the server still run, and
what churn ran before the report passed its purchase days. Checked on hand-built edge cases
(one-time buyers, several orders on one day and at the same second, customers whose first order
comes after a snapshot, a snapshot before every order of a customer, ties between customers) and
on the demo shop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn.analysis import _sampled_snapshots
from custlens.churn.days import rows_of, window_sums
from custlens.churn.features import snapshot_frame
from custlens.churn.labels import _gap_counts, _gaps, default_horizon, snapshot_labels
from custlens.churn.sampling import stratified_positions
from custlens.features.customer_table import customer_table
from custlens.features.purchase_days import build_customer_table

#: Sums of amounts may differ in the last bits (the store adds in its own order).
SUMS = ("spend_90d", "spend_change", "p_alive", "p_no_purchase")


def _edge_rows() -> list[tuple[str, str, str, float]]:
    rows = [("a1", "one", "2024-01-03 10:00:00", 5.0),                                         # one-time buyer
            ("b1", "twins", "2024-01-05 09:00:00", 7.0), ("b2", "twins", "2024-01-05 09:00:00", 8.0),  # same second
            ("b3", "twins", "2024-01-05 18:00:00", 1.0), ("b4", "twins", "2024-05-20 23:59:59", 2.0),
            ("b5", "twins", "2024-05-21 00:00:00", 2.5),                               # either side of midnight
            ("c1", "late", "2024-06-20 12:00:00", 9.0), ("c2", "late", "2024-06-25 12:00:00", 9.0),  # after snapshots
            ("d1", "edge", "2024-04-01 00:00:00", 4.0), ("d2", "edge", "2024-05-02 00:00:00", 6.0)]  # on snapshot days
    for k in range(40):  # regular buyers: gaps of 10 + k % 7 days (ties between customers)
        for j in range(6):
            rows.append((f"r{k}_{j}", f"reg{k:02d}", str(pd.Timestamp("2024-01-01 08:30") +
                                                         pd.Timedelta(days=j * (10 + k % 7) + k, seconds=k)),
                         3.0 + j + k / 10))
    return rows


def _frames_equal(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    exact = [col for col in ref.columns if col not in SUMS]
    pd.testing.assert_frame_equal(got[exact], ref[exact], check_exact=True)
    sums = [col for col in ref.columns if col in SUMS]
    pd.testing.assert_frame_equal(got[sums], ref[sums], check_exact=False, rtol=1e-12, atol=0)


@pytest.fixture
def edge(make_store):
    return make_store(_edge_rows())


AS_OFS = ("2024-05-02", "2024-05-21", "2024-07-01")


@pytest.mark.parametrize("as_of", AS_OFS)
def test_gaps_and_horizon_from_days_equal_the_store(edge, as_of: str) -> None:
    as_of = pd.Timestamp(as_of)
    days = build_customer_table(edge, as_of).days
    values, counts = _gap_counts(edge, as_of)
    got = _gaps(edge, as_of, days)
    assert np.array_equal(np.sort(got), np.repeat(values, counts)) and len(got) > 30
    assert default_horizon(edge, as_of, days=days) == default_horizon(edge, as_of)
    # days of another date are not used: the store answers
    other = build_customer_table(edge, pd.Timestamp("2024-07-01") if as_of != pd.Timestamp("2024-07-01")
                                 else pd.Timestamp("2024-05-02")).days
    assert np.array_equal(_gaps(edge, as_of, other), np.repeat(values, counts))


@pytest.mark.parametrize("h", [1, 20, 30])
def test_labels_from_days_equal_the_store(edge, h: int) -> None:
    as_of = pd.Timestamp("2024-07-01")
    days = build_customer_table(edge, as_of).days
    snaps = [as_of - pd.Timedelta(days=k) for k in (h, 2 * h, 61, 91, 120, 183)]
    ref = snapshot_labels(edge, snaps, h)
    got = snapshot_labels(edge, snaps, h, days=days)
    assert list(got) == list(ref)
    for s in snaps:
        pd.testing.assert_series_equal(got[s], ref[s])
    assert any(0 < ref[s].sum() < len(ref[s]) for s in snaps)  # both outcomes occur
    for s in snaps:  # a customer is labelled only from a snapshot after their first order on
        assert ("late" in ref[s].index) == (s > pd.Timestamp("2024-06-20"))
    assert len(ref[snaps[-1]]) == 0  # a snapshot before every order
    # a window that ends after the days' date cannot be answered from them: the store answers
    early = build_customer_table(edge, pd.Timestamp("2024-05-21")).days
    late = snapshot_labels(edge, snaps, h, days=early)
    for s in snaps:
        pd.testing.assert_series_equal(late[s], ref[s])


@pytest.mark.parametrize("snap", ["2024-04-01", "2024-05-21", "2024-07-01"])
def test_snapshot_features_from_days_equal_the_store(edge, snap: str) -> None:
    snap = pd.Timestamp(snap)
    days = build_customer_table(edge, pd.Timestamp("2024-07-01")).days
    ref, _ = snapshot_frame(edge, snap, 30)
    got, _ = snapshot_frame(edge, snap, 30, days=days)
    _frames_equal(got, ref)
    some = pd.Index(["edge", "one", "reg03", "reg17", "twins"])
    ref, _ = snapshot_frame(edge, snap, 30, customers=some)
    got, _ = snapshot_frame(edge, snap, 30, customers=some, days=days)
    _frames_equal(got, ref)
    assert (ref["orders_90d"] > 0).any()
    assert ref["spend_change"].notna().any() == (snap > pd.Timestamp("2024-05-01"))  # a quarter before it


def test_current_features_with_the_report_table_and_days(edge) -> None:
    as_of = pd.Timestamp("2024-07-01")
    build = build_customer_table(edge, as_of)
    ref, _ = snapshot_frame(edge, as_of, 30, table=customer_table(edge, as_of))
    got, _ = snapshot_frame(edge, as_of, 30, table=build.frame, days=build.days)
    _frames_equal(got, ref)


def test_window_sums_by_hand(edge) -> None:
    days = build_customer_table(edge, pd.Timestamp("2024-07-01")).days
    ids = list(days.customer_id)
    n_days, orders, amount = window_sums(days, 19727, 19728)  # 2024-01-05 only
    i = ids.index("twins")
    assert (n_days[i], orders[i], amount[i]) == (1, 3, 16.0)
    assert n_days[ids.index("one")] == 0 and n_days[ids.index("late")] == 0
    n_days, orders, amount = window_sums(days, 19863, 19865)  # 2024-05-20 and 2024-05-21
    assert (n_days[i], orders[i], amount[i]) == (2, 2, 4.5)
    rows = np.array([i, 0, len(ids) - 1, i])  # some customers, in any order, one twice
    for full, part in zip(window_sums(days, 19700, 19900), window_sums(days, 19700, 19900, rows)):
        assert np.array_equal(part, full[rows])
    assert window_sums(days, 19700, 19900, rows, counts_only=True)[1] is None


def test_rows_of_refuses_a_customer_it_does_not_hold(edge) -> None:
    days = build_customer_table(edge, pd.Timestamp("2024-07-01")).days
    assert rows_of(days, pd.Index(["one", "twins"])).tolist() == [list(days.customer_id).index("one"),
                                                                  list(days.customer_id).index("twins")]
    assert rows_of(days, pd.Index(["one", "nobody"])) is None
    assert rows_of(days, pd.Index(["twins", "one"])) is not None  # any order: each id is looked up
    assert rows_of(days, pd.Index(["zzz-after-everyone"])) is None


def test_rows_of_takes_a_hint_only_when_it_holds_the_customers(edge) -> None:
    days = build_customer_table(edge, pd.Timestamp("2024-07-01")).days
    want = pd.Index(days.customer_id[[1, 4, 7]])
    right = rows_of(days, want)
    assert right.tolist() == [1, 4, 7]
    assert rows_of(days, want, hint=np.array([1, 4, 7])).tolist() == [1, 4, 7]
    for wrong in (np.array([7, 4, 1]), np.array([1, 4, 10**6]), np.array([-1, 4, 7]), np.array([1, 4])):
        assert rows_of(days, want, hint=wrong).tolist() == [1, 4, 7]  # not the hint: searched
    assert rows_of(days, pd.Index(["one", "nobody"]), hint=np.array([0, 1])) is None


@pytest.mark.parametrize("from_days", [True, False])
def test_sampled_rows_hint_from_the_labels(edge, from_days: bool) -> None:
    """Labels from the days hold the customers of the days whose first day is before the snapshot,
    in their order: the drawn customers' rows follow from the draw; labels of another origin (the
    store's) give rows that `rows_of` checks."""
    from custlens.churn.analysis import _rows_in_days

    as_of = pd.Timestamp("2024-07-01")
    days = build_customer_table(edge, as_of).days
    for snap in (pd.Timestamp("2024-04-01"), pd.Timestamp("2024-05-21")):
        y = snapshot_labels(edge, [snap], 30, days=days if from_days else None)[snap]
        pos = stratified_positions(y.to_numpy(), 9, 0)
        hint = _rows_in_days(days, snap, y, pos)
        assert hint is not None and rows_of(days, y.index[pos], hint).tolist() == rows_of(days, y.index[pos]).tolist()
        assert list(days.customer_id[hint]) == list(y.index[pos])
    assert _rows_in_days(None, snap, y, pos) is None


def test_sampled_snapshots_from_days_equal_the_store(demo) -> None:
    as_of = demo.default_as_of()
    days = build_customer_table(demo, as_of).days
    h = default_horizon(demo, as_of, days=days).days
    snaps = [as_of - pd.Timedelta(days=k * h) for k in (1, 2, 3)]
    labels = snapshot_labels(demo, snaps, h)
    drawn = [(s, labels[s], stratified_positions(labels[s].to_numpy(), size, i))
             for i, (s, size) in enumerate(zip(snaps, (300, 10**6, 250)))]
    assert len(drawn[0][2]) < len(labels[snaps[0]]) and len(drawn[1][2]) == len(labels[snaps[1]])
    ref = _sampled_snapshots(demo, drawn, h, 0)
    got = _sampled_snapshots(demo, drawn, h, 0, days)
    for (X, y), (X0, y0) in zip(got, ref):
        _frames_equal(X, X0)
        pd.testing.assert_series_equal(y, y0)


@pytest.mark.slow
def test_churn_analysis_with_days_equals_without_on_the_demo(churn_demo) -> None:
    """End to end: the report's path (``days=``) gives the store path's result (`churn_demo`)."""
    from custlens.churn import churn_analysis

    ref, st, _ = churn_demo
    build = build_customer_table(st, ref.as_of)
    got = churn_analysis(st, table=build.frame, days=build.days)
    assert got.horizon == ref.horizon and got.train_snapshots == ref.train_snapshots
    assert (got.n_train, got.n_holdout, got.cutoffs) == (ref.n_train, ref.n_holdout, ref.cutoffs)
    # the trees bin their inputs, so a spend sum differing in its last bit (see `SUMS`) changes
    # nothing; the logistic baseline (scaled inputs) may move in the 15th digit
    others = [k for k in ref.metrics.index if k != "logistic"]
    pd.testing.assert_frame_equal(got.metrics.loc[others], ref.metrics.loc[others], check_exact=True)
    pd.testing.assert_frame_equal(got.metrics.loc[["logistic"]], ref.metrics.loc[["logistic"]],
                                  check_exact=False, rtol=1e-12, atol=0)
    pd.testing.assert_frame_equal(got.importance, ref.importance, check_exact=True)
    pd.testing.assert_frame_equal(got.scores.drop(columns="reasons"), ref.scores.drop(columns="reasons"),
                                  check_exact=True)
    _frames_equal(got.features, ref.features)


@pytest.mark.parametrize("with_days", [False, True])
def test_sampled_snapshots_equal_the_whole_snapshots_on_edge_cases(edge, with_days: bool) -> None:
    """The sampled snapshots (one copy of the sampled rows, a customer table per snapshot on it)
    give each sampled customer the features of the whole store's snapshot: one-time buyers,
    same-day orders, snapshots on a purchase day and customers whose first order is later."""
    as_of = pd.Timestamp("2024-07-01")
    days = build_customer_table(edge, as_of).days if with_days else None
    snaps = [pd.Timestamp(s) for s in ("2024-04-01", "2024-05-02", "2024-05-21")]
    labels = snapshot_labels(edge, snaps, 30)
    drawn = [(s, labels[s], stratified_positions(labels[s].to_numpy(), size, i))
             for i, (s, size) in enumerate(zip(snaps, (12, 10**6, 9)))]
    assert len(drawn[0][2]) < len(labels[snaps[0]]) and len(drawn[2][2]) < len(labels[snaps[2]])
    got = _sampled_snapshots(edge, drawn, 30, 0, days)
    for (snap, y, pos), (X, y_got) in zip(drawn, got):
        whole, _ = snapshot_frame(edge, snap, 30)
        ids = y.index[pos]
        assert list(X.index) == list(ids)  # the drawn customers, in the draw's order
        # estimated on the rows at hand (the sample), not the shop: the MBG/NBD behind p_alive and
        # p_no_purchase, and the median gap that is the usual gap of customers with one purchase day
        sample_based = ("p_alive", "p_no_purchase", "usual_gap_days", "gap_ratio")
        cols = [col for col in whole.columns if col not in sample_based]
        one_day = X["gap_mean_days"].isna().to_numpy()  # one purchase day: no gap of their own
        for col in ("usual_gap_days", "gap_ratio"):  # the customers with a gap have their own
            _frames_equal(X.loc[~one_day, [col]], whole.loc[ids[~one_day], [col]])
        _frames_equal(X[cols], whole.loc[ids, cols])
        pd.testing.assert_series_equal(y_got, y.iloc[pos])
