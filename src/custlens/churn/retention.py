"""`retention_analysis`: Kaplan-Meier curves by groups fixed near the first order, and the Cox model."""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd

from custlens import schema
from custlens.churn.labels import default_horizon
from custlens.churn.survival import SurvivalResult, cox_model, retention_curves
from custlens.features import columns as c
from custlens.features.customer_table import customer_table, resolve_as_of
from custlens.features.purchase_days import PurchaseDays
from custlens.store import Store

__all__ = ["GROUPINGS", "retention_analysis"]

#: The groupings of the curves, in report order. None is built from recency or frequency:
#: curves by RFM segment would be circular (a segment of recent buyers "retains" by construction).
GROUPINGS = ("acquisition", "first_value", "channel", "cohort")


def _cohort(first: pd.Series) -> pd.Series:
    """The half-year of each first order, ``"2024H1"``."""
    ts = pd.to_datetime(first)
    if ts.isna().any():  # (not in a customer table) the string arithmetic says "nanHnan" as before
        return ts.dt.year.astype(str) + "H" + ((ts.dt.month - 1) // 6 + 1).astype(str)
    # a few dozen half-years for a million customers: format each once, not every customer's
    code = ts.dt.year.to_numpy(dtype=np.int64) * 2 + (ts.dt.month.to_numpy(dtype=np.int64) - 1) // 6
    halves, inv = np.unique(code, return_inverse=True)
    names = np.array([f"{h // 2}H{h % 2 + 1}" for h in halves], dtype=object)
    return pd.Series(names[inv.reshape(-1)], index=first.index, name=first.name)


def _first_order_value(store: Store, as_of: pd.Timestamp, index: pd.Index | None = None,
                       days: PurchaseDays | None = None) -> pd.Series:
    """Amount of each customer's first order before ``as_of`` (reindexed to ``index`` when given).

    The rows come sorted by ``customer_id``, the order of the customer table: when they are the
    customers of ``index`` in that order they are aligned by position, not by hashing a million
    string ids (`pandas.Series.reindex`). With the purchase days of exactly those customers at
    ``as_of`` (the report's), see `_first_value_from_days`.
    """
    if days is not None and index is not None:
        fast = _first_value_from_days(store, as_of, index, days)
        if fast is not None:
            return fast
    df = store.execute(_first_value_expr(store, as_of).order_by(schema.CUSTOMER_ID))
    values = df["first_value"].astype(float)
    if index is None:
        return pd.Series(values.to_numpy(), index=pd.Index(df[schema.CUSTOMER_ID], name=schema.CUSTOMER_ID),
                         name="first_value")
    ids = df[schema.CUSTOMER_ID].to_numpy()
    if len(ids) == len(index) and bool((ids == index.to_numpy()).all()):
        return pd.Series(values.to_numpy(), index=index, name="first_value")
    return pd.Series(values.to_numpy(), index=pd.Index(ids, name=schema.CUSTOMER_ID),
                     name="first_value").reindex(index)


def _first_value_expr(store: Store, as_of: pd.Timestamp, ids: np.ndarray | None = None) -> ibis.Table:
    """Per customer (of ``ids`` only, when given): the amount of the earliest order before ``as_of``."""
    o = store.table(schema.ORDERS.name)
    o = o.filter(o[schema.ORDERED_AT] < ibis.literal(as_of.to_pydatetime(), type="timestamp"))
    if ids is not None:  # a semi-join on a table of the ids, not an IN list of thousands of literals
        keep = ibis.memtable(pd.DataFrame({schema.CUSTOMER_ID: ids}))
        o = o.semi_join(keep, schema.CUSTOMER_ID)
    return o.group_by(schema.CUSTOMER_ID).aggregate(first_value=o[schema.AMOUNT].argmin(o[schema.ORDERED_AT]))


def _first_value_from_days(store: Store, as_of: pd.Timestamp, index: pd.Index,
                           days: PurchaseDays) -> pd.Series | None:
    """First-order values from the purchase days; None when they are not the days of ``index`` at ``as_of``.

    A first purchase day with one order holds exactly that order's amount (the day's total is
    that one float64, NaN for a missing amount, as `argmin` gives). Only the customers with
    several orders on their first day (~1% of a simulated shop) need the store, which picks the
    earliest of them as before: one query over their orders instead of a group by over all.
    """
    ids = index.to_numpy()
    if (days.as_of != as_of or len(days.customer_id) != len(ids) or len(days.start) != len(ids) + 1
            or not bool((days.customer_id == ids).all())):
        return None
    first = days.start[:-1]
    if len(ids) and not bool((np.diff(days.start) > 0).all()):
        return None  # (a customer table holds buyers only) a customer without a day: ask the store
    values = days.total[first].astype(float) if len(ids) else np.empty(0)
    several = np.flatnonzero(days.orders[first] > 1) if len(ids) else np.empty(0, dtype=np.int64)
    if len(several):
        df = store.execute(_first_value_expr(store, as_of, ids[several]).order_by(schema.CUSTOMER_ID))
        got = df[schema.CUSTOMER_ID].to_numpy()
        where = several[np.argsort(ids[several], kind="stable")]  # the query's order: sorted ids
        if len(got) != len(where) or not bool((got == ids[where]).all()):
            return None
        values[where] = df["first_value"].to_numpy(dtype=float)
    return pd.Series(values, index=index, name="first_value")


def _value_band(values: pd.Series) -> pd.Series:
    """Quartile bands of the first-order value, labelled by their range (``"52-98"``)."""
    v = values.astype(float)
    edges = np.unique(np.nanquantile(v, [0, 0.25, 0.5, 0.75, 1.0])) if v.notna().any() else np.array([])
    if len(edges) < 3:
        return pd.Series("-", index=v.index)
    band = pd.cut(v, edges, include_lowest=True, duplicates="drop")
    labels = {iv: f"{iv.left:,.0f}-{iv.right:,.0f}" for iv in band.cat.categories}
    return band.map(labels).astype(object).fillna("-")


def retention_analysis(store: Store, *, as_of: Any = None, horizon_days: int | None = None,
                       customers: pd.DataFrame | None = None, days: PurchaseDays | None = None) -> SurvivalResult:
    """Retention curves by acquisition channel, first-order value, favourite channel and cohort, plus a Cox model.

    Parameters
    ----------
    store : Store
    as_of : date-like, optional
    horizon_days : int, optional
        ``H`` of the churn definition (default from the data, as in `churn_analysis`).
    customers : DataFrame, optional
        The customer table as of ``as_of`` if already computed.
    days : PurchaseDays, optional
        Its purchase days (`custlens.features.purchase_days`, the report's): the first-order
        values come from them, and the store is asked only about customers with several orders
        on their first day. Same values as without.

    Returns
    -------
    SurvivalResult
        ``curves["by"]`` is one of `GROUPINGS` (``acquisition`` only with a ``customers`` table
        that records it). First-order value bands are the quartiles of the first order's amount.
    """
    as_of = resolve_as_of(store, as_of)
    h = default_horizon(store, as_of, horizon_days).days
    table = customer_table(store, as_of) if customers is None else customers
    table = table.set_index(schema.CUSTOMER_ID, drop=False)
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
    by: dict[str, pd.Series] = {}
    if profile is not None and "acquisition_channel" in profile and profile["acquisition_channel"].notna().any():
        by["acquisition"] = profile["acquisition_channel"].reindex(table.index).fillna("-")
    by["first_value"] = _value_band(_first_order_value(store, as_of, table.index, days))
    if table[c.FAVOURITE_CHANNEL].notna().any():
        by["channel"] = table[c.FAVOURITE_CHANNEL].fillna("-")
    by["cohort"] = _cohort(table[c.FIRST_ORDER_AT])
    result = retention_curves(table, h, by)
    result.cox, result.cox_sentences, result.cox_note = cox_model(table.drop(columns=[schema.CUSTOMER_ID]), h,
                                                                  profile)
    result.cox_penalizer = float(result.cox.attrs.get("penalizer", float("nan")))
    result.cox_sample = result.cox.attrs.get("sample")
    return result
