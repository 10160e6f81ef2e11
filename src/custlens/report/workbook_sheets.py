"""The analyses' sheets of the workbook: CLV scores, churn watch list, clusters, cohorts, forecasts.

Each sheet function takes the report context and returns a frame with its headers translated
(or None when the analysis cannot run on this store: the sheet is then left out, and a
``notes`` sheet says why). A table longer than an Excel sheet holds, or than the workbook's row
budget (any sheet, the customer table too), is written whole to Parquet beside the workbook; its
sheet keeps the first rows under a note pointing there, and a "Read me" sheet lists such sheets
(`fit_sheet`, `index_sheet`).
"""

from __future__ import annotations

from concurrent.futures import Executor, Future, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from custlens import i18n
from custlens.errors import CustlensError
from custlens.features.export import EXCEL_MAX_ROWS
from custlens.features.money import is_money, round_money
from custlens.outputs import MARK, atomic_output
from custlens.report.context import ReportContext

__all__ = ["SHEETS", "FittedSheet", "analysis_sheets", "fit_sheet", "index_sheet", "write_parquet"]

i18n.register({
    "report.sheet.clv": {"en": "CLV scores", "zh": "客户终身价值"},
    "report.sheet.churn": {"en": "Churn watch list", "zh": "流失预警名单"},
    "report.sheet.clusters": {"en": "Clusters", "zh": "客户聚类"},
    "report.sheet.cohorts": {"en": "Cohorts", "zh": "同期群"},
    "report.sheet.forecast": {"en": "Forecasts", "zh": "预测"},
    "report.sheet.notes": {"en": "Notes", "zh": "说明"},
    "report.sheet.partial": {
        "en": "PARTIAL SHEET: the first {shown} of {rows} rows, in this sheet's order; all rows are in {file} "
              "beside this workbook.",
        "zh": "本表不完整：仅含前 {shown} 行（共 {rows} 行，按本表顺序）；全部行见本工作簿同目录下的 {file}。"},
    "report.cli.partial": {
        "en": "  partial sheet “{sheet}”: first {shown} of {rows} rows; all rows in {file}",
        "zh": "  工作表“{sheet}”不完整：仅前 {shown} 行（共 {rows} 行）；全部行见 {file}"},
    "report.sheet.partial_groups": {
        "en": "PARTIAL SHEET: the first {each} rows of each “{group}” ({shown} of {rows} rows); all rows are in "
              "{file} beside this workbook.",
        "zh": "本表不完整：每个“{group}”仅含前 {each} 行（共 {rows} 行中的 {shown} 行）；全部行见本工作簿同目录下的 {file}。"},
    "report.sheet.index": {"en": "Read me", "zh": "请先阅读"},
    "report.sheet.index_note": {
        "en": "Sheets longer than {budget} rows show their first {budget} rows (custlens report --excel-rows; "
              "0 = up to Excel's limit); the full tables are in these Parquet files beside the workbook.",
        "zh": "超过 {budget} 行的工作表只含前 {budget} 行（custlens report --excel-rows 可调，0 表示直到 Excel "
              "上限）；完整表格在本工作簿同目录下的以下 Parquet 文件中。"},
    "report.sheet.index_note_limit": {
        "en": "These tables are longer than an Excel sheet holds: their sheets show the first rows, the full "
              "tables are in these Parquet files beside the workbook.",
        "zh": "以下表格超过 Excel 工作表行数上限：工作表只含前面的行，完整表格在本工作簿同目录下的以下 Parquet 文件中。"},
    "report.col.sheet": {"en": "Sheet", "zh": "工作表"},
    "report.col.rows_shown": {"en": "Rows in the sheet", "zh": "表中行数"},
    "report.col.rows_total": {"en": "Rows in all", "zh": "总行数"},
    "report.col.file": {"en": "Full table", "zh": "完整表格文件"},
    "report.sheet.skipped": {"en": "Sheet “{sheet}” left out: {reason}", "zh": "未生成工作表“{sheet}”：{reason}"},
    "report.col.list": {"en": "List", "zh": "名单"},
    "report.col.note": {"en": "Note", "zh": "说明"},
    "report.col.cluster": {"en": "Cluster", "zh": "聚类"},
    "report.col.metric": {"en": "Metric", "zh": "指标"},
    "report.col.ds": {"en": "Date", "zh": "日期"},
    "report.col.mean": {"en": "Forecast", "zh": "预测值"},
    "report.col.lo_95": {"en": "95% lower", "zh": "95% 下限"},
    "report.col.hi_95": {"en": "95% upper", "zh": "95% 上限"},
    "report.col.cohort": {"en": "Cohort", "zh": "同期群"},
    "report.col.active": {"en": "Active", "zh": "活跃客户"},
    "report.col.first_time": {"en": "First repeat", "zh": "首次复购"},
    "report.col.recurring": {"en": "Recurring", "zh": "持续复购"},
})


def _label(ctx: ReportContext, column: str) -> str:
    """A header: the report's column text, else the behaviour analyses' (cohort rates), else the name."""
    from custlens.report.registry import _load_builtin_sections

    _load_builtin_sections()  # the sections register the headers of their columns
    for key in (f"report.col.{column}", f"behaviour.col.{column}"):
        if i18n.has(key):
            return ctx.t(key)
    return column


def _headers(frame: pd.DataFrame, ctx: ReportContext, own: bool = False) -> pd.DataFrame:
    """Money in cents (decided on the canonical names), then headers in the workbook's language.

    = ``round_money(frame).rename(columns=...)`` without rename's copy of every column (1M rows:
    ~0.1 s a copy); with ``own`` (a frame the caller made for the sheet), rounded in place.
    """
    names = [_label(ctx, str(c)) for c in frame.columns]
    if own:
        money = [c for c in frame.columns if is_money(c) and pd.api.types.is_float_dtype(frame[c])]
        for col in money:  # round_money's rounding, column by column
            frame[col] = frame[col].round(2)
        out = frame
    else:
        out = round_money(frame)
        out = out.copy(deep=False) if out is frame else out  # the caller's frame keeps its names
    out.columns = names
    return out


def _translated(codes: pd.Series, key: str, lang: str) -> np.ndarray:
    """``[i18n.t(key.format(c), lang) for c in codes]``, each distinct code translated once."""
    index, uniques = pd.factorize(codes)  # hashing, no sort of the texts
    if (index < 0).any():  # missing codes: the exact old factorize (None and NaN as one NaN code)
        index, uniques = pd.factorize(codes, use_na_sentinel=False)
    texts = np.array([i18n.t(key.format(c), lang) for c in uniques], dtype=object)
    return texts[index]


def clv_sheet(ctx: ReportContext) -> pd.DataFrame:
    """One row per customer: P(alive), expected purchases and spend, CLV (the saved scores when
    ``custlens clv`` stored them for this as-of date, else a fresh fit)."""
    from custlens import analyses

    res = ctx.cached("clv", lambda: analyses.clv(ctx.store, as_of=ctx.as_of))
    cols = ["customer_id", "p_alive", "expected_purchases", "expected_spend", "clv", "expected_days_to_next",
            "overdue", "model"]
    # = res.scores[cols].sort_values("clv", ascending=False) (same sort: quicksort, missing last),
    # taken once; 1M rows: four copies fewer
    order = res.scores["clv"].reset_index(drop=True).sort_values(ascending=False).index.to_numpy()
    scores = res.scores[[c for c in cols if c in res.scores.columns]].take(order)
    scores.index = pd.RangeIndex(len(scores))
    return _headers(scores, ctx, own=True)


def churn_sheet(ctx: ReportContext) -> pd.DataFrame:
    """The early-warning and win-back lists, bands, reasons and actions in the workbook's language."""
    from custlens import analyses
    from custlens.churn import localise

    res = ctx.cached("churn", lambda: analyses.churn(ctx.store, as_of=ctx.as_of, table=ctx.customers(),
                                                     days=ctx.customer_build().days))
    keep = ("list", "customer_id", "churn_probability", "risk_band", "customer_value", "expected_loss",
            "days_since_last", "reasons", "action")
    parts = []
    for key, frame in (("report.churn.early", res.early_warning), ("report.churn.winback", res.win_back)):
        coded = [c for c in ("action", "risk_band") if c in frame.columns]
        # `localise` on the shown columns only (the reasons in the workbook's language); it
        # translates bands and actions once per row (~3 s at 1M customers); they take a handful
        # of values: each translated once (tests/report/test_workbook_speed.py: same cells).
        reasons = [c for c in frame.columns if c.startswith("reasons_")]
        shown = localise(frame[[c for c in frame.columns if c in keep and c not in coded or c in reasons]], ctx.lang)
        for col in coded:
            shown[col] = _translated(frame[col], "churn.band.{}" if col == "risk_band" else "{}", ctx.lang)
        shown.insert(0, "list", ctx.t(key))
        parts.append(shown[[c for c in keep if c in shown.columns]])
    frame = pd.concat(parts, ignore_index=True)  # the columns in the order of `keep`
    return _headers(frame, ctx, own=True)


def clusters_sheet(ctx: ReportContext) -> pd.DataFrame:
    """Each customer's k-means cluster and its name."""
    from custlens import analyses
    from custlens.segments import segment_text

    seg = ctx.cached("segments:kmeans", lambda: analyses.segments(  # demographics read by the contract
        ctx.store, as_of=ctx.as_of, scheme="kmeans", customers=ctx.customers()))
    out = seg.customers[["customer_id", "segment"]].copy()
    names = {s: segment_text("kmeans", s, "name", ctx.lang) for s in out["segment"].unique()}  # a few clusters
    out.insert(2, "name", out["segment"].map(names).to_numpy(dtype=object))
    return _headers(out.drop(columns="segment").rename(columns={"name": "cluster"}), ctx)


def cohorts_sheet(ctx: ReportContext) -> pd.DataFrame:
    """Retention by acquisition cohort and period (period 0 = the acquisition month)."""
    from custlens.report.sections.cohorts import report_cohorts

    res = report_cohorts(ctx)  # the section's result (same arguments, same cache key)
    t = res.table.merge(res.cohorts[["cohort", "customers"]], on="cohort", how="left", suffixes=("_x", ""))
    cols = ["cohort", "customers", "period", "active", "first_time", "recurring", "retention", "revenue",
            "revenue_per_customer", "revenue_retention"]
    return _headers(t[[c for c in cols if c in t.columns]], ctx)


def forecast_sheet(ctx: ReportContext) -> pd.DataFrame:
    """The report's daily revenue and orders forecasts with their 95% intervals."""
    from custlens.report.sections.forecast import METRICS, report_forecasts

    rows = []
    results = report_forecasts(ctx)  # the section's results (same arguments, same cache keys)
    for metric in METRICS:
        res = results[metric]
        fc = res.forecast[["ds", "mean", "lo_95", "hi_95"]].copy()
        fc.insert(0, "metric", ctx.t(f"report.forecast.metric.{metric}"))
        fc["model"] = res.model
        rows.append(fc)
    return _headers(pd.concat(rows, ignore_index=True), ctx)


#: Sheet name key -> builder, in workbook order.
SHEETS: dict[str, Callable[[ReportContext], pd.DataFrame]] = {
    "report.sheet.clv": clv_sheet,
    "report.sheet.churn": churn_sheet,
    "report.sheet.clusters": clusters_sheet,
    "report.sheet.cohorts": cohorts_sheet,
    "report.sheet.forecast": forecast_sheet,
}


@dataclass
class FittedSheet:
    """What a sheet shows of its table.

    Attributes
    ----------
    frame : pandas.DataFrame
        The rows the sheet holds (all, or the first ones in the table's order).
    rows : int
        Rows of the whole table.
    note : str or None
        For a partial sheet: the text of its first row (rows shown, rows in all, the Parquet file).
    parquet : pathlib.Path or None
        Where the whole table went, for a partial sheet.
    job : concurrent.futures.Future or None
        The Parquet file's write when it runs in a background thread (`fit_sheet`'s ``executor``):
        a caller that publishes something naming the file waits for it first (``job.result()``).
    """

    frame: pd.DataFrame
    rows: int
    note: str | None = None
    parquet: Path | None = None
    job: Future[None] | None = field(default=None, repr=False, compare=False)


def fit_sheet(frame: pd.DataFrame, lang: str, workbook: Path, key: str, max_rows: int = EXCEL_MAX_ROWS,
              budget: int = 0, force: bool = False, stack: ExitStack | None = None,
              group: str | None = None, executor: Executor | None = None,
              order: np.ndarray | None = None) -> FittedSheet:
    """The whole ``frame`` when it fits the sheet, else its first rows with a note, and the whole
    table in ``<workbook stem>_<sheet>.parquet`` beside the workbook.

    A sheet is partial when the table has more rows than ``budget`` (0: no budget) or than an
    Excel sheet holds (``max_rows``, header included). It then shows the first ``budget`` rows
    (at most ``max_rows - 2``: the note and the header take a row each) in the table's own order.
    With ``group`` (a column, e.g. the churn sheet's list), the rows are shared equally among the
    groups, each keeping its first rows, so that no group is cut away whole.

    The Parquet file is written like every custlens output (`custlens.outputs.atomic_output`):
    through a temporary file, marked as custlens' (schema metadata), never over a file custlens
    did not write unless ``force``. With ``stack`` its rename into place waits until ``stack``
    closes without an error (the workbook's writer closes it once the workbook is complete), so
    a failed workbook leaves the previous Parquet file as it was. With ``stack`` and ``executor``
    the file is written in the executor's thread (Arrow's encoding and compression release the GIL:
    the sheets are written meanwhile); ``stack`` waits for it, and a failure there fails the block.
    ``frame`` must not change until then.

    ``order`` (positions, a permutation of ``range(len(frame))``) is the table's row order when it
    is not the frame's: the table is ``frame.take(order)``, but a partial sheet takes only the rows
    it shows and the Parquet file its chunks (`write_parquet`), so no whole copy in that order is
    made (the 1M-row customer table: bench/README.md, "Report at 1M, session 6: workbook3").
    """
    if budget < 0:
        raise ValueError(f"budget={budget} should be >= 0 (0: no budget, up to Excel's limit)")
    n = len(frame)
    if order is not None:
        order = np.asarray(order)
        if order.shape != (n,):
            raise ValueError(f"order has {order.size:,} positions for a table of {n:,} rows; pass one per row")
        if group is not None:  # a group's first rows need the whole table in its order
            frame, order = _rows(frame, order), None
    if n + 1 <= max_rows and (budget == 0 or n <= budget):
        return FittedSheet(_rows(frame, order), n)
    shown = min(budget or n, max_rows - 2)
    target = workbook.with_name(f"{workbook.stem}_{key.rsplit('.', 1)[-1]}.parquet")
    job = None
    if stack is None:
        with atomic_output(target, force) as tmp:
            write_parquet(frame, tmp, order=order)
    elif executor is None:
        write_parquet(frame, stack.enter_context(atomic_output(target, force)), order=order)
    else:
        tmp = stack.enter_context(atomic_output(target, force))
        # a frame of its own (same arrays): pandas' lazy caches of ``frame`` stay this thread's
        job = executor.submit(write_parquet, frame.copy(deep=False), tmp, order=order)
        stack.enter_context(_Awaited(job))  # waited for before the rename
    codes, groups = (_group_codes(frame[group]) if group is not None and group in frame.columns
                     else (None, 1))
    if groups > 1:
        each = max(1, shown // groups)
        if codes is None:  # missing group values: pandas' own grouping
            part = frame.groupby(group, sort=False, dropna=False).head(each)  # keeps the table's order
        else:  # = that head: each group's first ``each`` rows, in the table's order
            keep = np.zeros(n, dtype=bool)
            for g in range(groups):
                keep[np.flatnonzero(codes == g)[:each]] = True
            part = frame[keep]
        note = i18n.t("report.sheet.partial_groups", lang, each=f"{each:,}", group=group, shown=f"{len(part):,}",
                      rows=f"{n:,}", file=target.name)
        return FittedSheet(part.reset_index(drop=True), n, note, target, job)
    note = i18n.t("report.sheet.partial", lang, shown=f"{shown:,}", rows=f"{n:,}", file=target.name)
    return FittedSheet(frame.head(shown) if order is None else _rows(frame, order[:shown]), n, note, target, job)


def _group_codes(column: pd.Series) -> tuple[np.ndarray | None, int]:
    """Each row's group number (None when a value is missing) and the number of groups, as
    ``column.nunique(dropna=False)`` counts them; one hash pass over the column instead of the two
    of ``nunique`` and ``groupby`` (the churn lists: 846k rows at 1M customers)."""
    codes, uniques = pd.factorize(column)
    if (codes < 0).any():  # None and NaN count apart in nunique, together in groupby: theirs
        return None, column.nunique(dropna=False)
    return codes, len(uniques)


def _rows(frame: pd.DataFrame, positions: np.ndarray | None) -> pd.DataFrame:
    """``frame``'s rows at ``positions`` (all when None), indexed 0, 1, ...: ``frame.take(positions)``."""
    if positions is None:
        return frame
    out = frame.take(positions)
    out.index = pd.RangeIndex(len(out))
    return out


class _Awaited:
    """Waits for a background write when its block ends; re-raises its error unless the block failed."""

    def __init__(self, future: Future[None]) -> None:
        self.future = future

    def __enter__(self) -> "_Awaited":
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        wait([self.future])  # never leave a thread writing into a file about to be removed
        if exc_type is None:
            self.future.result()


#: Rows converted to Arrow at a time by `write_parquet` (one row group each).
PARQUET_ROWS = 100_000

#: A column is dictionary-encoded when its first chunk has at most this share of distinct values.
#: Dictionary encoding of unique ids and of floats was half the writing time of the 1M-row customer
#: table, for a file ~13% smaller (bench/README.md, "Report at 1M, session 5: workbook").
_DICTIONARY_SHARE = 0.5


def _repeats(column: pa.ChunkedArray) -> bool:
    """Whether a column is worth a dictionary: few distinct values, or one already (a categorical)."""
    if pa.types.is_dictionary(column.type):
        return True
    try:
        return pc.count_distinct(column, mode="all").as_py() <= _DICTIONARY_SHARE * len(column)
    except pa.ArrowNotImplementedError:  # a type without the kernel: Parquet's default, a dictionary
        return True


def write_parquet(frame: pd.DataFrame, path: Path, rows: int = PARQUET_ROWS, order: np.ndarray | None = None) -> None:
    """Write ``frame`` (index left out) to Parquet, marked as custlens' (`custlens.outputs.MARK`),
    ``rows`` rows at a time; with ``order`` (positions), ``frame.take(order)``, taken a chunk at a time.

    The file reads back as ``pa.Table.from_pandas(frame)`` would have written it (same schema and
    pandas metadata, one row group per ``rows`` rows), but the Arrow copy of a 1M-row table
    (~200 MB more at the workbook's peak) is never whole in memory. Columns that repeat (names,
    bands, scores; judged on the first chunk) are dictionary-encoded, the others (ids, amounts)
    plain: the encoding changes the file's size, not what it reads back as.
    """
    schema = pa.Schema.from_pandas(frame, preserve_index=False)  # the whole column decides each type
    schema = schema.with_metadata({**(schema.metadata or {}), MARK.encode(): b"1"})

    def chunk(start: int) -> pa.Table:
        part = frame.iloc[start:start + rows] if order is None else frame.take(order[start:start + rows])
        return pa.Table.from_pandas(part, schema=schema, preserve_index=False)

    first = chunk(0)
    repeated = [f.name for f, col in zip(schema, first.columns) if _repeats(col)]
    with pq.ParquetWriter(path, schema, use_dictionary=repeated) as writer:
        writer.write_table(first)  # an empty frame: one empty row group, as pq.write_table writes it
        del first
        for start in range(rows, len(frame), rows):
            writer.write_table(chunk(start))


def index_sheet(fitted: dict[str, FittedSheet], lang: str, budget: int) -> tuple[pd.DataFrame, str] | None:
    """The "Read me" sheet listing the partial sheets and their Parquet files (None when none is partial)."""
    rows = [(name, len(f.frame), f.rows, f.parquet.name) for name, f in fitted.items() if f.parquet is not None]
    if not rows:
        return None
    cols = [i18n.t(f"report.col.{c}", lang) for c in ("sheet", "rows_shown", "rows_total", "file")]
    why = "report.sheet.index_note" if budget else "report.sheet.index_note_limit"
    return pd.DataFrame(rows, columns=cols), i18n.t(why, lang, budget=f"{budget:,}")


def analysis_sheets(ctx: ReportContext) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """``{sheet key: (frame, percent columns)}`` for every analysis that runs on this store.

    Keys are the i18n keys of the sheet names (``report.sheet.clv``...). An analysis that cannot
    run (missing table, too little data) is named with its reason in a ``report.sheet.notes``
    sheet instead of failing the workbook. Results the report context already holds (a report
    written with the same context) are reused.
    """
    out: dict[str, tuple[pd.DataFrame, list[str]]] = {}
    skipped = []
    pct = [_label(ctx, c) for c in ("p_alive", "churn_probability", "retention", "revenue_retention")]
    for key, build in SHEETS.items():
        try:
            frame = build(ctx)
        except CustlensError as exc:
            skipped.append(ctx.t("report.sheet.skipped", sheet=ctx.t(key), reason=str(exc)))
            continue
        out[key] = (frame, [c for c in pct if c in frame.columns])
    if skipped:
        out["report.sheet.notes"] = (pd.DataFrame({ctx.t("report.col.note"): skipped}), [])
    return out
