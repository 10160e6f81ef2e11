"""The result of `custlens.quality.assess`: scores, per-column facts and the top problems."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from custlens.results import Result, jsonable, records

GRADE_RULE_KEY = "quality.grade_rule"


@dataclass
class QualityReport(Result):
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
        problems = records(self.problems)
        for p in problems:
            p["examples"] = json.loads(p["examples"]) if p.get("examples") else []
        return {
            "today": self.today.date().isoformat(),
            "score": jsonable(self.score),
            "grade": self.grade,
            "grade_rule": self.grade_rule,
            "dimensions": {k: jsonable(v) for k, v in self.dimensions.items()},
            "tables": records(self.tables),
            "columns": records(self.columns),
            "checks": records(self.checks),
            "problems": problems,
            "timeliness": records(self.timeliness),
            "quarantine": records(self.quarantine),
            "ingest_log": records(self.ingest_log),
        }

    def __repr__(self) -> str:
        score = "n/a" if self.score is None else f"{self.score:.1f}"
        return (
            f"QualityReport(score={score}, grade={self.grade}, tables={len(self.tables)}, "
            f"problems={len(self.problems)})"
        )
