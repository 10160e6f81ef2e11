"""The `custlens` command line: thin commands that parse, call the library and render.

Library errors (`CustlensError`) become ``error: ...`` on stderr with exit code 1; a
traceback means a bug in custlens.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from custlens import i18n
from custlens.errors import CustlensError
from custlens.store import DEFAULT_STORE

i18n.register({"cli.quality.headline": {"en": "data quality: {score}/100, grade {grade}",
                                        "zh": "数据质量：{score}/100，等级 {grade}"}})

app = typer.Typer(
    help="custlens: customer analytics for online shops (ingest, quality, RFM, CLV, reports).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

StoreOpt = typer.Option(DEFAULT_STORE, "--store", help="The DuckDB store file.")
JsonOpt = typer.Option(False, "--json", help="Print one JSON object instead of tables.")
AsOfOpt = typer.Option(None, "--as-of", help="Analyse as of this date (default: the day after the last order).")
LangOpt = typer.Option("en", "--lang", help="Language of texts: en or zh.")


def _clean(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into `error: ...` and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CustlensError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def _json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=_default))


def _default(v: Any) -> Any:
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _as_of(value: Optional[str]) -> Optional[pd.Timestamp]:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise CustlensError(f"--as-of {value!r} is not a date; use YYYY-MM-DD") from None


def _check_lang(lang: str) -> str:
    if lang not in ("en", "zh"):
        raise CustlensError(f"--lang {lang!r} is not supported; use en or zh")
    return lang


def _frame_table(df: pd.DataFrame, title: str | None = None, lang: str = "en") -> Table:
    """A rich table with translated headers; ``*share`` columns shown as percentages."""
    from custlens import i18n
    from custlens.report import texts  # noqa: F401  (registers the column names)

    table = Table(title=title, show_lines=False)
    for c in df.columns:
        key = f"report.col.{c}"
        table.add_column(i18n.t(key, lang) if i18n.has(key) else str(c),
                         justify="right" if pd.api.types.is_numeric_dtype(df[c]) else "left")
    pct = [str(c).endswith("share") for c in df.columns]
    for row in df.itertuples(index=False):
        table.add_row(*[f"{v:.1%}" if p and isinstance(v, float) else _fmt(v) for v, p in zip(row, pct)])
    return table


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "" if pd.isna(v) else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v)


# --------------------------------------------------------------------------- ingest
@app.command()
@_clean
def ingest(
    file: Path = typer.Argument(..., help="CSV/TSV/TXT, Excel .xlsx or Parquet export."),
    table: Optional[str] = typer.Option(None, "--table", help="orders|order_items|customers|surveys|feedback|tickets|campaign_members (guessed when omitted)."),
    map_: list[str] = typer.Option([], "--map", help="SOURCE=CANONICAL column mapping, repeatable."),
    dayfirst: Optional[bool] = typer.Option(None, "--dayfirst/--monthfirst", help="Settle 01/02/2024-style dates."),
    date_format: Optional[str] = typer.Option(None, "--date-format", help="strptime format of the date columns, e.g. '%d.%m.%Y'."),
    delimiter: Optional[str] = typer.Option(None, "--delimiter", help="CSV delimiter when the sniffer gets it wrong."),
    columns: Optional[str] = typer.Option(None, "--columns", help="Comma-separated column names for a file without a header row."),
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
        from rich.progress import Progress

        with Progress(console=err, transient=True) as bar:
            task = bar.add_task(f"ingest {file.name}", total=3)
            res = run_ingest(file, st, table=table, mapping=map_, dayfirst=dayfirst, date_format=date_format,
                             delimiter=delimiter, columns=names, progress=lambda label: bar.update(task, advance=1, description=f"{label} {file.name}"))
    else:
        res = run_ingest(file, st, table=table, mapping=map_, dayfirst=dayfirst, date_format=date_format,
                         delimiter=delimiter, columns=names)
    st.close()
    if as_json:
        _json(res.to_dict())
        return
    out.print(f"[bold]{res.source}[/] -> {res.table} ({res.seconds:.2f} s)")
    out.print(f"  rows read {res.rows_read:,} = loaded {res.rows_loaded:,} + quarantined "
              f"{res.rows_quarantined:,} + duplicates skipped {res.duplicates_skipped:,}")
    if res.table in ("orders", "order_items"):
        out.print(f"  orders {res.orders:,}, customers {res.customers:,}, revenue {res.revenue:,.2f}, "
                  f"returns {res.returns:,}")
    for reason, n in res.quarantine_reasons.items():
        out.print(f"  quarantined: {reason} x {n:,}")
    for d in res.decisions:
        out.print(f"  [dim]{d}[/]", markup=True, highlight=False)
    for w in res.warnings:
        err.print(f"warning: {w}", markup=False, highlight=False)


# --------------------------------------------------------------------------- quality
@app.command()
@_clean
def quality(store: str = StoreOpt, as_json: bool = JsonOpt, lang: str = LangOpt) -> None:
    """Score the data in the store: completeness, validity, uniqueness, consistency, timeliness.

    Example: custlens quality --store shop.duckdb
    """
    from custlens import i18n
    from custlens.quality import assess
    from custlens.store import open_store

    _check_lang(lang)
    st = open_store(store, read_only=True)
    rep = assess(st)
    if as_json:
        _json(rep.to_dict())
        return
    out.print(i18n.t("cli.quality.headline", lang, score=f"{rep.score:.0f}", grade=rep.grade), highlight=False)
    dims = pd.DataFrame({"dimension": [i18n.t(f"quality.dimension.{k}", lang) for k in rep.dimensions],
                         "score": [float(v) if v is not None else float("nan") for v in rep.dimensions.values()]})
    out.print(_frame_table(dims, lang=lang))
    probs = rep.problems.head(10).copy()
    if len(probs):
        probs["check"] = [i18n.t(k, lang) if i18n.has(k) else k for k in probs["check"]]
        cols = [c for c in ("table", "column", "check", "count", "severity") if c in probs.columns]
        out.print(_frame_table(probs[cols], lang=lang))


# --------------------------------------------------------------------------- customers
@app.command()
@_clean
def customers(
    export: Optional[Path] = typer.Option(None, "--export", help="Write the table to .csv, .parquet or .xlsx."),
    store: str = StoreOpt,
    as_of: Optional[str] = AsOfOpt,
    as_json: bool = JsonOpt,
) -> None:
    """The customer table: one row per customer (orders, spend, recency, frequency, returns...).

    Example: custlens customers --export customers.parquet
    """
    from custlens.features import customer_table, export_table
    from custlens.store import open_store

    st = open_store(store, read_only=True)
    df = customer_table(st, as_of=_as_of(as_of))
    if export:
        export_table(df, export)
    if as_json:
        _json({"customers": len(df), "columns": list(df.columns), "export": str(export) if export else None})
        return
    out.print(f"{len(df):,} customers" + (f" written to {export}" if export else ""))
    if not export:
        out.print(_frame_table(df.head(10)[["customer_id", "orders", "total_spend", "days_since_last", "frequency"]]))


# --------------------------------------------------------------------------- rfm
@app.command()
@_clean
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
    from custlens import i18n
    from custlens.features import customer_table
    from custlens.segments import SCHEMES
    from custlens.segments import rfm as run_rfm
    from custlens.store import open_store

    _check_lang(lang)
    if scheme not in SCHEMES:
        raise CustlensError(f"--scheme {scheme!r} is unknown; use one of {', '.join(SCHEMES)}")
    st = open_store(store, read_only=True)
    res = run_rfm(customer_table(st, as_of=_as_of(as_of)), scheme=scheme)
    if as_json:
        _json(res.to_dict(lang=lang))
        return
    seg = res.segments.copy()
    seg.insert(0, "name", [i18n.t(f"segment.{scheme}.{s}.name", lang) for s in seg["segment"]])
    cols = ["name", "customers", "share", "revenue", "revenue_share"]
    out.print(_frame_table(seg[cols], i18n.t(f"segment.{scheme}.title", lang), lang=lang))
    for s in seg["segment"]:
        if (seg.loc[seg["segment"] == s, "customers"] > 0).any():
            out.print(f"[bold]{i18n.t(f'segment.{scheme}.{s}.name', lang)}[/]: "
                      f"{i18n.t(f'segment.{scheme}.{s}.action', lang)}", highlight=False)


# --------------------------------------------------------------------------- report
@app.command()
@_clean
def report(
    files: list[Path] = typer.Argument(None, help="Optional exports to ingest first."),
    out_dir: Path = typer.Option(Path("custlens_report"), "--out", help="Output folder."),
    lang: str = LangOpt,
    store: str = StoreOpt,
    as_of: Optional[str] = AsOfOpt,
    excel: bool = typer.Option(True, "--excel/--no-excel", help="Also write the Excel workbook."),
) -> None:
    """Write the self-contained HTML report (and an Excel workbook).

    Example: custlens report orders.csv customers.csv --lang zh --out shop_report
    """
    from custlens.ingest import ingest as run_ingest
    from custlens.report import build_report, write_workbook
    from custlens.store import Store

    _check_lang(lang)
    st = Store(store)
    for f in files or []:
        res = run_ingest(f, st)
        err.print(f"ingested {f}: {res.rows_loaded:,} loaded, {res.rows_quarantined:,} quarantined, "
                  f"{res.duplicates_skipped:,} duplicates", markup=False, highlight=False)
    html = build_report(st, out=out_dir, lang=lang, as_of=_as_of(as_of))
    out.print(f"report: {html}")
    if excel:
        xlsx = write_workbook(st, Path(out_dir) / f"custlens_{lang}.xlsx", lang=lang, as_of=_as_of(as_of))
        out.print(f"workbook: {xlsx}")


# --------------------------------------------------------------------------- demo
@app.command()
@_clean
def demo(
    customers_: int = typer.Option(5000, "--customers", help="Number of customers to simulate."),
    seed: int = typer.Option(42, "--seed", help="Random seed."),
    lang: str = LangOpt,
    out_dir: Path = typer.Option(Path("custlens_demo"), "--out", help="Output folder."),
) -> None:
    """Generate the demo shop (with known ground truth), ingest its messy exports and write the report.

    Example: custlens demo --customers 2000 --lang zh
    """
    from custlens.pipeline import run_demo

    _check_lang(lang)
    run = run_demo(out_dir, customers=customers_, seed=seed, lang=lang, log=lambda m: out.print(m, highlight=False))
    out.print(f"\n[bold green]report:[/] {run.report}")
    out.print(f"store: {run.store_path}   (try: custlens rfm --store {run.store_path})")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
