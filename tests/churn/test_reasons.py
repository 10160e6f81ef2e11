"""`reasons_for` and `join_reasons` with a text memo equal the code they replaced.

The reference is the old `reasons_for` (every column of ``X`` as dicts, `pd.isna` on each
value: `render` on NumPy scalars), kept here, and `join_reasons` without a memo. Checked on rows
with missing values (NaN, None), integer and boolean columns, a categorical attribute group, an
unknown group, ties and rows without any reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn import reasons as R


def _reference_reasons_for(contrib, X, reference, horizon_days, top=3, drivers=None):
    out = []
    if drivers is not None:
        contrib = contrib[[g for g in contrib.columns if set(R.GROUPS.get(g, (g,))) & drivers]]
    values = contrib.to_numpy()
    names = list(contrib.columns)
    for i, row in enumerate(X.to_dict("records")):
        order = np.argsort(-values[i], kind="stable")[:top]
        found = [_old_render(names[j], row, reference, horizon_days, values[i, j])
                 for j in order if values[i, j] >= R.MIN_CONTRIBUTION]
        out.append(found or [R.Reason(R.NO_SIGNAL, "churn.reason.no_signal", {}, 0.0)])
    return out


def _old_render(group, row, reference, horizon_days, contribution):
    """`render` as before its fast path: every value boxed as a NumPy scalar, so its g() takes
    the old route (`pd.isna`, then `float`) for every one."""
    boxed = {k: (np.float64(v) if type(v) is float else np.int64(v) if type(v) is int else v) for k, v in row.items()}
    return R.render(group, boxed, reference, horizon_days, contribution)


def _frame(n: int = 400, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "days_since_last": rng.integers(0, 400, n).astype(float),
        "gap_ratio": np.where(rng.random(n) < 0.2, np.nan, rng.random(n) * 3),
        "usual_gap_days": rng.random(n) * 50,
        "orders": rng.integers(1, 9, n),  # integers, as the customer table has them
        "frequency": rng.integers(0, 8, n),
        "T_days": rng.integers(1, 900, n).astype(float),
        "total_spend": np.where(rng.random(n) < 0.1, np.nan, rng.random(n) * 900),
        "aov": rng.random(n) * 90,
        "orders_90d": rng.integers(0, 3, n).astype(float),
        "spend_90d": rng.random(n) * 100,
        "spend_change": np.where(rng.random(n) < 0.3, np.nan, rng.random(n) * 2 - 1),
        "return_rate": np.where(rng.random(n) < 0.5, np.nan, rng.random(n)),
        "returns_count": rng.integers(0, 4, n),
        "discount_share": rng.random(n),
        "p_alive": rng.random(n), "p_no_purchase": rng.random(n),
        "nps_last": np.where(rng.random(n) < 0.6, np.nan, rng.integers(0, 11, n)),
        "csat_mean": np.where(rng.random(n) < 0.5, np.nan, rng.random(n) * 5),
        "complaints_90d": rng.integers(0, 2, n),
        "favourite_channel": pd.array(rng.choice(["web", "app", None], n), dtype=object),
        "is_member": rng.random(n) < 0.5,
    }, index=[f"c{i:04d}" for i in range(n)])
    groups = list(R.GROUPS) + ["favourite_channel", "is_member"]
    raw = np.round(rng.random((n, len(groups))) * 0.1 - 0.03, 2)  # ties, and rows with nothing >= 0.02
    raw[: n // 10] = 0.0
    contrib = pd.DataFrame(raw, index=X.index, columns=groups).drop(columns=["tickets"])
    reference = {"total_spend": 321.5, "favourite_channel": "web", "is_member": True}
    return X, contrib, reference


@pytest.mark.parametrize("drivers", [None, {"days_since_last", "orders", "favourite_channel", "p_alive"}])
def test_reasons_for_equals_the_reference(drivers) -> None:
    X, contrib, reference = _frame()
    got = R.reasons_for(contrib, X, reference, 90, drivers=drivers)
    ref = _reference_reasons_for(contrib, X, reference, 90, drivers=drivers)
    assert got == ref
    keys = {r.key for rs in got for r in rs}
    assert {"churn.reason.no_signal", "churn.reason.attribute", "churn.reason.no_order"} <= keys
    for lang in ("en", "zh"):
        memo: dict = {}
        assert [R.join_reasons(rs, lang, memo) for rs in got] == [R.join_reasons(rs, lang) for rs in got]
        assert 0 < len(memo) < sum(len(rs) for rs in got)  # texts were shared


def test_join_reasons_memo_keeps_integers_and_floats_apart() -> None:
    memo: dict = {}
    one = [R.Reason("orders", "churn.reason.few_orders", {"n": 1}, 0.1)]
    one_f = [R.Reason("orders", "churn.reason.few_orders", {"n": 1.0}, 0.1)]
    assert R.join_reasons(one, "en", memo) == R.join_reasons(one, "en")
    assert R.join_reasons(one_f, "en", memo) == R.join_reasons(one_f, "en") != R.join_reasons(one, "en")
    odd = [R.Reason("x", "churn.reason.no_order", {"days": [3]}, 0.1)]  # unhashable: rendered, not memoised
    assert R.join_reasons(odd, "zh", memo) == R.join_reasons(odd, "zh")


def test_reasons_for_rows_without_any_rendered_column() -> None:
    X = pd.DataFrame({"other": [1.0, 2.0]}, index=["a", "b"])
    contrib = pd.DataFrame({"mystery": [0.5, 0.0]}, index=X.index)
    got = R.reasons_for(contrib, X, {}, 90)
    assert got == _reference_reasons_for(contrib, X, {}, 90)
    assert [r[0].key for r in got] == ["churn.reason.attribute", "churn.reason.no_signal"]
