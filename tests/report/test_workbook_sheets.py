"""The workbook's analysis sheets: CLV scores, churn watch list, clusters, cohorts, forecasts."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from custlens import i18n
from custlens.report import write_workbook
from custlens.report.workbook_sheets import SHEETS, fit_sheet
from custlens.store import Store


def test_a_table_longer_than_a_sheet_goes_to_parquet_with_a_note(tmp_path: Path) -> None:
    book = tmp_path / "custlens_zh.xlsx"
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(5)], "clv": range(5)})
    whole = fit_sheet(frame, "zh", book, "report.sheet.clv", max_rows=6)  # 5 rows + header fit
    assert whole.frame is frame and whole.note is None and whole.parquet is None
    assert not list(tmp_path.iterdir())
    cut = fit_sheet(frame, "zh", book, "report.sheet.clv", max_rows=5)  # a note and a header: 3 rows
    target = tmp_path / "custlens_zh_clv.parquet"
    assert cut.parquet == target and cut.rows == 5
    assert cut.note == "本表不完整：仅含前 3 行（共 5 行，按本表顺序）；全部行见本工作簿同目录下的 custlens_zh_clv.parquet。"
    pd.testing.assert_frame_equal(cut.frame, frame.head(3))
    pd.testing.assert_frame_equal(pd.read_parquet(target), frame)
    budget = fit_sheet(frame, "en", tmp_path / "b.xlsx", "report.sheet.clv", budget=2)
    assert len(budget.frame) == 2 and budget.note.startswith("PARTIAL SHEET: the first 2 of 5 rows")
    assert fit_sheet(frame, "en", tmp_path / "c.xlsx", "report.sheet.clv", budget=5).parquet is None


def test_a_budget_shared_by_the_lists_of_a_sheet_cuts_none_away(tmp_path: Path) -> None:
    """The churn sheet holds two lists one after the other: a budget of 4 keeps the first 2 rows
    of each (not 4 of the first list), in the table's order; the Parquet file has all 10."""
    frame = pd.DataFrame({"List": ["early"] * 6 + ["win-back"] * 4, "customer_id": [f"c{i}" for i in range(10)]})
    cut = fit_sheet(frame, "en", tmp_path / "w.xlsx", "report.sheet.churn", budget=4, group="List")
    assert cut.frame["customer_id"].tolist() == ["c0", "c1", "c6", "c7"]
    assert cut.note == ("PARTIAL SHEET: the first 2 rows of each “List” (4 of 10 rows); all rows are in "
                        "w_churn.parquet beside this workbook.")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "w_churn.parquet"), frame)
    zh = fit_sheet(frame, "zh", tmp_path / "z.xlsx", "report.sheet.churn", budget=4, group="List")
    assert zh.note.startswith("本表不完整：每个“List”仅含前 2 行")


@pytest.mark.parametrize("budget", [0, 1, 3, 7, 8])
def test_an_order_equals_the_table_taken_whole_in_that_order(tmp_path: Path, budget: int) -> None:
    """``order`` (the customer sheet's sort by spend, applied without a whole copy) gives the sheet
    and the Parquet file of ``frame.take(order)``: ties, missing values, a categorical, time zones,
    a whole sheet (budget 0, 8) and partial ones, Parquet chunks of 1 row to all of them."""
    import numpy as np

    from custlens.report.workbook_sheets import write_parquet

    spend = pd.Series([5.0, 7.0, 5.0, np.nan, 7.0, 1.0, 5.0])
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(7)], "total_spend": spend,
                          "band": pd.Categorical(["a", "b", "a", None, "b", "a", "b"]),
                          "text": ["x", None, "=1", "y", "中文", None, "z"],
                          "at": pd.date_range("2024-01-01", periods=7, freq="h", tz="Asia/Shanghai")})
    order = pd.Series(spend.to_numpy()).sort_values(ascending=False, kind="stable").index.to_numpy()
    whole = frame.sort_values("total_spend", ascending=False, kind="stable", ignore_index=True)
    assert whole["customer_id"].tolist() == ["c1", "c4", "c0", "c2", "c6", "c5", "c3"]
    ordered = fit_sheet(frame, "en", tmp_path / "o.xlsx", "report.sheet.customers", budget=budget, order=order)
    taken = fit_sheet(whole, "en", tmp_path / "t.xlsx", "report.sheet.customers", budget=budget)
    pd.testing.assert_frame_equal(ordered.frame, taken.frame)
    assert (ordered.rows, ordered.note and ordered.note.replace("o_", "t_")) == (taken.rows, taken.note)
    if taken.parquet is not None:
        a, b = (pq.read_table(tmp_path / f"{x}_customers.parquet") for x in "ot")
        assert a.schema.equals(b.schema, check_metadata=True) and a.equals(b)
    for chunk in (1, 2, 100):  # write_parquet's chunks, each taken in the order
        write_parquet(frame, tmp_path / "o.parquet", rows=chunk, order=order)
        write_parquet(whole, tmp_path / "t.parquet", rows=chunk)
        a, b = pq.read_table(tmp_path / "o.parquet"), pq.read_table(tmp_path / "t.parquet")
        assert a.schema.equals(b.schema, check_metadata=True) and a.equals(b)
        assert pq.ParquetFile(tmp_path / "o.parquet").num_row_groups == -(-7 // chunk)
    with pytest.raises(ValueError, match="order has 6 positions for a table of 7 rows"):
        fit_sheet(frame, "en", tmp_path / "x.xlsx", "report.sheet.customers", order=order[:6])


@pytest.mark.parametrize("budget", [1, 2, 5, 9, 40])
def test_shared_budget_equals_pandas_groupby_head(tmp_path: Path, budget: int) -> None:
    """The lists' first rows (one factorize) equal ``nunique`` + ``groupby(...).head`` (the session-5
    code): interleaved groups, a group shorter than its share, three groups, missing group values."""
    import numpy as np

    rng = np.random.default_rng(3)
    for values in (rng.choice(["early", "win-back"], 30), rng.choice(["x", "y", "z"], 30),
                   np.array(["a"] * 25 + ["b"] * 5, dtype=object),
                   np.array(["a", None, np.nan, "b", None] * 6, dtype=object)):
        frame = pd.DataFrame({"List": values, "customer_id": [f"c{i}" for i in range(30)]})
        cut = fit_sheet(frame, "en", tmp_path / "w.xlsx", "report.sheet.churn", budget=budget, group="List")
        groups = frame["List"].nunique(dropna=False)
        if 30 <= budget:
            assert cut.frame is frame
            continue
        each = max(1, min(budget, 30) // groups)
        expected = frame.groupby("List", sort=False, dropna=False).head(each).reset_index(drop=True)
        pd.testing.assert_frame_equal(cut.frame, expected)
        assert f"the first {each:,} rows of each" in cut.note


def test_analyses_that_cannot_run_are_listed_in_a_notes_sheet(shop: Store, tmp_path: Path) -> None:
    """The toy shop (4 customers) is too small for CLV and churn: the workbook says so."""
    wb = openpyxl.load_workbook(write_workbook(shop, tmp_path / "toy.xlsx", lang="en"))
    names = wb.sheetnames
    built = [i18n.t(k, "en") for k in SHEETS if i18n.t(k, "en") in names]
    notes = [r[0] for r in wb["Notes"].iter_rows(min_row=2, values_only=True)] if "Notes" in names else []
    # every analysis sheet is either there or explained
    assert len(built) + len(notes) == len(SHEETS)
    assert all(n.startswith("Sheet “") for n in notes)


@pytest.mark.slow
def test_demo_workbook_analysis_sheets(demo_store: Store, tmp_path: Path) -> None:
    from custlens.report import ReportContext

    ctx = ReportContext(demo_store, lang="zh")
    path = write_workbook(demo_store, tmp_path / "demo_zh.xlsx", lang="zh", context=ctx)
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames[3:] == ["客户终身价值", "流失预警名单", "客户聚类", "同期群", "预测"]
    clv = pd.read_excel(path, sheet_name="客户终身价值")
    customers = demo_store._con.execute("SELECT count(DISTINCT customer_id) FROM orders").fetchone()[0]
    assert len(clv) == customers and clv["客户编号"].is_unique
    assert (clv["CLV"].round(2) == clv["CLV"]).all()  # money in cents
    assert clv["CLV"].is_monotonic_decreasing
    churn = pd.read_excel(path, sheet_name="流失预警名单")
    assert set(churn["名单"]) <= {i18n.t("report.churn.early", "zh"), i18n.t("report.churn.winback", "zh")}
    assert len(churn) > 0
    clusters = pd.read_excel(path, sheet_name="客户聚类")
    assert len(clusters) == customers
    cohorts = pd.read_excel(path, sheet_name="同期群")
    assert (cohorts.loc[cohorts["周期"] == 0, "留存率"].round(6) == 1).all()
    fc = pd.read_excel(path, sheet_name="预测")
    assert len(fc) == 2 * 28 and (fc["95% 下限"] <= fc["预测值"]).all() and (fc["预测值"] <= fc["95% 上限"]).all()
    # A budget of 10 rows: every per-customer sheet is partial, and the churn sheet keeps both lists.
    partial: list = []
    small = write_workbook(demo_store, tmp_path / "small.xlsx", lang="zh", context=ctx, excel_rows=10, partial=partial)
    assert {"客户", "客户终身价值", "客户聚类"} <= {name for name, _ in partial}
    lists = pd.read_excel(small, sheet_name="流失预警名单", header=1)
    assert set(lists["名单"]) == set(churn["名单"]) and len(lists) <= 10
    assert len(pd.read_parquet(tmp_path / "small_clv.parquet")) == customers
