"""The Excel workbook: customer table and RFM segments, translated sheet names and headers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from custlens import i18n
from custlens.errors import MissingDataError
from custlens.features import CUSTOMER_TABLE_COLUMNS
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
