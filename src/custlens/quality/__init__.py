"""Data quality: completeness, validity, uniqueness, consistency and timeliness of a store.

`assess` runs every check in SQL on the store and returns a `QualityReport`; the scoring
rule is documented in `custlens.quality.scoring` and as the i18n text ``quality.grade_rule``.
"""

from custlens.quality.assess import assess
from custlens.quality.report import QualityReport
from custlens.quality.scoring import grade

__all__ = ["QualityReport", "assess", "grade"]
