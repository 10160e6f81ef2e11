"""The section registry: how an analysis gets a chapter in the report.

Adding a section
----------------
Write one module in ``custlens/report/sections/`` (every module there is imported when a
report is built) with one decorated function::

    from custlens.report.blocks import Figure, KpiCards, Kpi, Section, Table
    from custlens.report.context import ReportContext
    from custlens.report.registry import register_section

    @register_section("clv", order=50)
    def clv_section(ctx: ReportContext) -> Section | None:
        customers = ctx.customers()          # shared, computed once per report
        result = ctx.cached("clv", lambda: fit_clv(customers))
        return Section(
            ctx.t("report.clv.title"),
            intro=ctx.t("report.clv.intro"),
            blocks=[KpiCards([Kpi(ctx.t("report.clv.total"), ctx.money(result.total, compact=True))]),
                    Table(result.top_customers)],
        )

Rules of the seam:

- ``order`` places the section (built-ins: overview 10, quality 20, kpis 30, rfm 40;
  leave gaps, e.g. clv 50, churn 60, behaviour 70).
- Every text goes through ``ctx.t(key)``; register the keys in English and Chinese in
  `custlens.report.texts` / `custlens.report.texts_analyses` (or with `custlens.i18n.register`
  at the top of the section module, which must then be listed in `custlens.i18n.CATALOGUES`).
  Table headers default to the keys ``report.col.<column>``.
- When the inputs are absent, let `MissingDataError` propagate (``store.require(...)``
  raises it with a message saying what to load): the registry turns it into a section
  with the title ``report.<key>.title`` and a "missing data" note carrying the message.
  Other `CustlensError` (e.g. too little data to fit a model) become a warning note the
  same way. Return ``None`` to leave the section out silently (e.g. nothing to say).
- Other exceptions are bugs and propagate.
- Sections do no I/O and print nothing; they only read through the context.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from custlens import i18n
from custlens.errors import CustlensError, MissingDataError
from custlens.report.blocks import Note, Section
from custlens.report.context import ReportContext

__all__ = ["SectionSpec", "SectionFunc", "register_section", "registered_sections", "run_sections"]

SectionFunc = Callable[[ReportContext], "Section | None"]

_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")
_REGISTRY: dict[str, "SectionSpec"] = {}
_BUILTINS_LOADED = False


@dataclass(frozen=True)
class SectionSpec:
    """A registered section: its key, position, title key and function."""

    key: str
    order: float
    func: SectionFunc
    title_key: str


def register_section(
    key: str, order: float, title_key: str | None = None
) -> Callable[[SectionFunc], SectionFunc]:
    """Register a section function under ``key``.

    Parameters
    ----------
    key : str
        Unique lower-case identifier (also the HTML anchor), e.g. ``"clv"``.
    order : float
        Position in the report; lower comes first.
    title_key : str, optional
        i18n key of the title used when the section's data is missing.
        Default ``"report.<key>.title"``.

    Returns
    -------
    callable
        A decorator returning the function unchanged.

    Raises
    ------
    ValueError
        For a malformed key, or a key already registered by another function.
    """
    if not _KEY.match(key):
        raise ValueError(f"section key {key!r} must be lower-case letters, digits, '_' or '-'")

    def decorator(func: SectionFunc) -> SectionFunc:
        old = _REGISTRY.get(key)
        if old is not None and _qualname(old.func) != _qualname(func):
            raise ValueError(
                f"section {key!r} is already registered by {_qualname(old.func)}; pick another key"
            )
        _REGISTRY[key] = SectionSpec(key, float(order), func, title_key or f"report.{key}.title")
        return func

    return decorator


def _qualname(func: Callable[..., object]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def _load_builtin_sections() -> None:
    """Import every module of `custlens.report.sections` so their decorators run."""
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    from custlens.report import sections

    for info in pkgutil.iter_modules(sections.__path__):
        importlib.import_module(f"{sections.__name__}.{info.name}")
    _BUILTINS_LOADED = True


def registered_sections(keys: Iterable[str] | None = None) -> list[SectionSpec]:
    """Registered sections in report order, optionally only those in ``keys``.

    Raises
    ------
    ValueError
        When ``keys`` names a section that is not registered.
    """
    _load_builtin_sections()
    specs = sorted(_REGISTRY.values(), key=lambda s: (s.order, s.key))
    if keys is None:
        return specs
    wanted = list(keys)
    unknown = [k for k in wanted if k not in _REGISTRY]
    if unknown:
        raise ValueError(
            f"unknown report section(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(s.key for s in specs)}"
        )
    return [s for s in specs if s.key in wanted]


def run_section(spec: SectionSpec, ctx: ReportContext) -> Section | None:
    """Build one section, turning missing data into a note instead of an error."""
    try:
        section = spec.func(ctx)
    except MissingDataError as exc:
        return _note_section(spec, ctx, ctx.t("report.missing_data"), _detail(exc, ctx), "missing")
    except CustlensError as exc:
        return _note_section(spec, ctx, ctx.t("report.section_failed"), _detail(exc, ctx), "warning")
    if section is None:
        return None
    if not isinstance(section, Section):
        raise TypeError(
            f"section {spec.key!r} ({_qualname(spec.func)}) returned {type(section).__name__}; "
            "return a Section or None"
        )
    section.key = spec.key
    return section


def _detail(exc: CustlensError, ctx: ReportContext) -> tuple[str, str]:
    """The error in the reader's language when it carries an i18n key, else its English message.

    Technical details without a key stay English (the language of messages and logs); the
    template marks them ``lang="en"``.
    """
    key = getattr(exc, "key", None)
    if ctx.lang == "en":
        return str(exc), ""
    if key and i18n.has(key):
        return i18n.t(key, ctx.lang, **getattr(exc, "params", {})), ""
    return f"{ctx.t('report.detail_en')}: {exc}", "en"


def _note_section(spec: SectionSpec, ctx: ReportContext, text: str, detail: tuple[str, str],
                  level: str) -> Section:
    return Section(
        ctx.t(spec.title_key),
        blocks=[Note(text, level=level, detail=detail[0], detail_lang=detail[1])],  # type: ignore[arg-type]
        key=spec.key,
        missing=True,
    )


def run_sections(ctx: ReportContext, keys: Iterable[str] | None = None, workers: int = 1) -> list[Section]:
    """Build the registered sections (or those in ``keys``) in order, skipping ``None``.

    With ``workers`` > 1 (and a DuckDB store) the sections run on that many threads, the
    longest first (`custlens.report._threads`), each thread querying the store through its own
    connection; the result is in report order and equal to a sequential build's. A section's
    missing data or `CustlensError` becomes its note as in a sequential build; any other
    exception stops the sections not yet started and is raised once the running ones are done.
    """
    specs = registered_sections(keys)
    if workers > 1 and len(specs) > 1 and getattr(ctx.store, "engine", None) == "duckdb":
        from custlens.report._threads import SECTION_COST, run_parallel

        tasks = [functools.partial(run_section, spec, ctx) for spec in specs]
        built = run_parallel(tasks, [SECTION_COST.get(s.key, 0.0) for s in specs], workers,
                             init=ctx.store.thread_connection)
    else:
        built = [run_section(spec, ctx) for spec in specs]
    return [section for section in built if section is not None]
