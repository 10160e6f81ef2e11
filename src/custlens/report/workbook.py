"""`write_workbook`: the customer table and the RFM segments as an Excel workbook."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from custlens.outputs import MARK, atomic_output
from custlens.report.context import ReportContext
from custlens.safety import neutralise_frame
from custlens.segments.catalog import text_key
from custlens.store import Store, open_store

__all__ = ["write_workbook"]

_SCORES = ("r_score", "f_score", "m_score", "fm_score")
_SEGMENT_COLUMNS = ("name", "customers", "share", "revenue", "revenue_share", "mean_recency_days",
                    "mean_orders", "mean_spend", "description", "action")
_PCT = ("share", "revenue_share", "return_rate", "discount_share", "repeat_rate")
_INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def write_workbook(
    store: Store | str | os.PathLike[str],
    path: str | os.PathLike[str] = "custlens_customers.xlsx",
    lang: str = "en",
    as_of: object = None,
    force: bool = False,
    analyses: bool = True,
    min_group: int = 5,
) -> Path:
    """Write the customer table with RFM scores and the segment tables to Excel.

    Sheets (names and headers in ``lang``): the customer table (one row per customer,
    with R, F, M scores and the rfm11 segment), the rfm11 segment table with
    descriptions and actions, and the cn8 value classes.

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
        Replace an existing file that custlens did not write (see `custlens.outputs`).
    analyses : bool, default True
        Add the sheets of `custlens.report.workbook_sheets`: CLV scores, churn watch list,
        clusters, cohorts and forecasts (an analysis that cannot run is listed in a notes
        sheet; a table longer than a sheet goes to Parquet beside the workbook).
    min_group : int, default 5
        Segment rows of fewer customers show no figures, with a note as the sheet's last row
        (as the report's ``--min-group``).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    MissingDataError
        When the store has no orders.
    """
    path = Path(path)
    if path.suffix == "":
        path = path / f"customers_{lang}.xlsx"
    elif path.suffix.lower() != ".xlsx":
        raise ValueError(f"path={str(path)!r} must end in .xlsx (or be a directory)")
    own = not isinstance(store, Store)
    st = open_store(store, read_only=own and str(store) != ":memory:")
    try:
        ctx = ReportContext(st, as_of=as_of, lang=lang, min_group=min_group)
        sheets = {
            ctx.t("report.sheet.customers"): _customers_sheet(ctx),
            ctx.t("report.sheet.segments"): _segments_sheet(ctx, "rfm11"),
            ctx.t("report.sheet.cn8"): _segments_sheet(ctx, "cn8"),
        }
        if analyses:
            from custlens.report.workbook_sheets import analysis_sheets

            sheets.update(analysis_sheets(ctx, path))
    finally:
        if own:
            st.close()
    # Atomic, never over a foreign file, and no data cell can become a formula.
    with atomic_output(path, force) as tmp:
        writer = pd.ExcelWriter(tmp, engine="openpyxl")  # closed (saved) only on success
        writer.book.properties.creator = MARK
        for name, (frame, pct_cols) in sheets.items():
            sheet_name = name.translate(_INVALID_SHEET_CHARS)[:31]
            frame = neutralise_frame(frame, xlsx=True)
            frame.to_excel(writer, sheet_name=sheet_name, index=False)
            _format(writer.sheets[sheet_name], frame, pct_cols)
        writer.close()
    return path


def _headers(ctx: ReportContext, columns: list[str]) -> dict[str, str]:
    return {c: ctx.t(f"report.col.{c}") for c in columns}


def _customers_sheet(ctx: ReportContext) -> tuple[pd.DataFrame, list[str]]:
    customers = ctx.customers()
    scored = ctx.rfm("rfm11").customers.set_index("customer_id")
    frame = customers.copy()
    for col in _SCORES:
        frame[col] = frame["customer_id"].map(scored[col]).to_numpy()
    segment = frame["customer_id"].map(scored["segment"])
    frame["segment"] = [
        ctx.t(text_key("rfm11", s, "name")) if isinstance(s, str) else "" for s in segment
    ]
    frame = _with_saved_scores(ctx, frame)
    frame = _naive(frame)
    pct = [c for c in frame.columns if c in _PCT]
    return frame.rename(columns=_headers(ctx, list(frame.columns))), [ctx.t(f"report.col.{c}") for c in pct]


def _with_saved_scores(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the CLV and churn scores saved in the store (``custlens clv`` / ``custlens churn``)."""
    from custlens.clv.scores import join_scores
    from custlens.report.registry import _load_builtin_sections

    _load_builtin_sections()  # the sections register the column names of their scores

    from custlens.churn.saved import read_churn_scores
    from custlens.clv.scores import score_status

    frame = join_scores(frame, ctx.store, as_of=ctx.as_of)  # only scores saved as of this report's date
    if score_status(ctx.store, "churn_scores", ctx.as_of).ok:
        churn = read_churn_scores(ctx.store)  # reasons saved as keys, translated here
        churn = churn.rename(columns={f"reasons_{ctx.lang}": "reasons"})
        keep = [c for c in ("customer_id", "churn_probability", "risk_band", "reasons") if c in churn.columns]
        churn["customer_id"] = churn["customer_id"].astype(frame["customer_id"].dtype)
        if "risk_band" in churn.columns:
            churn["risk_band"] = [ctx.t(f"churn.band.{b}") if isinstance(b, str) else b for b in churn["risk_band"]]
        frame = frame.merge(churn[keep], on="customer_id", how="left", validate="one_to_one")
    return frame


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


def _format(ws: Worksheet, frame: pd.DataFrame, pct_cols: list[str]) -> None:
    """Freeze and filter the header row, size columns, format shares and dates."""
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    for i, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        values = [str(v) for v in frame[col].head(200)]
        width = max([_width(str(col))] + [_width(v) for v in values]) + 2
        ws.column_dimensions[letter].width = min(max(width, 8), 60)
        number_format = None
        if col in pct_cols:
            number_format = "0.0%"
        elif pd.api.types.is_datetime64_any_dtype(frame[col]):
            number_format = "yyyy-mm-dd hh:mm"
        elif pd.api.types.is_float_dtype(frame[col]):
            number_format = "#,##0.00"
        if number_format:
            for cell in ws[letter][1:]:
                cell.number_format = number_format


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


