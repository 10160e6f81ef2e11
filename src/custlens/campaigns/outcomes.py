"""Per-member outcomes of a campaign, computed in the store from orders around exposure.

For each member of ``campaign_members``: orders and revenue in the window
``[exposed_at, exposed_at + window_days)``, conversion (any order in the window), and the
pre-period spend in ``[exposed_at - pre_days, exposed_at)`` used by CUPED.
"""

from __future__ import annotations

import warnings

import ibis
import pandas as pd

from custlens import schema
from custlens.errors import DataQualityWarning, InputError, MissingDataError
from custlens.store import Store

__all__ = ["OUTCOME_COLUMNS", "campaign_ids", "campaign_outcomes", "pick_campaign"]

#: Outcome columns of `campaign_outcomes`, in the order they are analysed.
OUTCOME_COLUMNS = ("converted", "revenue", "orders")
GROUPS = ("treatment", "control")


def campaign_ids(store: Store) -> pd.DataFrame:
    """Campaigns in the store: ``campaign_id, members, first_exposed, last_exposed``, newest first."""
    m = store.require("campaign_members", "campaign analysis")
    expr = m.group_by("campaign_id").aggregate(
        members=m.count(), first_exposed=m.exposed_at.min(), last_exposed=m.exposed_at.max()
    ).order_by([ibis.desc("first_exposed"), "campaign_id"])
    return store.execute(expr)


def pick_campaign(store: Store, campaign_id: str | None = None) -> str:
    """``campaign_id`` when it exists, else (None) the most recent campaign."""
    ids = campaign_ids(store)
    if campaign_id is None:
        return str(ids["campaign_id"].iloc[0])
    if campaign_id not in set(ids["campaign_id"]):
        known = ", ".join(map(repr, ids["campaign_id"].head(10)))
        raise InputError(f"campaign {campaign_id!r} is not in campaign_members; known campaigns: {known}")
    return campaign_id


def campaign_outcomes(
    store: Store,
    campaign_id: str | None = None,
    window_days: int = 30,
    pre_days: int = 90,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row per member with group, cost and outcomes in the window after exposure.

    Parameters
    ----------
    store : Store
        Needs ``campaign_members`` and ``orders``.
    campaign_id : str, optional
        Default: the most recent campaign.
    window_days : int
        Length of the outcome window after each member's exposure.
    pre_days : int
        Length of the pre-period before exposure (CUPED covariate ``pre_spend``).
    as_of : Timestamp, optional
        Orders on or after it are ignored. Default: the day after the last order.

    Returns
    -------
    pandas.DataFrame
        ``campaign_id, customer_id, group, exposed_at, cost, converted (0/1), revenue, orders,
        pre_spend, pre_orders``. ``attrs["window_complete"]`` is False (with a
        `DataQualityWarning`) when some windows end after ``as_of``.
    """
    if window_days <= 0 or pre_days <= 0:
        raise InputError(f"--window {window_days} and pre-period {pre_days} days must be positive")
    cid = pick_campaign(store, campaign_id)
    orders = store.require(schema.ORDERS.name, "campaign analysis")
    as_of = pd.Timestamp(as_of) if as_of is not None else store.default_as_of()
    m = store.table("campaign_members")
    mem = m.filter(m.campaign_id == cid).select("customer_id", "group", "exposed_at", "cost")
    o = orders.filter(orders[schema.ORDERED_AT] < as_of.to_pydatetime())
    o = o.select(cid_=o[schema.CUSTOMER_ID], ts_=o[schema.ORDERED_AT], amt_=o[schema.AMOUNT])
    j = mem.inner_join(o, mem.customer_id == o.cid_)
    j = j.mutate(
        win_=(j.ts_ >= j.exposed_at) & (j.ts_ < j.exposed_at + ibis.interval(days=window_days)),
        pre_=(j.ts_ < j.exposed_at) & (j.ts_ >= j.exposed_at - ibis.interval(days=pre_days)),
    )
    agg = j.group_by("customer_id").aggregate(
        orders=j.win_.cast("int64").sum(),
        revenue=j.amt_.sum(where=j.win_),
        pre_orders=j.pre_.cast("int64").sum(),
        pre_spend=j.amt_.sum(where=j.pre_),
    )
    members = store.execute(mem)
    stats = store.execute(agg)
    bad = sorted(set(members["group"].dropna()) - set(GROUPS))
    if bad or members["group"].isna().any():
        raise InputError(f"campaign {cid!r}: group values {bad or [None]} are not 'treatment' or 'control'; "
                         "fix the campaign_members export")
    missing = [g for g in GROUPS if not (members["group"] == g).any()]
    if missing:
        raise MissingDataError(f"campaign {cid!r} has no {missing[0]} members; an A/B comparison needs both "
                               "groups (use `custlens campaign did` for a campaign without a control group)")
    df = members.merge(stats, on="customer_id", how="left")
    for c in ("orders", "revenue", "pre_orders", "pre_spend"):
        df[c] = pd.to_numeric(df[c], errors="coerce").fillna(0).astype("int64" if "orders" in c else "float64")
    df["converted"] = (df["orders"] > 0).astype("int64")
    df["cost"] = pd.to_numeric(df["cost"], errors="coerce").astype("float64")
    df.insert(0, "campaign_id", cid)
    df = df[["campaign_id", "customer_id", "group", "exposed_at", "cost", "converted", "revenue", "orders",
             "pre_spend", "pre_orders"]].sort_values("customer_id", ignore_index=True)
    late = pd.to_datetime(df["exposed_at"]) + pd.Timedelta(days=window_days) > as_of
    df.attrs["window_complete"] = not bool(late.any())
    if late.any():
        warnings.warn(
            f"campaign {cid!r}: {int(late.sum()):,} of {len(df):,} members' {window_days}-day windows end after "
            f"the last data ({as_of.date()}); outcomes are incomplete, pass a shorter --window",
            DataQualityWarning, stacklevel=2)
    return df
