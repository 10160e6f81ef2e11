"""Ages in whole years, computed in Ibis, agree with DuckDB's ``date_sub('year', ...)`` (the SQL the
profile used before the feature layer moved to Ibis) on the calendar's edge cases."""

from __future__ import annotations

import duckdb
import ibis
import pandas as pd
import pytest

from custlens.profile import _whole_years

BORN = ["2000-02-29", "1990-03-01", "1990-02-28", "1999-12-31", "2000-01-01", "1980-06-15", "1980-06-14",
        "1980-06-16", "1980-04-30", "1980-03-31", "1980-05-31"]


@pytest.mark.parametrize("as_of", ["2023-02-28", "2024-02-29", "2024-02-28", "2023-03-01", "2024-06-15",
                                   "2025-01-01", "2024-12-31", "2024-04-30", "2024-06-30"])
def test_whole_years_match_duckdb_date_sub(as_of: str) -> None:
    con = duckdb.connect()
    expected = [con.execute(f"SELECT date_sub('year', DATE '{b}', DATE '{as_of}')").fetchall()[0][0] for b in BORN]
    m = ibis.memtable(pd.DataFrame({"b": pd.to_datetime(BORN).date}))
    got = ibis.duckdb.from_connection(con).execute(m.select(y=_whole_years(m.b, pd.Timestamp(as_of))))["y"]
    assert got.tolist() == expected


def test_leap_day_birthday_in_a_common_year() -> None:
    """Born 29 February 2000: 22 on 27 February 2023, 23 on 28 February 2023 (the month's last day)."""
    m = ibis.memtable(pd.DataFrame({"b": pd.to_datetime(["2000-02-29"]).date}))
    con = ibis.duckdb.connect()
    assert con.execute(m.select(y=_whole_years(m.b, pd.Timestamp("2023-02-27"))))["y"].tolist() == [22]
    assert con.execute(m.select(y=_whole_years(m.b, pd.Timestamp("2023-02-28"))))["y"].tolist() == [23]
