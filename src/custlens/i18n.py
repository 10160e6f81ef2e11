"""The text catalogue: everything a person reads exists in English and Chinese.

Domain modules register their texts (segment names, strategies, quality problems) with
`register`; the report, the dashboard and the CLI look them up with `t`. Analyses return
keys, never translated text. ``tests/test_i18n.py`` fails on any key missing a language.

Catalogues load lazily: a lookup (`t`, `has`) of a key not yet known imports the modules
`CATALOGUES` names for the key's prefix (``report`` for ``report.clv.title``), and all of
them if the key is still unknown; `keys` and `missing` load everything. So no caller imports
a texts module for its side effect, and a CLI command loads only the texts it shows.
A module that calls `register` must be listed there (``tests/test_i18n_catalogues.py``
checks it); keys of the report (``report.*``) are registered by modules under
``custlens/report/``.
"""

from __future__ import annotations

import importlib
from typing import Mapping

__all__ = ["CATALOGUES", "LANGS", "has", "keys", "load", "missing", "register", "t"]

LANGS = ("en", "zh")

#: Modules whose import registers texts, by the first part of their keys. A lookup of an
#: unknown key imports the modules of its prefix; a key still unknown then loads them all.
CATALOGUES: dict[str, tuple[str, ...]] = {
    "behaviour": ("custlens.behaviour.texts",),
    "campaign": ("custlens.campaigns.texts",),
    "churn": ("custlens.churn.texts",),
    "cli": ("custlens.commands._common", "custlens.commands.privacy", "custlens.campaigns.texts"),
    "clv": ("custlens.clv.texts",),
    "customer360": ("custlens.behaviour.texts",),
    "demo": ("custlens.pipeline",),
    "error": ("custlens.store", "custlens.engines"),
    "forecast": ("custlens.forecast.texts", "custlens.commands.forecast"),
    "lifecycle": ("custlens.behaviour.texts",),
    "loyalty": ("custlens.behaviour.texts",),
    "privacy": ("custlens.privacy.groups", "custlens.quality.texts"),
    "profile": ("custlens.behaviour.texts",),
    "quality": ("custlens.quality.texts",),
    "report": ("custlens.report.texts", "custlens.report.texts_analyses", "custlens.report.summary",
               "custlens.report.workbook_sheets", "custlens.report.sections._segments_texts",
               "custlens.report.sections.churn"),
    "scores": ("custlens.clv.texts",),
    "segment": ("custlens.segments.catalog", "custlens.segments.texts"),
    "server": ("custlens.server.texts",),
    "voc": ("custlens.voc.texts",),
}

_CATALOG: dict[str, dict[str, str]] = {}
_loaded: set[str] = set()


def register(entries: Mapping[str, Mapping[str, str]]) -> None:
    """Add ``{key: {"en": ..., "zh": ...}}`` entries; a key registered twice must agree."""
    for key, texts in entries.items():
        if key in _CATALOG and _CATALOG[key] != dict(texts):
            raise ValueError(f"i18n key {key!r} registered twice with different texts")
        _CATALOG[key] = dict(texts)


def load(prefix: str | None = None) -> None:
    """Import the catalogue modules of key ``prefix`` (``"report"``), or all of them (None).

    The lookups call this themselves; each module is imported once.
    """
    names = CATALOGUES.get(prefix, ()) if prefix is not None else tuple(m for ms in CATALOGUES.values() for m in ms)
    for name in names:
        if name not in _loaded:
            _loaded.add(name)  # first: a catalogue that looks a text up while importing must not recurse
            try:
                importlib.import_module(name)
            except BaseException:
                _loaded.discard(name)
                raise


def _find(key: str) -> None:
    """Load the catalogues that may hold ``key``: its prefix's first, then every one."""
    load(key.split(".", 1)[0])
    if key not in _CATALOG:
        load()


def t(key: str, lang: str = "en", /, **fmt: object) -> str:
    """The text of ``key`` in ``lang``, formatted with ``fmt``.

    Raises KeyError for an unknown key so a typo fails loudly in tests.
    """
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r} is not supported; use one of {', '.join(LANGS)}")
    if key not in _CATALOG:
        _find(key)
    text = _CATALOG[key][lang]
    return text.format(**fmt) if fmt else text


def has(key: str) -> bool:
    """True when ``key`` is in the catalogue."""
    if key not in _CATALOG:
        _find(key)
    return key in _CATALOG


def keys(prefix: str = "") -> list[str]:
    """Every key starting with ``prefix``, sorted."""
    load()
    return sorted(k for k in _CATALOG if k.startswith(prefix))


def missing() -> list[tuple[str, str]]:
    """(key, lang) pairs with no or empty text: must be empty."""
    load()
    return [
        (k, lang) for k, texts in _CATALOG.items() for lang in LANGS if not texts.get(lang, "").strip()
    ]
