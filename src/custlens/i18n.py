"""The text catalogue: everything a person reads exists in English and Chinese.

Domain modules register their texts (segment names, strategies, quality problems) with
`register`; the report, the dashboard and the CLI look them up with `t`. Analyses return
keys, never translated text. ``tests/test_i18n.py`` fails on any key missing a language.
"""

from __future__ import annotations

from typing import Mapping

LANGS = ("en", "zh")

_CATALOG: dict[str, dict[str, str]] = {}


def register(entries: Mapping[str, Mapping[str, str]]) -> None:
    """Add ``{key: {"en": ..., "zh": ...}}`` entries; a key registered twice must agree."""
    for key, texts in entries.items():
        if key in _CATALOG and _CATALOG[key] != dict(texts):
            raise ValueError(f"i18n key {key!r} registered twice with different texts")
        _CATALOG[key] = dict(texts)


def t(key: str, lang: str = "en", /, **fmt: object) -> str:
    """The text of ``key`` in ``lang``, formatted with ``fmt``.

    Raises KeyError for an unknown key so a typo fails loudly in tests.
    """
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r} is not supported; use one of {', '.join(LANGS)}")
    text = _CATALOG[key][lang]
    return text.format(**fmt) if fmt else text


def has(key: str) -> bool:
    return key in _CATALOG


def keys(prefix: str = "") -> list[str]:
    return sorted(k for k in _CATALOG if k.startswith(prefix))


def missing() -> list[tuple[str, str]]:
    """(key, lang) pairs with no or empty text: must be empty."""
    return [
        (k, lang) for k, texts in _CATALOG.items() for lang in LANGS if not texts.get(lang, "").strip()
    ]
