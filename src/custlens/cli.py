"""The `custlens` command line: thin commands that parse, call the library and render.

Every error becomes ``error: ...`` on stderr with exit code 1 (`custlens.commands._common`);
``--debug`` shows the traceback. Readers open the store read-only. The foundation's commands
are here; later analyses add theirs as modules of `custlens.commands`.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from custlens import commands
from custlens.commands._common import (AsOfOpt, ForceOpt, JsonOpt, LangOpt, StoreOpt, app, check_lang, clean,
                                       emit_json, err, frame_table, out, parse_as_of, styled)
from custlens.errors import CustlensError


# --------------------------------------------------------------------------- ingest
@app.command()
@clean
def ingest(
    file: Path = typer.Argument(..., help="CSV/TSV/TXT, Excel .xlsx or Parquet export."),
    table: Optional[str] = typer.Option(None, "--table", help="orders|order_items|customers|surveys|feedback|tickets|campaign_members (guessed when omitted)."),
    map_: list[str] = typer.Option([], "--map", help="SOURCE=CANONICAL column mapping, repeatable."),
    dayfirst: Optional[bool] = typer.Option(None, "--dayfirst/--monthfirst", help="Settle 01/02/2024-style dates."),
    date_format: Optional[str] = typer.Option(None, "--date-format", help="strptime format of the date columns, e.g. '%d.%m.%Y'."),
    delimiter: Optional[str] = typer.Option(None, "--delimiter", help="CSV delimiter when the sniffer gets it wrong."),
    columns: Optional[str] = typer.Option(None, "--columns", help="Comma-separated column names for a file without a header row."),
    pseudonymise: bool = typer.Option(False, "--pseudonymise", help="Replace customer ids and personal columns by keyed hashes (and do so for every later ingest into this store)."),
    salt_file: Optional[Path] = typer.Option(None, "--salt-file", help="Secret key file for --pseudonymise (default: STORE.key, created with mode 0600)."),
    store: str = StoreOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Load a shop export into the store; every row is loaded, quarantined or skipped as a duplicate.

    Example: custlens ingest orders.csv --map "Kunde=customer_id" --json
    """
    from custlens.ingest import ingest as run_ingest
    from custlens.store import Store

    names = [c.strip() for c in columns.split(",")] if columns else None
    st = Store(store)
    big = file.exists() and file.stat().st_size > 20 * 2**20 and not as_json
    if big:
        from rich.markup import escape
        from rich.progress import Progress

        from custlens.safety import visible

        shown = escape(visible(file.name))  # a progress description is markup
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task(f"ingest {shown}", total=3)
            res = run_ingest(file, st, table=table, mapping=map_, dayfirst=dayfirst, date_format=date_format,
                             delimiter=delimiter, columns=names, progress=lambda label: bar.update(task, advance=1, description=f"{escape(label)} {shown}"),
                             pseudonymise=pseudonymise, salt_file=salt_file)
    else:
        res = run_ingest(file, st, table=table, mapping=map_, dayfirst=dayfirst, date_format=date_format,
                         delimiter=delimiter, columns=names, pseudonymise=pseudonymise, salt_file=salt_file)
    st.close()
    if as_json:
        emit_json(res.to_dict())
        return
    out.print(styled((str(res.source), "bold"), f" -> {res.table} ({res.seconds:.2f} s)"))
    out.print(f"  rows read {res.rows_read:,} = loaded {res.rows_loaded:,} + quarantined "
              f"{res.rows_quarantined:,} + duplicates skipped {res.duplicates_skipped:,}")
    if res.table in ("orders", "order_items"):
        out.print(f"  orders {res.orders:,}, customers {res.customers:,}, revenue {res.revenue:,.2f}, "
                  f"returns {res.returns:,}")
    for reason, n in res.quarantine_reasons.items():
        out.print(f"  quarantined: {reason} x {n:,}")
    for d in res.decisions:
        out.print(styled("  ", (str(d), "dim")))
    for w in res.warnings:
        err.print(f"warning: {w}", markup=False, highlight=False)


# --------------------------------------------------------------------------- quality
@app.command()
@clean
def quality(store: str = StoreOpt, as_json: bool = JsonOpt, lang: str = LangOpt) -> None:
    """Score the data in the store: completeness, validity, uniqueness, consistency, timeliness.

    Example: custlens quality --store shop.duckdb
    """
    from custlens import analyses, i18n
    from custlens.store import open_store

    check_lang(lang)
    st = open_store(store, read_only=True)
    rep = analyses.quality(st)
    if as_json:
        emit_json(rep.to_dict())
        return
    out.print(i18n.t("cli.quality.headline", lang, score=f"{rep.score:.0f}", grade=rep.grade), highlight=False)
    dims = pd.DataFrame({"dimension": [i18n.t(f"quality.dimension.{k}", lang) for k in rep.dimensions],
                         "score": [float(v) if v is not None else float("nan") for v in rep.dimensions.values()]})
    out.print(frame_table(dims, lang=lang))
    probs = rep.problems.head(10).copy()
    if len(probs):
        probs["check"] = [i18n.t(k, lang) if i18n.has(k) else k for k in probs["check"]]

        for col, prefix in (("table", "report.table."), ("column", "report.col."), ("severity", "quality.severity.")):
            if col in probs.columns:
                probs[col] = [i18n.t(prefix + str(v), lang) if i18n.has(prefix + str(v)) else v for v in probs[col]]
        cols = [c for c in ("table", "column", "check", "count", "severity") if c in probs.columns]
        out.print(frame_table(probs[cols], lang=lang))


# --------------------------------------------------------------------------- customers
@app.command()
@clean
def customers(
    export: Optional[Path] = typer.Option(None, "--export", help="Write the table to .csv, .parquet or .xlsx."),
    limit: Optional[int] = typer.Option(None, "--limit", min=0, help="Rows shown (default 10) or returned with --json (default 100)."),
    force: bool = ForceOpt,
    store: str = StoreOpt,
    as_of: Optional[str] = AsOfOpt,
    as_json: bool = JsonOpt,
) -> None:
    """The customer table: one row per customer (orders, spend, recency, frequency, returns...).

    Example: custlens customers --export customers.parquet
    """
    from custlens.features import customer_table, export_table
    from custlens.store import open_store

    from custlens.clv.scores import join_scores, score_status
    from custlens.features import resolve_as_of

    st = open_store(store, read_only=True)
    when = parse_as_of(as_of, st)
    df = customer_table(st, as_of=when)
    # CLV scores join only when they were computed at this same as-of date (no leakage).
    df = join_scores(df, st, as_of=resolve_as_of(st, when))
    status = score_status(st, "clv_scores", resolve_as_of(st, when))
    if export:
        export_table(df, export, force=force)
    if not status.ok:  # say why the CLV columns are absent (after the work, so an error stays the first line)
        err.print(f"note: {status.text()}")
    if as_json:
        n = 100 if limit is None else limit
        rows = json.loads(df.head(n).to_json(orient="records", date_format="iso"))
        emit_json({"customers": len(df), "limit": n, "returned": len(rows), "columns": list(df.columns),
                   "rows": rows, "export": str(export) if export else None})
        return
    out.print(f"{len(df):,} customers" + (f" written to {export}" if export else ""))
    if not export:
        out.print(frame_table(df.head(10 if limit is None else limit)[
            ["customer_id", "orders", "total_spend", "days_since_last", "frequency"]]))


# --------------------------------------------------------------------------- rfm
@app.command()
@clean
def rfm(
    scheme: str = typer.Option("rfm11", "--scheme", help="rfm11 (R x FM, 11 segments), rf10 (R x F) or cn8 (重要价值...)."),
    store: str = StoreOpt,
    as_of: Optional[str] = AsOfOpt,
    lang: str = LangOpt,
    as_json: bool = JsonOpt,
) -> None:
    """RFM scores and named segments, with a description and an action for each.

    Example: custlens rfm --scheme cn8 --lang zh
    """
    from custlens import analyses, i18n
    from custlens.segments import SCHEMES
    from custlens.store import open_store

    check_lang(lang)
    if scheme not in SCHEMES:
        raise CustlensError(f"--scheme {scheme!r} is unknown; use one of {', '.join(SCHEMES)}")
    st = open_store(store, read_only=True)
    res = analyses.rfm(st, as_of=parse_as_of(as_of, st, lang), scheme=scheme)
    if as_json:
        emit_json(res.to_dict(lang=lang))
        return
    seg = res.segments.copy()
    seg.insert(0, "name", [i18n.t(f"segment.{scheme}.{s}.name", lang) for s in seg["segment"]])
    cols = ["name", "customers", "share", "revenue", "revenue_share"]
    out.print(frame_table(seg[cols], i18n.t(f"segment.{scheme}.title", lang), lang=lang))
    for s in seg["segment"]:
        if (seg.loc[seg["segment"] == s, "customers"] > 0).any():
            out.print(styled((i18n.t(f"segment.{scheme}.{s}.name", lang), "bold"),
                             f": {i18n.t(f'segment.{scheme}.{s}.action', lang)}"))


# --------------------------------------------------------------------------- report
@app.command()
@clean
def report(
    files: list[Path] = typer.Argument(None, help="Optional exports to ingest first."),
    out_dir: Path = typer.Option(Path("custlens_report"), "--out", metavar="DIR", help="Output folder."),
    lang: str = LangOpt,
    store: str = StoreOpt,
    as_of: Optional[str] = AsOfOpt,
    excel: bool = typer.Option(True, "--excel/--no-excel", help="Also write the Excel workbook."),
    excel_rows: int = typer.Option(100_000, "--excel-rows", min=0, metavar="N",
                                   help="Rows a workbook sheet shows; longer tables go whole to Parquet beside it "
                                        "(0: up to Excel's limit)."),
    country: str = typer.Option("auto", "--country", help="Festival calendar: ISO code (CN, GB, US...) or auto (read from the data)."),
    min_group: int = typer.Option(5, "--min-group", min=1, help="Hide statistics of groups with fewer customers than this."),
    force: bool = ForceOpt,
    workers: Optional[int] = typer.Option(None, "--workers", min=1, metavar="N",
                                          help="Sections built at once, on threads (default: 2 with two cores "
                                               "or more; 1: one after the other). Same report either way."),
) -> None:
    """Write the self-contained HTML report (and an Excel workbook).

    The store is opened read-only (several reports can run at once); only FILES to ingest
    first open it for writing, and only while they load.

    Example: custlens report orders.csv customers.csv --lang zh --out shop_report
    """
    from custlens import i18n
    from custlens.commands._report_start import import_report_modules, start_customer_build
    from custlens.store import Store, open_store

    check_lang(lang)
    from custlens.behaviour.country import check_country

    check_country(country)
    if files:
        from custlens.ingest import ingest as run_ingest

        with Store(store) as st:
            for f in files:
                res = run_ingest(f, st)
                err.print(f"ingested {f}: {res.rows_loaded:,} loaded, {res.rows_quarantined:,} quarantined, "
                          f"{res.duplicates_skipped:,} duplicates")
    st = open_store(store, read_only=True)  # a missing store is an error, never an empty new file
    early = None
    try:
        when = parse_as_of(as_of, st, lang)
        # the customer table's queries (GIL-free) run on a thread while the report's modules import
        early = start_customer_build(st, when)
        from custlens.clv.scores import score_status
        from custlens.features import resolve_as_of

        stale = st.has("orders") and not score_status(st, "clv_scores", resolve_as_of(st, when)).ok
        import_report_modules()
    finally:
        if early is not None:  # never left running, also on error
            early.wait()
        st.close()
    from custlens.report import build_report, write_workbook

    saved = build = None
    if stale:  # the workbook and the 360 read the default CLV scores: write access for this step only
        from custlens.clv.pipeline import save_default_scores
        from custlens.errors import MissingDataError, StoreError
        from custlens.features.purchase_days import build_customer_table

        try:
            with Store(store) as wst:
                # built once: the CLV fit and then the whole report read it; a failed early
                # build is made again here, so its error is raised as before
                build = early.value() if early is not None else None
                try:
                    if build is None:
                        build = build_customer_table(wst, when)
                except MissingDataError:
                    build = None
                saved = save_default_scores(wst, when, customers=build)
        except StoreError as exc:  # e.g. another process holds the store: report without saving
            err.print(f"note: default CLV scores not saved ({exc})")
    if build is None and early is not None:  # a failed build is left to the section that needs it
        build = early.value()
    st = open_store(store, read_only=True)
    try:
        from custlens.report import ReportContext
        from custlens.report.workbook import release_html_results, reuse_saved_clv

        # One context: the workbook reuses the customer table and the analyses the report computed.
        ctx = ReportContext(st, as_of=when, lang=lang, country=country, min_group=min_group)
        reuse_saved_clv(ctx, saved, build)  # the fit just saved is the CLV section's own: not fitted twice
        early = build = None  # the context holds the build: release_html_results can then free its purchase days
        html = build_report(st, out=out_dir, lang=lang, force=force, context=ctx, workers=workers)
        out.print(f"report: {html}")
        if excel:
            release_html_results(ctx)  # at 1M customers: hundreds of MB the workbook does not read
            partial: list = []
            xlsx = write_workbook(st, Path(out_dir) / f"custlens_{lang}.xlsx", lang=lang, force=force,
                                  min_group=min_group, context=ctx, excel_rows=excel_rows, partial=partial)
            out.print(f"workbook: {xlsx}")
            for sheet, fit in partial:  # partial sheets: say where the full tables are
                out.print(i18n.t("report.cli.partial", lang, sheet=sheet, shown=f"{len(fit.frame):,}",
                                 rows=f"{fit.rows:,}", file=str(fit.parquet)), markup=False, highlight=False)
    finally:
        st.close()


# --------------------------------------------------------------------------- demo
@app.command()
@clean
def demo(
    customers_: int = typer.Option(5000, "--customers", help="Number of customers to simulate."),
    seed: int = typer.Option(42, "--seed", help="Random seed."),
    lang: str = LangOpt,
    out_dir: Path = typer.Option(Path("custlens_demo"), "--out", metavar="DIR", help="Output folder."),
    country: str = typer.Option("auto", "--country", help="Festival calendar of the report: ISO code or auto (the demo shop is Chinese: CN)."),
    end: Optional[str] = typer.Option(None, "--end", metavar="YYYY-MM-DD",
                                      help="Last day of the shop's data (default: end of last month)."),
) -> None:
    """Generate the demo shop (with known ground truth), ingest its messy exports and write the report.

    Example: custlens demo --customers 2000 --lang zh
    """
    from custlens.pipeline import run_demo

    check_lang(lang)
    from custlens.behaviour.country import check_country

    check_country(country)
    run = run_demo(out_dir, customers=customers_, seed=seed, lang=lang, log=lambda m: out.print(m, highlight=False),
                   country=country, end=end)
    out.print(styled("\n", ("report:", "bold green"), f" {run.report}"))
    out.print(f"store: {run.store_path}   (try: custlens rfm --store {run.store_path})")


for _mod in pkgutil.iter_modules(commands.__path__):
    if not _mod.name.startswith("_"):
        importlib.import_module(f"custlens.commands.{_mod.name}").register(app)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
