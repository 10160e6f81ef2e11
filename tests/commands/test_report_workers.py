"""``custlens report --workers``: sections on threads by default where there are two cores."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from typer.testing import CliRunner

from custlens.cli import app
from custlens.report import builder
from custlens.store import Store
from commands.test_report_start import _page, _same_page

runner = CliRunner()


def test_default_is_two_threads_with_two_cores_or_more() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert builder.DEFAULT_WORKERS == min(2, cores)


def test_one_and_two_workers_write_the_same_report(toy: Store, tmp_path: Path) -> None:
    src = Path(toy.path)
    toy.close()
    pages = {}
    for workers in ("1", "2"):
        (tmp_path / workers).mkdir()
        path = tmp_path / workers / "shop.duckdb"  # same file name: the page shows it
        shutil.copy(src, path)
        res = runner.invoke(app, ["report", "--store", str(path), "--out", str(tmp_path / workers / "rep"),
                                  "--no-excel", "--workers", workers])
        assert res.exit_code == 0, res.output
        pages[workers] = _page((tmp_path / workers / "rep" / "report_en.html").read_text(encoding="utf-8"))
    _same_page(pages["1"], pages["2"], "workers 1 vs 2")


def test_zero_workers_is_refused(toy: Store, tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", "--store", str(toy.path), "--out", str(tmp_path / "rep"), "--workers", "0"])
    assert res.exit_code != 0 and "--workers" in res.output
