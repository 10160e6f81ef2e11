"""The workbook's faster paths (issue 13, session 5) against the implementations they replaced.

Kept here as references: the churn sheet's per-row `localise`, the clusters sheet's per-row
names, `join_scores`' merge for the saved scores, and `write_parquet` with Parquet's default
dictionary on every column, written before the sheets instead of in a thread beside them; and of
session 6, the customer sheet sorted whole by spend before `fit_sheet` cut it
(tests/reference_impl/workbook_customers.py), the CLV sheet sorted with ``sort_values`` and the
headers set by ``rename``. A
workbook written with the references (monkeypatched in) must hold the same cells in every sheet
and the same rows in every Parquet file as the one written now: on the toy shop, and on the demo
shop with a row budget below its size so that every long table takes the Parquet path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from custlens import analyses
from custlens.outputs import MARK
from custlens.report import ReportContext, write_workbook
from custlens.report import workbook, workbook_sheets
from custlens.report.workbook import _aligned
from custlens.report.workbook_sheets import write_parquet
from custlens.store import Store
from reference_impl.workbook_customers import old_customers_sheet


def _old_headers(frame: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    from custlens.features.money import round_money
    from custlens.report.workbook_sheets import _label

    return round_money(frame).rename(columns={c: _label(ctx, str(c)) for c in frame.columns})


def _old_clv_sheet(ctx: ReportContext) -> pd.DataFrame:
    res = ctx.cached("clv", lambda: analyses.clv(ctx.store, as_of=ctx.as_of))
    cols = ["customer_id", "p_alive", "expected_purchases", "expected_spend", "clv", "expected_days_to_next",
            "overdue", "model"]
    scores = res.scores[[c for c in cols if c in res.scores.columns]].sort_values("clv", ascending=False)
    return _old_headers(scores.reset_index(drop=True), ctx)


def _old_churn_sheet(ctx: ReportContext) -> pd.DataFrame:
    from custlens.churn import localise

    res = ctx.cached("churn", lambda: analyses.churn(ctx.store, as_of=ctx.as_of, table=ctx.customers()))
    parts = []
    for key, frame in (("report.churn.early", res.early_warning), ("report.churn.winback", res.win_back)):
        shown = localise(frame, ctx.lang)
        shown.insert(0, "list", ctx.t(key))
        parts.append(shown)
    frame = pd.concat(parts, ignore_index=True)
    keep = [c for c in ("list", "customer_id", "churn_probability", "risk_band", "customer_value", "expected_loss",
                        "days_since_last", "reasons", "action") if c in frame.columns]
    return _old_headers(frame[keep], ctx)


def _old_clusters_sheet(ctx: ReportContext) -> pd.DataFrame:
    from custlens.segments import segment_text

    seg = ctx.cached("segments:kmeans", lambda: analyses.segments(
        ctx.store, as_of=ctx.as_of, scheme="kmeans", customers=ctx.customers()))
    out = seg.customers[["customer_id", "segment"]].copy()
    out.insert(2, "name", [segment_text("kmeans", s, "name", ctx.lang) for s in out["segment"]])
    return _old_headers(out.drop(columns="segment").rename(columns={"name": "cluster"}), ctx)


def _old_with_saved_scores(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    from custlens.churn.saved import read_churn_scores
    from custlens.clv.scores import join_scores, score_status
    from custlens.report.registry import _load_builtin_sections

    _load_builtin_sections()
    ids = frame[["customer_id"]]
    joined = join_scores(ids, ctx.store, as_of=ctx.as_of)
    for col in joined.columns[1:]:
        if col not in frame.columns:
            frame[col] = joined[col].array
    if score_status(ctx.store, "churn_scores", ctx.as_of).ok:
        churn = read_churn_scores(ctx.store).rename(columns={f"reasons_{ctx.lang}": "reasons"})
        keep = [c for c in ("customer_id", "churn_probability", "risk_band", "reasons") if c in churn.columns]
        churn["customer_id"] = churn["customer_id"].astype(frame["customer_id"].dtype)
        if "risk_band" in churn.columns:
            churn["risk_band"] = [ctx.t(f"churn.band.{b}") if isinstance(b, str) else b for b in churn["risk_band"]]
        joined = ids.merge(churn[keep], on="customer_id", how="left", validate="one_to_one")
        for col in joined.columns[1:]:
            frame[col] = joined[col].array
    return frame


def _old_write_parquet(frame: pd.DataFrame, path: Path, rows: int = 100_000, order: None = None) -> None:
    assert order is None  # the old customer sheet came sorted whole
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    schema = schema.with_metadata({**(schema.metadata or {}), MARK.encode(): b"1"})
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, len(frame), rows):
            writer.write_table(pa.Table.from_pandas(frame.iloc[start:start + rows], schema=schema,
                                                    preserve_index=False))
        if len(frame) == 0:
            writer.write_table(schema.empty_table())


def _old_customers_sheet(ctx: ReportContext) -> tuple[pd.DataFrame, list[str], None]:
    """The customer sheet sorted whole before `fit_sheet` (before session 6: every column of the
    1M-row table taken in spend order), from the pre-session-4 reference of test_workbook_memory."""
    frame, pct = old_customers_sheet(ctx)
    return frame, pct, None


def _use_old_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "_customers_sheet", _old_customers_sheet)
    monkeypatch.setitem(workbook_sheets.SHEETS, "report.sheet.clv", _old_clv_sheet)
    monkeypatch.setitem(workbook_sheets.SHEETS, "report.sheet.churn", _old_churn_sheet)
    monkeypatch.setitem(workbook_sheets.SHEETS, "report.sheet.clusters", _old_clusters_sheet)
    monkeypatch.setattr(workbook, "_with_saved_scores", _old_with_saved_scores)
    monkeypatch.setattr(workbook_sheets, "write_parquet", _old_write_parquet)
    real_fit = workbook_sheets.fit_sheet
    monkeypatch.setattr(workbook, "fit_sheet", lambda *a, executor=None, **k: real_fit(*a, **k))  # no thread


def _same_workbooks(new: Path, old: Path) -> list[str]:
    """Every sheet's cells equal (openpyxl reads both files); every Parquet file's rows equal. Returns
    the Parquet files compared (their names after the workbook's stem)."""
    a, b = openpyxl.load_workbook(new, read_only=True), openpyxl.load_workbook(old, read_only=True)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        rows_a = list(a[name].iter_rows(values_only=True))
        rows_b = list(b[name].iter_rows(values_only=True))
        assert rows_a == rows_b, name
    files = sorted(p.name[len(new.stem):] for p in new.parent.glob(f"{new.stem}_*.parquet"))
    assert files == sorted(p.name[len(old.stem):] for p in old.parent.glob(f"{old.stem}_*.parquet"))
    for suffix in files:
        ta, tb = pq.read_table(new.parent / f"{new.stem}{suffix}"), pq.read_table(old.parent / f"{old.stem}{suffix}")
        assert ta.schema.equals(tb.schema, check_metadata=True), suffix
        assert ta.equals(tb), suffix
        pd.testing.assert_frame_equal(ta.to_pandas(), tb.to_pandas())
    return files


def _both(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, excel_rows: int,
          as_of: object = None) -> list[str]:
    ctx = ReportContext(store, lang=lang, as_of=as_of)  # one context: the analyses run once for both files
    new = write_workbook(store, tmp_path / "new" / f"wb_{lang}.xlsx", lang=lang, context=ctx, excel_rows=excel_rows)
    with monkeypatch.context() as m:
        _use_old_paths(m)
        old = write_workbook(store, tmp_path / "old" / f"wb_{lang}.xlsx", lang=lang, context=ctx,
                             excel_rows=excel_rows)
    return _same_workbooks(new, old)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_toy_workbook_equals_the_old_build(shop: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           lang: str) -> None:
    """Four customers (ties in spend, a one-time buyer); a budget of 2 rows sends the customer
    table and every other table longer than 2 rows to Parquet."""
    files = _both(shop, tmp_path, monkeypatch, lang, excel_rows=2)  # the segment tables are longer than 2 too
    assert {"_customers.parquet", "_segments.parquet", "_cn8.parquet"} <= set(files), files


@pytest.mark.slow
def test_demo_workbook_equals_the_old_build_on_the_parquet_path(demo_store: Store, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo shop as of 30 days before its end (customers without orders yet are left out),
    CLV and churn scores saved for that date but 40 customers without them (the alignment's
    reindex path), a budget of 300 rows: the customer, CLV and cluster tables (and the churn lists
    when longer) go to Parquet."""
    as_of = pd.Timestamp(demo_store.default_as_of()) - pd.Timedelta(days=30)
    analyses.save_clv(demo_store, analyses.clv(demo_store, as_of=as_of))
    analyses.save_churn(demo_store, analyses.churn(demo_store, as_of=as_of))
    for table in ("clv_scores", "churn_scores"):
        demo_store._con.execute(f"DELETE FROM {table} WHERE customer_id IN "
                                f"(SELECT customer_id FROM {table} ORDER BY customer_id LIMIT 40)")
    files = _both(demo_store, tmp_path, monkeypatch, "zh", excel_rows=300, as_of=as_of)
    assert {"_customers.parquet", "_clv.parquet", "_clusters.parquet"} <= set(files), files


def test_aligned_equals_the_merge_it_replaced() -> None:
    """Same order (nothing moves), another order, ids missing from the table (ints and booleans
    become floats and objects as in the merge), ids only in the table, an empty table."""
    ids = pd.Series(["a", "b", "c", "d"], name="customer_id")
    table = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "n": [1, 2, 3, 4], "ok": [True, False, True, False],
                          "x": [0.5, np.nan, 2.0, 3.0], "t": ["p", None, "r", "s"],
                          "at": pd.to_datetime(["2024-01-01", "2024-01-02", None, "2024-01-04"])})
    for other in (table, table.iloc[[2, 0, 3, 1]], table.iloc[[3, 1]], pd.concat([table.iloc[[1, 2]], pd.DataFrame(
            {"customer_id": ["z"], "n": [9], "ok": [True], "x": [1.0], "t": ["q"], "at": [pd.NaT]})]),
            table.head(0)):
        merged = ids.to_frame().merge(other, on="customer_id", how="left", validate="one_to_one")
        pd.testing.assert_frame_equal(_aligned(ids, other, "t"), merged.drop(columns="customer_id"))


def test_aligned_refuses_duplicate_ids() -> None:
    ids = pd.Series(["a", "b"], name="customer_id")
    table = pd.DataFrame({"customer_id": ["a", "a"], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="'clv_scores' holds customer_id 'a' more than once"):
        _aligned(ids, table, "clv_scores")


@pytest.mark.parametrize("rows", [2, 100])
def test_parquet_with_chosen_dictionaries_reads_back_as_before(tmp_path: Path, rows: int) -> None:
    """Unique ids and floats plain, repeated texts and a categorical as dictionaries: the file reads
    back with the schema, metadata and rows of the old writer's (every column a dictionary)."""
    n = 9
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "x": np.arange(n) / 7,
                          "band": ["high", "high", "low"] * 3, "cat": pd.Categorical(["u", "v", "u"] * 3),
                          "none": [None] * n, "at": pd.date_range("2024-01-01", periods=n, tz="UTC")})
    write_parquet(frame, tmp_path / "new.parquet", rows=rows)
    _old_write_parquet(frame, tmp_path / "old.parquet", rows=rows)
    new, old = pq.read_table(tmp_path / "new.parquet"), pq.read_table(tmp_path / "old.parquet")
    assert new.schema.equals(old.schema, check_metadata=True) and new.equals(old)
    meta = pq.ParquetFile(tmp_path / "new.parquet").metadata.row_group(0)
    encodings = {meta.column(i).path_in_schema: meta.column(i).encodings for i in range(meta.num_columns)}
    assert "RLE_DICTIONARY" in encodings["band"] and "RLE_DICTIONARY" not in encodings["customer_id"]


def test_a_failed_background_parquet_fails_the_workbook(shop: Store, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An error in the Parquet thread reaches the caller, and neither the workbook nor a Parquet
    file is left behind."""
    def broken(frame: pd.DataFrame, path: Path, rows: int = 0, order: object = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workbook_sheets, "write_parquet", broken)
    with pytest.raises(OSError, match="No space left"):
        write_workbook(shop, tmp_path / "wb.xlsx", excel_rows=2)
    assert [p.name for p in tmp_path.iterdir()] == []


def test_clv_sheet_equals_the_old_sort_with_ties_and_missing_values(shop: Store) -> None:
    """Ties in CLV (quicksort's order of ties kept), missing CLV last, an index that is not 0..n-1."""
    from custlens.report.workbook_sheets import clv_sheet

    rng = np.random.default_rng(7)
    n = 500
    clv = rng.choice([0.0, 1.5, 2.25, np.nan, 10.125, 3.0], size=n)  # many ties
    scores = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "p_alive": rng.random(n),
                           "expected_purchases": rng.random(n), "expected_spend": rng.random(n) * 100,
                           "clv": clv, "expected_days_to_next": rng.random(n), "overdue": rng.random(n) < 0.5,
                           "model": "bgnbd", "p_purchase": rng.random(n)}, index=rng.permutation(n) + 1000)
    for lang in ("en", "zh"):
        ctx = ReportContext(shop, lang=lang)
        ctx.cached("clv", lambda: type("R", (), {"scores": scores})())
        new, old = clv_sheet(ctx), _old_clv_sheet(ctx)
        pd.testing.assert_frame_equal(new, old)
        assert new.iloc[:, 0].tolist() != scores["customer_id"].tolist()  # the sort moved rows


def test_translated_equals_one_translation_per_row() -> None:
    """Few codes, missing ones (looked up as ``nan``, as the session-5 code did), an empty column."""
    from custlens import i18n
    from custlens.report.workbook_sheets import _translated

    for codes in (pd.Series(["high", "low", "high", "medium"] * 50), pd.Series([], dtype=object)):
        for lang in ("en", "zh"):
            expected = [i18n.t(f"churn.band.{c}", lang) for c in codes]
            assert _translated(codes, "churn.band.{}", lang).tolist() == expected
    missing = pd.Series(["high", None, np.nan, "low", None])  # None and NaN: one missing code
    seen: list[str] = []
    monkey = pytest.MonkeyPatch()
    monkey.setattr(i18n, "t", lambda key, lang: seen.append(key) or key.upper())
    try:
        assert _translated(missing, "b.{}", "en").tolist() == ["B.HIGH", "B.NAN", "B.NAN", "B.LOW", "B.NAN"]
    finally:
        monkey.undo()
    assert seen == ["b.high", "b.nan", "b.low"]  # once per distinct code


def test_headers_equal_round_money_and_rename(shop: Store) -> None:
    """Money columns rounded (half to even), others untouched, headers translated; the caller's
    frame keeps its names and values unless it is the sheet's own."""
    from custlens.report.workbook_sheets import _headers

    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "clv": [1.005, 2.675, np.nan],
                          "expected_loss": [0.125, 3.0, 1e9 + 0.005], "p_alive": [0.12345, 0.5, 1.0],
                          "orders": [1, 2, 3]})
    for lang in ("en", "zh"):
        ctx = ReportContext(shop, lang=lang)
        before = frame.copy()
        pd.testing.assert_frame_equal(_headers(frame, ctx), _old_headers(frame, ctx))
        pd.testing.assert_frame_equal(frame, before)  # not the sheet's own: untouched
        pd.testing.assert_frame_equal(_headers(frame[["customer_id", "orders"]], ctx),
                                      _old_headers(frame[["customer_id", "orders"]], ctx))  # no money column
        own = frame.copy()
        pd.testing.assert_frame_equal(_headers(own, ctx, own=True), _old_headers(frame, ctx))
