"""Period and headline KPIs against a straightforward pandas computation on the raw orders.

`period_kpis` counts active customers from per-customer activity bit sets (or, for spans too long
for them, a distinct count), new customers from a histogram of first periods and revenue from the
day totals rolled up. The reference below does none of that: it groups the orders by period with
pandas. Integers must be equal; floats equal to 1e-9 relative (sums of doubles in another order).

Edge cases of the random shop: several orders of one customer at the same second and on the same
day (ties), one-time buyers, months without any order (2021-02..2021-06), zero-amount orders, a
customer whose first order falls in the partial last period, orders after ``as_of``, and spans
long enough for several bit-set words (monthly over 6 years, weekly over 2 years) and for the
distinct-count fallback (daily over years, weekly over 6 years).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.features import periods as P
from custlens.features.periods import customer_activity, headline_kpis, period_kpis
from custlens.store import Store
from periodshop import SHOPS, fill, random_orders

FREQS = ("D", "W", "M", "Q", "Y")


def _start(ts: pd.Series, freq: str) -> pd.Series:
    d = ts.dt.normalize()
    if freq == "D":
        return d
    if freq == "W":
        return d - pd.to_timedelta(d.dt.dayofweek, unit="D")
    return d.dt.to_period(freq).dt.start_time


def reference_period_kpis(orders: pd.DataFrame, freq: str, as_of: str) -> pd.DataFrame:
    """Per period with plain pandas groupby: the definitions of `custlens.features.periods`."""
    as_of = pd.Timestamp(as_of)
    o = orders[orders["ordered_at"] < as_of].copy()
    o["period"] = _start(o["ordered_at"], freq)
    first = o.groupby("customer_id")["period"].min()
    g = o.groupby("period").agg(revenue=("amount", "sum"), orders=("order_id", "count"),
                                customers=("customer_id", "nunique"))
    g["new_customers"] = first.value_counts()
    pandas_freq = P.PERIOD_FREQS[freq][1]
    full = pd.date_range(g.index.min(), g.index.max(), freq=pandas_freq)
    g = g.reindex(full).fillna(0)
    out = pd.DataFrame({"period": full.astype("datetime64[us]")})
    out["period_end"] = out["period"] + pd.tseries.frequencies.to_offset(pandas_freq)
    out["partial"] = out["period_end"] > as_of
    out["revenue"] = g["revenue"].to_numpy(dtype=float)
    for col in ("orders", "customers", "new_customers"):
        out[col] = g[col].to_numpy().astype("int64")
    out["returning_customers"] = out["customers"] - out["new_customers"]
    out["aov"] = out["revenue"] / out["orders"].where(out["orders"] > 0)
    out["repeat_rate"] = out["returning_customers"] / out["customers"].where(out["customers"] > 0)
    return out


@pytest.fixture(scope="module", params=list(SHOPS))
def edge_shop(request):
    start, end, seed = SHOPS[request.param]
    orders = random_orders(start, end, seed)
    with Store(":memory:") as st:
        yield fill(st, orders), orders


@pytest.mark.parametrize("as_of", ["2025-05-17", "2025-04-01"])  # mid-period (a Saturday); a quarter start
@pytest.mark.parametrize("freq", FREQS)
def test_period_kpis_match_pandas_on_edge_cases(edge_shop, freq: str, as_of: str) -> None:
    store, orders = edge_shop
    got = period_kpis(store, freq, as_of=as_of)
    want = reference_period_kpis(orders, freq, as_of)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want[got.columns], check_exact=False, rtol=1e-9)


def test_edge_shop_exercises_every_path(edge_shop) -> None:
    """The edge shops reach several bit-set words and the distinct-count fallback."""
    store, _ = edge_shop
    act = customer_activity(store, "M", as_of="2025-05-17")
    if act.n_periods > P.WORD_BITS:
        assert act.masks.shape[1] == 2
    assert customer_activity(store, "D", as_of="2025-05-17").masks is None
    weekly = customer_activity(store, "W", as_of="2025-05-17")
    assert weekly.masks is None or weekly.masks.shape[1] >= 2


def test_fallback_equals_bit_sets(edge_shop, monkeypatch: pytest.MonkeyPatch) -> None:
    """The distinct count and the bit sets give the same active customers."""
    store, _ = edge_shop
    bits = period_kpis(store, "M", as_of="2025-05-17")
    monkeypatch.setattr(P, "MAX_BIT_PERIODS", 1)
    distinct = period_kpis(store, "M", as_of="2025-05-17")
    pd.testing.assert_frame_equal(bits, distinct)


def test_headline_kpis_match_pandas(edge_shop) -> None:
    store, orders = edge_shop
    o = orders[orders["ordered_at"] < "2025-05-17"]
    k = headline_kpis(store, as_of="2025-05-17")
    per = o.groupby("customer_id").size()
    assert k["orders"] == len(o) and k["customers"] == len(per)
    assert k["repeat_customers"] == int((per >= 2).sum())
    assert k["revenue"] == pytest.approx(o["amount"].sum(), rel=1e-12)
    assert k["first_order_at"] == o["ordered_at"].min() and k["last_order_at"] == o["ordered_at"].max()


@pytest.mark.parametrize("freq", FREQS)
def test_period_kpis_match_pandas_on_demo(demo, freq: str) -> None:
    orders = demo._con.execute("SELECT order_id, customer_id, ordered_at, amount FROM orders").df()
    as_of = demo.default_as_of()
    got = period_kpis(demo, freq)
    want = reference_period_kpis(orders, freq, str(as_of.date()))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want[got.columns], check_exact=False, rtol=1e-9)


def test_shared_inputs_give_the_same_kpis(demo) -> None:
    """The report passes one day-totals frame and one activity to several calls."""
    as_of = demo.default_as_of()
    totals = P.daily_totals(demo, as_of)
    act = customer_activity(demo, "M", as_of)
    pd.testing.assert_frame_equal(period_kpis(demo, "M", as_of, totals=totals, activity=act), period_kpis(demo, "M"))
    assert headline_kpis(demo, as_of, totals=totals, activity=act) == headline_kpis(demo)
    with pytest.raises(ValueError, match="freq='W'"):
        period_kpis(demo, "M", as_of, totals=totals, activity=customer_activity(demo, "W", as_of))


@pytest.mark.parametrize("freq", ["W", "M", "Q"])
def test_engines_without_bit_or_get_the_same_activity(edge_shop, freq: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The portable form (group by customer and period, then sum the bits) used where the engine has
    no BIT_OR aggregate (Spark) gives the same KPIs and cohorts."""
    from custlens.cohorts import cohorts

    store, _ = edge_shop
    as_of = "2025-05-17"
    want = period_kpis(store, freq, as_of=as_of)
    want_c = cohorts(store, as_of=as_of, freq="quarter") if freq == "Q" else None
    portable = P._activity_expr
    monkeypatch.setattr(P, "_activity_expr", lambda t, words, bit_or: portable(t, words, bit_or=False))
    pd.testing.assert_frame_equal(period_kpis(store, freq, as_of=as_of), want)
    if want_c is not None:
        got_c = cohorts(store, as_of=as_of, freq="quarter")
        pd.testing.assert_frame_equal(got_c.table, want_c.table)
