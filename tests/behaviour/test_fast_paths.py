"""The fast frequency, preference and timing paths give the numbers of the straightforward ones.

The reference implementations below are the previous versions of `purchase_frequency`,
`preferences` and `purchase_timing` (several Ibis queries each, quantiles and distinct counts
in SQL), kept verbatim in their computing parts. They run on the toy shop, the demo shop and
a shop of edge cases: ties, one-time buyers, several orders on one day, null and blank
dimension values, untimed and sub-second stamps, a month without orders, customers whose
first order is after ``as_of``, and an ``as_of`` before any order.
"""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd
import pytest

from custlens import schema
from custlens.behaviour import festival_lift, preferences, purchase_frequency, purchase_timing
from custlens.errors import MissingDataError
from custlens.behaviour import _gaps
from custlens.behaviour._common import has_column, orders_before
from custlens.behaviour.frequency import BUCKETS, GAP_EDGES, _bucket
from custlens.behaviour.preferences import DIMENSIONS, MISSING, _source
from custlens.features import customer_table
from custlens.features.purchase_days import build_customer_table
from custlens.store import Store

RTOL = 1e-9  # sums of the same amounts in another order


# -- the reference implementations (the previous code) ---------------------------------------
def ref_frequency(store: Store, as_of: pd.Timestamp) -> dict:
    o = orders_before(store, as_of)
    o = o.filter(o[schema.CUSTOMER_ID].notnull())  # orders without a customer belong to none
    c = o.group_by(schema.CUSTOMER_ID).aggregate(n=o.count(), rev=o[schema.AMOUNT].sum())
    dist = store.execute(c.group_by(orders=c.n).aggregate(customers=c.count(), revenue=c.rev.sum()).order_by("orders"))
    dist["orders"] = dist["orders"].astype("int64")
    dist["customers"] = dist["customers"].astype("int64")
    n_customers = int(dist["customers"].sum())
    dist["share"] = dist["customers"] / max(n_customers, 1)
    dist = dist[["orders", "customers", "share", "revenue"]]
    b = dist.assign(bucket=[_bucket(int(n)) for n in dist["orders"]]).groupby("bucket")[["customers", "revenue"]].sum()
    b = b.reindex([k for k, _, _ in BUCKETS], fill_value=0).reset_index()
    b["share"] = b["customers"] / max(n_customers, 1)
    total_rev = float(b["revenue"].sum())
    b["revenue_share"] = b["revenue"] / total_rev if total_rev else 0.0
    d = o.select(schema.CUSTOMER_ID, day=o[schema.ORDERED_AT].date()).distinct()
    w = ibis.window(group_by=schema.CUSTOMER_ID, order_by="day")
    g = d.mutate(prev=d.day.lag().over(w), k=ibis.row_number().over(w))
    g = g.mutate(gap=g.day.delta(g.prev, unit="day")).filter(lambda t: t.gap.notnull()).select("k", "gap")
    summ = store.execute(g.aggregate(count=g.gap.count(), mean=g.gap.mean(), median=g.gap.median(),
                                     p25=g.gap.quantile(0.25), p75=g.gap.quantile(0.75), p90=g.gap.quantile(0.9))).iloc[0]
    s2 = g.filter(g.k == 1)
    sec = store.execute(s2.aggregate(customers=s2.gap.count(), mean=s2.gap.mean(), median=s2.gap.median(),
                                     p25=s2.gap.quantile(0.25), p75=s2.gap.quantile(0.75))).iloc[0]
    edges = list(GAP_EDGES)
    band = ibis.cases(*[(g.gap < hi, i) for i, hi in enumerate(edges[1:])], else_=len(edges) - 1)
    hist = store.execute(g.group_by(band=band).aggregate(gaps=g.count()))
    counts = hist.set_index("band")["gaps"].reindex(range(len(edges)), fill_value=0).astype("int64")
    repeat = int(dist.loc[dist["orders"] >= 2, "customers"].sum())
    return {"distribution": dist, "buckets": b[["bucket", "customers", "share", "revenue", "revenue_share"]],
            "gap_summary": {k: _num(summ[k]) for k in ("count", "mean", "median", "p25", "p75", "p90")},
            "time_to_second": {k: _num(sec[k]) for k in ("customers", "mean", "median", "p25", "p75")},
            "gaps": counts.to_numpy(), "n_customers": n_customers,
            "repeat_rate": repeat / n_customers if n_customers else float("nan")}


def _value(s: ibis.Table) -> ibis.Value:
    return s.v.cast("string").fill_null(MISSING)


def ref_preferences(store: Store, as_of: pd.Timestamp, segments: pd.DataFrame | None) -> tuple[dict, pd.DataFrame]:
    dims = [d for d, (tab, col) in DIMENSIONS.items() if has_column(store, tab, col)]
    shares, seg_parts = {}, []
    for dim in dims:
        s = _source(store, as_of, *DIMENSIONS[dim])
        df = store.execute(s.group_by(value=_value(s)).aggregate(
            orders=s[schema.ORDER_ID].nunique(), customers=s[schema.CUSTOMER_ID].nunique(), revenue=s.rev.sum())
            .order_by([ibis.desc("revenue"), "value"]))
        total = float(df["revenue"].sum())
        df["revenue_share"] = df["revenue"] / total if total else 0.0
        shares[dim] = df.reset_index(drop=True)
        if segments is not None and len(segments):
            g = ibis.memtable(segments[["customer_id", "segment"]].astype(str))
            j = s.join(g, schema.CUSTOMER_ID)
            part = store.execute(j.group_by(segment=j.segment, value=_value(j)).aggregate(revenue=j.rev.sum()))
            part["share"] = part["revenue"] / part.groupby("segment")["revenue"].transform("sum")
            part.insert(0, "dimension", dim)
            seg_parts.append(part)
    by = pd.concat(seg_parts, ignore_index=True) if seg_parts else pd.DataFrame(
        columns=["dimension", "segment", "value", "revenue", "share"])
    return shares, by


def ref_timing(store: Store, as_of: pd.Timestamp) -> dict:
    o = orders_before(store, as_of)
    at = o[schema.ORDERED_AT]
    timed = (at.hour() != 0) | (at.minute() != 0) | (at.second() != 0)
    f = o.filter(timed)
    cells = store.execute(f.group_by(weekday=f[schema.ORDERED_AT].day_of_week.index(), hour=f[schema.ORDERED_AT].hour())
                          .aggregate(orders=f.count(), revenue=f[schema.AMOUNT].sum()))
    cells = cells.astype({"weekday": "int64", "hour": "int64"})
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    heat = cells.set_index(["weekday", "hour"]).reindex(grid, fill_value=0).reset_index()
    untimed = int(store.execute(o.filter(~timed).count()))
    per = store.execute(o.group_by(day=at.date()).aggregate(orders=o.count(), revenue=o[schema.AMOUNT].sum()))
    per["day"] = pd.to_datetime(per["day"])
    if per.empty:
        daily = pd.DataFrame({"day": pd.to_datetime([]), "orders": pd.Series([], dtype="int64"),
                              "revenue": pd.Series([], dtype="float64")})
    else:
        days = pd.date_range(per["day"].min(), as_of - pd.Timedelta(days=1), freq="D")
        daily = per.set_index("day").reindex(days).rename_axis("day").reset_index()
        daily["orders"] = daily["orders"].fillna(0).astype("int64")
        daily["revenue"] = daily["revenue"].fillna(0.0)

    def index(key: pd.Series, name: str) -> pd.DataFrame:
        out = daily.groupby(key.rename(name)).agg(days=("orders", "size"), orders=("orders", "sum"),
                                                  revenue=("revenue", "sum"), index=("orders", "mean")).reset_index()
        out["index"] = out["index"] / daily["orders"].mean()
        return out

    monthly = store.execute(o.group_by(month=at.truncate("M")).aggregate(
        orders=o.count(), customers=o[schema.CUSTOMER_ID].nunique(), revenue=o[schema.AMOUNT].sum()).order_by("month"))
    monthly["month"] = pd.to_datetime(monthly["month"])
    return {"heatmap": heat, "untimed": untimed, "weekday": index(daily["day"].dt.dayofweek, "weekday"),
            "seasonal": index(daily["day"].dt.month, "month_of_year"), "monthly": monthly}


def _num(v: object) -> float:
    return float("nan") if v is None or pd.isna(v) else float(v)


# -- an edge-case shop -----------------------------------------------------------------------
def edge_shop(store: Store, seed: int = 7) -> Store:
    """Ties, one-time buyers, same-day orders, null/blank dimensions, untimed and sub-second
    stamps, no orders in July 2023, late first orders, duplicate lines of a category."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(60):
        n = 1 if c % 4 == 0 else int(rng.integers(2, 12))
        start = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 500)))
        for k in range(n):
            day = start + pd.Timedelta(days=int(rng.integers(0, 200)) if k else 0)
            if day.month == 7 and day.year == 2023:
                day += pd.Timedelta(days=31)
            kind = rng.integers(0, 10)
            stamp = (day if kind == 0 else day + pd.Timedelta(microseconds=500) if kind == 1
                     else day + pd.Timedelta(seconds=int(rng.integers(1, 86400))))
            rows.append((f"o{c}_{k}", f"c{c:02d}", stamp, float(rng.choice([10.0, 20.0, 30.0])),
                         rng.choice(["app", "web", "", "  ", None]), rng.choice(["card", "cash", None])))
            if k == 1:  # a second order on the same day
                rows.append((f"o{c}_{k}b", f"c{c:02d}", stamp, 10.0, "app", None))
    orders = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "amount", "channel", "payment_method"])
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"]).dt.floor("us")
    store._con.register("_o", orders)
    store._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount, channel, payment_method) "
                       "SELECT * FROM _o")
    lines = [(oid, j, f"p{j}", 1.0, a / 2, a / 2, rng.choice(["x", "y", None]), rng.choice(["b1", "b2"]))
             for oid, a in zip(orders["order_id"], orders["amount"]) for j in (1, 2)]
    store._con.register("_i", pd.DataFrame(lines, columns=["order_id", "line_no", "product_id", "quantity",
                                                           "unit_price", "line_amount", "category", "brand"]))
    store._con.execute("INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, line_amount, "
                       "category, brand) SELECT * FROM _i")
    return store


@pytest.fixture
def edge(store: Store) -> Store:
    return edge_shop(store)


def _cases(request: pytest.FixtureRequest, name: str) -> list[tuple[Store, pd.Timestamp | None]]:
    st = request.getfixturevalue(name)
    if name == "edge":
        return [(st, None), (st, pd.Timestamp("2023-09-01")), (st, pd.Timestamp("2024-03-15"))]
    return [(st, None)]


SHOPS = ["toy", "edge", "demo"]


# -- the comparisons -------------------------------------------------------------------------
def _same_dict(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for k in want:
        if math.isnan(want[k]):
            assert math.isnan(got[k]), k
        else:
            assert got[k] == pytest.approx(want[k], rel=RTOL), k


@pytest.mark.parametrize("shop", SHOPS)
def test_frequency_equals_reference(request: pytest.FixtureRequest, shop: str) -> None:
    for st, as_of in _cases(request, shop):
        res = purchase_frequency(st, as_of=as_of)
        ref = ref_frequency(st, res.as_of)
        pd.testing.assert_frame_equal(res.distribution, ref["distribution"], check_dtype=False, rtol=RTOL)
        pd.testing.assert_frame_equal(res.buckets, ref["buckets"], check_dtype=False, rtol=RTOL)
        _same_dict(res.gap_summary, ref["gap_summary"])
        _same_dict(res.time_to_second, ref["time_to_second"])
        assert res.gaps["gaps"].tolist() == ref["gaps"].tolist()
        assert res.n_customers == ref["n_customers"]
        assert res.repeat_rate == pytest.approx(ref["repeat_rate"], nan_ok=True)
        # The report's path: the distribution from the customer table gives the same result.
        shared = purchase_frequency(st, as_of=res.as_of, customers=customer_table(st, res.as_of))
        pd.testing.assert_frame_equal(shared.distribution, res.distribution, rtol=RTOL)
        assert shared.gap_summary == pytest.approx(res.gap_summary, nan_ok=True)
        # ... and the gaps from the customer table's purchase days (session 5) are the same counts.
        build = build_customer_table(st, res.as_of)
        days = purchase_frequency(st, as_of=res.as_of, customers=build.frame, days=build.days)
        pd.testing.assert_frame_equal(days.gaps, res.gaps)
        _same_dict(days.gap_summary, ref["gap_summary"])
        _same_dict(days.time_to_second, ref["time_to_second"])


def test_frequency_before_any_order(edge: Store) -> None:
    res = purchase_frequency(edge, as_of="2022-06-01")
    assert res.n_customers == 0 and res.distribution.empty and res.gaps["gaps"].sum() == 0
    assert math.isnan(res.gap_summary["median"]) and res.gap_summary["count"] == 0.0
    assert math.isnan(res.repeat_rate)


@pytest.mark.parametrize("shop", ["edge", "demo"])
def test_packed_gaps_equal_the_window(request: pytest.FixtureRequest, shop: str) -> None:
    st = request.getfixturevalue(shop)
    o = orders_before(st, st.default_as_of())
    n = len(customer_table(st))
    fast = _gaps._packed_counts(st, o, n)
    assert fast is not None and int(fast["n"].sum()) > 0
    pd.testing.assert_frame_equal(fast, _gaps._window_counts(st, o), check_dtype=False)
    # A customer count the keys do not match (as after a hash collision) falls back.
    assert _gaps._packed_counts(st, o, n + 1) is None


@pytest.mark.parametrize("shop", ["edge", "demo"])
def test_gaps_from_the_purchase_days_equal_the_window(request: pytest.FixtureRequest, shop: str, tmp_path) -> None:
    """Session 5: `days_gap_counts` (the report's path) counts what the window counts, also with
    orders without a customer id (theirs are no one's gaps) and before any order."""
    if shop == "demo":  # a private copy: the module's demo store is shared by the other tests
        import shutil

        shutil.copy(request.getfixturevalue("demo_run").store_path, tmp_path / "demo.duckdb")
        st = Store(tmp_path / "demo.duckdb")
    else:
        st = request.getfixturevalue(shop)
    st._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES "
                    "('n1', NULL, '2023-05-01 10:00:00', 5), ('n2', NULL, '2023-05-09 10:00:00', 5)")
    for as_of in (st.default_as_of(), st.default_as_of() - pd.Timedelta(days=120)):
        o = orders_before(st, as_of)
        counts = _gaps.days_gap_counts(build_customer_table(st, as_of).days)
        assert int(counts["n"].sum()) > 0
        pd.testing.assert_frame_equal(counts, _gaps._window_counts(st, o.filter(o.customer_id.notnull())),
                                      check_dtype=False)
    empty = _gaps.days_gap_counts(build_customer_table(st, "2000-01-01").days) if shop == "edge" else None
    assert empty is None or empty.empty
    with pytest.raises(ValueError, match="purchase days are as of"):
        purchase_frequency(st, as_of="2023-09-01", days=build_customer_table(st, st.default_as_of()).days)


def test_days_spanning_two_centuries_fall_back_to_the_window(edge: Store) -> None:
    edge._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES "
                      "('old1', 'c01', '1820-03-01 10:00:00', 5), ('old2', 'c01', '1820-03-04 10:00:00', 5)")
    o = orders_before(edge, edge.default_as_of())
    assert _gaps._packed_counts(edge, o, len(customer_table(edge))) is None
    res = purchase_frequency(edge)
    ref = ref_frequency(edge, res.as_of)
    _same_dict(res.gap_summary, ref["gap_summary"])
    _same_dict(res.time_to_second, ref["time_to_second"])


def test_summary_is_quantile_cont_by_hand() -> None:
    # values 1, 1, 2, 5, 9 (N = 5): p25 at position 1 -> 1; p90 at 3.6 -> 5 + 0.6 * 4 = 7.4
    out = _gaps.summary(np.array([5, 1, 2, 9]), np.array([1, 2, 1, 1]), (0.25, 0.5, 0.9))
    assert out == {"count": 5.0, "mean": 18 / 5, 0.25: 1.0, 0.5: 2.0, 0.9: pytest.approx(7.4)}


@pytest.mark.parametrize("shop", SHOPS)
def test_preferences_equal_reference(request: pytest.FixtureRequest, shop: str) -> None:
    for st, as_of in _cases(request, shop):
        ids = customer_table(st, as_of)["customer_id"]
        segs = pd.DataFrame({"customer_id": ids, "segment": [f"s{i % 3}" for i in range(len(ids))]})
        segs = segs.iloc[: max(len(segs) - 2, 0)]  # two customers without a segment
        res = preferences(st, as_of=as_of, segments=segs)
        cheap = preferences(st, as_of=as_of, segments=segs, counts=False)
        shares, by = ref_preferences(st, res.as_of, segs)
        assert list(res.shares) == list(shares) == res.dimensions
        for dim, want in shares.items():
            pd.testing.assert_frame_equal(res.shares[dim], want, check_dtype=False, rtol=RTOL)
            pd.testing.assert_frame_equal(cheap.shares[dim], want.drop(columns=["orders", "customers"]),
                                          check_dtype=False, rtol=RTOL)
        key = ["dimension", "segment", "value"]
        want = by.sort_values(key, ignore_index=True)
        for got in (res.by_segment, cheap.by_segment):
            pd.testing.assert_frame_equal(got.sort_values(key, ignore_index=True)[list(want.columns)], want,
                                          check_dtype=False, rtol=RTOL)


def test_preferences_segments_through_arrow_or_pandas(demo: Store) -> None:
    """Session 5: string ids go to the store as an Arrow table, other columns (categorical
    segments, a null segment) through ``astype(str)`` as before: the same shares either way."""
    ids = customer_table(demo)["customer_id"]
    plain = pd.DataFrame({"customer_id": ids, "segment": [f"s{i % 4}" for i in range(len(ids))]})
    want = preferences(demo, segments=plain, counts=False).by_segment
    assert len(want) and preferences_arrow_used(plain)
    cat = plain.assign(segment=plain["segment"].astype("category"))
    pd.testing.assert_frame_equal(preferences(demo, segments=cat, counts=False).by_segment, want)
    shuffled = plain.sample(frac=1.0, random_state=3)  # not in id order: uniqueness by hashing
    pd.testing.assert_frame_equal(preferences(demo, segments=shuffled, counts=False).by_segment, want)
    with pytest.raises(ValueError, match="has more than one row"):
        preferences(demo, segments=pd.concat([shuffled, shuffled.iloc[[5]]]), counts=False)
    nulls = plain.assign(segment=plain["segment"].where(plain.index != 0))  # 'nan' as a segment, as before
    assert not preferences_arrow_used(nulls)
    got = preferences(demo, segments=nulls, counts=False).by_segment
    assert "nan" in set(got["segment"]) and got["revenue"].sum() == pytest.approx(want["revenue"].sum(), rel=RTOL)


def preferences_arrow_used(segments: pd.DataFrame) -> bool:
    from custlens.behaviour.preferences import _arrow_segments

    return _arrow_segments(segments) is not None


def test_preferences_refuse_two_segments_for_one_customer(toy: Store) -> None:
    segs = pd.DataFrame({"customer_id": ["a", "a"], "segment": ["s1", "s2"]})
    with pytest.raises(ValueError, match="customer_id 'a' has more than one row"):
        preferences(toy, segments=segs)


@pytest.mark.parametrize("shop", SHOPS)
def test_timing_equals_reference(request: pytest.FixtureRequest, shop: str) -> None:
    for st, as_of in _cases(request, shop):
        res = purchase_timing(st, as_of=as_of)
        ref = ref_timing(st, res.as_of)
        pd.testing.assert_frame_equal(res.heatmap, ref["heatmap"], check_dtype=False, rtol=RTOL)
        assert res.untimed_orders == ref["untimed"]
        for name in ("weekday", "seasonal", "monthly"):
            pd.testing.assert_frame_equal(getattr(res, name), ref[name], check_dtype=False, rtol=RTOL)
        lean = purchase_timing(st, as_of=as_of, customers_by_month=False)
        pd.testing.assert_frame_equal(lean.monthly, ref["monthly"].drop(columns="customers"), check_dtype=False,
                                      rtol=RTOL)
        assert lean.peak() == res.peak()


@pytest.mark.parametrize("shop", ["edge", "demo"])
def test_festivals_from_the_timing_days_equal_their_own_pass(request: pytest.FixtureRequest, shop: str) -> None:
    st = request.getfixturevalue(shop)
    own = festival_lift(st, country="CN")
    shared = festival_lift(st, country="CN", daily=purchase_timing(st, customers_by_month=False).daily)
    assert len(own.summary) and own.summary["orders"].sum() > 0
    pd.testing.assert_frame_equal(shared.summary, own.summary, check_dtype=False, rtol=RTOL)
    pd.testing.assert_frame_equal(shared.events, own.events, check_dtype=False, rtol=RTOL)


def test_festivals_before_any_order_say_so(edge: Store) -> None:
    with pytest.raises(MissingDataError, match="no orders before as_of=2022-06-01"):
        festival_lift(edge, as_of="2022-06-01", country="CN")
