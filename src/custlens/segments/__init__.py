"""Customer segments: RFM maps, clusters (k-means, LRFMC), ABC tiers, value × loyalty, migration.

>>> from custlens.segments import rfm, segment_customers
>>> result = rfm(customer_table, scheme="rfm11")                # doctest: +SKIP
>>> clusters = segment_customers(customer_table, "kmeans")      # doctest: +SKIP

Importing the package registers every segment's name, description, action, channel and offer
in English and Chinese into `custlens.i18n` (see `custlens.segments.catalog` and
`custlens.segments.texts`).
"""

from custlens.segments.abc import ABCResult, abc_analysis, gini, lorenz_curve
from custlens.segments.audience import AUDIENCE_COLUMNS, audience, resolve_segment
from custlens.segments.clustering import ClusterResult, cluster_customers, scale_features
from custlens.segments.lrfmc import LRFMCFeatures, discount_rates, lrfmc_features
from custlens.segments.migration import MigrationResult, migration, migration_from_labels
from custlens.segments.naming import segment_name, segment_text
from custlens.segments.playbooks import PLAYBOOK_SCHEMES, playbook, playbook_table
from custlens.segments.rfm import RFMResult, rfm, rfm_scores
from custlens.segments.rfm_maps import SCHEMES, SegmentMap
from custlens.segments.schemes import ALL_SCHEMES, Segmentation, segment_customers
from custlens.segments.value_matrix import ValueMatrixResult, value_matrix

__all__ = [
    "ABCResult", "ALL_SCHEMES", "AUDIENCE_COLUMNS", "ClusterResult", "LRFMCFeatures", "MigrationResult",
    "PLAYBOOK_SCHEMES", "RFMResult", "SCHEMES", "SegmentMap", "Segmentation", "ValueMatrixResult",
    "abc_analysis", "audience", "cluster_customers", "discount_rates", "gini", "lorenz_curve",
    "lrfmc_features", "migration", "migration_from_labels", "playbook", "playbook_table",
    "resolve_segment", "rfm", "rfm_scores", "scale_features", "segment_customers", "segment_name",
    "segment_text", "value_matrix",
]
