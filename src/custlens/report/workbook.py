"""`write_workbook`: the customer table and the RFM segments as an Excel workbook."""

from __future__ import annotations

import ctypes
import gc
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd

from custlens.features.export import EXCEL_MAX_ROWS
from custlens.outputs import atomic_output, check_overwrite
from custlens.report.context import ReportContext
from custlens.report.workbook_sheets import FittedSheet, fit_sheet, index_sheet
from custlens.report.workbook_xlsx import StreamingBook
from custlens.segments.catalog import text_key
from custlens.store import Store, open_store

__all__ = ["EXCEL_ROWS", "WORKBOOK_RESULTS", "release_html_results", "reuse_saved_clv", "write_workbook"]

#: Default row budget of a sheet (``custlens report --excel-rows``): longer tables (the
#: per-customer sheets of a large shop) show their first rows and go whole to Parquet. At 1M
#: customers the whole customer sheet costs 20.5 s CPU, with the budget the workbook 5.2 s
#: (bench/README.md, "Workbook"), of the 60 s the whole report may take.
EXCEL_ROWS = 100_000

_SCORES = ("r_score", "f_score", "m_score", "fm_score")
_SEGMENT_COLUMNS = ("name", "customers", "share", "revenue", "revenue_share", "mean_recency_days",
                    "mean_orders", "mean_spend", "description", "action")
_PCT = ("share", "revenue_share", "return_rate", "discount_share", "repeat_rate")


def write_workbook(
    store: Store | str | os.PathLike[str],
    path: str | os.PathLike[str] = "custlens_customers.xlsx",
    lang: str = "en",
    as_of: object = None,
    force: bool = False,
    analyses: bool = True,
    min_group: int = 5,
    context: ReportContext | None = None,
    max_rows: int = EXCEL_MAX_ROWS,
    excel_rows: int = EXCEL_ROWS,
    partial: list[tuple[str, FittedSheet]] | None = None,
) -> Path:
    """Write the customer table with RFM scores and the segment tables to Excel.

    Sheets (names and headers in ``lang``): the customer table (one row per customer, by
    total spend, highest first, with R, F, M scores and the rfm11 segment), the rfm11 segment table with
    descriptions and actions, and the cn8 value classes. The file is written in constant
    memory (`custlens.report.workbook_xlsx`): rows stream to disk, whatever the number of
    customers.

    Parameters
    ----------
    store : Store or path
        An open store, or the path of a store file (opened read-only).
    path : path, default "custlens_customers.xlsx"
        The ``.xlsx`` file; a path without suffix is a directory that receives
        ``customers_<lang>.xlsx``. Missing directories are created.
    lang : {"en", "zh"}
    as_of : date-like, optional
        First day not observed. Default: the day after the last order.
    force : bool, default False
        Replace existing files (the workbook, its Parquet tables) that custlens did not write
        (see `custlens.outputs`).
    analyses : bool, default True
        Add the sheets of `custlens.report.workbook_sheets`: CLV scores, churn watch list,
        clusters, cohorts and forecasts (an analysis that cannot run is listed in a notes
        sheet).
    min_group : int, default 5
        Segment rows of fewer customers show no figures, with a note as the sheet's last row
        (as the report's ``--min-group``).
    context : ReportContext, optional
        The context of an HTML report of the same store (`custlens.report.build_report`'s
        ``context``): the customer table, RFM and the analyses it computed are reused, not
        recomputed. Its store, ``as_of``, language and ``min_group`` apply; passing a
        different ``lang``, ``min_group`` or ``as_of`` is an error.
    max_rows : int, default 1,048,576
        Rows a sheet holds, header included (Excel's limit).
    excel_rows : int, default `EXCEL_ROWS` (100,000)
        Row budget of a sheet; 0 = none (up to Excel's limit). A table longer than the budget or
        than ``max_rows`` goes whole to ``<workbook stem>_<sheet>.parquet`` beside the workbook
        (written atomically, same ownership rule); its sheet holds the first ``excel_rows`` rows
        in its own order (customers by spend, CLV by value, churn lists by risk) under a note in
        its first row naming the file and the row counts, and a first "Read me" sheet lists
        every such sheet.
    partial : list, optional
        Receives ``(sheet name, FittedSheet)`` for each partial sheet
        (`custlens.report.workbook_sheets.FittedSheet`: rows shown and in all, the Parquet file),
        e.g. for the CLI to say where the full tables went.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    MissingDataError
        When the store has no orders.
    OutputExistsError
        The workbook or an overflow Parquet file exists, was not written by custlens, and
        ``force`` is False (nothing is replaced then).
    """
    path = Path(path)
    if path.suffix == "":
        path = path / f"customers_{lang}.xlsx"
    elif path.suffix.lower() != ".xlsx":
        raise ValueError(f"path={str(path)!r} must end in .xlsx (or be a directory)")
    if max_rows < 3:
        raise ValueError(f"max_rows={max_rows} should be >= 3 (a note, the header and one row)")
    if excel_rows < 0:
        raise ValueError(f"excel_rows={excel_rows} should be >= 0 (0: no budget, up to Excel's limit)")
    if context is not None:
        _check_context(context, store, lang, min_group, as_of)
    check_overwrite(path, force)  # before minutes of computing, not after
    own = context is None and not isinstance(store, Store)
    st = context.store if context is not None else open_store(store, read_only=own and str(store) != ":memory:")
    try:
        ctx = context or ReportContext(st, as_of=as_of, lang=lang, min_group=min_group)
        customers, pct, by_spend = _customers_sheet(ctx)
        orders = {"report.sheet.customers": by_spend}  # the customer table's order, applied by fit_sheet
        sheets = {
            "report.sheet.customers": (customers, pct),
            "report.sheet.segments": _segments_sheet(ctx, "rfm11"),
            "report.sheet.cn8": _segments_sheet(ctx, "cn8"),
        }
        if analyses:
            from custlens.report.workbook_sheets import analysis_sheets

            sheets.update(analysis_sheets(ctx))
    finally:
        if own:
            st.close()
    # Atomic, never over a foreign file, no data cell can become a formula. The Parquet files
    # of oversize tables are renamed into place only if the whole workbook succeeds.
    with ExitStack() as stack:
        # The Parquet files are written in one thread while this one writes the sheets (Arrow's
        # encoding and compression release the GIL); the stack waits for them before renaming.
        parquet = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="custlens-parquet"))
        lists = {"report.sheet.churn": ctx.t("report.col.list")}  # early warning and win-back: both kept
        fitted = {key: fit_sheet(frame, ctx.lang, path, key, max_rows, excel_rows, force=force, stack=stack,
                                 group=lists.get(key), executor=parquet, order=orders.get(key))
                  for key, (frame, _) in sheets.items()}
        index = index_sheet({_sheet_title(ctx, k): f for k, f in fitted.items()}, ctx.lang, excel_rows)
        with atomic_output(path, force) as tmp:
            with StreamingBook(tmp) as book:
                if index is not None:  # first, so that nobody misses it
                    book.add_sheet(ctx.t("report.sheet.index"), index[0], note=index[1])
                for key, f in fitted.items():
                    pct = [c for c in sheets[key][1] if c in f.frame.columns]
                    book.add_sheet(_sheet_title(ctx, key), f.frame, pct, note=f.note)
            for f in fitted.values():  # the workbook names its Parquet files: never published without them
                if f.job is not None:
                    f.job.result()
    if partial is not None:
        partial.extend((_sheet_title(ctx, k), f) for k, f in fitted.items() if f.parquet is not None)
    return path


#: Results of the report context that `write_workbook` reads (exact keys, or families ending in ":").
WORKBOOK_RESULTS = ("customers", "rfm:", "clv", "churn", "segments:kmeans", "cohorts", "forecast:")


def release_html_results(ctx: ReportContext) -> list[str]:
    """Drop from ``ctx`` the results only the HTML report read, before `write_workbook` reuses ``ctx``.

    The workbook reads the customer table, the RFM results, CLV, churn, the k-means clusters, the
    cohorts and the forecasts (`WORKBOOK_RESULTS`); the other cached results (lifecycle stages,
    migration, behaviour, quality...) hold hundreds of MB at 1M customers, which would otherwise
    stay resident under the workbook's own peak. A dropped result asked for again is recomputed.

    Returns
    -------
    list of str
        The cache keys dropped.
    """
    def kept(key: str) -> bool:
        return any(key == k or (k.endswith(":") and key.startswith(k)) for k in WORKBOOK_RESULTS)

    dropped = [key for key in ctx.cache if not kept(key)]
    for key in dropped:
        del ctx.cache[key]
    gc.collect()  # results and figures hold reference cycles: free them now, not at some later collection
    _trim_heap()
    return dropped


def reuse_saved_clv(ctx: ReportContext, result: object, customers: object = None) -> bool:
    """Hand ``ctx`` the CLV result that `custlens.clv.pipeline.save_default_scores` just computed.

    ``custlens report`` saves the default CLV scores when the store has none as of the report's
    date; that run is `custlens.analyses.clv` with the same defaults (fit sample and seed
    included) and the same ``as_of``, i.e. the CLV section's own computation, so the section reads
    it instead of fitting again (~15 CPU seconds at 1M customers). Returns whether it was used
    (not when ``result`` is None or as of another date, or the context already holds a CLV result).
    ``customers``, the customer build that fit was made from (`custlens.features.purchase_days.
    CustomerBuild`), becomes the context's shared customer table when it is as of the same date,
    so the report does not build it a second time (~9 s at 1M customers).
    """
    days = getattr(customers, "days", None)
    if (days is not None and ctx.as_of is not None and "customer_build" not in ctx.cache
            and pd.Timestamp(days.as_of) == pd.Timestamp(ctx.as_of)):
        ctx.cached("customer_build", lambda: customers)
    if result is None or "clv" in ctx.cache or ctx.as_of is None:
        return False
    if pd.Timestamp(getattr(result, "as_of", None)) != pd.Timestamp(ctx.as_of):
        return False
    ctx.cached("clv", lambda: result)
    return True


def _trim_heap() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Freed NumPy and pandas buffers below glibc's mmap threshold stay in the heap, counted in the
    resident memory, until trimmed; the workbook's own allocations come on top of them otherwise.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to do
        pass


def _check_context(ctx: ReportContext, store: object, lang: str, min_group: int, as_of: object) -> None:
    """A shared context must describe the workbook asked for."""
    if isinstance(store, Store) and store is not ctx.store:
        raise ValueError("store is not the context's store; pass the store the context was built on")
    if as_of is not None and pd.Timestamp(as_of) != pd.Timestamp(ctx.as_of):
        raise ValueError(f"as_of={as_of!r} differs from the context's as_of={ctx.as_of!r}; "
                         f"leave as_of out (the context's applies) or leave the context out")
    for name, given, held in (("lang", lang, ctx.lang), ("min_group", min_group, ctx.min_group)):
        if given != held:
            raise ValueError(f"{name}={given!r} differs from the context's {name}={held!r}; "
                             f"pass the same value or leave the context out")


def _sheet_title(ctx: ReportContext, key: str) -> str:
    return ctx.t(key) if key.startswith("report.sheet.") else key


def _headers(ctx: ReportContext, columns: list[str]) -> dict[str, str]:
    return {c: ctx.t(f"report.col.{c}") for c in columns}


def _customers_sheet(ctx: ReportContext) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """The customer sheet's table in the customer table's order, its percent columns, and its order.

    The order (positions: by total spend, highest first, ties in table order, as
    ``sort_values("total_spend", ascending=False, kind="stable")``) is applied by `fit_sheet`: the
    sheet takes only the rows it shows and the Parquet file its chunks, so the 1M-row table is
    never copied whole in that order (bench/README.md, "Report at 1M, session 6: workbook3").
    """
    # At 1M customers every full copy of this frame is ~200 MB: the cached customer table's
    # columns are referenced, not copied, and the RFM and saved scores are joined on the ids alone.
    customers = ctx.customers()
    frame = customers.copy(deep=False)  # new columns and replaced ones stay out of the cached table
    scored = ctx.rfm("rfm11").customers
    # same ids in the same order (the RFM table is the customer table's): nothing moves
    aligned = _aligned(frame["customer_id"], scored[["customer_id", *_SCORES, "segment"]], "rfm11")
    for col in _SCORES:
        frame[col] = aligned[col].to_numpy()
    segment = aligned["segment"].astype(object)
    names = {s: ctx.t(text_key("rfm11", s, "name")) for s in segment.dropna().unique() if isinstance(s, str)}
    frame["segment"] = segment.map(names).fillna("").to_numpy()  # 11 translations, not one per customer
    del scored, aligned, segment
    frame = _with_saved_scores(ctx, frame)
    frame = _naive(frame)
    if "total_spend" in frame.columns:  # the most valuable first: a partial sheet keeps them
        spend = frame["total_spend"].reset_index(drop=True)  # positions as labels, whatever the index
        order = spend.sort_values(ascending=False, kind="stable").index.to_numpy()
    else:
        order = np.arange(len(frame))
    pct = [c for c in frame.columns if c in _PCT]
    headers = _headers(ctx, list(frame.columns))
    frame.columns = [headers[c] for c in frame.columns]  # no copy, unlike rename
    return frame, [ctx.t(f"report.col.{c}") for c in pct], order


def _with_saved_scores(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the CLV and churn scores saved in the store (``custlens clv`` / ``custlens churn``).

    The joins run on the id column alone and their columns are added to ``frame`` (in place: it
    is the sheet's own frame), so the customer table is never copied by a merge.
    """
    from custlens.clv.scores import SCORES_TABLE
    from custlens.report.registry import _load_builtin_sections

    _load_builtin_sections()  # the sections register the column names of their scores

    from custlens.churn.saved import read_churn_scores
    from custlens.clv.scores import score_status

    ids = frame["customer_id"]
    if score_status(ctx.store, SCORES_TABLE, ctx.as_of).ok:  # only scores saved as of this report's date
        # = `custlens.clv.scores.join_scores` on the ids (its renames), aligned without its merge
        # (validating a merge on 1M string ids cost ~2.5 s; tests/report/test_workbook_speed.py).
        # The options (a JSON text per customer, not shown) are not read: ~0.4 s at 1M.
        cols = [c for c in ctx.store.columns(SCORES_TABLE) if c != "options"]
        scores = ctx.store.prepare(ctx.store.table(SCORES_TABLE).select(cols))()
        scores = scores.rename(columns={"model": "clv_model", "as_of": "clv_as_of",
                                        "horizon_days": "clv_horizon_days"})
        joined = _aligned(ids, scores, SCORES_TABLE)
        for col in joined.columns:
            if col not in frame.columns:  # as join_scores on the whole table: its own columns win
                frame[col] = joined[col].array  # the array, dtype kept, no index alignment
        del scores, joined
    if score_status(ctx.store, "churn_scores", ctx.as_of).ok:
        churn = read_churn_scores(ctx.store)  # reasons saved as keys, translated here
        churn = churn.rename(columns={f"reasons_{ctx.lang}": "reasons"})
        keep = [c for c in ("customer_id", "churn_probability", "risk_band", "reasons") if c in churn.columns]
        if "risk_band" in churn.columns:
            churn["risk_band"] = [ctx.t(f"churn.band.{b}") if isinstance(b, str) else b for b in churn["risk_band"]]
        joined = _aligned(ids, churn[keep], "churn_scores")
        for col in joined.columns:
            frame[col] = joined[col].array
    return frame


def _aligned(ids: pd.Series, table: pd.DataFrame, name: str) -> pd.DataFrame:
    """``table``'s rows in the order of ``ids`` (missing values for ids it lacks), its id column dropped.

    Equals ``ids.to_frame().merge(table, on="customer_id", how="left", validate="one_to_one")``
    without the id column, at a fraction of its cost on a million string ids: when the saved table
    lists the same ids in the same order (the usual case: both sorted by id) nothing moves; else
    one hash lookup (``reindex``) places the rows.
    """
    key = table["customer_id"].astype(ids.dtype)
    rest = table.drop(columns="customer_id")
    if len(key) == len(ids) and np.array_equal(key.to_numpy(), ids.to_numpy()):
        return rest.reset_index(drop=True)
    index = pd.Index(key)
    if not index.is_unique:
        dup = index[index.duplicated()][0]
        raise ValueError(f"the saved table {name!r} holds customer_id {dup!r} more than once; "
                         f"save the scores again (custlens clv --save / custlens churn --save)")
    return rest.set_axis(index).reindex(ids.to_numpy()).reset_index(drop=True)


def _segments_sheet(ctx: ReportContext, scheme: str) -> tuple[pd.DataFrame, list[str]]:
    segs = ctx.rfm(scheme).segments.copy()
    for part in ("name", "description", "action"):
        segs[part] = [ctx.t(text_key(scheme, s, part)) for s in segs["segment"]]  # type: ignore[arg-type]
    frame = segs[list(_SEGMENT_COLUMNS)]
    labels = [c for c in ("segment", "name", "description", "action") if c in frame.columns]
    frame, note = ctx.small_groups(frame, keep=labels)  # as in the report: no figures of tiny groups
    if note:  # the footnote as the sheet's last row
        frame = pd.concat([frame, pd.DataFrame({labels[-1]: [note]})], ignore_index=True)
    pct = [ctx.t(f"report.col.{c}") for c in _PCT if c in frame.columns]
    return frame.rename(columns=_headers(ctx, list(frame.columns))), pct


def _naive(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot store time zones: drop them (values stay in their wall-clock time)."""
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = frame[col].dt.tz_localize(None)
    return frame
