"""`ReportContext`: what every section function receives.

It carries the store, the ``as_of`` date, the language, translation and formatting
helpers, and a cache so that the customer table, the RFM result and the quality report
are computed once per report, whichever sections ask for them. A new shared computation
(e.g. a fitted CLV model that several sections read) gets a method here built on
`ReportContext.cached`. Analyses are called through the contract, `custlens.analyses`
(``tests/report/test_contract_use.py`` checks that no report module imports a package's own
entry point).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import pandas as pd

from custlens import i18n
from custlens.report import formatting as fmt
from custlens.store import Store

if TYPE_CHECKING:  # pragma: no cover
    from custlens.features.purchase_days import CustomerBuild
    from custlens.quality import QualityReport
    from custlens.segments import RFMResult

__all__ = ["ReportContext"]

T = TypeVar("T")


@dataclass
class ReportContext:
    """The inputs and shared computations of one report.

    Parameters
    ----------
    store : Store
        The store the report is built from.
    as_of : date-like, optional
        The first day not observed. Default: the day after the last order; stays None when
        the store has no orders (sections that need orders then report missing data).
    lang : {"en", "zh"}
        The report language.
    min_group : int, default 5
        Smallest group of customers whose statistics are shown (`small_groups`).

    Attributes
    ----------
    cache : dict
        Shared results by name; use `cached` rather than touching it directly.
    used_keys : set of str
        Every i18n key looked up through `t` (the tests check all of them are translated).
    """

    store: Store
    as_of: pd.Timestamp | None = None
    lang: str = "en"
    min_group: int = 5
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    #: Calendar of the festival lift: an ISO code, "auto" (read from the data) or None.
    country: str | None = "auto"
    #: True when the caller fixed ``as_of`` (historical data is then judged as of that date).
    as_of_given: bool = field(default=False, init=False)
    used_keys: set[str] = field(default_factory=set, repr=False)
    #: Keys being computed: key -> (thread computing it, event set when it is done).
    _pending: dict[str, tuple[int, threading.Event]] = field(default_factory=dict, init=False, repr=False,
                                                             compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.lang not in i18n.LANGS:
            raise ValueError(f"lang={self.lang!r} is not supported; use one of {', '.join(i18n.LANGS)}")
        if self.as_of is not None:
            from custlens.features.customer_table import resolve_as_of

            self.as_of_given = True
            self.as_of = resolve_as_of(self.store, self.as_of)
        elif self.store.has("orders"):
            self.as_of = self.store.default_as_of()

    # -- text ------------------------------------------------------------------------
    def t(self, key: str, /, **kwargs: Any) -> str:
        """The text of i18n ``key`` in the report language; unknown keys raise KeyError."""
        self.used_keys.add(key)
        return i18n.t(key, self.lang, **kwargs)

    def t_or(self, key: str, default: str, /, **kwargs: Any) -> str:
        """The text of ``key`` when it is registered, else ``default`` (e.g. raw data values)."""
        return self.t(key, **kwargs) if i18n.has(key) else default

    # -- formatting ------------------------------------------------------------------
    def num(self, x: Any) -> str:
        """A count: ``'1,234'``."""
        return fmt.fmt_int(x)

    def money(self, x: Any, compact: bool = False) -> str:
        """An amount; ``compact`` gives ``'1.23M'`` / ``'123.5万'`` for cards."""
        return fmt.fmt_compact(x, self.lang) if compact else fmt.fmt_money(x)

    def pct(self, x: Any, digits: int = 1) -> str:
        """A share as a percentage: ``'12.3%'``."""
        return fmt.fmt_pct(x, digits)

    def date(self, x: Any) -> str:
        """``'2024-03-01'``."""
        return fmt.fmt_date(x)

    def small_groups(self, frame: pd.DataFrame, size_col: str = "customers",
                     keep: list[str] | None = None) -> tuple[pd.DataFrame, str]:
        """``frame`` with the numbers of groups under `min_group` customers blanked (except the
        ``keep`` columns, e.g. labels), and the footnote saying so ("" when no group was that
        small). Use it on every table or chart of groups of customers."""
        from custlens.privacy.groups import suppress_small_groups

        out, n = suppress_small_groups(frame, size_col, self.min_group, keep)
        return out, (self.t("privacy.min_group_note", k=self.min_group, n=n) if n else "")

    # -- shared computations -----------------------------------------------------------
    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per report; later calls with ``key`` return the same object.

        Thread-safe (sections may run on several threads, `build_report`'s ``workers``): one
        computation per key; a thread asking for a key another thread is computing waits for
        it. When the computation raises, nothing is stored and a waiting thread computes the
        key itself, as a later section would in a sequential build. Keys a computation asks
        for form a DAG (a cycle would recurse forever in a sequential build too), so waits
        cannot deadlock; a thread asking again for a key it is computing itself computes it
        again, as a sequential build does.
        """
        me = threading.get_ident()
        while True:
            with self._lock:
                if key in self.cache:
                    return self.cache[key]
                pending = self._pending.get(key)
                if pending is None:
                    done = threading.Event()
                    self._pending[key] = (me, done)
                    break
                nested = pending[0] == me  # a call for the key this thread computes (see above)
            if nested:
                value = compute()
                with self._lock:
                    self.cache[key] = value
                return value
            pending[1].wait()  # another thread computes it: wait, then read it (or try ourselves)
        try:
            value = compute()
            with self._lock:
                self.cache[key] = value
        finally:
            with self._lock:
                del self._pending[key]
            done.set()
        return value

    def customers(self) -> pd.DataFrame:
        """The customer table as of `as_of` (`custlens.features.customer_table`)."""
        return self.cached("customers", lambda: self.customer_build().frame)

    def customer_build(self) -> "CustomerBuild":
        """The customer table and every customer's purchase days as of `as_of`
        (`custlens.features.purchase_days.build_customer_table`; CLV reads both)."""
        from custlens.features.purchase_days import build_customer_table

        return self.cached("customer_build", lambda: build_customer_table(self.store, self.as_of))

    def rfm(self, scheme: str = "rfm11") -> "RFMResult":
        """RFM scores and segments of the customer table under ``scheme`` (`custlens.analyses.rfm`)."""
        from custlens import analyses

        if scheme != "rfm11":  # the rfm11 scores under another map: not scored twice (`with_scheme`)
            return self.cached(f"rfm:{scheme}", lambda: self.rfm("rfm11").with_scheme(scheme))
        return self.cached(f"rfm:{scheme}", lambda: analyses.rfm(self.store, as_of=self.as_of, scheme=scheme,
                                                                 customers=self.customers()))

    def quality(self) -> "QualityReport":
        """The data-quality report of the store (`custlens.analyses.quality`).

        With an explicit ``as_of`` the data is judged as of its last observed day (so a
        historical extract is not "stale" for being old); otherwise as of today.
        """
        from custlens import analyses

        today = pd.Timestamp(self.as_of) - pd.Timedelta(days=1) if self.as_of_given else None
        return self.cached("quality", lambda: analyses.quality(self.store, as_of=today))
