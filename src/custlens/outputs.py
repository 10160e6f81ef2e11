"""Output files written atomically, and never over a file custlens did not write.

Every report, workbook and export is written to a temporary file in the target's folder and
renamed over the target (``os.replace``) only when complete, so a failure (disk full, a crash,
an error half-way) leaves the previous file as it was and no partial file behind.

An existing file is replaced only when it is empty or carries custlens' mark:

- ``.html``: the ``<meta name="generator" content="custlens ...">`` tag of the report;
- ``.xlsx``: the workbook's author (``docProps/core.xml`` creator) is ``custlens``;
- ``.parquet``: the schema metadata has a ``custlens`` key;
- ``.csv``: its header row is the header being written (the same export run again).

Anything else needs ``force=True`` (``--force`` on the command line).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from custlens.errors import OutputExistsError

__all__ = ["MARK", "atomic_output", "check_overwrite", "is_ours"]

#: The author / generator name custlens writes into its files.
MARK = "custlens"


def _html_is_ours(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    return b'name="generator" content="custlens' in head


def _xlsx_is_ours(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            core = zf.read("docProps/core.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    return f"<dc:creator>{MARK}</dc:creator>".encode() in core


def _parquet_is_ours(path: Path) -> bool:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except (pa.ArrowException, OSError):
        return False
    return MARK.encode() in meta


_CHECKS: dict[str, Callable[[Path], bool]] = {
    ".html": _html_is_ours, ".htm": _html_is_ours, ".xlsx": _xlsx_is_ours,
    ".parquet": _parquet_is_ours, ".pq": _parquet_is_ours,
}


def csv_header_check(header: str) -> Callable[[Path], bool]:
    """An ownership check for a CSV export: the file's first line equals ``header``."""
    want = header.rstrip("\r\n").lstrip("\ufeff")

    def check(path: Path) -> bool:
        with open(path, "rb") as fh:
            first = fh.readline(1 << 20)
        return first.decode("utf-8", errors="replace").rstrip("\r\n").lstrip("\ufeff") == want

    return check


def is_ours(path: str | os.PathLike[str], check: Callable[[Path], bool] | None = None) -> bool:
    """True when ``path`` is empty or carries custlens' mark (see the module docstring)."""
    path = Path(path)
    if path.stat().st_size == 0:
        return True
    check = check or _CHECKS.get(path.suffix.lower())
    return bool(check and check(path))


def check_overwrite(path: str | os.PathLike[str], force: bool = False,
                    check: Callable[[Path], bool] | None = None) -> None:
    """Refuse to replace a file custlens did not write, unless ``force``.

    Raises
    ------
    OutputExistsError
        ``path`` is a folder, or an existing file without custlens' mark and ``force`` is False.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputExistsError(f"cannot write {str(path)!r}: it is a folder; give a file name")
    if force or not path.exists() or is_ours(path, check):
        return
    raise OutputExistsError(
        f"{str(path)!r} already exists and was not written by custlens; pass --force "
        f"(force=True) to replace it, or choose another file name"
    )


def _mode_for(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_output(path: str | os.PathLike[str], force: bool = False,
                  check: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` when the block succeeds.

    Parameters
    ----------
    path : str or PathLike
        The final file. Missing parent folders are created.
    force : bool, default False
        Replace an existing file even when custlens did not write it.
    check : callable, optional
        Ownership test for ``path`` (default: by extension, see the module docstring).

    Yields
    ------
    pathlib.Path
        Where to write. On an exception it is deleted and ``path`` is left untouched.

    Examples
    --------
    >>> with atomic_output("out/report.html") as tmp:  # doctest: +SKIP
    ...     tmp.write_text(html, encoding="utf-8")
    """
    path = Path(path)
    check_overwrite(path, force, check)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # the data is on disk before the rename makes it visible
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # name the output in the error (e.g. a full disk)
        raise
