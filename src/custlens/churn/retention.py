"""`retention_analysis`: Kaplan-Meier curves by segment, channel and cohort, and the Cox model."""

from __future__ import annotations

from typing import Any

import pandas as pd

from custlens import schema
from custlens.churn.labels import default_horizon
from custlens.churn.survival import SurvivalResult, cox_model, retention_curves
from custlens.features import columns as c
from custlens.features.customer_table import customer_table, resolve_as_of
from custlens.segments.catalog import text_key
from custlens.store import Store

__all__ = ["retention_analysis"]

#: The RFM scheme whose segments get retention curves.
SCHEME = "rfm11"


def _cohort(first: pd.Series) -> pd.Series:
    ts = pd.to_datetime(first)
    return ts.dt.year.astype(str) + "H" + ((ts.dt.month - 1) // 6 + 1).astype(str)


def retention_analysis(store: Store, as_of: Any = None, horizon_days: int | None = None,
                       customers: pd.DataFrame | None = None) -> SurvivalResult:
    """Retention curves by RFM segment, favourite channel and half-year cohort, plus a Cox model.

    Parameters
    ----------
    store : Store
    as_of : date-like, optional
    horizon_days : int, optional
        ``H`` of the churn definition (default from the data, as in `churn_analysis`).
    customers : DataFrame, optional
        The customer table as of ``as_of`` if already computed.

    Returns
    -------
    SurvivalResult
        Group labels of the segment curves are i18n references (``"@segment.rfm11...name"``).
    """
    from custlens.segments import rfm

    as_of = resolve_as_of(store, as_of)
    h = default_horizon(store, as_of, horizon_days).days
    table = customer_table(store, as_of) if customers is None else customers
    table = table.set_index(schema.CUSTOMER_ID, drop=False)
    seg = rfm(table.reset_index(drop=True), scheme=SCHEME).customers.set_index(schema.CUSTOMER_ID)["segment"]
    by = {"segment": seg.reindex(table.index).map(lambda s: f"@{text_key(SCHEME, s, 'name')}"),
          "cohort": _cohort(table[c.FIRST_ORDER_AT])}
    if table[c.FAVOURITE_CHANNEL].notna().any():
        by["channel"] = table[c.FAVOURITE_CHANNEL].fillna("-")
    result = retention_curves(table, h, by)
    profile = None
    if store.has(schema.CUSTOMERS.name):
        t = store.table(schema.CUSTOMERS.name)
        cols = [x for x in ("age", "income", "acquisition_channel") if x in t.columns]
        profile = store.execute(t.select(schema.CUSTOMER_ID, *cols)).drop_duplicates(schema.CUSTOMER_ID)
        profile = profile.set_index(schema.CUSTOMER_ID)
    from custlens.voc.customer import customer_voc  # complaints, NPS and sentiment as Cox covariates

    voc = customer_voc(store, as_of)
    voc = voc[[x for x in ("nps_last", "complaint_rate", "feedback_sentiment") if x in voc]]
    if len(voc.columns):
        profile = voc if profile is None else profile.join(voc, how="outer")
    result.cox, result.cox_sentences, result.cox_note = cox_model(table.drop(columns=[schema.CUSTOMER_ID]), h,
                                                                  profile)
    return result
