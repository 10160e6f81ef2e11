"""Atomic outputs: a failed write keeps the previous file and leaves no temporary file behind;
a file custlens did not write is only replaced with force."""

from __future__ import annotations

import errno
from pathlib import Path

import pandas as pd
import pytest

from custlens.errors import OutputExistsError
from custlens.features import export_table
from custlens.outputs import atomic_output, is_ours

DF = pd.DataFrame({"customer_id": ["a", "b"], "total_spend": [1.5, -2.0]})


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_a_failing_export_keeps_the_previous_file(tmp_path: Path, suffix: str, monkeypatch) -> None:
    path = export_table(DF, tmp_path / f"out{suffix}")
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if suffix == ".csv":
        monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    elif suffix == ".xlsx":  # the streaming writer (custlens.report.workbook_xlsx) fails mid-sheet
        import custlens.report.workbook_xlsx as writer

        monkeypatch.setattr(writer, "rows_bytes", disk_full)
    else:
        import pyarrow.parquet as pq

        monkeypatch.setattr(pq, "write_table", disk_full)
    with pytest.raises(OSError) as exc:
        export_table(DF.assign(total_spend=[9.0, 9.0]), path)
    assert exc.value.errno == errno.ENOSPC
    assert path.read_bytes() == before
    assert _only(tmp_path) == [path.name]


def test_failure_midway_through_a_write_removes_the_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text('<meta name="generator" content="custlens 0.1">old', encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_text("half a rep", encoding="utf-8")
            raise RuntimeError("crash")
    assert target.read_text(encoding="utf-8").endswith("old")
    assert _only(tmp_path) == ["r.html"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".html"])
def test_a_foreign_file_is_not_overwritten_without_force(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"mine{suffix}"
    path.write_bytes(b"precious work of someone else\n")
    with pytest.raises(OutputExistsError, match="was not written by custlens; pass --force"):
        if suffix == ".html":
            with atomic_output(path):
                pass
        else:
            export_table(DF, path)
    assert path.read_bytes() == b"precious work of someone else\n"
    if suffix != ".html":
        export_table(DF, path, force=True)
        export_table(DF, path)  # now it is ours: no force needed


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_our_own_export_is_replaced_and_keeps_no_temp_file(tmp_path: Path, suffix: str) -> None:
    path = export_table(DF, tmp_path / f"x{suffix}")
    assert suffix == ".csv" or is_ours(path)
    export_table(DF, path)
    assert _only(tmp_path) == [path.name]


def test_a_csv_with_another_header_is_not_ours(tmp_path: Path) -> None:
    path = export_table(DF, tmp_path / "x.csv")
    with pytest.raises(OutputExistsError):
        export_table(DF.rename(columns={"total_spend": "other"}), path)


def test_an_empty_file_and_a_folder(tmp_path: Path) -> None:
    (tmp_path / "e.csv").touch()
    export_table(DF, tmp_path / "e.csv")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(OutputExistsError, match="it is a folder"):
        export_table(DF, tmp_path / "d.csv")
