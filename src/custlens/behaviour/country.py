"""Whose calendar applies to a shop: a country given by the user, or inferred from the data.

Festival lift needs a country: its public holidays (the `holidays` package) and its shopping
festivals (618 and 双11 are Chinese e-commerce days; Black Friday and Christmas are not). A UK
shop measured against the Chinese calendar gets "lifts" on Tomb-Sweeping Day, so the default is
read from the data, in this order:

1. the orders' ``region`` column (ingest maps a ``Country`` header there, e.g. UCI Online
   Retail's), when one country holds at least half of the orders;
2. the customers' ``region`` column, likewise by customers;
3. the orders' ``currency`` column (CNY/RMB, GBP, USD, JPY...; not EUR, shared by many);
4. region or city names written in Chinese characters (e.g. 广东, 上海): China.

When none applies, the country stays unknown and that is said: no public holidays are measured.
Country names are matched against the ISO codes and English names the `holidays` package knows,
plus a few spellings seen in exports (UK, EIRE, USA, 中国).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pandas as pd

from custlens import i18n, schema
from custlens.errors import InputError
from custlens.store import Store

__all__ = ["AUTO", "CountryChoice", "check_country", "country_code", "infer_country", "resolve_country"]

#: The default of ``country`` arguments: infer it from the data.
AUTO = "auto"
#: Share of orders (or customers) one country must hold to be the shop's country.
MAJORITY = 0.5

_EXTRA = {"uk": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
          "northernireland": "GB", "eire": "IE", "usa": "US", "unitedstatesofamerica": "US", "america": "US",
          "rsa": "ZA", "中国": "CN", "中国大陆": "CN", "中华人民共和国": "CN", "prc": "CN", "mainlandchina": "CN",
          "英国": "GB", "美国": "US", "日本": "JP", "德国": "DE", "法国": "FR", "香港": "HK", "台湾": "TW"}
_CURRENCY = {"cny": "CN", "rmb": "CN", "元": "CN", "人民币": "CN", "gbp": "GB", "£": "GB", "usd": "US",
             "jpy": "JP", "krw": "KR", "aud": "AU", "cad": "CA", "chf": "CH", "sek": "SE", "nok": "NO",
             "dkk": "DK", "pln": "PL", "inr": "IN", "brl": "BR", "hkd": "HK", "twd": "TW", "sgd": "SG"}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-\.'()]+", "", str(text)).lower()


@functools.lru_cache(maxsize=1)
def _known() -> dict[str, str]:
    import holidays

    out: dict[str, str] = {}
    try:  # names and codes: {module: (ClassName, alpha-2, alpha-3, ...)}
        from holidays.registry import COUNTRIES

        for module, (cls, alpha2, *rest) in COUNTRIES.items():
            for name in (module, cls, alpha2, *[r for r in rest if isinstance(r, str) and len(r) == 3]):
                out[_norm(name)] = alpha2
    except (ImportError, ValueError, TypeError):  # a holidays release without that registry: codes only
        out.update({_norm(code): code for code in holidays.list_supported_countries() if len(code) == 2})
    out.update({_norm(k): v for k, v in _EXTRA.items()})
    return out


def country_code(name: object) -> str | None:
    """ISO alpha-2 code of a country name or code (``"United Kingdom"``, ``"GBR"``, ``"EIRE"``), else None.

    Examples
    --------
    >>> country_code("United Kingdom"), country_code("EIRE"), country_code("Unspecified")
    ('GB', 'IE', None)
    """
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return None
    return _known().get(_norm(str(name)))


@dataclass(frozen=True)
class CountryChoice:
    """The country of the calendar and why.

    Attributes
    ----------
    code : str or None
        ISO alpha-2 code (None: unknown, no public holidays).
    basis : str
        ``given``, ``orders_region``, ``customers_region``, ``currency``, ``chinese_text`` or ``unknown``.
    value : str
        The value it was read from (e.g. ``United Kingdom``) and ``share`` the share it holds.
    """

    code: str | None
    basis: str
    value: str = ""
    share: float = float("nan")

    def text(self, lang: str) -> str:
        """How the country was chosen, in ``lang``."""
        return i18n.t(f"behaviour.country.{self.basis}", lang, code=self.code or "-", value=self.value,
                      share=f"{self.share:.0%}" if self.share == self.share else "-")

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "basis": self.basis, "value": self.value,
                "share": None if self.share != self.share else self.share}


def _majority(counts: pd.Series, basis: str) -> CountryChoice | None:
    counts = counts.dropna()
    counts = counts[counts.index.map(lambda v: str(v).strip() != "")]
    if counts.empty:
        return None
    top = counts.idxmax()
    share = float(counts.max() / counts.sum())
    code = country_code(top)
    if code is not None and share >= MAJORITY:
        return CountryChoice(code, basis, str(top), share)
    return None


def _counts(store: Store, table: str, col: str) -> pd.Series:
    if not store.has(table) or col not in store.table(table).columns:
        return pd.Series(dtype="int64")
    t = store.table(table)
    t = t.filter(t[col].notnull())
    frame = store.execute(t.group_by(col).aggregate(n=t.count()))
    return frame.set_index(col)["n"].astype("int64")


def infer_country(store: Store) -> CountryChoice:
    """The shop's country read from the data (see the module docstring), or ``unknown``."""
    seen: dict[tuple[str, str], pd.Series] = {}

    def counts(table: str, col: str) -> pd.Series:  # each column counted once (a pass over its table)
        if (table, col) not in seen:
            seen[table, col] = _counts(store, table, col)
        return seen[table, col]

    for table, col, basis in ((schema.ORDERS.name, "region", "orders_region"),
                              (schema.CUSTOMERS.name, "region", "customers_region")):
        found = _majority(counts(table, col), basis)
        if found:
            return found
    cur = counts(schema.ORDERS.name, "currency")
    if len(cur):
        top = cur.idxmax()
        share = float(cur.max() / cur.sum())
        if _CURRENCY.get(_norm(top)) and share >= MAJORITY:
            return CountryChoice(_CURRENCY[_norm(top)], "currency", str(top), share)
    names = pd.concat([counts(t, col) for t, col in ((schema.ORDERS.name, "region"),
                                                              (schema.CUSTOMERS.name, "region"),
                                                              (schema.CUSTOMERS.name, "city"))])
    if len(names):
        cjk = float(names[names.index.map(lambda v: bool(_CJK.search(str(v))))].sum() / names.sum())
        if cjk >= MAJORITY:
            return CountryChoice("CN", "chinese_text", str(names.idxmax()), cjk)
    return CountryChoice(None, "unknown")


def check_country(country: str | None) -> None:
    """Raise `InputError` for a country that is neither ``auto``, empty nor known (before any work starts)."""
    if country is None or str(country).strip() == "" or str(country).lower() == AUTO:
        return
    if country_code(country) is None:
        raise InputError(f"--country {country!r} is not a country the holidays package knows; use an ISO code "
                         "such as CN, GB, US or DE, or 'auto' to read it from the data")


def resolve_country(store: Store, country: str | None) -> CountryChoice:
    """``auto`` -> `infer_country`; an ISO code or name -> that country; None -> no country."""
    if country is None or str(country).strip() == "":
        return CountryChoice(None, "none")
    if str(country).lower() == AUTO:
        return infer_country(store)
    code = country_code(country)
    if code is None:
        raise InputError(f"country={country!r} is not a country the holidays package knows; use an ISO code "
                         "such as CN, GB, US or DE, or 'auto' to read it from the data")
    return CountryChoice(code, "given", str(country))
