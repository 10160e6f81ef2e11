"""Pseudonymisation: customer ids and personal columns replaced by keyed hashes at ingest.

The pseudonym of a value is ``p_`` + the first 24 hex digits (96 bits) of
HMAC-SHA256(secret key, value). The key never enters the store: it is read from
``--salt-file`` / ``CUSTLENS_SALT_FILE``, or the environment variable ``CUSTLENS_SALT``, or
else the file ``<store>.key`` beside the store (created with permissions 0600 on the first
pseudonymised ingest). The store records that it is pseudonymised and a check value of the
key in ``_meta``, so every later ingest pseudonymises too, with the same key: the same
customer gets the same pseudonym in every file, and a wrong key is refused instead of
silently splitting customers.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
import warnings
from pathlib import Path


from custlens import schema
from custlens.errors import CustlensWarning, InputError, StoreError
from custlens.store import Store

KEY_ENV = "CUSTLENS_SALT"
KEY_FILE_ENV = "CUSTLENS_SALT_FILE"
META_MODE = "pseudonymise"
META_CHECK = "pseudonym_key_check"
_PREFIX = "p_"
_HEX = 24
_NULL_MARKERS = ("nan", "null", "none", "n/a", "na", "-")


def clean_id(value: object) -> str | None:
    """An id as ingest stores it (mirrors `custlens.ingest.values.id_expr`): trimmed, null
    markers to None, ``12488.0`` to ``12488``."""
    if value is None:
        return None
    t = str(value).strip()
    if t == "" or (len(t) <= 4 and t.lower() in _NULL_MARKERS):
        return None
    return re.sub(r"^(\d+)\.0+$", r"\1", t)


def pseudonym(key: bytes, value: str) -> str:
    """The keyed hash of ``value``: ``p_`` + 24 hex digits of HMAC-SHA256."""
    return _PREFIX + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:_HEX]


def is_pseudonym(value: str) -> bool:
    """True for a value of the pseudonym's form (``p_`` and 24 hex digits)."""
    return re.fullmatch(_PREFIX + "[0-9a-f]{%d}" % _HEX, value) is not None


def _check_value(key: bytes) -> str:
    return hmac.new(key, b"custlens pseudonym key check", hashlib.sha256).hexdigest()[:16]


def key_file(store: Store) -> Path | None:
    """The default key file of a store: ``<store>.key`` beside it (None for in-memory stores)."""
    return None if store.path == ":memory:" else Path(store.path + ".key")


def is_pseudonymised(store: Store) -> bool:
    """True when the store was set up to pseudonymise every ingest."""
    return store.meta(META_MODE) == "hmac-sha256"


def _read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InputError(f"cannot read the pseudonymisation key file {str(path)!r} ({exc}); "
                         "check the path given with --salt-file or CUSTLENS_SALT_FILE") from exc
    if len(text) < 16:
        raise InputError(f"the key file {str(path)!r} holds {len(text)} characters; a key needs at "
                         "least 16 (e.g. python -c 'import secrets; print(secrets.token_hex(32))')")
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.warn(f"the key file {str(path)!r} can be read by other users; restrict it with "
                      f"chmod 600 {path}", CustlensWarning, stacklevel=3)
    return text.encode("utf-8")


def _create_key_file(path: Path) -> bytes:
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise StoreError(f"cannot create the key file {str(path)!r} ({exc}); pass --salt-file "
                         "with a key file of your own") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key.encode("utf-8")


def load_key(store: Store, salt_file: str | os.PathLike[str] | None = None, create: bool = False) -> bytes:
    """The secret key for ``store``: ``salt_file``, else ``CUSTLENS_SALT_FILE``, else
    ``CUSTLENS_SALT``, else ``<store>.key`` (created when ``create`` and missing).

    Raises
    ------
    InputError
        When no key can be found, or it does not match the key the store was set up with.
    """
    path = salt_file or os.environ.get(KEY_FILE_ENV)
    if path:
        key = _read_key_file(Path(path))
    elif os.environ.get(KEY_ENV):
        key = os.environ[KEY_ENV].strip().encode("utf-8")
        if len(key) < 16:
            raise InputError(f"{KEY_ENV} holds {len(key)} characters; a key needs at least 16")
    else:
        default = key_file(store)
        if default is None:
            raise InputError("an in-memory store has no key file: pass --salt-file PATH or set CUSTLENS_SALT")
        if default.exists():
            key = _read_key_file(default)
        elif create:
            key = _create_key_file(default)
        else:
            raise InputError(f"the store {store.path!r} is pseudonymised but its key file {str(default)!r} "
                             "is missing; pass the key with --salt-file PATH or CUSTLENS_SALT")
    check = store.meta(META_CHECK)
    if check is not None and check != _check_value(key):
        raise InputError(f"the pseudonymisation key does not match the one the store {store.path!r} was "
                         "set up with (same customers would get different pseudonyms); pass the original "
                         "key with --salt-file PATH or CUSTLENS_SALT")
    return key


def enable(store: Store, key: bytes) -> None:
    """Mark ``store`` as pseudonymised with ``key``; refused when it already holds plain ids."""
    if is_pseudonymised(store):
        return
    filled = [t for t in schema.DATA_TABLES if store.has(t)]
    if filled:
        raise InputError(f"the store {store.path!r} already holds data with original customer ids "
                         f"(tables {', '.join(filled)}); pseudonymise into a new store instead")
    store.set_meta({META_MODE: "hmac-sha256", META_CHECK: _check_value(key)})


def pseudonymise_column(store: Store, table: str, header: str, key: bytes, as_id: bool) -> int:
    """Replace every value of ``header`` in ingest's staging ``table`` by its pseudonym; returns distinct values.

    ``as_id`` cleans the value as ingest cleans ids first (``12488.0`` is ``12488``), so a
    customer gets one pseudonym whatever file type the id came from.
    """
    from custlens.ingest.values import id_expr, text_expr

    expr = id_expr(header) if as_id else text_expr(header)
    return store.map_column(table, header, expr, lambda v: pseudonym(key, v))
