"""`build_report`: the sections of the registry rendered into one offline HTML file."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Iterable

import pandas as pd

import custlens
from custlens.outputs import atomic_output
from custlens.report.context import ReportContext
from custlens.report.registry import run_sections
from custlens.report.render import render_html
from custlens.report.summary import summary_section
from custlens.store import Store, open_store

__all__ = ["DEFAULT_WORKERS", "build_report", "report_path"]

def _cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


#: Sections `build_report` builds at once (threads): 2 where the process has two cores or more, else 1.
#: Measured on an idle 2-core machine, the whole `custlens report` (HTML and workbook) at 1M
#: customers: 55.2 / 57.0 s with 2 against 66.8 / 63.9 s with 1, the same CPU; at 100k 25.7 against
#: 29.7 s (bench/README.md, "The whole report at 1M customers after session 6"). The report is the
#: same either way (tests/report/test_parallel.py).
DEFAULT_WORKERS: int = min(2, _cores())


def _check_workers(workers: int) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r} must be a whole number >= 1 (1 builds the sections one "
                         "after the other)")
    return workers


def report_path(out: str | os.PathLike[str], lang: str) -> Path:
    """Where `build_report` writes: ``out`` itself when it ends in ``.html``, else
    ``out/report_<lang>.html``."""
    out = Path(out)
    return out if out.suffix.lower() in (".html", ".htm") else out / f"report_{lang}.html"


def _shop_name(store: Store) -> str | None:
    """The shop name recorded in the store's ``_meta`` table (key ``shop_name``), if any."""
    meta = store.ibis.table("_meta")
    rows = store.execute(meta.filter(meta.key == "shop_name").select("value"))
    return str(rows["value"].iloc[0]) if len(rows) else None


def _store_label(store: Store) -> str:
    return "(in memory)" if store.path == ":memory:" else Path(store.path).name


def build_report(
    store: Store | str | os.PathLike[str],
    out: str | os.PathLike[str] = "custlens_report",
    lang: str = "en",
    as_of: object = None,
    title: str | None = None,
    sections: Iterable[str] | None = None,
    country: str | None = "auto",
    min_group: int = 5,
    force: bool = False,
    context: ReportContext | None = None,
    workers: int | None = None,
) -> Path:
    """Write the HTML report of a store.

    Parameters
    ----------
    store : Store or path
        An open store, or the path of a store file (opened read-only).
    out : path, default "custlens_report"
        A directory (the file is ``out/report_<lang>.html``) or a ``.html`` file path.
        Missing directories are created.
    lang : {"en", "zh"}, default "en"
        Language of every text in the report.
    as_of : date-like, optional
        First day not observed. Default: the day after the last order.
    title : str, optional
        Heading of the report. Default: the shop name stored under ``_meta.shop_name``,
        else "Customer analytics report" in ``lang``.
    sections : iterable of str, optional
        Keys of the sections to include (default: every registered section).
    country : str or None, default "auto"
        Calendar of the festival lift (ISO code; "auto" reads it from the data).
    min_group : int, default 5
        Statistics of groups (segments, profile values, cohorts) with fewer customers are
        not shown, with a footnote (k-anonymity).
    force : bool, default False
        Replace an existing file that custlens did not write (see `custlens.outputs`).
    context : ReportContext, optional
        Use this context (its store, ``as_of``, language, country and ``min_group``) instead of
        a new one, e.g. to hand its computed results on to `write_workbook`'s ``context``.
    workers : int, optional
        Sections built at the same time, on threads (default `DEFAULT_WORKERS`: 2 with two cores
        or more; 1 builds them one after the other). The report is the same either way; a Spark
        store builds on one.

    Returns
    -------
    pathlib.Path
        The HTML file written. It is self-contained: CSS, data and plotly.js (once) are
        inlined and nothing is fetched from the network.

    Examples
    --------
    >>> path = build_report("custlens.duckdb", out="report", lang="zh")  # doctest: +SKIP
    """
    own = not isinstance(store, Store)
    st = open_store(store, read_only=own and str(store) != ":memory:")
    try:
        ctx = context or ReportContext(st, as_of=as_of, lang=lang, country=country, min_group=min_group)
        lang = ctx.lang
        built = run_sections(ctx, sections, workers=DEFAULT_WORKERS if workers is None else _check_workers(workers))
        summary = summary_section(ctx)  # reads the results the sections computed
        if summary is not None:
            built.insert(0, summary)
        meta = {
            "title": title or _shop_name(st) or ctx.t("report.default_title"),
            "subtitle": ctx.t("report.subtitle"),
            "as_of": _last_day(ctx),
            "generated_at": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "store": _store_label(st),
            "version": custlens.__version__,
            "quality": _quality_badge(ctx, built),
        }
        texts = {
            "as_of": ctx.t("report.header.as_of"),
            "generated_at": ctx.t("report.header.generated_at"),
            "language": ctx.t("report.header.language"),
            "language_name": ctx.t("report.language_name"),
            "store": ctx.t("report.header.store"),
            "quality": ctx.t("report.header.quality"),
            "contents": ctx.t("report.contents"),
            "footer": ctx.t("report.footer", version=custlens.__version__,
                            as_of=ctx.date(ctx.as_of) if ctx.as_of is not None else "–"),
        }
        html = render_html(built, lang=lang, meta=meta, texts=texts)
    finally:
        if own:
            st.close()
    path = report_path(out, lang)
    with atomic_output(path, force) as tmp:  # a failed run keeps the previous report
        tmp.write_text(html, encoding="utf-8")
    return path


def _quality_badge(ctx: ReportContext, built: list) -> str:
    """``'98/100 (A)'`` when the quality section ran (its section sits at the end of the report)."""
    if not any(s.key == "quality" and not s.missing for s in built) or "quality" not in ctx.cache:
        return ""
    q = ctx.quality()
    return "" if q.score is None else f"{q.score:.0f}/100 ({q.grade})"


def _last_day(ctx: ReportContext) -> str:
    """The last observed day (``as_of`` minus one day), as shown in the header."""
    if ctx.as_of is None:
        return ctx.t("report.no_orders_yet")
    return ctx.date(pd.Timestamp(ctx.as_of) - pd.Timedelta(days=1))
