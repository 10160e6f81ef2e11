"""The store as the server sees it: read-only, re-read when the file changes, results cached.

The server never holds the DuckDB file open between requests: every computation opens it
read-only, runs and closes it, so `custlens ingest` can still write to it. Each cached result
is keyed by the store's *state* (size and modification time of the file and of its ``.wal``);
when the state changes, every cache is dropped and rebuilt on the next call.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from custlens.errors import CustlensError, StoreError
from custlens.store import Store

__all__ = ["StoreState"]

T = TypeVar("T")


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


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
                key = self.key()
                if self._key != key:
                    self._cache.clear()
                    self._key = key
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
        ok, value = hit
        if not ok:
            raise value
        return value

    def drop(self) -> None:
        """Forget every cached result (the next call recomputes)."""
        with self.lock:
            self._cache.clear()
            self._key = None
