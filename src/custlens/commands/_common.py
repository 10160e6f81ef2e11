"""Shared pieces of the CLI: the app, consoles, common options, error handling and rendering.

Commands live in `custlens.cli` (the foundation) and in modules of `custlens.commands`, each
with a ``register(app)`` function; `custlens.cli` imports every such module, so an analysis adds
its command without touching a shared file.
"""

from __future__ import annotations

import functools
import json
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


def clean(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into `error: ...` and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CustlensError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def emit_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=_default))


def _default(v: Any) -> Any:
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def parse_as_of(value: Optional[str]) -> Optional[pd.Timestamp]:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise CustlensError(f"--as-of {value!r} is not a date; use YYYY-MM-DD") from None


def check_lang(lang: str) -> str:
    if lang not in ("en", "zh"):
        raise CustlensError(f"--lang {lang!r} is not supported; use en or zh")
    return lang


def frame_table(df: pd.DataFrame, title: str | None = None, lang: str = "en") -> Table:
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
