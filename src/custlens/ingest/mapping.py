"""Column mapping: file headers to canonical columns, with explicit overrides."""

from __future__ import annotations

import re

from custlens import schema
from custlens.errors import SchemaError
from custlens.ingest.aliases import _ALIASES, match_headers, normalize_header

# Columns a file may carry for each target table (beyond the table's own columns).
_LINE_COLUMNS = ["quantity", "unit_price", "product_id", "product_name", "category", "brand", "reason"]
_ORDER_SOURCE_COLUMNS = [c for c in schema.ORDERS.names if c != "source"] + _LINE_COLUMNS


def wanted_columns(table: str) -> list[str]:
    if table == "orders":
        return _ORDER_SOURCE_COLUMNS
    if table == "returns":
        return [c for c in schema.RETURNS.names if c != "source"] + ["unit_price"]
    return schema.DATA_TABLES[table].names


def required_columns(table: str) -> list[str]:
    if table == "orders":
        return ["customer_id", "ordered_at"]  # amount or quantity x unit_price checked later
    if table == "order_items":
        return ["order_id", "product_id"]
    return schema.DATA_TABLES[table].required


def parse_overrides(pairs: list[str] | dict[str, str] | None) -> dict[str, str]:
    """``["Kunde=customer_id", ...]`` -> ``{"Kunde": "customer_id"}``."""
    if not pairs:
        return {}
    if isinstance(pairs, dict):
        return dict(pairs)
    out = {}
    for p in pairs:
        if "=" not in p:
            raise SchemaError(f"--map {p!r} is not SOURCE=CANONICAL, e.g. --map \"Kunde=customer_id\"")
        src, canon = p.rsplit("=", 1)
        out[src.strip()] = canon.strip()
    return out


def map_columns(headers: list[str], table: str, overrides: dict[str, str], source: str) -> dict[str, str]:
    """``{header: canonical}`` for ``table``; raises SchemaError with the fix when incomplete."""
    wanted = wanted_columns(table)
    known = set(wanted) | ({"score_*"} if table == "surveys" else set())
    by_norm = {normalize_header(h): h for h in headers}
    mapping: dict[str, str] = {}
    for src, canon in overrides.items():
        header = src if src in headers else by_norm.get(normalize_header(src))
        if header is None:
            raise SchemaError(f"--map {src}={canon}: {source} has no column {src!r}; its columns are "
                              + ", ".join(repr(h) for h in headers))
        if canon not in wanted and not (table == "surveys" and canon.startswith("score_")):
            raise SchemaError(f"--map {src}={canon}: {canon!r} is not a column of {table!r}; use one of "
                              + ", ".join(sorted(known)))
        mapping[header] = canon
    rest = [h for h in headers if h not in mapping]
    left = [c for c in wanted if c not in mapping.values()]
    mapping.update(match_headers(rest, left))
    if table == "surveys":
        for h in headers:
            n = normalize_header(h)
            if h not in mapping and n.startswith("score") and len(n) > 5:
                mapping[h] = "score_" + n[5:]
    missing = [c for c in required_columns(table) if c not in mapping.values()]
    if table == "orders" and "amount" not in mapping.values() and not {
        "quantity", "unit_price"} <= set(mapping.values()):
        missing.append("amount")
    if missing:
        examples = {c: _ALIASES.get(c, [c])[:4] for c in missing}
        first = missing[0]
        raise SchemaError(
            f"{source}: cannot find the {table} column(s) "
            + ", ".join(f"{c!r} (looked for headers like {', '.join(examples[c])})" for c in missing)
            + f". The file's columns are: {', '.join(repr(h) for h in headers)}. "
            f"Name the right column with --map, e.g. --map \"COLUMN={first}\"."
        )
    return mapping


def guess_table(headers: list[str], overrides: dict[str, str] | None = None, source: str = "this file") -> str:
    """The canonical table a file most likely holds, from its headers (and any --map)."""
    overrides = overrides or {}
    candidates = ["orders", "campaign_members", "tickets", "feedback", "surveys", "customers"]
    for table in candidates:
        try:
            m = map_columns(headers, table, overrides, "")
        except SchemaError:
            continue
        if table == "customers" and len(m) < 2:
            continue
        return table
    try:
        map_columns(headers, "orders", overrides, source)
    except SchemaError as exc:
        hint = ("If the file is not an orders export, pass "
                "--table customers|surveys|feedback|tickets|campaign_members.")
        if sum(bool(re.fullmatch(r"[\d.,\-/ ]+", h)) for h in headers) >= len(headers) / 2:
            hint = ("The first row looks like data, not headers: if the file has no header row, "
                    "name its columns with --columns, e.g. --columns \"customer_id,ordered_at,amount\".")
        raise SchemaError(f"{exc} {hint}") from None
    raise AssertionError("unreachable")  # pragma: no cover
