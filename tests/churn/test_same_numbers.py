"""The faster queries of the churn section give the numbers of their straightforward references.

Each reference is the implementation it replaced, kept here: every gap sent to pandas (horizon),
the snapshot features read from the whole store (sampled snapshots), Kaplan-Meier curves of the
groups looked up by label (retention). Checked on the demo shop and on hand-built edge cases:
one-time buyers, several orders on one day and at the same second, customers whose orders all
come after the snapshot.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from ibis import _

from custlens import schema
from custlens.churn import snapshot_features
from custlens.churn.features import SampledRows
from custlens.churn.labels import _gaps, default_horizon
from custlens.churn.survival import kaplan_meier, retention_curves
from custlens.features import columns as c
from custlens.features.customer_table import customer_table


def _reference_gaps(store, as_of: pd.Timestamp) -> np.ndarray:
    """Before: every gap between purchase days, sent to pandas."""
    orders = store.require(schema.ORDERS.name, "churn analysis")
    cut = ibis.literal(as_of.to_pydatetime(), type="timestamp")
    days = (orders.filter(orders[schema.ORDERED_AT] < cut)
            .mutate(_day=_[schema.ORDERED_AT].date().epoch_days())
            .select(schema.CUSTOMER_ID, "_day").distinct())
    w = ibis.window(group_by=schema.CUSTOMER_ID, order_by="_day")
    gaps = days.mutate(gap=(_._day - _._day.lag().over(w))).filter(_.gap.notnull()).select("gap")
    return store.execute(gaps)["gap"].to_numpy(dtype=float)


def _edge_rows() -> list[tuple[str, str, str, float]]:
    """One-time buyers, same-day and same-second orders, customers first buying after the snapshot."""
    rows = [("a1", "one", "2024-01-03 10:00:00", 5.0),                                        # one-time buyer
            ("b1", "twins", "2024-01-05 09:00:00", 7.0), ("b2", "twins", "2024-01-05 09:00:00", 8.0),  # same second
            ("b3", "twins", "2024-01-05 18:00:00", 1.0), ("b4", "twins", "2024-02-20 18:00:00", 2.0),
            ("c1", "late", "2024-06-20 12:00:00", 9.0), ("c2", "late", "2024-06-25 12:00:00", 9.0)]  # after snapshot
    for k in range(40):  # regular buyers: gaps of 10 + k % 7 days (ties between customers)
        for j in range(5):
            rows.append((f"r{k}_{j}", f"reg{k:02d}", str(pd.Timestamp("2024-01-01 08:30") +
                                                         pd.Timedelta(days=j * (10 + k % 7), seconds=k)), 3.0 + j))
    return rows


def test_gaps_from_counts_equal_every_gap(make_store, demo) -> None:
    st = make_store(_edge_rows())
    for store, as_of in ((st, pd.Timestamp("2024-06-01")), (st, pd.Timestamp("2024-07-01")),
                         (demo, demo.default_as_of())):
        got, ref = _gaps(store, as_of), _reference_gaps(store, as_of)
        assert np.array_equal(got, np.sort(ref)) and len(ref) > 30
        assert np.quantile(got, 0.9) == np.quantile(ref, 0.9)
    h = default_horizon(demo, demo.default_as_of())
    assert h.raw_days == float(np.quantile(_reference_gaps(demo, demo.default_as_of()), 0.9))


def _check_sampled_rows(store, snapshot: str, customers: pd.Index, horizon: int = 30) -> None:
    ref = snapshot_features(store, snapshot, horizon, customers=customers)
    with SampledRows(store, customers.append(pd.Index(["nobody"]))) as sub:
        got = snapshot_features(sub, snapshot, horizon, customers=customers)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)


def test_sampled_rows_give_the_features_of_the_whole_store(make_store, demo) -> None:
    st = make_store(_edge_rows())
    _check_sampled_rows(st, "2024-06-01", pd.Index(["one", "twins", "reg03", "reg17"]))
    # "late" has no order before the snapshot: no row, as from the whole store
    _check_sampled_rows(st, "2024-06-22", pd.Index(["one", "twins", "late", "reg05"]).drop("late"))
    table = customer_table(demo, "2025-06-01")
    ids = pd.Index(table[schema.CUSTOMER_ID]).sort_values()[::7]
    assert len(ids) > 100
    _check_sampled_rows(demo, "2025-06-01", ids)
    # the copies are temporary tables of the store, dropped on exit
    def temporary() -> int:
        return int(demo._con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0])

    before = temporary()
    with SampledRows(demo, ids):
        assert temporary() > before
    assert temporary() == before


def _reference_curves(customers: pd.DataFrame, horizon_days: int, by: dict[str, pd.Series]) -> pd.DataFrame:
    """Before: each group's rows looked up by label (``.loc``)."""
    from custlens.churn.survival import MIN_GROUP, lifetimes

    life = lifetimes(customers, horizon_days)
    out = []
    for name, labels in by.items():
        labels = pd.Series(labels, index=customers.index).astype(object)
        for g, idx in labels.groupby(labels, sort=True).groups.items():
            part = life.loc[idx]
            if len(part) < MIN_GROUP:
                continue
            km = kaplan_meier(part["duration"], part["event"])
            out.append(pd.DataFrame({"by": name, "group": g, "days": km["days"].to_numpy(),
                                     "retention": km["retention"].to_numpy()}))
    return pd.concat(out, ignore_index=True)


def test_retention_curves_by_position_equal_the_lookup_by_label(demo) -> None:
    table = customer_table(demo, demo.default_as_of()).set_index(schema.CUSTOMER_ID, drop=False)
    rng = np.random.default_rng(0)
    by = {"channel": table[c.FAVOURITE_CHANNEL].fillna("-"),
          "random": pd.Series(rng.choice(["x", "y", None, "tiny"], len(table), p=[0.5, 0.4, 0.095, 0.005]),
                              index=table.index)}
    got = retention_curves(table, 60, by)
    pd.testing.assert_frame_equal(got.curves, _reference_curves(table, 60, by), check_exact=True)
    assert set(got.curves["group"]) >= {"x", "y"} and "tiny" not in set(got.curves["group"])


def _reference_trend(store, snapshot: pd.Timestamp) -> pd.DataFrame:
    """Before: the trend aggregated every order before the snapshot (a row for every customer)."""
    from custlens.churn.features import TREND_DAYS, _cutoff

    orders = store.table(schema.ORDERS.name)
    recent = _cutoff(snapshot - pd.Timedelta(days=TREND_DAYS))
    previous = _cutoff(snapshot - pd.Timedelta(days=2 * TREND_DAYS))
    o = orders.filter(orders[schema.ORDERED_AT] < _cutoff(snapshot))
    is_recent = o[schema.ORDERED_AT] >= recent
    is_prev = (o[schema.ORDERED_AT] >= previous) & ~is_recent
    df = store.execute(o.group_by(schema.CUSTOMER_ID).aggregate(
        orders_90d=is_recent.cast("int64").sum(), spend_90d=o[schema.AMOUNT].sum(where=is_recent),
        _spend_prev=o[schema.AMOUNT].sum(where=is_prev))).set_index(schema.CUSTOMER_ID)
    df["spend_90d"] = df["spend_90d"].fillna(0.0).astype(float)
    prev = df.pop("_spend_prev").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["spend_change"] = np.where(prev > 0, df["spend_90d"] / prev - 1.0, np.nan)
    df["orders_90d"] = df["orders_90d"].astype(float)
    return df


def test_trend_of_the_last_two_quarters_equals_the_trend_of_every_order(make_store, demo) -> None:
    st = make_store(_edge_rows() + [("x1", "old", "2023-01-02 10:00:00", 4.0)])  # nothing in the last 180 days
    for store, snap in ((st, "2024-06-01"), (st, "2024-03-01"), (demo, "2025-06-01")):
        got = snapshot_features(store, snap, 30)[["orders_90d", "spend_90d", "spend_change"]]
        ref = _reference_trend(store, pd.Timestamp(snap)).reindex(got.index)[["orders_90d", "spend_90d",
                                                                              "spend_change"]]
        pd.testing.assert_frame_equal(got, ref, check_exact=True, check_names=False)
        assert (got["orders_90d"] == 0).any()
