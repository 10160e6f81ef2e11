"""The report and the workbook are written atomically: a failure half-way keeps the previous
file and leaves no temporary file; a file custlens did not write needs ``force``."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import custlens.report.workbook_xlsx as workbook_mod  # the writer's per-sheet formatting step
from custlens.errors import OutputExistsError
from custlens.report import build_report, write_workbook


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_workbook_failing_after_its_first_sheet_keeps_the_previous_one(shop, tmp_path: Path, monkeypatch) -> None:
    path = write_workbook(shop, tmp_path / "wb.xlsx")
    before = path.read_bytes()
    calls = []
    real = workbook_mod._format

    def fail_second(ws, *args):
        calls.append(ws.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(ws, *args)

    monkeypatch.setattr(workbook_mod, "_format", fail_second)
    with pytest.raises(OSError) as exc:
        write_workbook(shop, path)
    assert exc.value.filename == str(path)  # the error names the output
    assert len(calls) == 2 and path.read_bytes() == before
    assert _names(tmp_path) == ["wb.xlsx"]
    assert openpyxl.load_workbook(path).properties.creator == "custlens"


@pytest.mark.slow
def test_a_report_failing_while_written_keeps_the_previous_one(shop, tmp_path: Path, monkeypatch) -> None:
    path = build_report(shop, out=tmp_path, lang="en")
    before = path.read_bytes()
    real = Path.write_text

    def half(self, data, *args, **kwargs):
        real(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half)
    with pytest.raises(OSError):
        build_report(shop, out=tmp_path, lang="en")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _names(tmp_path) == ["report_en.html"]


@pytest.mark.slow
def test_a_foreign_html_or_workbook_is_not_replaced_without_force(shop, tmp_path: Path) -> None:
    (tmp_path / "report_en.html").write_text("<html>my own page</html>", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="was not written by custlens"):
        build_report(shop, out=tmp_path, lang="en")
    assert (tmp_path / "report_en.html").read_text(encoding="utf-8") == "<html>my own page</html>"
    assert build_report(shop, out=tmp_path, lang="en", force=True).stat().st_size > 10_000
    build_report(shop, out=tmp_path, lang="en")  # ours now: replaced without force
    (tmp_path / "wb.xlsx").write_bytes(b"PK\x03\x04 someone else's workbook")
    with pytest.raises(OutputExistsError):
        write_workbook(shop, tmp_path / "wb.xlsx")
    write_workbook(shop, tmp_path / "wb.xlsx", force=True)
