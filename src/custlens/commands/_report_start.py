"""The start of ``custlens report``: the customer table built on a thread while the report imports.

Before its first section the report needs two things that do not depend on each other: the
customer table (`custlens.features.purchase_days.build_customer_table`: DuckDB queries over every
order, which run without Python's GIL, then NumPy) and the report's modules (the sections, the
CLV models, scikit-learn, SciPy, plotly: seconds of importing, which hold the GIL). The command
starts the build on a thread of its own DuckDB connection (`custlens.store.Store.
thread_connection`) as soon as it knows the store and ``as_of``, imports meanwhile, then takes
the build: the very object the CLV fit and the report context read, as if built there.

Errors reach the user exactly as before: when the early build fails, `EarlyBuild.value` gives
None and the table is built again where it was built before (by the command on the writable
store, or by the first section that needs it), which raises the error there, with its message and
its handling (missing data becomes the sections' note). A failure of the thread alone (say, a
module another thread was still importing) thus costs a second build, never the report.
`EarlyBuild.result` raises the build's own exception instead. The thread never outlives the
command's block: `EarlyBuild.wait` joins it, also when the block fails.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pandas as pd

from custlens.store import Store

if TYPE_CHECKING:  # pragma: no cover
    from custlens.features.purchase_days import CustomerBuild

__all__ = ["EarlyBuild", "import_report_modules", "start_customer_build"]


class EarlyBuild:
    """The customer table as of ``as_of``, being built on a thread (see the module docstring).

    Parameters
    ----------
    store : Store
        An open DuckDB store; the thread queries it through a cursor of its own, so the caller
        may keep using ``store`` (not close it) until `wait` returns.
    as_of : Timestamp or None
        As `build_customer_table` takes it (None: the day after the last order).
    """

    def __init__(self, store: Store, as_of: pd.Timestamp | None) -> None:
        self._store, self._as_of = store, as_of
        self._value: CustomerBuild | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="custlens-customer-build")

    def _run(self) -> None:
        from custlens.features.purchase_days import build_customer_table

        try:
            with self._store.thread_connection():
                self._value = build_customer_table(self._store, self._as_of)
        except BaseException as exc:  # handed over by `result`, in the caller's thread
            self._error = exc

    def start(self) -> "EarlyBuild":
        """Start the build; returns ``self``."""
        self._thread.start()
        return self

    def wait(self) -> None:
        """Block until the build is done (it always ends: the thread waits for nothing)."""
        self._thread.join()

    def result(self) -> "CustomerBuild":
        """The build, after waiting for it; raises the exception the build raised."""
        self.wait()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value

    def value(self) -> "CustomerBuild | None":
        """The build, or None when it failed (the caller then builds it again where needed)."""
        self.wait()
        return self._value


def start_customer_build(store: Store, as_of: pd.Timestamp | None) -> EarlyBuild | None:
    """Start building ``store``'s customer table on a thread, or None when there is nothing to start.

    Nothing starts on a store without orders (the sections report the missing data as before) or
    on another engine than DuckDB (a Spark session is not shared by threads here).

    Parameters
    ----------
    store : Store
        The open store; keep it open until the returned build's `EarlyBuild.wait` returned.
    as_of : Timestamp or None
        The report's ``--as-of`` (None: the day after the last order).

    Returns
    -------
    EarlyBuild or None
    """
    if store.engine != "duckdb" or not store.has("orders"):
        return None
    return EarlyBuild(store, as_of).start()


def import_report_modules() -> None:
    """Import what the report runs: its package, the CLV pipeline and every section module.

    Seconds of work at start-up, which the report would otherwise do right before its first
    section; done while the customer table is being built, it costs no wall time of its own.
    """
    import custlens.clv.pipeline  # noqa: F401
    import custlens.report  # noqa: F401
    from custlens.report.registry import registered_sections

    registered_sections()  # imports the section modules
