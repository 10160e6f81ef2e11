"""Churn early warning: who is about to stop buying, why, and what to do about it.

Three churn definitions, each stated in every output:

(a) no purchase within ``H`` days after a date (``H`` from the data's gaps between purchases,
    or given) — the one `churn_analysis` models from leakage-free snapshots;
(b) model-based: 1 - P(alive) of the MBG/NBD model (a baseline of the held-out evaluation);
(c) a labelled table with a churn column — `churn_from_labels`.

Also: risk bands and reasons in English and Chinese, permutation importance and partial
dependence, Kaplan-Meier curves and a Cox model, early-warning and win-back lists.
"""

from custlens.churn.analysis import (ChurnEligibilityError, ChurnResult, churn_analysis, check_eligible,
                                     customer_value)
from custlens.churn.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, snapshot_features
from custlens.churn.labelled import churn_from_labels
from custlens.churn.labels import Horizon, churn_labels, default_horizon, snapshot_dates
from custlens.churn.model import ChurnModel, Metrics, evaluate, lift_gain
from custlens.churn.reasons import Reason, contributions
from custlens.churn.retention import retention_analysis
from custlens.churn.saved import read_churn_scores, reasons_text, save_churn_scores
from custlens.churn.survival import SurvivalResult, cox_model, lifetimes, retention_curves
from custlens.churn.texts import Phrase
from custlens.churn.warning import DEFAULT_CUTOFFS, bands, early_warning, localise, win_back

__all__ = [
    "CATEGORICAL_FEATURES", "DEFAULT_CUTOFFS", "NUMERIC_FEATURES", "ChurnEligibilityError", "ChurnModel",
    "ChurnResult", "Horizon", "Metrics", "Phrase", "Reason", "SurvivalResult", "bands", "check_eligible",
    "churn_analysis", "churn_from_labels", "churn_labels", "contributions", "cox_model", "customer_value",
    "default_horizon",
    "early_warning", "evaluate", "lift_gain", "lifetimes", "localise", "retention_analysis",
    "retention_curves", "snapshot_dates", "snapshot_features", "win_back", "save_churn_scores", "read_churn_scores", "reasons_text",
]
