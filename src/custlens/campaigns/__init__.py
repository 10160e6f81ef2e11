"""Campaigns and experiments: A/B analysis, uplift by segment, before/after, power.

>>> from custlens.campaigns import analyze_campaign, plan_conversion_test
>>> result = analyze_campaign(store, window_days=30)          # doctest: +SKIP
>>> result.metrics[["name", "lift", "ci_low", "ci_high", "p_value"]]   # doctest: +SKIP
>>> plan_conversion_test(baseline=0.05, mde=0.01).n_control
8143

Importing the package registers the texts of the campaign analyses in English and Chinese.
"""

from custlens.campaigns.cuped import CupedResult, cuped_adjust, cuped_test
from custlens.campaigns.did import DidResult, before_after, diff_in_diff, spend_panel
from custlens.campaigns.experiment import ExperimentResult, Roi, analyze_campaign, analyze_experiment, resolve_groups
from custlens.campaigns.outcomes import campaign_ids, campaign_outcomes
from custlens.campaigns.power import PowerPlan, effect_size_h, plan_conversion_test, power_proportions
from custlens.campaigns.stats import (MeanTest, ProportionTest, SrmTest, adjust_pvalues, bootstrap_diff_ci,
                                      mann_whitney, srm_test, two_proportion_ztest, welch_ttest)
from custlens.campaigns.uplift import campaign_segments, rfm_segments_at, uplift_by_segment

__all__ = [
    "CupedResult", "DidResult", "ExperimentResult", "MeanTest", "PowerPlan", "ProportionTest", "Roi", "SrmTest",
    "adjust_pvalues", "analyze_campaign", "analyze_experiment", "before_after", "bootstrap_diff_ci",
    "campaign_ids", "campaign_outcomes", "campaign_segments", "cuped_adjust", "cuped_test", "diff_in_diff",
    "effect_size_h", "mann_whitney", "plan_conversion_test", "power_proportions", "resolve_groups",
    "rfm_segments_at", "spend_panel", "srm_test", "two_proportion_ztest", "uplift_by_segment", "welch_ttest",
]

