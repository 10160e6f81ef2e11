"""The result of `custlens.quality.assess`: scores, per-column facts and the top problems."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

GRADE_RULE_KEY = "quality.grade_rule"


def _plain(value: Any) -> Any:
    """A JSON-friendly Python value (NaN/NaT -> None, timestamps -> ISO text)."""
    if value is None:
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return None if pd.isna(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df`` as a list of JSON-friendly dicts."""
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


@dataclass
class QualityReport:
    """Data quality of a store, scored 0-100 per dimension, table and overall.

    Attributes
    ----------
    today : pandas.Timestamp
        The date the data was judged against (future dates, timeliness).
    score : float or None
        Overall score 0-100 (None when no table holds data).
    grade : str or None
        A >= 90, B >= 80, C >= 70, D >= 60, else F; the full rule is the i18n text
        ``grade_rule`` (`custlens.quality.scoring`).
    dimensions : dict
        Overall score per dimension (completeness, validity, uniqueness, consistency,
        timeliness): the mean over tables; None when no table has that dimension.
    tables : DataFrame
        One row per table holding data: ``table, rows``, one column per dimension,
        ``score, grade``.
    columns : DataFrame
        One row per column: ``table, column, rows, missing, completeness, required,
        provided`` (an optional column with no value at all was not provided).
    checks : DataFrame
        Every check run, passing or not: ``table, column, check, dimension, severity,
        count, checked, share, score``.
    problems : DataFrame
        The failing checks, worst first (severity, then count): ``table, column, check,
        dimension, count, share, severity, examples`` (up to 3 rows as JSON text). For
        ``quality.check.stale_data`` the count is the age in days.
    timeliness : DataFrame
        ``table, column, latest, age_days, score``: the latest date of each table (dates
        after ``today`` ignored); only ``orders`` is scored, the others are listed.
    quarantine : DataFrame
        Rows rejected at ingest per ``source, table_name, reason``: ``rows``.
    ingest_log : DataFrame
        The ingest log with a ``balanced`` column (read = loaded + quarantined + duplicates).
    grade_rule : str
        The i18n key of the scoring rule.
    """

    today: pd.Timestamp
    score: float | None
    grade: str | None
    dimensions: dict[str, float | None]
    tables: pd.DataFrame
    columns: pd.DataFrame
    checks: pd.DataFrame
    problems: pd.DataFrame
    timeliness: pd.DataFrame
    quarantine: pd.DataFrame
    ingest_log: pd.DataFrame
    grade_rule: str = field(default=GRADE_RULE_KEY)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``json.dumps(report.to_dict())`` works).

        ``problems[*].examples`` are decoded from their JSON text into lists.
        """
        problems = frame_records(self.problems)
        for p in problems:
            p["examples"] = json.loads(p["examples"]) if p.get("examples") else []
        return {
            "today": self.today.date().isoformat(),
            "score": _plain(self.score),
            "grade": self.grade,
            "grade_rule": self.grade_rule,
            "dimensions": {k: _plain(v) for k, v in self.dimensions.items()},
            "tables": frame_records(self.tables),
            "columns": frame_records(self.columns),
            "checks": frame_records(self.checks),
            "problems": problems,
            "timeliness": frame_records(self.timeliness),
            "quarantine": frame_records(self.quarantine),
            "ingest_log": frame_records(self.ingest_log),
        }

    def __repr__(self) -> str:
        score = "n/a" if self.score is None else f"{self.score:.1f}"
        return (
            f"QualityReport(score={score}, grade={self.grade}, tables={len(self.tables)}, "
            f"problems={len(self.problems)})"
        )
