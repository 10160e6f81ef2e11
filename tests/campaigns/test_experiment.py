"""A/B analysis: the demo shop's known campaign effect, exports with other labels, uplift, the report."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from custlens import i18n
from custlens.campaigns import (analyze_campaign, analyze_experiment, campaign_outcomes, campaign_segments,
                                resolve_groups, two_proportion_ztest, uplift_by_segment)
from custlens.errors import DataQualityWarning, InputError, MissingDataError
from custlens.store import Store, open_store


@pytest.fixture(scope="module")
def demo(demo_run):
    st = open_store(demo_run.store_path, read_only=True)
    yield st, demo_run.truth["campaign"]
    st.close()


def test_demo_interval_covers_the_true_conversion_lift(demo) -> None:
    st, truth = demo
    res = analyze_campaign(st, window_days=truth["window_days"])
    conv = res.metric("converted")
    assert conv["ci_low"] < truth["true_conversion_lift"] < conv["ci_high"]
    assert conv["ci_low"] > 0  # the campaign worked, and the test sees it
    rev = res.metric("revenue")
    assert rev["ci_low"] < truth["true_incremental_revenue_per_member"] < rev["ci_high"]
    g = res.groups.set_index("group")["members"]
    assert (g["treatment"], g["control"]) == (truth["treatment"], truth["control"])
    assert not res.srm_alarm
    assert res.roi.cost == pytest.approx(truth["treatment"] * truth["cost_per_treated_member"])
    assert res.roi.incremental_revenue == pytest.approx(rev["lift"] * truth["treatment"])
    assert res.info["campaign_id"] == truth["campaign_id"]
    assert res.info["first_exposed"][:10] == truth["exposure_date"]


def test_demo_outcomes_match_an_independent_pandas_computation(demo) -> None:
    st, truth = demo
    df = campaign_outcomes(st, window_days=30, pre_days=90)
    orders = st.read("orders")
    m = st.read("campaign_members")
    j = m.merge(orders, on="customer_id")
    win = (j["ordered_at"] >= j["exposed_at"]) & (j["ordered_at"] < j["exposed_at"] + pd.Timedelta(days=30))
    pre = (j["ordered_at"] < j["exposed_at"]) & (j["ordered_at"] >= j["exposed_at"] - pd.Timedelta(days=90))
    rev = j[win].groupby("customer_id")["amount"].sum().reindex(df["customer_id"], fill_value=0.0)
    pre_spend = j[pre].groupby("customer_id")["amount"].sum().reindex(df["customer_id"], fill_value=0.0)
    np.testing.assert_allclose(df["revenue"], rev.to_numpy())
    np.testing.assert_allclose(df["pre_spend"], pre_spend.to_numpy())
    assert df["converted"].tolist() == (rev.to_numpy() > 0).astype(int).tolist() or (
        (df["orders"] > 0).astype(int).tolist() == df["converted"].tolist())
    assert len(df) == truth["members"]


def test_window_after_the_data_is_flagged(demo) -> None:
    st, _ = demo
    with pytest.warns(DataQualityWarning, match="windows end after"):
        res = analyze_campaign(st, window_days=200)
    assert "campaign.note.window_incomplete" in res.notes


def _export(rng: np.random.Generator, n: int = 4000) -> pd.DataFrame:
    variant = np.where(rng.random(n) < 0.5, "B", "A")
    pre = rng.gamma(2, 50, n)
    bought = rng.random(n) < np.where(variant == "B", 0.12, 0.08)
    spend = 0.4 * pre + np.where(bought, rng.gamma(2, 20, n), 0.0)  # regular buyers: spend follows pre
    return pd.DataFrame({"variant": variant, "bought": bought, "spend": spend, "pre": pre,
                         "cost": np.where(variant == "B", 1.0, 0.0)})


def test_export_with_other_labels_and_roi() -> None:
    df = _export(np.random.default_rng(8))
    res = analyze_experiment(df, ["bought", "spend"], group="variant", pre="pre", cost="cost", seed=1)
    conv = res.metric("bought")
    nb, na = (df["variant"] == "B").sum(), (df["variant"] == "A").sum()
    ref = two_proportion_ztest(int(df.loc[df.variant == "A", "bought"].sum()), na,
                               int(df.loc[df.variant == "B", "bought"].sum()), nb)
    assert conv["kind"] == "proportion" and conv["lift"] == pytest.approx(ref.diff)
    assert conv["p_value"] == pytest.approx(ref.p_value)
    spend = res.metric("spend")
    assert spend["kind"] == "mean" and spend["boot_ci_low"] < spend["lift"] < spend["boot_ci_high"]
    assert spend["variance_reduction"] > 0.1  # spend is built on the pre-period value
    assert spend["cuped_ci_high"] - spend["cuped_ci_low"] < spend["ci_high"] - spend["ci_low"]
    holm = multipletests(res.metrics["p_value"], method="holm")[1]
    np.testing.assert_allclose(res.metrics["p_holm"], holm)
    assert res.roi.metric == "spend" and res.roi.cost == pytest.approx(nb)
    assert res.roi.roi == pytest.approx((spend["lift"] * nb - nb) / nb)
    d = res.to_dict()
    assert {"groups", "metrics", "srm_p_value"} <= set(d)
    assert {"name", "control", "treatment", "lift", "ci_low", "ci_high", "p_value"} <= set(d["metrics"][0])


def test_group_labels() -> None:
    s = pd.Series(["control", "treatment", "control"])
    assert resolve_groups(s).tolist() == ["control", "treatment", "control"]
    assert resolve_groups(pd.Series(["对照组", "实验组"])).tolist() == ["control", "treatment"]
    assert resolve_groups(pd.Series(["blue", "red"]), treatment="red").tolist() == ["control", "treatment"]
    with pytest.raises(InputError, match="pass --treatment"):
        resolve_groups(pd.Series(["blue", "red"]))
    with pytest.raises(InputError, match="not one of two groups"):
        resolve_groups(pd.Series(["blue", "red"]), treatment="green")


def test_uplift_finds_the_responding_segment_after_correction() -> None:
    rng = np.random.default_rng(9)
    n = 12_000
    seg = rng.choice(["s1", "s2", "s3", "s4"], n)
    treat = rng.random(n) < 0.5
    p = 0.10 + np.where((seg == "s2") & treat, 0.08, 0.0)
    df = pd.DataFrame({"segment": seg, "group": np.where(treat, "treatment", "control"),
                       "converted": (rng.random(n) < p).astype(int), "revenue": rng.gamma(1, 30, n)})
    up = uplift_by_segment(df, outcomes=("converted", "revenue"))
    conv = up[up["metric"] == "converted"].set_index("segment")
    assert conv.loc["s2", "p_holm"] < 0.001 and conv.loc["s2", "ci_low"] < 0.08 < conv.loc["s2", "ci_high"]
    assert (conv.drop("s2")["p_holm"] > 0.05).all()
    np.testing.assert_allclose(up["p_bh"], multipletests(up["p_value"], method="fdr_bh")[1])
    small = uplift_by_segment(df.head(60), outcomes=("converted",), min_per_group=20)
    assert small["p_value"].isna().all()


@pytest.mark.slow
def test_demo_segments_and_report_section(demo) -> None:
    st, truth = demo
    seg = campaign_segments(st)
    assert seg["n_control"].sum() + seg["n_treatment"].sum() == 2 * truth["members"]  # two metrics
    from custlens.report import ReportContext
    from custlens.report.registry import run_sections

    for lang in ("zh",):  # the English texts are checked by the catalogue tests
        ctx = ReportContext(st, lang=lang)
        with warnings.catch_warnings():
            warnings.simplefilter("error", DataQualityWarning)
            (section,) = run_sections(ctx, ["campaigns"])
        assert not section.missing and section.key == "campaigns"
        kinds = [b.kind for b in section.blocks]
        assert kinds.count("figure") == 2 and kinds.count("table") == 2
        assert all(i18n.has(k) for k in ctx.used_keys)
        # the demo's revenue lift is not significant: the report says so next to the ROI, with its interval
        roi = analyze_campaign(st, window_days=30).roi
        notes = [b.text for b in section.blocks if b.kind == "note" and "投入回报率" in b.text]
        assert (len(notes) == 1) == (not roi.significant) and (not notes or "不显著" in notes[0])
    assert section.title == "营销活动"
    assert all(i18n.t(k, "en").strip() for k in ctx.used_keys)


def test_section_is_left_out_without_campaigns() -> None:
    from custlens.report import ReportContext
    from custlens.report.registry import run_sections

    with Store(":memory:") as st:
        st._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) VALUES ('1', 'a', '2024-01-01', 5)")
        assert run_sections(ReportContext(st), ["campaigns"]) == []


def test_before_after_recovers_an_effect_planted_in_the_store(demo_store: Store, demo_run) -> None:
    """A campaign without control: a random half of the customers active in the 8 weeks before
    the event get one extra order of 40.00 in the first week after it (10.00 per week over the
    4 post weeks); the other active customers are the comparison group."""
    from custlens.campaigns import before_after

    st = demo_store
    event = pd.Timestamp("2026-05-04")
    orders = st.read("orders")
    active = np.sort(orders.loc[(orders["ordered_at"] >= event - pd.Timedelta(days=56))
                                & (orders["ordered_at"] < event), "customer_id"].unique())
    rng = np.random.default_rng(12)
    treated = active[rng.random(len(active)) < 0.5]
    members = pd.DataFrame({"campaign_id": "CMP-NO-CONTROL", "customer_id": treated, "group": "treatment",
                            "exposed_at": event + pd.Timedelta(hours=10), "cost": 0.2, "channel": "sms"})
    extra = pd.DataFrame({"order_id": [f"X{i}" for i in range(len(treated))], "customer_id": treated,
                          "ordered_at": event + pd.Timedelta(days=3), "amount": 40.0})
    st._con.register("m_", members)
    st._con.register("x_", extra)
    st._con.execute("INSERT INTO campaign_members SELECT * FROM m_")
    base = before_after(st, "CMP-NO-CONTROL", comparison="auto", periods_before=8, periods_after=4)
    st._con.execute("INSERT INTO orders (order_id, customer_id, ordered_at, amount) SELECT * FROM x_")
    res = before_after(st, "CMP-NO-CONTROL", comparison="auto", periods_before=8, periods_after=4)
    assert res.effect - base.effect == pytest.approx(10.0, rel=1e-9)  # OLS is linear in the outcome
    assert base.ci_low < 0 < base.ci_high  # nothing to find before the planted orders
    assert res.info["comparison"] == "others"
    assert res.n_treated == len(treated) and res.n_comparison == len(active) - len(treated)
    assert res.ci_low < 10.0 < res.ci_high
    assert res.pretrend_p_value > 0.01
    print(f"planted 10.00/week: DiD {res.effect:.2f} [{res.ci_low:.2f}, {res.ci_high:.2f}], "
          f"pre-trend p {res.pretrend_p_value:.3f}")
    with pytest.raises(MissingDataError, match="no comparable group"):  # the demo campaign took every active buyer
        before_after(st, demo_run.truth["campaign"]["campaign_id"], comparison="others")


@pytest.mark.slow
def test_report_section_of_a_campaign_without_control(demo_store: Store) -> None:
    from custlens.report import ReportContext
    from custlens.report.registry import run_sections

    st = demo_store
    event = st.read("campaign_members")["exposed_at"].max().normalize() + pd.Timedelta(days=29)
    orders = st.read("orders")
    active = np.sort(orders.loc[(orders["ordered_at"] >= event - pd.Timedelta(days=56))
                                & (orders["ordered_at"] < event), "customer_id"].unique())
    treated = active[np.random.default_rng(1).random(len(active)) < 0.5]
    st._con.register("m_", pd.DataFrame({"campaign_id": "CMP-LATE", "customer_id": treated, "group": "treatment",
                                        "exposed_at": event, "cost": 0.0, "channel": "sms"}))
    st._con.execute("INSERT INTO campaign_members SELECT * FROM m_")
    ctx = ReportContext(st, lang="zh")
    (section,) = run_sections(ctx, ["campaigns"])
    assert not section.missing
    assert [b.kind for b in section.blocks][:3] == ["paragraph", "kpis", "heading"]
    assert "CMP-LATE" in section.blocks[0].text
    assert section.intro == i18n.t("report.campaigns.intro_did", "zh")
