"""No degenerate fit reaches a reader: the UCI Online Retail sample of issue 11.

On ``online_retail_sample_small.csv`` (1,153 customers, 94-day holdout from 2011-09-07) the
calibration fits of BG/NBD and MBG/NBD are sound and Pareto/NBD is not (s = 1e-08 on the
bound); refitted on all orders (from the calibration fit's parameters) BG/NBD ends with
b = 8e-08 that the data cannot pin down (a standard error over ten times the estimate; started
from the default point the refit ran a to its bound instead) and MBG/NBD with a singular Hessian. No model is sound, so custlens shows and saves no scores, and says why, where it
used to print "Expected share still active 100.0%".
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custlens import Store
from custlens.cli import app
from custlens.clv.pipeline import run_clv, save_clv_scores
from custlens.report import KpiCards, ReportContext
from custlens.report.registry import registered_sections, run_section

SAMPLE = Path("online_retail") / "online_retail_sample_small.csv"


@pytest.fixture(scope="module")
def uci_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from custlens.ingest import ingest

    # Not `from conftest import SHARED`: with importlib imports another folder's conftest can answer.
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "data"
    if not (shared / SAMPLE).exists():
        pytest.fail(f"real data set expected at {shared / SAMPLE}")
    path = tmp_path_factory.mktemp("uci") / "uci.duckdb"
    with Store(path) as st:
        ingest(shared / SAMPLE, st)
    return path


@pytest.fixture(scope="module")
def uci(uci_path: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("uci_run") / "uci.duckdb"
    shutil.copy(uci_path, path)
    st = Store(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_clv(st)
        save_clv_scores(st, res)
    yield res, st, caught
    st.close()


def test_no_sound_fit_means_no_scores(uci) -> None:
    res, st, caught = uci
    assert not res.sound and res.model == "" and res.scores.empty
    assert not st.exists("clv_scores")  # the save step ran, yet nothing saved
    assert not caught  # no raw library warning escapes run_clv
    problems = [(k, f.get("model"), f.get("parameter")) for k, f in res.diagnostics]
    assert ("clv.diag.unidentified", "bgnbd", "b") in problems  # the refit of issue 11
    assert ("clv.diag.refit", "bgnbd", None) in problems
    # already in calibration: s ran to its bound with the old, inaccurate likelihood far from
    # alpha = beta; with the exact one the fit stops just short of it (same log-likelihood to
    # 4e-15) on a singular Hessian. Unsound either way.
    assert {("clv.diag.bound", "pnbd", "s"), ("clv.diag.hessian", "pnbd", None)} & set(problems)
    assert res.comparison.loc["pnbd", "sound"] == False  # noqa: E712
    assert res.note_texts()[-1].startswith("No CLV scores: none of the models gives a sound fit")
    d = json.loads(json.dumps(res.to_dict("zh")))
    assert d["sound"] is False and d["model"] is None
    assert any("边界" in t or "矩阵奇异" in t for t in d["diagnostics"])  # the Chinese diagnostics


@pytest.mark.parametrize("lang, says", [("en", "No sound fit: the scores are not shown"),
                                        ("zh", "没有可靠的拟合：不显示评分")])
def test_report_section_says_so(uci, lang: str, says: str) -> None:
    res, st, _ = uci
    (spec,) = registered_sections(["clv"])
    ctx = ReportContext(st, lang=lang)
    ctx.cache["clv"] = res
    section = run_section(spec, ctx)
    assert section.intro == says
    assert not [b for b in section.blocks if isinstance(b, KpiCards)]  # no "share still active 100%"
    texts = " ".join(getattr(b, "text", "") for b in section.blocks)
    assert ("BG/NBD" in texts) and ("b = 8" in texts)


@pytest.mark.slow
def test_cli_says_so_without_warnings(uci_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "uci.duckdb"
    shutil.copy(uci_path, path)
    res = CliRunner().invoke(app, ["clv", "--store", str(path), "--save"])
    assert res.exit_code == 1
    assert res.stdout.startswith("No sound CLV fit on this data (1,153 customers as of 2011-12-10).")
    assert "BG/NBD: parameter b = 8" in res.stdout and "the data cannot pin it down" in " ".join(res.stdout.split())
    assert "No scores were saved." in res.stdout
    for raw in ("Warning", "penalizer", ".py:", "Traceback"):  # no library warning, no option the CLI lacks
        assert raw not in res.output
    with Store(path, read_only=True) as st:
        assert not st.exists("clv_scores")


def test_churn_lists_are_not_ranked_by_a_degenerate_clv(uci) -> None:
    """`custlens churn --value clv` falls back to spend, with the reason, when BG/NBD degenerates."""
    from custlens.churn.analysis import customer_value
    from custlens.features import customer_table

    res, st, _ = uci
    features = customer_table(st, res.as_of).set_index("customer_id")
    worth, note = customer_value(st, res.as_of, features, "clv")
    assert note is not None and "ran to the optimiser's bound" in note.text("en")
    assert worth.equals(features["total_spend"].astype(float))
