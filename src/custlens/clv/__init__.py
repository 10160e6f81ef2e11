"""Customer lifetime value: the buy-till-you-die model family and its validation.

Every model takes the per-customer frame ``frequency, recency, T`` (plus
``monetary_value`` for Gamma-Gamma) built by :func:`summary_from_transactions`.
"""

from custlens.clv.bgbb import BetaGeoBetaBinomModel
from custlens.clv.bgnbd import BetaGeoModel
from custlens.clv.data import summary_from_transactions
from custlens.clv.gamma_gamma import GammaGammaModel
from custlens.clv.mbgnbd import ModifiedBetaGeoModel
from custlens.clv.pareto_nbd import ParetoNBDModel
from custlens.clv.pareto_nbd_limit import ParetoNBDLimitModel
from custlens.clv.validation import (
    ModelComparison,
    compare_models,
    holdout_by_frequency,
    holdout_errors,
    tracking,
)
from custlens.clv.value import customer_lifetime_value, score_customers

__all__ = [
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "GammaGammaModel",
    "ModelComparison",
    "ModifiedBetaGeoModel",
    "ParetoNBDLimitModel",
    "ParetoNBDModel",
    "compare_models",
    "customer_lifetime_value",
    "holdout_by_frequency",
    "holdout_errors",
    "score_customers",
    "summary_from_transactions",
    "tracking",
]
