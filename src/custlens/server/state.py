"""The store as the server sees it: read-only, re-read when the file changes, results cached.

The server never holds the DuckDB file open between requests: every computation opens it
read-only, runs and closes it, so `custlens ingest` can still write to it. Each cached result
is keyed by the store's *state* (size and modification time of the file and of its ``.wal``);
when the state changes, every cache is dropped and rebuilt on the next call.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from custlens.errors import CustlensError, StoreError
from custlens.store import Store

__all__ = ["NotReady", "StoreState"]

T = TypeVar("T")


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


class NotReady(RuntimeError):
    """A result is being computed in the background (the server answers 503 with ``Retry-After``).

    Parameters
    ----------
    what : str
        The result's name (``models``, ``index``): picks the translated message.
    retry_after : int
        Seconds after which a client should ask again.
    """

    def __init__(self, what: str, retry_after: int = 30):
        super().__init__(f"{what} not ready")
        self.what, self.retry_after = what, retry_after


class StoreState:
    """A store file, its current state and the results computed from that state.

    Parameters
    ----------
    path : str or Path
        The DuckDB store; it must exist (the server never creates one).
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        if not self.path.exists():
            raise StoreError(f"no store at {str(self.path)!r}; create it with `custlens ingest FILE --store {path}`")
        # DuckDB connections are not thread-safe and results must not be computed twice:
        # one re-entrant lock serialises every computation; cached reads skip it.
        self.lock = threading.RLock()
        self._key: tuple[Any, ...] | None = None
        self._cache: dict[str, Any] = {}
        self._running: dict[str, tuple[tuple[Any, ...], threading.Thread]] = {}
        #: Wall seconds of the last background run of each result (start-up figures of /api/status).
        self.seconds: dict[str, float] = {}

    def key(self) -> tuple[Any, ...]:
        """Size and mtime of the store file and its write-ahead log (a small write may touch only the log)."""
        return _stat(self.path), _stat(self.path.with_name(self.path.name + ".wal"))

    @contextmanager
    def open(self) -> Iterator[Store]:
        """The store opened read-only for the duration of a block."""
        with self.lock:
            store = Store(self.path, read_only=True)
            try:
                yield store
            finally:
                store.close()

    def cached(self, name: str, compute: Callable[[Store], T]) -> T:
        """``compute(store)`` once per store state; later calls return the same object.

        A data failure (`CustlensError`, e.g. `MissingDataError`) is cached too, so a store
        without enough data does not refit on every request; a `StoreError` (file locked by a
        writer, missing) is not.
        """
        key = self.key()
        hit = self._cache.get(name) if self._key == key else None
        if hit is None:
            with self.lock:
                self._follow_store()
                hit = self._cache.get(name)
                if hit is None:
                    try:
                        with self.open() as store:
                            hit = (True, compute(store))
                    except StoreError:
                        raise  # e.g. a writer holds the file: try again on the next call
                    except CustlensError as exc:
                        hit = (False, exc)
                    self._cache[name] = hit
        return _unwrap(hit)

    def background(self, name: str, compute: Callable[[Store], T], retry_after: int = 30) -> T:
        """The cached result ``name``, else start computing it in a thread and raise `NotReady`.

        The thread opens its own read-only connection and does not hold `lock`, so every other
        answer (the 360, lists, pages) goes on while a slow fit runs. A result (or a data failure)
        is kept only if the store did not change meanwhile; a changed store starts a new run.

        Raises
        ------
        NotReady
            The result is being computed.
        """
        with self.lock:
            key = self._follow_store()
            hit = self._cache.get(name)
            if hit is None:
                run = self._running.get(name)
                if run is None or run[0] != key or not run[1].is_alive():
                    thread = threading.Thread(target=self._compute_in_background, args=(name, compute, key),
                                              daemon=True, name=f"custlens-{name}")
                    self._running[name] = (key, thread)
                    thread.start()
                raise NotReady(name, retry_after)
        return _unwrap(hit)

    def _follow_store(self) -> tuple[Any, ...]:
        """The store's current state key; a changed store empties the cache (call under `lock`)."""
        key = self.key()
        if self._key != key:
            self._cache.clear()
            self._key = key
        return key

    def _compute_in_background(self, name: str, compute: Callable[[Store], Any], key: tuple[Any, ...]) -> None:
        try:
            store = Store(self.path, read_only=True)
        except StoreError:
            return  # a writer holds the file: the next request starts another run
        start = time.perf_counter()
        try:
            hit: tuple[bool, Any] = (True, compute(store))
        except CustlensError as exc:
            hit = (False, exc)
        except Exception as exc:  # noqa: BLE001 - a bug: kept, so the request answers 500 (logged there)
            hit = (False, exc)
        finally:
            store.close()
        self.seconds[name] = round(time.perf_counter() - start, 1)
        with self.lock:
            if self._key == key == self.key():
                self._cache[name] = hit

    def status(self, name: str) -> str:
        """``ready``, ``failed``, ``computing`` or ``waiting`` (not started) for the current store state."""
        key = self.key()
        hit = self._cache.get(name) if self._key == key else None
        if hit is not None:
            return "ready" if hit[0] else "failed"
        run = self._running.get(name)
        return "computing" if run is not None and run[0] == key and run[1].is_alive() else "waiting"

    def wait(self, name: str, timeout: float | None = None) -> None:
        """Block until the background run of ``name`` (if any) ends (tests, the load bench)."""
        run = self._running.get(name)
        if run is not None:
            run[1].join(timeout)

    def drop(self) -> None:
        """Forget every cached result (the next call recomputes)."""
        with self.lock:
            self._cache.clear()
            self._key = None


def _unwrap(hit: tuple[bool, Any]) -> Any:
    """A cached ``(ok, value)``: the value, or the data failure it recorded raised again."""
    ok, value = hit
    if not ok:
        raise value
    return value
