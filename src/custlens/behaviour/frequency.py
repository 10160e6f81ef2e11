"""Purchase frequency: orders per customer, buckets, days between purchases, time to second order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from custlens import schema
from custlens.behaviour._common import orders_as_of, orders_before
from custlens.behaviour._gaps import days_gap_counts, gap_counts, summary as _summary
from custlens.errors import InputError
from custlens.features.customer_table import AsOf
from custlens.features.purchase_days import PurchaseDays
from custlens.results import Result
from custlens.store import Store

__all__ = ["BUCKETS", "FrequencyResult", "purchase_frequency"]

#: Frequency buckets: key and inclusive order-count range (upper None = no limit).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("one_time", 1, 1),
    ("2_3", 2, 3),
    ("4_9", 4, 9),
    ("10_plus", 10, None),
)
#: Edges (days) of the histogram of days between purchase days.
GAP_EDGES: tuple[int, ...] = (0, 7, 14, 30, 60, 90, 180, 365)


@dataclass
class FrequencyResult(Result):
    """How often customers buy.

    Attributes
    ----------
    distribution : DataFrame
        ``orders, customers, share, revenue`` (one row per observed order count).
    buckets : DataFrame
        ``bucket`` (key ``behaviour.bucket.<key>``), ``customers, share, revenue, revenue_share``.
    gaps : DataFrame
        Histogram of days between consecutive purchase days: ``gap_band`` (e.g. ``"7-13"``), ``gaps, share``.
    gap_summary : dict
        ``count, mean, median, p25, p75, p90`` of the days between consecutive purchase days.
    time_to_second : dict
        ``customers, mean, median, p25, p75`` of days from the first to the second purchase day.
    repeat_rate : float
        Share of customers with at least two orders.
    n_customers : int
        Customers with at least one order before ``as_of``.
    as_of : Timestamp
    """

    distribution: pd.DataFrame
    buckets: pd.DataFrame
    gaps: pd.DataFrame
    gap_summary: dict[str, float]
    time_to_second: dict[str, float]
    repeat_rate: float
    n_customers: int
    as_of: pd.Timestamp

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "as_of": str(self.as_of.date()),
            "n_customers": self.n_customers,
            "repeat_rate": self.repeat_rate,
            "buckets": self.buckets.to_dict("records"),
            "distribution": self.distribution.to_dict("records"),
            "gap_summary": self.gap_summary,
            "time_to_second": self.time_to_second,
            "gaps": self.gaps.to_dict("records"),
        }


def _bucket(n: int) -> str:
    for key, lo, hi in BUCKETS:
        if n >= lo and (hi is None or n <= hi):
            return key
    raise ValueError(n)  # pragma: no cover


def purchase_frequency(store: Store, *, as_of: AsOf = None, customers: pd.DataFrame | None = None,
                       days: PurchaseDays | None = None) -> FrequencyResult:
    """Orders per customer, frequency buckets, gaps between purchases and time to the second order.

    Parameters
    ----------
    store : Store
        Needs the ``orders`` table.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    customers : DataFrame, optional
        The customer table of the same ``as_of`` (`custlens.features.customer_table`; its
        ``orders`` and ``total_spend`` columns are read): the order-count distribution is then
        taken from it instead of a new pass over the orders (the report passes its shared table).
    days : PurchaseDays, optional
        Every customer's purchase days as of the same ``as_of`` (the customer table's, e.g.
        ``ctx.customer_build().days``): the gaps are then counted from them instead of the orders.

    Returns
    -------
    FrequencyResult

    Notes
    -----
    Orders are counted per order row; orders without a customer id belong to no customer and
    are left out. Gaps and the time to the second order are measured between distinct purchase
    *days* (several orders on one day are one purchase occasion), as in the customer table.
    Buckets: one-time (1 order), 2–3, 4–9 and 10+. Quantiles interpolate linearly between
    order statistics (SQL ``quantile_cont``).
    """
    as_of = orders_as_of(store, as_of, "purchase frequency")
    o = orders_before(store, as_of)
    o = o.filter(o[schema.CUSTOMER_ID].notnull())
    if customers is None:
        per = store.execute(o.group_by(schema.CUSTOMER_ID).aggregate(
            orders=o.count(), total_spend=o[schema.AMOUNT].sum()))
    else:
        missing = {"orders", "total_spend"} - set(customers.columns)
        if missing:
            raise InputError(f"customers lacks the column(s) {', '.join(sorted(missing))}; pass the customer "
                             "table (custlens.features.customer_table) of the same as_of")
        per = customers
    dist = (per.groupby("orders", sort=True)["total_spend"].agg(["size", "sum"])
            .rename(columns={"size": "customers", "sum": "revenue"}).reset_index())
    dist = dist.astype({"orders": "int64", "customers": "int64", "revenue": "float64"})
    n_customers = int(dist["customers"].sum())
    dist["share"] = dist["customers"] / max(n_customers, 1)
    dist = dist[["orders", "customers", "share", "revenue"]]

    b = dist.assign(bucket=[_bucket(int(n)) for n in dist["orders"]]).groupby("bucket")[["customers", "revenue"]].sum()
    b = b.reindex([k for k, _, _ in BUCKETS], fill_value=0).reset_index()
    b["customers"] = b["customers"].astype("int64")
    b["share"] = b["customers"] / max(n_customers, 1)
    total_rev = float(b["revenue"].sum())
    b["revenue_share"] = b["revenue"] / total_rev if total_rev else 0.0
    buckets = b[["bucket", "customers", "share", "revenue", "revenue_share"]]

    if days is None:
        counts = gap_counts(store, o, n_customers)
    elif pd.Timestamp(days.as_of) != as_of:
        raise InputError(f"days: the purchase days are as of {pd.Timestamp(days.as_of).date()}, the frequency "
                         f"as of {as_of.date()}; pass those of the same as_of")
    else:
        counts = days_gap_counts(days)
    gap_summary, time_to_second, gaps = _gap_stats(counts)
    repeat = int(dist.loc[dist["orders"] >= 2, "customers"].sum())
    return FrequencyResult(
        distribution=dist.reset_index(drop=True),
        buckets=buckets,
        gaps=gaps,
        gap_summary=gap_summary,
        time_to_second=time_to_second,
        repeat_rate=repeat / n_customers if n_customers else float("nan"),
        n_customers=n_customers,
        as_of=as_of,
    )


def _gap_stats(counts: pd.DataFrame) -> tuple[dict[str, float], dict[str, float], pd.DataFrame]:
    """Summary of all gaps, of the first gaps (time to the second purchase day), and the
    histogram of the gaps in `GAP_EDGES` bands, from the counts of `gap_counts`."""
    gap, n, first = (counts[c].to_numpy() for c in ("gap", "n", "first"))
    alls = _summary(gap, n, (0.25, 0.5, 0.75, 0.9))
    sec = _summary(gap[first], n[first], (0.25, 0.5, 0.75))
    gap_summary = {"count": alls["count"], "mean": alls["mean"], "median": alls[0.5],
                   "p25": alls[0.25], "p75": alls[0.75], "p90": alls[0.9]}
    time_to_second = {"customers": sec["count"], "mean": sec["mean"], "median": sec[0.5],
                      "p25": sec[0.25], "p75": sec[0.75]}
    edges = list(GAP_EDGES)
    band = np.searchsorted(np.asarray(edges[1:]), gap, side="right")  # gap < edges[i+1] -> band i
    hist = np.bincount(band, weights=n, minlength=len(edges)).astype("int64")
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])] + [f"{edges[-1]}+"]
    gaps = pd.DataFrame({"gap_band": labels, "gaps": hist})
    gaps["share"] = gaps["gaps"] / max(int(gaps["gaps"].sum()), 1)
    return gap_summary, time_to_second, gaps
