"""Personal data: which columns and values identify a person, and redaction for messages.

A column is personal when its header says so (``email``, ``phone``, ``name``, ``address``,
``邮箱``, ``手机``, ``电话``, ``姓名``, ``收货人``, ``地址``...) or when most of its values look like
e-mail addresses or phone numbers (including Chinese mobiles, ``1[3-9]`` and nine digits). A
single value is redacted in messages when its key is personal or the value itself has that look.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from custlens.ingest.aliases import normalize_header

if TYPE_CHECKING:
    from custlens.store import Store

REDACTED = "<redacted>"

# Normalised headers (see `normalize_header`) that hold personal data. "name" alone is
# personal; "product name" or "campaign name" are not, so names match whole headers only.
_HEADER_PARTS = re.compile(
    r"(e?mail|phone|mobile|cellphone|telephone|whatsapp|wechat|weixin|address|street|postcode|zipcode|"
    r"idcard|passport|邮箱|邮件|手机|电话|联系方式|微信|地址|住址|身份证|收货人|收件人|联系人|姓名)"
)
_HEADER_WHOLE = re.compile(
    r"(name|fullname|firstname|lastname|surname|givenname|familyname|customername|clientname|"
    r"buyername|membername|username|contactname|recipient|recipientname|shipto|tel|phoneno|"
    r"名字|客户姓名|客户名称|买家姓名|会员姓名|会员名|买家昵称|昵称|用户名)"
)

EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
CN_MOBILE = re.compile(r"^(\+?86[\s\-]?)?1[3-9]\d{9}$")
# International or grouped numbers: "+44 20 7946 0958", "(555) 123-4567", "010-12345678".
# Plain digit runs (ids, amounts) and ISO dates (four-two-two) do not match.
PHONE = re.compile(r"^(\+\d[\d\s\-().]{6,}\d|\(?\d{2,4}\)?[\s\-]\d{3,4}[\s\-]?\d{3,4})$")
_SAMPLE = 1000
_SHARE = 0.5


def personal_header(header: str) -> bool:
    """True when the column name says the column holds personal data."""
    n = normalize_header(header)
    return bool(_HEADER_PARTS.search(n) or _HEADER_WHOLE.fullmatch(n))


def personal_value(value: Any) -> bool:
    """True when ``value`` looks like an e-mail address or a phone number."""
    if not isinstance(value, str):
        return False
    v = value.strip()
    if not 6 <= len(v) <= 254:
        return False
    if EMAIL.match(v) or CN_MOBILE.match(v):
        return True
    digits = sum(ch.isdigit() for ch in v)
    return bool(PHONE.match(v)) and 7 <= digits <= 15


def personal_columns(store: Store, table: str, headers: list[str]) -> list[str]:
    """Headers of ``table`` (e.g. ingest's staging table of text columns) that hold personal data.

    By header name, or by value: at least half of a sample of its non-empty values are
    e-mail addresses or phone numbers.
    """
    found = [h for h in headers if personal_header(h)]
    t = store.ibis.table(table)
    for h in headers:
        if h in found:
            continue
        text = t[h].cast("string")
        # Blank means spaces only (SQL trim), not other whitespace; NULLs fail the filter too.
        sample = t.filter(text.re_replace(r"^ +| +$", "") != "").select(v=text).limit(_SAMPLE)
        values = list(store.execute(sample)["v"])
        if values and sum(personal_value(v) for v in values) >= _SHARE * len(values):
            found.append(h)
    return found


def redact_record(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` with personal fields replaced by ``<redacted>``.

    A field named ``raw`` holding a JSON object (a quarantined input row) is redacted inside.
    """
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "raw" and isinstance(value, str) and value.startswith("{"):
            out[key] = redact_json(value)
        elif value is not None and (personal_header(str(key)) or personal_value(value)):
            out[key] = REDACTED
        else:
            out[key] = value
    return out


def redact_json(text: str) -> str:
    """A JSON object (or list of objects) as text, with personal fields redacted."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return REDACTED if personal_value(text) else text
    if isinstance(data, dict):
        data = redact_record(data)
    elif isinstance(data, list):
        data = [redact_record(d) if isinstance(d, dict) else d for d in data]
    return json.dumps(data, ensure_ascii=False)
