"""Input limits: quoted line breaks load, huge fields are quarantined, Excel bombs are refused fast."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from custlens import Store
from custlens.errors import InputError
from custlens.ingest import ingest
from custlens.ingest.limits import check_xlsx

TODAY = dt.date(2026, 11, 23)


def test_quoted_newlines_and_carriage_returns_load(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "notes.csv"
    path.write_bytes(b'order_id,customer_id,ordered_at,amount,status\r\n'
                     b'A1,C1,2024-01-01,10,"paid\nline two"\r\n'
                     b'A2,C2,2024-01-02,20,"cr\r\nhere"\r\n'
                     b'A3,C3,2024-01-03,30,plain\r\n')
    res = ingest(path, store, today=TODAY)
    assert (res.rows_read, res.rows_loaded, res.rows_quarantined) == (3, 3, 0)
    status = dict(store._con.execute("SELECT order_id, status FROM orders").fetchall())
    assert status == {"A1": "paid\nline two", "A2": "cr\r\nhere", "A3": "plain"}


@pytest.mark.parametrize("quoted", [False, True])
def test_a_field_over_the_limit_is_quarantined_not_the_file(tmp_path: Path, store: Store, quoted: bool) -> None:
    big = "x" * (2 * 2**20 + 1)
    field = f'"{big}"' if quoted else big
    path = tmp_path / "big.csv"
    path.write_text("order_id,customer_id,ordered_at,amount,channel\n"
                    "A1,C1,2024-01-01,10,web\n"
                    f"A2,C2,2024-01-02,20,{field}\n"
                    "A3,C3,2024-01-03,30,app\n" + "A4,C4,2024-01-04,5," + "y" * (2 * 2**20) + "\n")
    res = ingest(path, store, today=TODAY)
    assert (res.rows_read, res.rows_loaded, res.rows_quarantined) == (4, 3, 1)  # exactly 2 MB still loads
    assert res.quarantine_reasons == {"field_too_large": 1}
    raw, n = store._con.execute("SELECT raw, strlen(raw) FROM _quarantine").fetchall()[0]
    assert json.loads(raw)["order_id"] == "A2"
    assert n < 2000  # the huge value is kept as its start and its length, not in full
    assert f"[{len(big)} characters]" in raw


def test_field_limit_applies_to_other_tables_and_is_configurable(tmp_path: Path, store: Store,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTLENS_MAX_FIELD_MB", "0.001")  # about 1 KB
    frame = pd.DataFrame({"feedback_id": ["F1", "F2"], "customer_id": ["c1", "c2"],
                          "created_at": ["2024-01-01", "2024-01-02"], "text": ["ok", "z" * 2000]})
    res = ingest(frame, store, table="feedback", today=TODAY)
    assert (res.rows_loaded, res.quarantine_reasons) == (1, {"field_too_large": 1})


def test_a_line_over_the_hard_limit_is_refused_clearly(tmp_path: Path, store: Store,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTLENS_MAX_FIELD_MB", "0.001")
    monkeypatch.setenv("CUSTLENS_MAX_LINE_MB", "0.001")
    path = tmp_path / "huge.csv"
    path.write_text("order_id,customer_id,ordered_at,amount,channel\nA1,C1,2024-01-01,10,"
                    + "x" * (3 * 2**20) + "\n")
    with pytest.raises(InputError, match="CUSTLENS_MAX_LINE_MB"):
        ingest(path, store, today=TODAY)


def test_a_bad_limit_value_is_a_clear_error(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTLENS_MAX_FIELD_MB", "lots")
    with pytest.raises(InputError, match=r"CUSTLENS_MAX_FIELD_MB='lots' is not a positive number"):
        ingest(pd.DataFrame({"customer_id": ["c"], "ordered_at": ["2024-01-01"], "amount": ["1"]}), store)


def _xlsx(path: Path, rows: int) -> Path:
    pd.DataFrame({"order_id": [f"A{i}" for i in range(rows)], "customer_id": "c1",
                  "ordered_at": "2024-01-01", "amount": 1.5}).to_excel(path, index=False)
    return path


def _bomb(path: Path, filler_mb: int) -> Path:
    """A small valid .xlsx plus a highly compressible member that unpacks to ``filler_mb`` MB."""
    _xlsx(path, 3)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * (filler_mb * 2**20))
    return path


def test_an_xlsx_bomb_is_refused_before_parsing(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTLENS_MAX_XLSX_UNPACKED_MB", "5")
    path = _bomb(tmp_path / "bomb.xlsx", 20)
    assert path.stat().st_size < 100_000
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=r"unpacks to 20 MB .* over the limit of 5 MB.*CUSTLENS_MAX_XLSX_UNPACKED_MB"):
        ingest(path, store)
    assert time.perf_counter() - t0 < 1.0
    assert store.count("orders") == 0 and store.count("_ingest_log") == 0
    monkeypatch.setenv("CUSTLENS_MAX_XLSX_UNPACKED_MB", "50")
    assert ingest(path, store, today=TODAY).rows_loaded == 3  # under a raised limit it loads


def test_an_xlsx_over_the_row_limit_is_refused_from_its_dimension(tmp_path: Path, store: Store,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = _xlsx(tmp_path / "rows.xlsx", 30)
    monkeypatch.setenv("CUSTLENS_MAX_XLSX_ROWS", "30")
    check_xlsx(path)  # exactly at the limit: accepted
    monkeypatch.setenv("CUSTLENS_MAX_XLSX_ROWS", "29")
    with pytest.raises(InputError, match=r"declares 31 rows, over the limit of 29.*CUSTLENS_MAX_XLSX_ROWS"):
        ingest(path, store)


def test_an_xlsx_without_dimension_is_still_capped(tmp_path: Path, store: Store,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = _xlsx(tmp_path / "rows.xlsx", 30)
    stripped = tmp_path / "nodim.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
                assert b"<dimension" not in data
            dst.writestr(item, data)
    monkeypatch.setenv("CUSTLENS_MAX_XLSX_ROWS", "29")
    check_xlsx(stripped)  # nothing declared: the parse itself is capped
    with pytest.raises(InputError, match=r"more than 29 rows"):
        ingest(stripped, store)


def test_a_corrupt_xlsx_is_a_clear_error(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(InputError, match="not a valid .xlsx"):
        ingest(path, store)


def test_space_separated_text_with_a_huge_field(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "cdnow_like.txt"
    path.write_text("customer_id date amount\nc1 2024-01-01 5\nc2 2024-01-02 " + "9" * (3 * 2**20) + "\n")
    res = ingest(path, store, today=TODAY)
    assert (res.rows_loaded, res.quarantine_reasons) == (1, {"field_too_large": 1})
