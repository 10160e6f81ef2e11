"""How checks become scores and a grade (the rule is the i18n text ``quality.grade_rule``).

- A check scores ``100 * (1 - failing / checked)``; a check with nothing to check does not
  count.
- A table's dimension score is the mean of its checks in that dimension; completeness is
  the mean non-missing share of the required columns and of the optional columns the data
  provides (an optional column that is entirely empty was not provided and does not count).
- Timeliness is 100 when the latest order is at most `FRESH_DAYS` old, 0 from
  `STALE_DAYS`, linear in between (the other tables' latest dates are listed, not scored).
- A table's score, and the overall score from the overall dimension scores (each the mean
  over tables), are weighted means with `WEIGHTS`, renormalised over the dimensions that
  apply.
- Grades: A >= 90, B >= 80, C >= 70, D >= 60, else F.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

FRESH_DAYS = 7
STALE_DAYS = 365

WEIGHTS: dict[str, float] = {
    "completeness": 0.25,
    "validity": 0.25,
    "uniqueness": 0.15,
    "consistency": 0.25,
    "timeliness": 0.10,
}

GRADES: tuple[tuple[float, str], ...] = ((90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"))


def check_score(failing: int, checked: int) -> float | None:
    """``100 * (1 - failing / checked)``, None when nothing was checked."""
    if checked <= 0:
        return None
    return 100.0 * (1.0 - min(failing, checked) / checked)


def timeliness_score(age_days: float | None) -> float | None:
    """100 up to `FRESH_DAYS`, 0 from `STALE_DAYS`, linear in between; None without dates."""
    if age_days is None or (isinstance(age_days, float) and math.isnan(age_days)):
        return None
    if age_days <= FRESH_DAYS:
        return 100.0
    if age_days >= STALE_DAYS:
        return 0.0
    return 100.0 * (STALE_DAYS - age_days) / (STALE_DAYS - FRESH_DAYS)


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None (None when there are none)."""
    kept = [v for v in values if v is not None and not math.isnan(v)]
    return sum(kept) / len(kept) if kept else None


def weighted(scores: Mapping[str, float | None]) -> float | None:
    """The `WEIGHTS`-weighted mean of the dimension scores that apply."""
    kept = {d: s for d, s in scores.items() if s is not None and not math.isnan(s)}
    total = sum(WEIGHTS[d] for d in kept)
    if not total:
        return None
    return sum(WEIGHTS[d] * s for d, s in kept.items()) / total


def grade(score: float | None) -> str | None:
    """The letter grade of a 0-100 score: A >= 90, B >= 80, C >= 70, D >= 60, else F."""
    if score is None or math.isnan(score):
        return None
    for floor, letter in GRADES:
        if score >= floor - 1e-9:
            return letter
    return "F"
