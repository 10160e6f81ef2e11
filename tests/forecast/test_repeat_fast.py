"""The CLV comparison's repeat purchases after the issue-13 speed-up (session 5) equal the previous code.

`_reference` is `custlens.forecast.repeat.repeat_purchase_forecast` as of commit 7cf235a, verbatim but
for its docstring: the new code scores the distinct rows 20,000 at a time (no search for repeated
rows among rows already distinct) and skips the origin's bound (no purchases in ``(T, T + 0]``).
Both must give the same numbers on the demo shop and on edge cases: ties (many customers with the
same history), one-time buyers only but for a few, more distinct rows than one chunk, periods
starting at the origin, many customers sharing a frequency and age with different recencies. Since
session 6 the sum is taken over the distinct (frequency, T) pairs (P(alive) summed per pair, the
hypergeometric part once per pair: `_summed_expected`), so the sums are added in another order:
equal to 1e-12 relative (the differences seen are in the last one or two bits). The optional fit
sample is checked against a fit on the same sampled rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from custlens.clv import BetaGeoModel
from custlens.clv.simulate import simulate_bgnbd
from custlens.errors import InputError
from custlens.features import customer_table
from custlens.features.customer_table import resolve_as_of
from custlens.forecast.repeat import _CHUNK, repeat_purchase_forecast


def _reference(store, as_of, starts, ends, customers=None):
    ct = customers if customers is not None else customer_table(store, as_of)
    rfm = ct[["frequency", "recency", "T"]].astype(float)
    if len(rfm) < 20 or (rfm["frequency"] > 0).sum() < 5:
        raise InputError("too few")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BetaGeoModel().fit(rfm)
    distinct = rfm.value_counts(sort=False).reset_index(name="n")
    weights = distinct.pop("n").to_numpy(dtype=float)
    bounds = sorted({*(pd.DatetimeIndex(starts)), *(pd.DatetimeIndex(ends))})
    cum = {}
    for b in bounds:
        t = max((pd.Timestamp(b) - as_of).days, 0) / 7.0
        cum[b] = float(np.dot(weights, model.expected_purchases(distinct, t)))
    values = [max(cum[e] - cum[s], 0.0) for s, e in zip(starts, ends)]
    return pd.DataFrame({"ds": pd.DatetimeIndex(starts), "clv_orders": values})


def _weeks(as_of: pd.Timestamp, n: int = 4) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    starts = pd.DatetimeIndex([as_of + pd.Timedelta(days=7 * k) for k in range(n)])
    return starts, starts + pd.Timedelta(days=7)


def _table(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """``frequency, recency, T`` of ``n`` customers drawn from the BG/NBD with the CDNOW parameters
    (Fader, Hardie & Lee 2005: r 0.243, alpha 4.414, a 0.793, b 2.426), ages and recencies in whole
    days as in a customer table (weeks with day resolution)."""
    days = rng.integers(30, 800, n)
    sim = simulate_bgnbd(n, 0.243, 4.414, 0.793, 2.426, T=days / 7.0, random_state=int(rng.integers(1 << 31)))
    return pd.DataFrame({"frequency": sim["frequency"].astype(float),
                         "recency": np.minimum(np.round(sim["recency"] * 7.0), days) / 7.0, "T": days / 7.0})


def _same(store, as_of, starts, ends, table) -> pd.DataFrame:
    new = repeat_purchase_forecast(store, as_of, starts, ends, customers=table)
    pd.testing.assert_frame_equal(new, _reference(store, as_of, starts, ends, customers=table), check_exact=False,
                                  rtol=1e-12, atol=0)
    return new


def test_demo_shop_equal(demo) -> None:
    as_of = resolve_as_of(demo, None)
    table = customer_table(demo, as_of)
    starts, ends = _weeks(as_of)
    out = _same(demo, as_of, starts, ends, table)
    assert (out["clv_orders"] > 0).all()
    assert out.attrs == {"customers": len(table), "fit_customers": len(table)}
    # uneven periods that share bounds, the first one starting at the origin
    starts = pd.DatetimeIndex([as_of, as_of + pd.Timedelta(days=3), as_of + pd.Timedelta(days=10)])
    _same(demo, as_of, starts, starts + pd.Timedelta(days=10), table)


def test_more_distinct_rows_than_a_chunk_equal(store) -> None:
    table = _table(np.random.default_rng(1), 4 * _CHUNK)
    distinct = len(table.value_counts())
    assert distinct > _CHUNK  # scored in two chunks
    as_of = pd.Timestamp("2025-01-01")
    _same(store, as_of, *_weeks(as_of, 5), table)


def test_ties_and_one_time_buyers_equal(store) -> None:
    rng = np.random.default_rng(2)
    ones = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": rng.integers(10, 40, 30_000) / 7.0})
    repeat = _table(rng, 400)
    repeat = repeat[repeat["frequency"] > 0].head(60)
    tied = pd.concat([repeat.iloc[:1]] * 5_000)  # one history shared by 5,000 customers
    table = pd.concat([ones, repeat, tied], ignore_index=True)
    as_of = pd.Timestamp("2025-01-01")
    out = _same(store, as_of, *_weeks(as_of), table)
    assert (out["clv_orders"] >= 0).all()


def test_shared_frequency_and_age_with_other_recencies(store) -> None:
    """Pairs (x, T) held by customers of every recency, bought on their last day (t_x = T) or not
    since their first (t_x = 0); one-time buyers of the same ages; the ordinary sum as a check."""
    rng = np.random.default_rng(4)
    ages = rng.integers(20, 300, 40)
    rows = []
    for age in ages:
        for x in (0, 1, 2, 7):
            for tx in ([0] if x == 0 else [0, 1, age // 2, age - 1, age]):
                rows += [(float(x), tx / 7.0, age / 7.0)] * int(rng.integers(1, 30))
    table = pd.DataFrame(rows, columns=["frequency", "recency", "T"])
    as_of = pd.Timestamp("2025-01-01")
    out = _same(store, as_of, *_weeks(as_of, 3), table)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BetaGeoModel().fit(table)
    cum = [float(model.expected_purchases(table, t).sum()) for t in (0, 1, 2, 3)]
    np.testing.assert_allclose(out["clv_orders"], np.diff(cum), rtol=1e-12)


def test_too_few_repeat_customers_still_an_error(store) -> None:
    table = pd.DataFrame({"frequency": [0.0] * 30 + [1.0] * 4, "recency": [0.0] * 30 + [1.0] * 4, "T": 5.0})
    as_of = pd.Timestamp("2025-01-01")
    with pytest.raises(InputError, match="4 with repeat purchases"):
        repeat_purchase_forecast(store, as_of, *_weeks(as_of), customers=table)


def test_fit_sample(store) -> None:
    table = _table(np.random.default_rng(3), 4_000)
    as_of = pd.Timestamp("2025-01-01")
    starts, ends = _weeks(as_of)
    full = repeat_purchase_forecast(store, as_of, starts, ends, customers=table)
    # a sample as large as the table is no sample
    pd.testing.assert_frame_equal(repeat_purchase_forecast(store, as_of, starts, ends, customers=table,
                                                           fit_sample=4_000), full, check_exact=True)
    part = repeat_purchase_forecast(store, as_of, starts, ends, customers=table, fit_sample=1_000, random_state=7)
    assert part.attrs == {"customers": 4_000, "fit_customers": 1_000}
    # = the model fitted on the same 1,000 rows (seeded, in table order), scored on every customer
    rows = np.sort(np.random.default_rng(7).choice(4_000, size=1_000, replace=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BetaGeoModel().fit(table.iloc[rows])
    cum = [float(model.expected_purchases(table, t).sum()) for t in (0, 1, 2, 3, 4)]
    np.testing.assert_allclose(part["clv_orders"], np.diff(cum), rtol=1e-9)
    # a sample's estimate, not the full fit's, but close to it
    np.testing.assert_allclose(part["clv_orders"], full["clv_orders"], rtol=0.15)
    assert not np.allclose(part["clv_orders"], full["clv_orders"], rtol=1e-6)
    with pytest.raises(InputError, match="fit_sample=5"):
        repeat_purchase_forecast(store, as_of, starts, ends, customers=table, fit_sample=5)
