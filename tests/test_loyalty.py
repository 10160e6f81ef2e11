"""Loyalty: rates, NPS and the index by hand on the toy shop."""

from __future__ import annotations

import math

import pytest
import toyshop

from custlens.errors import InputError
from custlens.loyalty import loyalty, net_promoter_score
from custlens.store import Store


def test_nps_by_hand() -> None:
    nps, counts = net_promoter_score([10, 9, 8, 7, 6, 0, None])
    assert counts == {"responses": 6, "promoters": 2, "passives": 2, "detractors": 2}
    assert nps == 0.0
    assert net_promoter_score([10, 10, 3])[0] == pytest.approx(100 / 3)
    assert net_promoter_score([])[0] is None


def test_toy_loyalty_by_hand(toy) -> None:
    """Window 30 days before 1 Apr: buyers 1 Feb-1 Mar are c, d; of them d bought again after 2 Mar."""
    res = loyalty(toy, as_of=toyshop.AS_OF, window_days=30)
    assert res.repeat_rate == pytest.approx(3 / 5)
    assert (res.base, res.retained) == (2, 1) and res.retention_rate == 0.5
    assert res.nps == 0.0 and res.nps_counts["responses"] == 5  # the answer after as_of is ignored
    assert res.index == pytest.approx(100 * (0.3 * 0.6 + 0.4 * 0.5 + 0.3 * 0.5))
    assert res.components["contribution"].sum() == pytest.approx(res.index)


def test_index_renormalises_without_surveys(tmp_path) -> None:
    st = toyshop.fill(Store(tmp_path / "s.duckdb"), surveys=False)
    res = loyalty(st, as_of=toyshop.AS_OF, window_days=30)
    assert res.nps is None
    assert res.index == pytest.approx(100 * (0.3 * 0.6 + 0.4 * 0.5) / 0.7)
    short = loyalty(st, as_of=toyshop.AS_OF, window_days=60)  # two windows reach before the first order
    assert math.isnan(short.retention_rate) and short.index == pytest.approx(60.0)
    st.close()


def test_bad_arguments(toy) -> None:
    with pytest.raises(InputError, match="weights"):
        loyalty(toy, weights={"nps": -1})
    with pytest.raises(InputError, match="window_days=0"):
        loyalty(toy, window_days=0)


def test_demo_nps_matches_the_survey_file(demo, demo_run) -> None:
    import pandas as pd

    res = loyalty(demo)
    raw = pd.read_csv(demo_run.out_dir / "exports" / "surveys.csv")
    col = [c for c in raw.columns if "nps" in c.lower() or "推荐" in c][0]
    assert res.nps == pytest.approx(net_promoter_score(raw[col])[0])
    assert 0 < res.retention_rate < 1 and 0 < res.index < 100
