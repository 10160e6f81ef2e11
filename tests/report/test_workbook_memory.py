"""The workbook's memory at scale (issue 13): the same sheets with fewer copies.

`_customers_sheet` is compared with the implementation it replaced (kept in
tests/reference_impl/workbook_customers.py: a copy of the customer table, merges on the whole
table, ``sort_values`` and ``rename``); `write_parquet` with
``pa.Table.from_pandas`` + ``pq.write_table``; `release_html_results` must leave the workbook every
result it reads (no analysis runs again), and `reuse_saved_clv` must hand the CLV section exactly
the fit it would have made.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from custlens import analyses
from custlens.features import customer_table
from custlens.report import ReportContext, write_workbook
from custlens.report.workbook import _customers_sheet, release_html_results, reuse_saved_clv, WORKBOOK_RESULTS
from custlens.report.workbook_sheets import write_parquet
from custlens.store import Store
from reference_impl.workbook_customers import old_customers_sheet as _old_customers_sheet


def _sorted(ctx: ReportContext) -> tuple[pd.DataFrame, list[str]]:
    """`_customers_sheet`'s table in its order (the frame comes in the customer table's order)."""
    frame, pct, order = _customers_sheet(ctx)
    assert np.array_equal(np.sort(order), np.arange(len(frame)))  # a permutation
    return frame.take(order).reset_index(drop=True), pct


def _same_sheet(ctx: ReportContext) -> None:
    before = ctx.customers().copy()
    new, new_pct = _sorted(ctx)
    old, old_pct = _old_customers_sheet(ctx)
    pd.testing.assert_frame_equal(new, old)
    assert new_pct == old_pct
    pd.testing.assert_frame_equal(ctx.customers(), before)  # the cached table is not touched


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_customer_sheet_equals_the_old_build_on_the_toy_shop(shop: Store, lang: str) -> None:
    """Four customers, no saved scores, in both languages."""
    _same_sheet(ReportContext(shop, lang=lang))


def test_customer_sheet_equals_the_old_build_with_saved_clv_and_churn_scores(demo_store: Store) -> None:
    """The demo shop (one-time buyers, customers without orders before ``as_of`` left out), with CLV
    and churn scores saved for this date (joined on the ids alone now), 40 customers without them."""
    as_of = pd.Timestamp(demo_store.default_as_of()) - pd.Timedelta(days=30)  # later customers have no orders yet
    analyses.save_clv(demo_store, analyses.clv(demo_store, as_of=as_of))
    analyses.save_churn(demo_store, analyses.churn(demo_store, as_of=as_of))
    for table in ("clv_scores", "churn_scores"):  # some customers without saved scores
        demo_store._con.execute(f"DELETE FROM {table} WHERE customer_id IN "
                                f"(SELECT customer_id FROM {table} ORDER BY customer_id LIMIT 40)")
    ctx = ReportContext(demo_store, as_of=as_of, lang="zh")
    new, _ = _sorted(ctx)
    assert ctx.t("report.col.clv") in new.columns  # the saved CLV scores were joined
    assert ctx.t("report.col.churn_probability") in new.columns  # and the churn scores
    assert new[ctx.t("report.col.clv")].isna().sum() == 40  # the customers without saved scores
    _same_sheet(ctx)


def test_customer_sheet_sort_keeps_ties_in_table_order() -> None:
    """The take of `_customers_sheet` sorts as ``sort_values(ascending=False, kind="stable")``: ties
    and missing spend included."""
    spend = pd.Series([5.0, 7.0, 5.0, np.nan, 7.0, 1.0, 5.0])
    frame = pd.DataFrame({"total_spend": spend, "i": range(len(spend))})
    order = frame["total_spend"].sort_values(ascending=False, kind="stable").index.to_numpy()
    taken = frame.take(order)
    taken.index = pd.RangeIndex(len(taken))
    pd.testing.assert_frame_equal(taken, frame.sort_values("total_spend", ascending=False, kind="stable",
                                                           ignore_index=True))
    assert taken["i"].tolist() == [1, 4, 0, 2, 6, 5, 3]


@pytest.mark.parametrize("rows", [1, 3, 100])
def test_write_parquet_in_chunks_equals_one_table(tmp_path: Path, rows: int) -> None:
    """Chunks with only missing text, a categorical, time zones, nullable ints, an empty frame."""
    n = 7
    frame = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n)],
        "x": np.arange(n) / 3,
        "text": [None, None, None, "a", "=1+1", None, "中文"],
        "at": pd.date_range("2024-01-01", periods=n, freq="h", tz="Asia/Shanghai"),
        "band": pd.Categorical(["high", "low"] * 3 + ["high"]),
        "count": pd.array([1, None, 3, None, 5, 6, None], dtype="Int64"),
    })
    for data in (frame, frame.head(0)):
        path = tmp_path / f"t{len(data)}.parquet"
        write_parquet(data, path, rows=rows)
        reference = pa.Table.from_pandas(data, preserve_index=False)
        back = pq.read_table(path)
        assert back.schema.equals(reference.schema, check_metadata=False)
        assert back.schema.metadata[b"pandas"] == reference.schema.metadata[b"pandas"]
        assert back.combine_chunks().equals(reference.combine_chunks())
        pq.write_table(reference, tmp_path / "reference.parquet")  # as fit_sheet wrote it before
        pd.testing.assert_frame_equal(back.to_pandas(), pq.read_table(tmp_path / "reference.parquet").to_pandas())
        if len(data):
            pd.testing.assert_frame_equal(back.to_pandas(), data)
        assert pq.ParquetFile(path).num_row_groups == max(1, -(-len(data) // rows))


def test_release_keeps_what_the_workbook_reads(demo: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the HTML report, the dropped results are not needed: the workbook written from the
    released context runs no analysis again and equals the one written from the full context."""
    from custlens.report import build_report

    ctx = ReportContext(demo)
    build_report(demo, out=tmp_path / "r.html", context=ctx)
    full = write_workbook(demo, tmp_path / "full.xlsx", context=ctx)
    keys = set(ctx.cache)
    dropped = release_html_results(ctx)
    assert dropped and set(dropped) == {k for k in keys if k not in ctx.cache}
    assert {"customers", "rfm:rfm11", "rfm:cn8", "clv", "churn", "segments:kmeans", "cohorts"} <= set(ctx.cache)
    assert any(k.startswith("lifecycle") for k in dropped) and "churn:retention" in keys - set(ctx.cache)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook recomputed an analysis the report had cached")

    for name in analyses.ANALYSES:
        monkeypatch.setattr(analyses, name, refuse)
    monkeypatch.setattr("custlens.features.customer_table", refuse)
    released = write_workbook(demo, tmp_path / "released.xlsx", context=ctx)
    a, b = pd.read_excel(full, sheet_name=None), pd.read_excel(released, sheet_name=None)
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_workbook_results_prefixes() -> None:
    assert "churn" in WORKBOOK_RESULTS and "rfm:" in WORKBOOK_RESULTS


def test_reuse_saved_clv_only_for_the_same_date(demo: Store) -> None:
    ctx = ReportContext(demo)
    other = type("R", (), {"as_of": pd.Timestamp(ctx.as_of) - pd.Timedelta(days=1)})()
    assert not reuse_saved_clv(ctx, None)
    assert not reuse_saved_clv(ctx, other) and "clv" not in ctx.cache
    same = type("R", (), {"as_of": pd.Timestamp(ctx.as_of)})()
    assert reuse_saved_clv(ctx, same) and ctx.cache["clv"] is same
    assert not reuse_saved_clv(ctx, type("R", (), {"as_of": ctx.as_of})())  # never replaces a held result


def test_report_cli_fits_clv_once_and_shows_the_fit_it_would_make(demo_store: Store, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """``custlens report`` on a store without saved CLV scores fits once (the saved run is the CLV
    section's) and builds the customer table once, and its CLV section equals the one a second run
    fits from scratch."""
    from typer.testing import CliRunner

    from custlens.cli import app
    from custlens.clv import pipeline

    path = demo_store.path
    demo_store.clear("clv_scores")  # the demo saved its scores: without them the CLI fits and saves
    demo_store.close()
    calls = []
    real = pipeline.run_clv

    def counting(*args: object, **kwargs: object):
        calls.append(kwargs.get("as_of"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "run_clv", counting)
    from custlens.features import purchase_days

    builds = []
    real_build = purchase_days.build_customer_table

    def counting_build(store: Store, as_of: object = None) -> object:
        built = real_build(store, as_of)
        builds.append(built.days.as_of)
        return built

    monkeypatch.setattr(purchase_days, "build_customer_table", counting_build)
    monkeypatch.setattr(pipeline, "build_customer_table", counting_build)
    runner = CliRunner()
    first = runner.invoke(app, ["report", "--store", str(path), "--out", str(tmp_path / "a"), "--no-excel"])
    assert first.exit_code == 0, first.output
    assert len(calls) == 1  # saved and shown: one fit
    # the customer table the fit used is the report's: built once as of the report's date (churn
    # builds its earlier snapshots' tables, at other dates)
    report_date = max(builds)
    assert builds.count(report_date) == 1, builds
    second = runner.invoke(app, ["report", "--store", str(path), "--out", str(tmp_path / "b"), "--no-excel"])
    assert second.exit_code == 0, second.output
    assert len(calls) == 2  # scores now saved: the section fits on its own

    def clv_part(html: str) -> str:
        start = html.index('id="clv"')
        return html[start:html.index("<section", start)]

    a = clv_part((tmp_path / "a" / "report_en.html").read_text(encoding="utf-8"))
    b = clv_part((tmp_path / "b" / "report_en.html").read_text(encoding="utf-8"))
    assert "fig-clv" in a and a == b
