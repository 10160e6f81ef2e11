"""Audiences: the customers of a segment with the columns a CRM import needs.

Columns: ``customer_id, segment, name, orders, total_spend, last_order_at, days_since_last,
action, channel, offer`` and the demographics of the ``customers`` table when loaded
(``gender, age, region, city, city_tier, occupation, income, acquisition_channel``).
"""

from __future__ import annotations

import pandas as pd

from custlens.errors import InputError
from custlens.features.columns import CUSTOMER_ID, DAYS_SINCE_LAST, LAST_ORDER_AT, ORDERS, TOTAL_SPEND
from custlens.segments.naming import segment_text
from custlens.segments.profile import DEMOGRAPHIC_COLUMNS
from custlens.segments.schemes import Segmentation

__all__ = ["AUDIENCE_COLUMNS", "audience", "resolve_segment"]

AUDIENCE_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, "segment", "name", ORDERS, TOTAL_SPEND, LAST_ORDER_AT,
                                     DAYS_SINCE_LAST, "action", "channel", "offer")


def resolve_segment(seg: Segmentation, wanted: str) -> str:
    """The segment key meant by ``wanted``: a key, or a display name in English or Chinese.

    Raises
    ------
    InputError
        Nothing matches; the message lists the segments of the scheme.
    """
    keys = list(seg.segments["segment"])
    if wanted in keys:
        return wanted
    low = wanted.strip().lower()
    for key in keys:
        for lang in ("en", "zh"):
            if segment_text(seg.scheme, key, "name", lang).strip().lower() == low:
                return key
    listing = ", ".join(f"{k} ({segment_text(seg.scheme, k, 'name', 'en')})" for k in keys)
    raise InputError(f"segment {wanted!r} is not in scheme {seg.scheme!r}; use one of: {listing}")


def audience(seg: Segmentation, customers: pd.DataFrame, segment: str | None = None, lang: str = "en",
             demographics: pd.DataFrame | None = None) -> pd.DataFrame:
    """The customers of one segment (or all) with CRM columns and their playbook in ``lang``.

    Parameters
    ----------
    seg : Segmentation
        From `custlens.segments.segment_customers`.
    customers : pandas.DataFrame
        The customer table the segmentation was made from.
    segment : str, optional
        Segment key or display name; None for every customer.
    lang : {"en", "zh"}
    demographics : pandas.DataFrame, optional
        The ``customers`` table; its demographic columns are appended.

    Returns
    -------
    pandas.DataFrame
        `AUDIENCE_COLUMNS` plus demographics, largest spender first.
    """
    labels = seg.customers
    if segment is not None:
        key = resolve_segment(seg, segment)
        labels = labels[labels["segment"] == key]
    table = labels.merge(customers[[CUSTOMER_ID, ORDERS, TOTAL_SPEND, LAST_ORDER_AT, DAYS_SINCE_LAST]],
                         on=CUSTOMER_ID, how="left")
    texts = {k: {p: segment_text(seg.scheme, k, p, lang) for p in ("name", "action", "channel", "offer")}
             for k in pd.unique(table["segment"])}
    for part in ("name", "action", "channel", "offer"):
        table[part] = [texts[k][part] for k in table["segment"]]
    table = table[list(AUDIENCE_COLUMNS)]
    if demographics is not None and len(demographics):
        cols = [c for c in DEMOGRAPHIC_COLUMNS if c in demographics.columns and demographics[c].notna().any()]
        if cols:
            table = table.merge(demographics[[CUSTOMER_ID, *cols]].drop_duplicates(CUSTOMER_ID),
                                on=CUSTOMER_ID, how="left")
    return table.sort_values([TOTAL_SPEND, CUSTOMER_ID], ascending=[False, True], kind="mergesort"
                             ).reset_index(drop=True)
