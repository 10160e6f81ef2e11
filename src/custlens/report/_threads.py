"""Report sections on several threads: the worker pool of `run_sections` and thread-local warnings.

Most of a section's time is spent outside the GIL (DuckDB queries, NumPy sorts, scikit-learn's
and numba's compiled loops), so two sections can run at once on two cores. What they share is
made safe here or where it lives:

- the report context's cache (`ReportContext.cached`: one computation per key, waits);
- the store's DuckDB connection: each worker thread queries through its own cursor
  (`Store.thread_connection`);
- Python's warning filters: ``warnings.catch_warnings`` swaps module-wide state, so two threads
  recording warnings at once (the CLV, churn, value-matrix and forecast fits judge their fits by
  the warnings recorded) would record each other's warnings, lose their own, or leave the
  process recording into a dead list. `thread_local_warnings` makes that state per thread while
  the sections run (Python 3.14 does the same with ``-X context_aware_warnings``).
- the native thread pools (`section_thread_limits`): BLAS's thread count is one setting of the
  whole process, and the CLV and clustering fits set it to 1 and back around their work: two such
  windows overlapping on two threads restore each other's value and left BLAS on one thread after
  the report. OpenMP's count is per thread (libgomp, LLVM's libomp), so a limit set by the caller
  does not reach the section threads.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import types
import warnings
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence, TypeVar

from threadpoolctl import threadpool_limits

__all__ = ["SECTION_COST", "WARM_IMPORTS", "run_parallel", "section_thread_limits", "thread_local_warnings"]

T = TypeVar("T")

#: Wall seconds of the sections at 1M customers (main 0118f39, idle machine, one after the other;
#: bench/README.md "Report at 1M, session 6: overlap"): the pool starts the longest first, so the
#: last section to finish is a short one. Unlisted: 0.
SECTION_COST: dict[str, float] = {
    "churn": 20.9, "segments": 9.2, "forecast": 4.7, "rfm": 2.7, "lifecycle": 1.9, "kpis": 1.3,
    "cohorts": 1.1, "quality": 1.1, "behaviour": 1.0, "profile": 0.7, "timing": 0.5, "loyalty": 0.1,
    "clv": 0.1,
}

#: Libraries that sections import on first use and that other libraries look up in
#: ``sys.modules`` without importing (scikit-learn's and narwhals' ``polars`` checks): imported by
#: a second thread at the same moment, such a lookup finds a half-initialised module
#: (``AttributeError: partially initialized module 'polars'``). `run_parallel` imports them first;
#: a full report imports them anyway. Absent optional packages are skipped.
#: scikit-learn loads its OpenMP runtime, which `section_thread_limits` must find loaded to limit it.
WARM_IMPORTS: tuple[str, ...] = ("polars", "lifelines", "statsforecast", "sklearn")


def _warm_imports() -> None:
    for name in WARM_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


# -- thread-local warning state ------------------------------------------------------------------
_state = threading.local()
_lock = threading.Lock()
_installed = 0
_generation = 0  # one per installation: a thread's state from an earlier one is stale
_saved: dict[str, Any] = {}


def _mine() -> threading.local:
    """The calling thread's warning state, first copied from the process's (the module's dict)."""
    if getattr(_state, "generation", None) != _generation:
        _state.filters = list(_saved["filters"])
        _state.showwarning = _saved["showwarning"]
        _state.impl = _saved["_showwarnmsg_impl"]
        _state.generation = _generation
    return _state


def _showwarnmsg(msg: warnings.WarningMessage) -> None:
    """`warnings._showwarnmsg` reading the calling thread's ``showwarning`` and recorder."""
    st = _mine()
    if st.showwarning is not _saved["_showwarning_orig"]:  # replaced by the user: call it
        if not callable(st.showwarning):
            raise TypeError("warnings.showwarning() must be set to a function or method")
        st.showwarning(msg.message, msg.category, msg.filename, msg.lineno, msg.file, msg.line)
        return
    st.impl(msg)


def _prop(attr: str) -> property:
    return property(lambda _m: getattr(_mine(), attr), lambda _m, v: setattr(_mine(), attr, v))


class _ThreadWarnings(types.ModuleType):
    """The ``warnings`` module's class while `thread_local_warnings` is active.

    ``catch_warnings`` and the C warning machinery read and set these names as attributes of
    the module (``warnings.filters``, ``warnings.showwarning``, ``warnings._showwarnmsg_impl``,
    ``warnings._showwarnmsg``), so properties make them per thread; `_add_filter` and
    `resetwarnings` (which use the module's globals) are replaced for the same reason.
    """

    filters = _prop("filters")
    showwarning = _prop("showwarning")
    _showwarnmsg_impl = _prop("impl")
    _showwarnmsg = property(lambda _m: _showwarnmsg)


def _add_filter(*item: Any, append: bool) -> None:
    filters = _mine().filters
    if not append:
        try:
            filters.remove(item)
        except ValueError:
            pass
        filters.insert(0, item)
    elif item not in filters:
        filters.append(item)
    warnings._filters_mutated()  # type: ignore[attr-defined]


def _resetwarnings() -> None:
    _mine().filters[:] = []
    warnings._filters_mutated()  # type: ignore[attr-defined]


@contextmanager
def thread_local_warnings() -> Iterator[None]:
    """Make the warning filters and recorders of ``warnings.catch_warnings`` per thread.

    Each thread starts from the filters in force when the block was entered. On exit the calling
    thread's state becomes the process's again. Nested or concurrent uses share one installation.
    """
    global _installed, _generation
    with _lock:
        _installed += 1
        if _installed == 1:
            _generation += 1
            d = warnings.__dict__
            _saved.update(filters=list(d["filters"]), _showwarnmsg_impl=d["_showwarnmsg_impl"],
                          _showwarning_orig=d["_showwarning_orig"], showwarning=d["showwarning"],
                          _add_filter=d["_add_filter"], resetwarnings=d["resetwarnings"])
            d["_add_filter"], d["resetwarnings"] = _add_filter, _resetwarnings
            warnings.__class__ = _ThreadWarnings
    try:
        yield
    finally:
        with _lock:
            _installed -= 1
            if _installed == 0:
                st = _mine()
                warnings.__class__ = types.ModuleType
                d = warnings.__dict__
                d["filters"][:] = st.filters  # the C module holds this very list object
                d["showwarning"], d["_showwarnmsg_impl"] = st.showwarning, st.impl
                d["_add_filter"], d["resetwarnings"] = _saved["_add_filter"], _saved["resetwarnings"]
                _generation += 1
                warnings._filters_mutated()  # type: ignore[attr-defined]


# -- native thread pools -------------------------------------------------------------------------
@contextmanager
def section_thread_limits(workers: int) -> Iterator[Callable[[], Any]]:
    """One BLAS and one OpenMP thread per section thread while ``workers`` sections run at once.

    Two section threads already keep two cores busy; a section's own BLAS or OpenMP team would
    wait for a core the other section holds. Entered by the caller of the pool: it sets BLAS (one
    setting of the process) to one thread for the whole build, so that the sections' own
    ``threadpool_limits(1)`` windows, overlapping on two threads, save and restore that 1 among
    themselves, and on exit puts back the value it found. It yields a context-manager factory that
    each worker thread enters around its sections: OpenMP's thread count is per thread (the
    caller's setting does not reach a new thread), restored when the worker leaves it.

    Parameters
    ----------
    workers : int
        Section threads; with 1, nothing is changed.

    Yields
    ------
    callable
        Returns the per-thread OpenMP limit (a null context with one worker).
    """
    if workers <= 1:
        yield contextlib.nullcontext
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield lambda: threadpool_limits(limits=1, user_api="openmp")


# -- the pool ------------------------------------------------------------------------------------
def run_parallel(tasks: Sequence[Callable[[], T]], costs: Sequence[float], workers: int,
                 init: Callable[[], Any]) -> list[T]:
    """Run ``tasks`` on ``workers`` threads, costliest first; results in the order of ``tasks``.

    Parameters
    ----------
    tasks : sequence of callables
        The work (e.g. one section each).
    costs : sequence of float
        Expected cost of each task: the pool starts them in decreasing cost (ties: given order).
    workers : int
        Number of threads.
    init : callable
        Returns a context manager entered by each worker thread around all its tasks (the
        store's `thread_connection`).

    Returns
    -------
    list
        ``tasks[i]()`` at position ``i``.

    Raises
    ------
    Exception
        When a task raises, the tasks not yet started are cancelled, the running ones finish,
        and the exception of the first failed task in the given order is raised.

    Notes
    -----
    While the tasks run on more than one thread, BLAS and OpenMP run one thread each
    (`section_thread_limits`); their settings are restored when the tasks are done.
    """
    _warm_imports()
    order = sorted(range(len(tasks)), key=lambda i: (-costs[i], i))
    queue = iter(order)
    qlock = threading.Lock()
    stop = threading.Event()
    results: dict[int, T] = {}
    errors: dict[int, BaseException] = {}

    def worker() -> None:
        with init(), omp_limit():
            while not stop.is_set():
                with qlock:
                    i = next(queue, None)
                if i is None:
                    return
                try:
                    results[i] = tasks[i]()
                except BaseException as exc:  # noqa: BLE001  (re-raised below, in the caller)
                    errors[i] = exc
                    stop.set()

    threads = min(workers, len(tasks))
    with thread_local_warnings(), section_thread_limits(threads) as omp_limit, \
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="custlens-section") as pool:
        futures: list[Future[None]] = [pool.submit(worker) for _ in range(threads)]
        wait(futures, return_when=FIRST_EXCEPTION)
        for f in futures:
            f.result()  # an error of `init` itself
    if errors:
        raise errors[min(errors)]
    return [results[i] for i in range(len(tasks))]
