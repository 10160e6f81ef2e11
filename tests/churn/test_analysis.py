"""The churn model on the demo shop, whose purchase process (BG/NBD) and latent state are known.

Measured on the 2,000-customer demo (seed 42), as of 2026-10-01, H = 194 days:
held-out ROC-AUC 0.779 for the calibrated trees against 0.758 for the recency rule (+0.021),
0.767 for the logistic baseline and 0.782 for the true model family's own P(no purchase in H)
(BG/NBD refitted per snapshot: the ceiling on data simulated from BG/NBD). Calibration: mean
predicted 0.796 against 0.797 observed; decile gaps weighted mean 0.034.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from custlens.churn import read_churn_scores, reasons_text, save_churn_scores
from custlens.churn.reasons import GROUPS, MIN_CONTRIBUTION, NO_SIGNAL

pytestmark = pytest.mark.slow

#: The model must beat the recency rule on held-out ROC-AUC by at least this much (measured +0.021).
MARGIN = 0.01
#: Calibration tolerances on the held-out snapshot (measured 0.001 and 0.034).
MEAN_TOL, DECILE_TOL = 0.02, 0.05


def test_model_beats_the_recency_rule(churn_demo) -> None:
    result, _, _ = churn_demo
    m = result.metrics
    assert result.auc >= result.baselines["recency"] + MARGIN
    assert result.auc >= m.loc["logistic", "roc_auc"] - 0.005
    # PR-AUC sits at ~0.91 for every score here (80% churn by this definition): not worse beyond noise.
    assert m.loc["gradient_boosting", "pr_auc"] >= m.loc["recency_rule", "pr_auc"] - 0.005
    assert 0.5 < result.baselines["p_alive"] < 1  # MBG/NBD P(alive): see test_p_alive_baseline.py


def test_calibration_on_held_out_customers(churn_demo) -> None:
    result, _, _ = churn_demo
    m = result.metrics.loc["gradient_boosting"]
    assert abs(m["mean_probability"] - m["base_rate"]) <= MEAN_TOL
    cal = result.calibration
    gap = np.average((cal["predicted"] - cal["observed"]).abs(), weights=cal["customers"])
    assert gap <= DECILE_TOL
    assert m["brier"] < m["base_rate"] * (1 - m["base_rate"])  # better than predicting the base rate


def test_scores_match_the_true_churn_probability(churn_demo) -> None:
    """Ground truth: P(no order in H days) = 1 - alive + alive * exp(-lambda H) per customer."""
    result, _, demo = churn_demo
    truth = pd.read_csv(demo.out_dir / "exports" / "customers_truth.csv", dtype={"customer_id": str})
    s = result.scores.merge(truth, on="customer_id")
    assert len(s) == len(result.scores)
    alive = s["alive_at_end"].astype(bool).to_numpy()
    p_true = np.where(alive, np.exp(-s["lambda_per_day"] * result.horizon.days), 1.0)
    assert abs(s["churn_probability"].mean() - p_true.mean()) <= 0.03
    quint = pd.qcut(s["churn_probability"], 5, labels=False, duplicates="drop")
    by = pd.DataFrame({"p": s["churn_probability"], "t": p_true}).groupby(quint).mean()
    assert (by["p"] - by["t"]).abs().max() <= 0.1
    assert by["t"].is_monotonic_increasing


def test_reasons_match_the_features_that_drove_the_score(churn_demo) -> None:
    result, _, _ = churn_demo
    model, X = result.model, result.features
    scores = result.scores.set_index("customer_id")
    drivers = set(result.importance.loc[result.importance["importance"] > 0, "feature"])
    high = scores[(scores["risk_band"] == "high")
                  & scores["reasons"].map(lambda rs: rs[0].group != NO_SIGNAL)].head(60)
    assert len(high) >= 30
    from custlens.churn.reasons import reference_values

    ref = reference_values(model, X, scores.loc[X.index, "churn_probability"].to_numpy())
    reset = []
    for cid, row in high.iterrows():
        top = row["reasons"][0]
        cols = GROUPS.get(top.group, (top.group,))
        assert set(cols) & drivers, (cid, top.group)
        x = X.loc[[cid]].copy()
        for col in cols:
            if col in x:
                x[col] = ref[col]
        reset.append(x)
        contrib = [r.contribution for r in row["reasons"]]
        assert contrib == sorted(contrib, reverse=True)
    # resetting the named features to the low-risk profile lowers each customer's score (the
    # trees' score the reasons are computed on, and on average the calibrated probability)
    raw_before = model.raw_encoded(model.encode(X.loc[high.index]))
    raw_after = model.raw_encoded(model.encode(pd.concat(reset)))
    assert (raw_after <= raw_before - MIN_CONTRIBUTION + 1e-9).all()
    assert model.predict_proba(pd.concat(reset)).mean() < high["churn_probability"].mean() - MIN_CONTRIBUTION
    # a recency reason carries the customer's own numbers, in both languages
    r = scores[scores["reasons"].map(lambda rs: any(x.group == "recency" for x in rs))]
    assert len(r) >= 100
    for cid, row in r.head(20).iterrows():
        days = int(X.loc[cid, "days_since_last"])
        assert f"no order for {days} days" in row["reasons_en"] and f"已 {days} 天未下单" in row["reasons_zh"]


def test_a_long_silence_raises_risk_and_becomes_the_reason(churn_demo) -> None:
    result, _, _ = churn_demo
    model, X = result.model, result.features
    from custlens.churn.analysis import score_frame

    active = X[(X["days_since_last"] < 30) & (X["frequency"] >= 2)].head(20)
    silent = active.copy()
    silent["days_since_last"] = 600.0
    silent["gap_ratio"] = 600.0 / silent["usual_gap_days"]
    silent["p_no_purchase"] = 0.99
    both = pd.concat([active, silent.set_axis([f"{i}-silent" for i in silent.index])])
    sc = score_frame(model, both, 194, result.cutoffs, both["total_spend"]).set_index("customer_id")
    for cid in active.index:
        assert sc.loc[f"{cid}-silent", "churn_probability"] > sc.loc[cid, "churn_probability"] + 0.1
        groups = [r.group for r in sc.loc[f"{cid}-silent", "reasons"]]
        assert {"recency", "btyd"} & set(groups[:2])


def test_lists_and_bands(churn_demo) -> None:
    result, _, _ = churn_demo
    h = result.horizon.days
    ew, wb = result.early_warning, result.win_back
    assert (ew["days_since_last"] < h).all() and (ew["risk_band"] == "high").all()
    assert (wb["days_since_last"] >= h).all()
    for lst in (ew, wb):
        assert lst["expected_loss"].is_monotonic_decreasing
        assert np.allclose(lst["expected_loss"], lst["customer_value"] * lst["churn_probability"])
        assert lst["action"].str.startswith("churn.action.").all()
    lo, hi = result.cutoffs
    s = result.scores
    assert (s["reasons_en"].str.len() > 0).all() and (s["reasons_zh"].str.len() > 0).all()
    assert (s.loc[s["risk_band"] == "high", "churn_probability"] >= hi).all()
    assert (s.loc[s["risk_band"] == "low", "churn_probability"] < lo).all()
    assert ((s["risk_band"] == "lapsed") == (s["days_since_last"] >= h)).all()


def test_capacity_sets_the_bands_on_the_demo(churn_demo) -> None:
    """Issue 11: 76.7% of demo customers were "high risk" with fixed 0.4 / 0.7 cut-offs.

    With the default capacity (top 10% of the active customers) at most 10% of them are high,
    at most 20% high or medium, and the early-warning list is exactly the high band.
    """
    result, _, _ = churn_demo
    s, cap = result.scores, result.capacity
    active = s[s["risk_band"] != "lapsed"]
    assert cap is not None and cap.active == len(active) and cap.requested == 0.1
    assert cap.customers == int(0.1 * len(active))
    high = (active["risk_band"] == "high").sum()
    assert 0 < high <= cap.customers and result.high_risk == high
    assert high / len(active) <= 0.10 and active["risk_band"].isin(["high", "medium"]).mean() <= 0.20
    assert len(result.early_warning) == high
    assert result.cutoffs == (cap.medium, cap.high)
    # the probabilities of still-active customers are spread out, not all near certainty
    assert (active["churn_probability"] < 0.99).mean() > 0.9
    assert active["churn_probability"].std() > 0.1
    # every customer on the list comes with the reasons in both languages
    assert (result.early_warning["reasons_en"].str.len() > 0).all()
    assert (result.early_warning["reasons_zh"].str.len() > 0).all()
    text = cap.text("en", result.horizon.days)
    assert f"{cap.high:.1%}" in text and f"{cap.customers:,}" in text and "--capacity" in cap.text("zh", 9)


def test_drivers_are_not_one_feature_and_zeros(churn_demo) -> None:
    """Issue 11: the AUC-drop importance read 0.00 for every feature but one on the demo."""
    result, _, _ = churn_demo
    imp = result.importance
    real = imp[(imp["importance"] > 0) & (imp["importance"] > imp["importance_std"])]
    # The demo buys by a BG/NBD process: timing (P(no order), days since last) is the real signal,
    # so at least two features stand above their noise; the rest are honestly near zero.
    assert len(real) >= 2
    assert (real["importance"].head(2) >= 5e-4).all()  # shown with 4 decimals in the report
    assert (imp["importance"].abs() > 0).sum() >= 3  # not "every feature but one at 0.00"


def test_json_contract_and_scores_table(churn_demo) -> None:
    result, st, _ = churn_demo
    d = json.loads(json.dumps(result.to_dict("zh")))
    for key in ("definition", "horizon_days", "customers_scored", "auc", "baselines", "high_risk"):
        assert key in d
    assert d["horizon_days"] == result.horizon.days and str(result.horizon.days) in d["definition"]
    assert set(d["baselines"]) == {"recency", "p_alive"}
    assert d["customers_scored"] == len(result.scores) == sum(d["bands"].values())
    assert d["capacity"]["customers"] >= d["high_risk"] and set(d["bands"]) == {"low", "medium", "high", "lapsed"}
    assert save_churn_scores(st, result) == len(result.scores)
    table = st.read("churn_scores")
    assert list(table.columns) == ["customer_id", "churn_probability", "risk_band", "reasons",
                                   "model", "horizon_days", "as_of", "options"]
    assert (table["horizon_days"] == result.horizon.days).all() and (table["as_of"] == result.as_of).all()
    assert table["churn_probability"].between(0, 1).all()
    # Reasons are saved as keys and arguments (no translated text) and translate to the live texts.
    first = json.loads(table["reasons"].iloc[0])
    assert first and all(set(r) == {"key", "args"} and r["key"].startswith("churn.") for r in first)
    live = result.scores.set_index("customer_id")
    for _, row in table.head(50).iterrows():
        for lang in ("en", "zh"):
            assert reasons_text(row["reasons"], lang) == live.at[row["customer_id"], f"reasons_{lang}"]
    shown = read_churn_scores(st).set_index("customer_id")
    assert (shown["reasons_zh"] == live.loc[shown.index, "reasons_zh"]).all()


def test_lists_can_be_ranked_by_clv(churn_demo) -> None:
    from custlens.churn.analysis import customer_value
    from custlens.errors import InputError

    result, st, _ = churn_demo
    clv, note = customer_value(st, result.as_of, result.features, "clv")
    assert note is None and clv.index.equals(result.features.index)
    assert np.isfinite(clv).all() and (clv >= 0).all()
    assert clv.corr(result.features["total_spend"]) > 0.5  # measured 0.79
    with pytest.raises(InputError, match="value='margin' is not supported"):
        customer_value(st, result.as_of, result.features, "margin")
