"""Customer segments: RFM scores and named segment maps.

>>> from custlens.segments import rfm
>>> result = rfm(customer_table, scheme="rfm11")    # doctest: +SKIP
>>> result.segments                                 # doctest: +SKIP

Importing the package registers every segment's name, description and action in English
and Chinese into `custlens.i18n` (see `custlens.segments.catalog`).
"""

from custlens.segments import catalog  # noqa: F401  (registers the segment texts)
from custlens.segments.rfm import RFMResult, rfm, rfm_scores
from custlens.segments.rfm_maps import SCHEMES, SegmentMap

__all__ = ["RFMResult", "SCHEMES", "SegmentMap", "rfm", "rfm_scores"]
