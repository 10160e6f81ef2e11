"""Saved scores keep their context (issue 11.9): model, horizon and as-of, checked by readers."""

from __future__ import annotations

import pandas as pd
import pytest

from custlens.clv.scores import join_scores, save_scores, score_status
from custlens.errors import InputError


def _scores(as_of: str) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["a", "b"], "clv": [10.0, 0.0], "p_purchase": [0.6, 0.1],
                         "model": "bgnbd", "horizon_days": 180.0, "as_of": pd.Timestamp(as_of), "options": "{}"})


def test_status_missing_ok_stale(store) -> None:
    assert score_status(store, "clv_scores").state == "missing"
    assert save_scores(store, _scores("2024-05-01")) == 2
    ok = score_status(store, "clv_scores", "2024-05-01")
    assert ok.ok and (ok.model, ok.horizon_days, str(ok.as_of.date())) == ("bgnbd", 180.0, "2024-05-01")
    assert ok.text() == "BG/NBD, next 180 days, as of 2024-05-01"
    stale = score_status(store, "clv_scores", "2024-06-01")
    assert stale.state == "stale"
    assert stale.text("zh").startswith("已保存的 CLV 评分截至 2024-05-01，而非 2024-06-01")
    assert score_status(store, "clv_scores").ok  # no date asked: any dated scores do


def test_join_only_scores_of_the_same_as_of(store) -> None:
    customers = pd.DataFrame({"customer_id": ["b", "a", "c"], "orders": [1, 3, 2]})
    save_scores(store, _scores("2024-05-01"))
    joined = join_scores(customers, store, as_of="2024-05-01")
    assert list(joined["clv"].fillna(-1)) == [0.0, 10.0, -1.0]
    assert set(joined["clv_horizon_days"].dropna()) == {180.0}
    assert join_scores(customers, store, as_of="2024-06-01") is customers


def test_saving_needs_the_context(store) -> None:
    with pytest.raises(InputError, match=r"missing column\(s\) \['model', 'horizon_days', 'as_of', 'options'\]"):
        save_scores(store, pd.DataFrame({"customer_id": ["a"], "clv": [1.0]}))
