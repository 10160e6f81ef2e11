"""Number and date parsing in SQL, and the day-first decision."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from custlens.errors import ParseError
from custlens.ingest.values import (DateStyle, NumberStyle, detect_date_style, detect_number_style,
                                    number_expr, timestamp_expr)


def _table(values: list[str | None]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    return con


@pytest.mark.parametrize(
    "text, expected",
    [("¥1,299.00", 1299.0), ("1299元", 1299.0), ("￥ 88", 88.0), ("$4.50", 4.5), ("€ 3", 3.0),
     ("12.5", 12.5), ("-3", -3.0), ("N/A", None), ("", None), ("abc", None), ("1,234,567.89", 1234567.89)],
)
def test_numbers_point_style(text: str, expected: float | None) -> None:
    con = _table([text])
    got = con.execute(f"SELECT {number_expr('v', NumberStyle(False))} FROM t").fetchall()[0][0]
    assert got == expected


def test_decimal_comma_detected_and_parsed() -> None:
    con = _table(["1.299,00", "12,5", "3", "7,25 €"])
    style = detect_number_style(con, "t", "v")
    assert style.decimal_comma
    got = [r[0] for r in con.execute(f"SELECT {number_expr('v', style)} FROM t").fetchall()]
    assert got == [1299.0, 12.5, 3.0, 7.25]


def test_decimal_point_wins_when_most_values_use_it() -> None:
    con = _table(["1,299.00", "12.50", "3.10"])
    assert not detect_number_style(con, "t", "v").decimal_comma


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-03-05", dt.datetime(2024, 3, 5)),
        ("2024/03/05 14:22:10", dt.datetime(2024, 3, 5, 14, 22, 10)),
        ("2024-3-5 8:05", dt.datetime(2024, 3, 5, 8, 5)),
        ("2024.03.05", dt.datetime(2024, 3, 5)),
        ("2024年3月5日", dt.datetime(2024, 3, 5)),
        ("2024年3月5日 14:22", dt.datetime(2024, 3, 5, 14, 22)),
        ("2024-03-05T01:02:03.5", dt.datetime(2024, 3, 5, 1, 2, 3, 500000)),
        ("19970101", dt.datetime(1997, 1, 1)),
        ("45000", dt.datetime(2023, 3, 15)),  # Excel serial day
        ("45000.5", dt.datetime(2023, 3, 15, 12)),
        ("2025-13-45", None),
        ("yesterday", None),
    ],
)
def test_dates(text: str, expected: dt.datetime | None) -> None:
    con = _table([text])
    got = con.execute(f"SELECT {timestamp_expr('v', DateStyle(None, 'not needed'))} FROM t").fetchall()[0][0]
    assert got == expected


def test_month_first_decided_from_data() -> None:
    con = _table(["12/1/2010 8:26", "12/13/2010 9:00", "1/2/2011"])
    style = detect_date_style(con, "t", "v", "f.csv")
    assert style.dayfirst is False and style.decided_by == "data"
    got = [r[0] for r in con.execute(f"SELECT {timestamp_expr('v', style)} FROM t").fetchall()]
    assert got == [dt.datetime(2010, 12, 1, 8, 26), dt.datetime(2010, 12, 13, 9), dt.datetime(2011, 1, 2)]


def test_day_first_decided_from_data() -> None:
    con = _table(["05.03.2024", "25.12.2023", "01-02-2024"])
    style = detect_date_style(con, "t", "v", "f.csv")
    assert style.dayfirst is True
    got = [r[0] for r in con.execute(f"SELECT {timestamp_expr('v', style)} FROM t").fetchall()]
    assert got == [dt.datetime(2024, 3, 5), dt.datetime(2023, 12, 25), dt.datetime(2024, 2, 1)]


def test_ambiguous_dates_are_refused_with_the_flag_to_settle_them() -> None:
    con = _table(["01/02/2024", "03/04/2024"])
    with pytest.raises(ParseError) as exc:
        detect_date_style(con, "t", "v", "f.csv")
    assert "--dayfirst or --monthfirst" in str(exc.value)
    assert "'01/02/2024'" in str(exc.value) or "'03/04/2024'" in str(exc.value)
    assert detect_date_style(con, "t", "v", "f.csv", dayfirst=True).dayfirst is True


def test_same_day_and_month_needs_no_decision() -> None:
    con = _table(["01/01/2024", "02/02/2024"])
    style = detect_date_style(con, "t", "v", "f.csv")
    assert style.decided_by == "not needed"
    got = [r[0] for r in con.execute(f"SELECT {timestamp_expr('v', style)} FROM t").fetchall()]
    assert got == [dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 2)]


def test_inconsistent_day_and_month_first_is_refused() -> None:
    con = _table(["13/01/2024", "01/13/2024"])
    with pytest.raises(ParseError, match="mix day-first and month-first"):
        detect_date_style(con, "t", "v", "f.csv")
