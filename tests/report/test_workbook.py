"""The Excel workbook: customer table and RFM segments, translated sheet names and headers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from custlens import i18n
from custlens.errors import MissingDataError, OutputExistsError
from custlens.features import CUSTOMER_TABLE_COLUMNS
from custlens.outputs import is_ours
from custlens.report import write_workbook
from custlens.store import Store


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_workbook_sheets_and_headers(shop: Store, tmp_path: Path, lang: str) -> None:
    path = write_workbook(shop, tmp_path / f"c_{lang}.xlsx", lang=lang, min_group=1)  # 4 customers: show all
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == [i18n.t(k, lang) for k in ("report.sheet.customers", "report.sheet.segments",
                                                          "report.sheet.cn8")]
    customers, segments, cn8 = wb.worksheets[:3]
    header = [c.value for c in customers[1]]
    expected = [*CUSTOMER_TABLE_COLUMNS, "r_score", "f_score", "m_score", "fm_score", "segment"]
    assert header == [i18n.t(f"report.col.{c}", lang) for c in expected]
    assert customers.max_row == 1 + 4  # four customers
    rows = {r[0]: r for r in customers.iter_rows(min_row=2, values_only=True)}
    assert rows["a"][header.index(i18n.t("report.col.total_spend", lang))] == 170.0
    names = {i18n.t(f"segment.rfm11.{s}.name", lang) for s in ("champions", "loyal", "potential_loyalist",
             "new", "promising", "need_attention", "about_to_sleep", "at_risk", "cant_lose", "hibernating",
             "lost")}
    assert {r[-1] for r in rows.values()} <= names
    assert segments.max_row == 1 + 11 and cn8.max_row == 1 + 8
    seg_header = [c.value for c in segments[1]]
    assert i18n.t("report.col.action", lang) in seg_header
    share_col = seg_header.index(i18n.t("report.col.share", lang)) + 1
    assert segments.cell(row=2, column=share_col).number_format == "0.0%"
    assert sum(segments.cell(row=r, column=share_col).value for r in range(2, 13)) == pytest.approx(1.0)
    if lang == "zh":  # nothing left in English
        assert not set(header) & set(expected)


def test_segment_sheets_hide_small_groups_and_say_so(shop: Store, tmp_path: Path) -> None:
    """Issue 10.8: the workbook keeps the report's --min-group (default 5); the toy shop has 4 customers."""
    wb = openpyxl.load_workbook(write_workbook(shop, tmp_path / "c.xlsx", analyses=False))
    segments = wb.worksheets[1]
    header = [c.value for c in segments[1]]
    customers_col = header.index(i18n.t("report.col.customers", "en"))
    rows = list(segments.iter_rows(min_row=2, values_only=True))
    shown = [r for r in rows if r[customers_col] not in (None, 0)]
    assert shown == []  # no group of 1-4 customers keeps its figures
    note = i18n.t("privacy.min_group_note", "en", k=5, n=1).split("{")[0][:20]
    assert any(isinstance(v, str) and v.startswith(note[:10]) for v in rows[-1])


def test_workbook_directory_path_and_errors(shop: Store, empty_store: Store, tmp_path: Path) -> None:
    assert write_workbook(shop, tmp_path / "dir", lang="zh") == tmp_path / "dir" / "customers_zh.xlsx"
    with pytest.raises(ValueError, match="must end in .xlsx"):
        write_workbook(shop, tmp_path / "c.csv")
    with pytest.raises(MissingDataError, match="custlens ingest"):
        write_workbook(empty_store, tmp_path / "e.xlsx")


def test_workbook_carries_saved_clv_and_churn_scores(demo_store, tmp_path) -> None:
    """Scores saved by `custlens clv` / `custlens churn` appear, translated, on the customer sheet."""
    from custlens.clv.pipeline import run_clv, save_clv_scores

    res = run_clv(demo_store)
    save_clv_scores(demo_store, res)
    ids = demo_store.read("clv_scores")["customer_id"]
    demo_store.write("churn_scores", pd.DataFrame({
        "customer_id": ids, "churn_probability": 0.5, "risk_band": "high",
        "reasons": '[{"key": "churn.reason.no_order", "args": {"days": 200}}]', "model": "gradient_boosting",
        "horizon_days": 194.0, "as_of": res.as_of, "options": "{}"}))
    path = write_workbook(demo_store, tmp_path / "wb.xlsx", lang="zh")
    sheet = pd.read_excel(path, sheet_name="客户")
    assert {"存活概率", "CLV", "流失概率", "风险等级", "主要原因"} <= set(sheet.columns)
    assert sheet["CLV"].notna().all() and (sheet["CLV"] >= 0).all()
    assert set(sheet["风险等级"]) == {"高"} and set(sheet["主要原因"]) == {"已 200 天未下单"}


def _blanks_as_none(f: pd.DataFrame) -> pd.DataFrame:  # Parquet keeps None, read_excel gives NaN
    return f.astype(object).where(f.notna(), None)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_sheet_over_the_row_limit_keeps_its_first_rows_and_goes_to_parquet(shop: Store, tmp_path: Path,
                                                                               lang: str) -> None:
    """Issue 13: with Excel's limit set to 4 rows and no budget, the 4-customer sheet shows its
    first 2 rows (a row each for the note and the header); every row is in the Parquet file beside
    the workbook, marked as custlens', and the note names the file and the counts in ``lang``."""
    full = pd.read_excel(write_workbook(shop, tmp_path / "full.xlsx", lang=lang, analyses=False, min_group=1),
                         sheet_name=None)
    partial: list = []
    path = write_workbook(shop, tmp_path / f"c_{lang}.xlsx", lang=lang, analyses=False, min_group=1, max_rows=4,
                          excel_rows=0, partial=partial)
    customers = i18n.t("report.sheet.customers", lang)
    target = tmp_path / f"c_{lang}_customers.parquet"
    raw = openpyxl.load_workbook(path)[customers]
    assert raw["A1"].value == i18n.t("report.sheet.partial", lang, shown="2", rows="4", file=target.name)
    assert raw["A1"].font.b and raw.freeze_panes == "B3"
    sheet = pd.read_excel(path, sheet_name=customers, header=1)
    assert is_ours(target)
    table = pd.read_parquet(target)
    assert len(table) == 4 and table.columns.tolist() == full[customers].columns.tolist() == sheet.columns.tolist()
    pd.testing.assert_frame_equal(_blanks_as_none(table), _blanks_as_none(full[customers]), check_dtype=False)
    pd.testing.assert_frame_equal(_blanks_as_none(sheet), _blanks_as_none(table.head(2)), check_dtype=False)
    assert len(pd.read_parquet(tmp_path / f"c_{lang}_segments.parquet")) == 11
    assert [(name, f.rows, len(f.frame), f.parquet.name) for name, f in partial][0] == (
        customers, 4, 2, target.name)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_row_budget_makes_partial_sheets_listed_first(shop: Store, tmp_path: Path, lang: str) -> None:
    """A budget of 3 rows: the 4-customer sheet shows the 3 biggest spenders (its order) under a
    note, the Parquet file has all 4 with the same values, and a first "Read me" sheet lists every
    partial sheet with its file and counts; the 11 rfm11 and 8 cn8 segments are partial too."""
    path = write_workbook(shop, tmp_path / "b.xlsx", lang=lang, analyses=False, min_group=1, excel_rows=3)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == i18n.t("report.sheet.index", lang)
    index = pd.read_excel(path, sheet_name=0, header=1)
    assert wb.worksheets[0]["A1"].value == i18n.t("report.sheet.index_note", lang, budget="3")
    names = [i18n.t(k, lang) for k in ("report.sheet.customers", "report.sheet.segments", "report.sheet.cn8")]
    assert index.iloc[:, 0].tolist() == names
    assert index.iloc[:, 1:].values.tolist() == [[3, 4, "b_customers.parquet"], [3, 11, "b_segments.parquet"],
                                                 [3, 8, "b_cn8.parquet"]]
    table = pd.read_parquet(tmp_path / "b_customers.parquet")
    sheet = pd.read_excel(path, sheet_name=names[0], header=1)
    spend = i18n.t("report.col.total_spend", lang)
    assert table[spend].tolist() == sorted(table[spend], reverse=True)  # by spend, highest first
    pd.testing.assert_frame_equal(_blanks_as_none(sheet), _blanks_as_none(table.head(3)), check_dtype=False)
    assert wb[names[0]]["A1"].value == i18n.t("report.sheet.partial", lang, shown="3", rows="4",
                                              file="b_customers.parquet")
    if lang == "zh":
        assert "不完整" in wb[names[0]]["A1"].value


def test_budget_zero_and_a_budget_the_tables_fit_write_whole_sheets(shop: Store, tmp_path: Path) -> None:
    """0 = no budget (up to Excel's limit); a budget >= the rows changes nothing: no note, no
    "Read me" sheet, no Parquet file."""
    for budget in (0, 11):
        path = write_workbook(shop, tmp_path / f"w{budget}.xlsx", analyses=False, min_group=1, excel_rows=budget)
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == ["Customers", "RFM segments", "RFM value classes"]
        assert len(pd.read_excel(path, sheet_name=0)) == 4
    assert not list(tmp_path.glob("*.parquet"))
    with pytest.raises(ValueError, match="excel_rows=-1 should be >= 0"):
        write_workbook(shop, tmp_path / "n.xlsx", analyses=False, excel_rows=-1)


def test_overflow_parquet_follows_the_output_rules(shop: Store, tmp_path: Path) -> None:
    """A foreign file where the Parquet table would go is not replaced (nor is the workbook written)
    without force; a failed workbook keeps the previous Parquet file."""
    foreign = tmp_path / "wb_customers.parquet"
    foreign.write_bytes(b"PAR1 not ours")
    with pytest.raises(OutputExistsError, match="not written by custlens"):
        write_workbook(shop, tmp_path / "wb.xlsx", analyses=False, max_rows=4)
    assert foreign.read_bytes() == b"PAR1 not ours" and not (tmp_path / "wb.xlsx").exists()
    write_workbook(shop, tmp_path / "wb.xlsx", analyses=False, max_rows=4, force=True)
    assert len(pd.read_parquet(foreign)) == 4
    before = foreign.read_bytes()

    import custlens.report.workbook_xlsx as writer

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(writer, "_format", fail)
        with pytest.raises(OSError):
            write_workbook(shop, tmp_path / "wb.xlsx", analyses=False, max_rows=4, min_group=1)
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wb.xlsx", "wb_cn8.parquet", "wb_customers.parquet",
                                                           "wb_segments.parquet"]


def test_a_shared_context_is_reused_not_recomputed(shop: Store, tmp_path: Path) -> None:
    """Issue 13: the workbook of `custlens report` reads the report's results: what the context
    holds is not computed again (the customer table below is the context's own object)."""
    from custlens.report import ReportContext

    ctx = ReportContext(shop, lang="zh", min_group=1)
    customers = ctx.customers().copy()
    customers["total_spend"] = 12345.0  # a marker: only the cached frame carries it
    ctx.cache["customers"] = customers
    computed: list[str] = []
    real = ctx.cached

    def spy(key, compute):
        if key not in ctx.cache:
            computed.append(key)
        return real(key, compute)

    ctx.cached = spy  # type: ignore[method-assign]
    path = write_workbook(shop, tmp_path / "wb.xlsx", lang="zh", min_group=1, analyses=False, context=ctx)
    sheet = pd.read_excel(path, sheet_name="客户")
    assert set(sheet[i18n.t("report.col.total_spend", "zh")]) == {12345.0}
    assert "customers" not in computed and computed == ["rfm:rfm11", "rfm:cn8"]
    computed.clear()
    write_workbook(shop, tmp_path / "wb.xlsx", lang="zh", min_group=1, analyses=False, context=ctx)
    assert computed == []  # a second workbook from the same context computes nothing
    with pytest.raises(ValueError, match="lang='en' differs from the context's lang='zh'"):
        write_workbook(shop, tmp_path / "en.xlsx", lang="en", context=ctx)
