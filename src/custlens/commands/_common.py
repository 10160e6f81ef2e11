"""Shared pieces of the CLI: the app, consoles, common options, error handling and rendering.

Commands live in `custlens.cli` (the foundation) and in modules of `custlens.commands`, each
with a ``register(app)`` function; `custlens.cli` imports every such module, so an analysis adds
its command without touching a shared file.

Three rules keep hostile data and faults harmless here, for every command:

- ``out`` and ``err`` never read Rich markup from a string and show control characters as
  escapes (`custlens.safety.visible`); styled text is built with `styled`, tables with
  `frame_table`.
- One handler (`CustlensGroup.invoke`) turns every exception into ``error: <what>, <where>,
  <what to do>`` on stderr with exit code 1; ``--debug`` or ``CUSTLENS_DEBUG=1`` re-raises it
  with its traceback.
- Piped output is not cut at the terminal width.
"""

from __future__ import annotations

import errno
import json
import os
import re
from typing import Any, Callable, Optional

import pandas as pd
import typer
from rich.console import Console, ConsoleDimensions
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from custlens import i18n
from custlens.errors import CustlensError
from custlens.safety import visible
from custlens.store import DEFAULT_STORE

i18n.register({
    "cli.quality.headline": {"en": "data quality: {score}/100, grade {grade}",
                             "zh": "数据质量：{score}/100，等级 {grade}"},
    "cli.warning.as_of_after_data": {
        "en": "warning: --as-of {as_of} is after the data (last order {last}); every customer looks inactive "
              "for the days in between. Use an earlier --as-of or omit it",
        "zh": "警告：--as-of {as_of} 晚于数据范围（最后一笔订单 {last}）；其间的天数会让所有客户显得不活跃。"
              "请使用更早的 --as-of，或不指定该参数",
    },
})

#: Width used when output goes to a pipe or a file: wide enough that no table is cut.
PIPE_WIDTH = 10_000


class SafeConsole(Console):
    """A Rich console for data: no markup from strings, control characters made visible.

    Text built on purpose with styles is passed as `rich.text.Text` (see `styled`); tables as
    `rich.table.Table` (see `frame_table`). When the output is not a terminal, lines are as wide
    as their content instead of being cut at 80 columns.
    """

    def print(self, *objects: Any, **kwargs: Any) -> None:  # noqa: A003  (Rich's name)
        objects = tuple(visible(o, keep="\n") if isinstance(o, str) else o for o in objects)
        kwargs["markup"] = False
        kwargs["emoji"] = False  # ":smile:" in the data stays those characters
        kwargs.setdefault("highlight", False)
        super().print(*objects, **kwargs)

    @property
    def size(self) -> ConsoleDimensions:
        dims = Console.size.fget(self)  # type: ignore[attr-defined]
        return dims if self.is_terminal else ConsoleDimensions(PIPE_WIDTH, dims.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


def styled(*parts: str | tuple[str, str]) -> Text:
    """Styled text from ``"plain"`` and ``("text", "style")`` parts; the text is never markup."""
    return Text.assemble(*[(visible(p[0], "\n"), p[1]) if isinstance(p, tuple) else visible(p, "\n")
                           for p in parts])


# ------------------------------------------------------------------------- the error handler
def debug_enabled(ctx: Any = None) -> bool:
    """True with ``--debug`` or the environment variable ``CUSTLENS_DEBUG=1``."""
    if os.environ.get("CUSTLENS_DEBUG", "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    return bool(ctx is not None and ctx.params.get("debug"))


def describe_error(exc: BaseException, command: str | None) -> str:
    """``<what>, <where>, <what to do>`` for any exception (the CLI's one error format)."""
    where = f"in `custlens {command}`" if command else "in custlens"
    if isinstance(exc, CustlensError):
        return str(exc)
    if isinstance(exc, OSError) and not _is_from(exc, "duckdb"):
        name = exc.filename if exc.filename is not None else "a file"
        name = repr(str(name)) if exc.filename is not None else name
        if exc.errno == errno.ENOSPC:
            return (f"no space left on the device while writing {name} {where}; free some space or write to "
                    f"another folder (files written earlier are unchanged)")
        if exc.errno == errno.EROFS:
            return f"{name} is on a read-only file system {where}; write to another folder"
        if isinstance(exc, PermissionError):
            return f"permission denied for {name} {where}; check its permissions or choose another path"
        if isinstance(exc, FileNotFoundError):
            return f"no such file or folder: {name} {where}; check the path"
        return f"{exc.strerror or exc} for {name} {where}; check the path and the disk"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if (_is_from(exc, "duckdb") or _is_from(exc, "pyarrow")) and "parquet" in str(exc).lower():
        return (f"cannot read Parquet data {where} ({first}); the file is damaged or not Parquet: "
                f"export it again")
    if _is_from(exc, "duckdb") and "no space left" in first.lower():
        return (f"no space left on the device while writing the store {where} ({first}); free some space and "
                f"run the command again")
    if _is_from(exc, "duckdb") and ("permission denied" in first.lower() or "read-only" in first.lower()):
        return (f"the store cannot be written {where} ({first}); make the store file and its folder writable, "
                f"or use a command that only reads")
    if _is_from(exc, "duckdb"):
        return (f"the store could not be read or written {where} ({first}); if the store file is damaged "
                f"(truncated, failed checksum), restore it from a backup or re-ingest the exports into a new "
                f"store with --store NEW.duckdb")
    if _is_from(exc, "pyarrow"):
        return (f"cannot read Parquet/Arrow data {where} ({first}); the file is damaged or not Parquet: "
                f"export it again")
    if isinstance(exc, MemoryError):
        return f"out of memory {where}; try a smaller file or a machine with more memory"
    return (f"unexpected {type(exc).__name__} {where}: {first}; this is a bug in custlens: run again with "
            f"--debug (or CUSTLENS_DEBUG=1) and report the traceback")


def _is_from(exc: BaseException, package: str) -> bool:
    return any(t.__module__.split(".")[0].lstrip("_") == package for t in type(exc).__mro__)


class CustlensGroup(TyperGroup):
    """The top-level command group: one error handler for every command, value names in help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_values(self)
        self.get_help_option = _flag_help(self.get_help_option)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # `custlens ... | head`: the reader left, nothing to report
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            raise typer.Exit(1) from None
        except Exception as exc:
            if type(exc).__module__.startswith(("click", "typer")):  # usage errors, exit codes
                raise
            if debug_enabled(ctx):
                raise
            err.print(f"error: {describe_error(exc, ctx.invoked_subcommand)}")
            raise typer.Exit(1) from None


def _name_values(group: Any) -> None:
    """Show a value name (``--store PATH``, ``--horizon N``) instead of a Python type in help."""
    by_type = {"int": "N", "float": "NUMBER", "Path": "FILE", "list[Path]": "FILE", "bool": ""}
    for cmd in [group, *getattr(group, "commands", {}).values()]:
        if cmd is not group:
            _name_values(cmd)
        for p in getattr(cmd, "params", []):
            if p.param_type_name == "argument":  # its name is the value name (FILE, FILES...)
                p.display_type_rich = lambda ctx: None
                p.metavar = p.metavar or re.sub(r"\W", "_", str(p.name).upper().removesuffix("_"))
            if p.metavar is not None or p.param_type_name != "option":
                continue
            name = re.sub(r"\W", "_", str(p.name).upper().removesuffix("_"))
            kind = p.bare_type() if hasattr(p, "bare_type") else ""
            p.metavar = by_type.get(kind, name)
        if hasattr(cmd, "get_help_option"):
            cmd.get_help_option = _flag_help(cmd.get_help_option)


def _flag_help(get: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapped(ctx: Any) -> Any:
        opt = get(ctx)
        if opt is not None:
            opt.metavar = ""
        return opt

    return wrapped


app = typer.Typer(
    cls=CustlensGroup,
    help="custlens: customer analytics for online shops (ingest, quality, RFM, CLV, reports).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _main(ctx: typer.Context,
          debug: bool = typer.Option(False, "--debug", envvar="CUSTLENS_DEBUG",
                                     help="Show the full traceback of an error (for a bug report)."),
          engine: str = typer.Option("duckdb", "--engine", envvar="CUSTLENS_ENGINE", metavar="[duckdb|spark]",
                                     help="Engine of the read-only analyses: duckdb, or spark (customers, rfm, cohorts, quality, "
                                          "profile, behaviour, lifecycle, loyalty, customer; needs custlens[spark] "
                                          "and Java).")) -> None:
    """custlens: customer analytics for online shops (ingest, quality, RFM, CLV, reports)."""
    from custlens import engines

    engines.check_command(engine, ctx.invoked_subcommand)
    engines.set_default_engine(engine)
    ctx.call_on_close(engines.release_active)  # in-process runs (tests) start clean
    ctx.call_on_close(lambda: engines.set_default_engine("duckdb"))


out = SafeConsole(soft_wrap=True)
err = SafeConsole(stderr=True, soft_wrap=True)

StoreOpt = typer.Option(DEFAULT_STORE, "--store", metavar="PATH", help="The DuckDB store file.")
JsonOpt = typer.Option(False, "--json", help="Print one JSON object instead of tables.")
AsOfOpt = typer.Option(None, "--as-of", metavar="DATE",
                       help="Analyse as of this date (default: the day after the last order).")
LangOpt = typer.Option("en", "--lang", metavar="[en|zh]", help="Language of texts: en or zh.")
ForceOpt = typer.Option(False, "--force", help="Replace an existing output file that custlens did not write.")


def clean(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Kept for the command modules: errors are handled once, by `CustlensGroup.invoke`."""
    return fn


def emit_json(obj: Any) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=2, default=_default)
    # JSON escapes C0 controls itself; C1 controls (e.g. \x9b, a terminal CSI) and bidi overrides not.
    typer.echo(re.sub(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group(0)):04x}", text))


def _default(v: Any) -> Any:
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def parse_as_of(value: Optional[str], store: Any = None, lang: str = "en") -> Optional[pd.Timestamp]:
    """``--as-of`` as a timestamp; with ``store``, warn (in ``lang``) when it lies after the data."""
    if value is None:
        return None
    try:
        when = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise CustlensError(f"--as-of {value!r} is not a date; use YYYY-MM-DD") from None
    if store is not None:
        warn_as_of(store, when, lang)
    return when


def warn_as_of(store: Any, when: Optional[pd.Timestamp], lang: str = "en") -> None:
    """Warn on stderr when ``when`` is after the day following the last order."""
    if when is None:
        return
    from custlens import schema

    last = store.max_timestamp("orders", schema.ORDERED_AT)
    if last is not None and when > last.normalize() + pd.Timedelta(days=1):
        err.print(i18n.t("cli.warning.as_of_after_data", lang, as_of=f"{when:%Y-%m-%d}", last=f"{last:%Y-%m-%d}"))


def check_lang(lang: str) -> str:
    if lang not in ("en", "zh"):
        raise CustlensError(f"--lang {lang!r} is not supported; use en or zh")
    return lang


# ------------------------------------------------------------------------- tables and numbers
_DAYS = re.compile(r"(^|_)(days?|recency|T|gap)(_|$)")
_COUNT = re.compile(r"(^|_)(orders|customers|count|members|frequency|age|years|n|lines|tickets|cohorts)(_|$)")


def number_format(column: str, values: pd.Series) -> Callable[[Any], str]:
    """How a numeric column is shown: days as whole days, counts and ages without ``.0``, the
    rest (money, rates) with thousands separators and 2 decimals; ``*share`` as a percentage."""
    name = str(column)
    if name.endswith("share"):
        return lambda v: f"{v:.1%}" if isinstance(v, float) else _fmt(v)
    nums = pd.to_numeric(values, errors="coerce").dropna()
    if "week" in name:  # recency_weeks, T_weeks: fractions matter
        return _fmt
    if _DAYS.search(name) and pd.api.types.is_numeric_dtype(values):
        return lambda v: f"{round(v):,}" if isinstance(v, float) and v == v else _fmt(v)
    if _COUNT.search(name) and len(nums) and (nums == nums.round()).all():
        return lambda v: f"{int(v):,}" if isinstance(v, float) and v == v else _fmt(v)
    return _fmt


def frame_table(df: pd.DataFrame, title: str | None = None, lang: str = "en") -> Table:
    """A rich table with translated headers and numbers formatted by kind (see `number_format`).

    Every header, cell and the title are shown literally: no markup, control characters as escapes.
    """
    from custlens import i18n

    table = Table(title=Text(visible(title)) if title is not None else None, show_lines=False)
    for c in df.columns:
        key = f"report.col.{c}"
        table.add_column(Text(visible(i18n.t(key, lang) if i18n.has(key) else c)),
                         justify="right" if pd.api.types.is_numeric_dtype(df[c]) else "left")
    fmts = [number_format(c, df[c]) for c in df.columns]
    for row in df.itertuples(index=False):
        table.add_row(*[Text(visible(f(v))) for v, f in zip(row, fmts)])
    return table


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "" if pd.isna(v) else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    return str(v)
