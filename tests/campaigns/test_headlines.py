"""Campaign headlines carry their uncertainty: a non-significant ROI says so with its interval; rate lifts in pp."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from custlens.campaigns import analyze_experiment
from custlens.cli import app


def _ab(effect: float, n: int = 800, seed: int = 4) -> pd.DataFrame:
    """Spend ~ gamma(1, 60) per member (sd 60), treatment + ``effect``; cost 1 per treated member."""
    rng = np.random.default_rng(seed)
    treat = np.arange(n) % 2 == 0
    spend = rng.gamma(1.0, 60.0, n) + np.where(treat, effect, 0.0)
    bought = (rng.random(n) < np.where(treat, 0.12, 0.10)).astype(int)
    return pd.DataFrame({"variant": np.where(treat, "B", "A"), "bought": bought, "spend": spend,
                         "cost": np.where(treat, 1.0, 0.0)})


def test_roi_carries_the_revenue_p_value_and_verdict() -> None:
    noisy = analyze_experiment(_ab(effect=3.0), ["bought", "spend"], group="variant", cost="cost", seed=1)
    spend = noisy.metric("spend")
    r = noisy.roi
    assert r.p_value == pytest.approx(spend["p_value"]) and r.alpha == 0.05
    # not significant: the interval of the incremental revenue holds 0, and so the ROI's holds -100%
    assert not r.significant and r.incremental_revenue_low < 0 < r.incremental_revenue_high
    assert r.roi_low < -1 < r.roi_high and r.roi > 0
    assert noisy.to_dict()["roi"]["significant"] is False
    clear = analyze_experiment(_ab(effect=40.0), ["bought", "spend"], group="variant", cost="cost", seed=1)
    assert clear.roi.significant and clear.roi.incremental_revenue_low > 0
    assert clear.to_dict()["roi"]["significant"] is True


@pytest.mark.parametrize("lang, ns, pp", [("en", "NOT significant", " pp"), ("zh", "不显著", " 个百分点")])
def test_cli_says_not_significant_and_writes_points(tmp_path: Path, lang: str, ns: str, pp: str) -> None:
    path = tmp_path / "ab.csv"
    _ab(effect=3.0).to_csv(path, index=False)
    res = CliRunner().invoke(app, ["campaign", "analyze", str(path), "--group", "variant", "--outcome", "bought",
                                   "--outcome", "spend", "--cost", "cost", "--lang", lang],
                                 env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    (roi_line,) = [ln for ln in res.stdout.splitlines() if "ROI" in ln or "投入回报率" in ln]
    assert ns in roi_line and "95%" in roi_line and roi_line.count("%") >= 4  # ROI and its two bounds
    (conv,) = [ln for ln in res.stdout.splitlines() if ln.startswith("│ bought")]
    cells = [c.strip() for c in conv.split("│")[1:-1]]
    assert cells[1].endswith("%") and cells[2].endswith("%")  # the rates themselves in percent
    assert cells[3].endswith(pp.strip()) and cells[4].count(pp.strip()) == 2  # lift and its interval in points
    assert "%" not in cells[3] + cells[4]


def test_report_roi_card_carries_verdict_and_interval(tmp_path: Path) -> None:
    """The report's ROI card carries the verdict and the interval, the conversion card points, in both languages."""
    from custlens.report import ReportContext
    from custlens.report.sections.campaigns import _cards
    from custlens.store import Store

    res = analyze_experiment(_ab(effect=3.0), ["bought", "spend"], group="variant", cost="cost", seed=1)
    res.metrics.loc[res.metrics["name"] == "bought", "name"] = "converted"
    st = Store(tmp_path / "s.duckdb")
    try:
        for lang, word in (("en", "not significant"), ("zh", "不显著")):
            cards = {k.label: k for k in _cards(ReportContext(st, lang=lang), res)}
            roi = next(k for label, k in cards.items() if "ROI" in label or "投入回报率" in label)
            assert word in roi.detail and "95%" in roi.detail
            conv = next(k for label, k in cards.items() if "onversion" in label or "转化率" in label)
            assert ("pp" if lang == "en" else "个百分点") in conv.value and "%" not in conv.value
    finally:
        st.close()
