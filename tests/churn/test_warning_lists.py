"""The action lists equal a straightforward pandas reference (ties, missing values, unsorted ids)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlens.churn.warning import HIGH_VALUE_QUANTILE, LIST_COLUMNS, early_warning, win_back


def _reference(scores: pd.DataFrame, mask: pd.Series, kind: str) -> pd.DataFrame:
    """The lists as computed before they were vectorised (copy, per-row keys, sort)."""
    threshold = scores["customer_value"].quantile(HIGH_VALUE_QUANTILE) if len(scores) else 0.0
    out = scores.loc[mask].copy()
    out["expected_loss"] = out["customer_value"] * out["churn_probability"]
    tier = np.where(out["customer_value"] >= threshold, "high_value", "other")
    out["action"] = [f"churn.action.{kind}.{t}" for t in tier]
    out = out.sort_values(["expected_loss", "customer_id"], ascending=[False, True], kind="stable")
    return out[[c for c in LIST_COLUMNS if c in out.columns]].reset_index(drop=True)


def _scores(n: int, sorted_ids: bool, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [f"C{i:06d}" for i in range(n)]
    if not sorted_ids:
        rng.shuffle(ids)
    s = pd.DataFrame({"customer_id": ids, "churn_probability": rng.choice([0.1, 0.5, 0.9], n),  # many ties
                      "risk_band": rng.choice(["low", "medium", "high"], n),
                      "customer_value": rng.choice([0.0, 10.0, 20.0, 35.5, np.nan], n),
                      "days_since_last": rng.integers(0, 200, n).astype(float)})
    s["reasons_en"] = [f"r{i}" for i in range(n)]
    s["reasons_zh"] = [f"z{i}" for i in range(n)]
    s["reasons"] = [[i] for i in range(n)]
    return s


@pytest.mark.parametrize("sorted_ids", [True, False])
@pytest.mark.parametrize("n", [0, 1, 3000])
def test_lists_equal_the_reference(n: int, sorted_ids: bool) -> None:
    s = _scores(n, sorted_ids, seed=n)
    h = 90
    for got, ref in ((early_warning(s, h), _reference(s, (s["days_since_last"] < h) & (s["risk_band"] == "high"),
                                                      "early")),
                     (win_back(s, h), _reference(s, s["days_since_last"] >= h, "winback"))):
        # an empty list: same columns (the reference's empty action column is float, ours text)
        pd.testing.assert_frame_equal(got, ref, check_exact=True, check_index_type=False, check_dtype=len(ref) > 0)
    assert n < 3000 or len(win_back(s, h)) > 1000
