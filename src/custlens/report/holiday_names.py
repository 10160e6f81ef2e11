"""Public-holiday names in the report language, from the `holidays` package's own translations.

`custlens.behaviour.festivals` names holiday windows as the `holidays` package does in its
default language (``"Dragon Boat Festival"``). The package ships Chinese names for the
countries that use them (``language="zh_CN"``); pairing the two calendars day by day turns an
English name into ``端午节`` without a hand-kept list. A country without a Chinese translation
keeps the package's name (it is then a data value, like a product name).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["holiday_name"]

_LANGUAGE = {"zh": "zh_CN", "en": "en_US"}


@lru_cache(maxsize=32)
def _names(country: str, years: tuple[int, ...], lang: str) -> dict[str, str]:
    import holidays

    try:
        cal = holidays.country_holidays(country, years=list(years))
        target = _LANGUAGE[lang]
        if target not in (cal.supported_languages or ()):
            return {}
        source = {lang_: holidays.country_holidays(country, years=list(years), language=lang_)
                  for lang_ in {cal.default_language or "en_US", "en_US"} if lang_ in cal.supported_languages}
        translated = holidays.country_holidays(country, years=list(years), language=target)
    except (NotImplementedError, KeyError, AttributeError):
        return {}
    out: dict[str, str] = {}
    for cal_ in source.values():
        for day, names in cal_.items():
            there = str(translated.get(day, "")).split("; ")
            here = str(names).split("; ")
            if len(here) == len(there):
                for a, b in zip(here, there):
                    out.setdefault(a.replace(" (observed)", "").strip(), b.strip())
    return out


def holiday_name(name: str, country: str | None, lang: str, years: tuple[int, ...] = ()) -> str:
    """``name`` (as `custlens.behaviour.festivals` gives it) in ``lang``.

    Parameters
    ----------
    name : str
        The holiday's name in the `holidays` package's default language.
    country : str or None
        ISO code of the calendar the name comes from.
    lang : {"en", "zh"}
    years : tuple of int
        Years to look the name up in (default: 2020 to 2030).

    Returns
    -------
    str
        The translated name, or ``name`` when the package has no translation.

    Examples
    --------
    >>> holiday_name("Dragon Boat Festival", "CN", "zh")
    '端午节'
    """
    if not country:
        return name
    names = _names(country.upper(), tuple(years) or tuple(range(2020, 2031)), lang)
    return names.get(name, name)
