"""When customers buy: hour x weekday heat map, monthly series and the seasonal pattern."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from custlens.behaviour._common import orders_as_of, query, scalar, ts
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store

__all__ = ["TimingResult", "purchase_timing"]


@dataclass
class TimingResult(Result):
    """The purchase clock and calendar.

    Attributes
    ----------
    heatmap : DataFrame
        ``weekday`` (0 = Monday), ``hour`` (0–23), ``orders, revenue``: all 168 cells.
    weekday : DataFrame
        ``weekday, days, orders, revenue, index``: ``index`` is mean orders per such day
        over mean orders per day (1 = average).
    monthly : DataFrame
        ``month`` (first day), ``orders, customers, revenue``.
    seasonal : DataFrame
        ``month_of_year`` (1–12), ``days, orders, revenue, index`` (mean orders per day in that
        calendar month over mean orders per day).
    untimed_orders : int
        Orders stamped exactly 00:00:00 (date without a time); left out of the heat map.
    """

    heatmap: pd.DataFrame
    weekday: pd.DataFrame
    monthly: pd.DataFrame
    seasonal: pd.DataFrame
    untimed_orders: int
    as_of: pd.Timestamp

    def peak(self) -> tuple[int, int]:
        """``(weekday, hour)`` of the busiest heat-map cell."""
        row = self.heatmap.loc[self.heatmap["orders"].idxmax()]
        return int(row["weekday"]), int(row["hour"])

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        wd, hr = self.peak()
        return {"as_of": str(self.as_of.date()), "peak_weekday": wd, "peak_hour": hr,
                "untimed_orders": self.untimed_orders,
                "weekday": self.weekday.to_dict("records"), "seasonal": self.seasonal.to_dict("records"),
                "monthly": [{**r, "month": str(pd.Timestamp(r["month"]).date())} for r in self.monthly.to_dict("records")]}


_DAILY = """
    WITH o AS (SELECT * FROM orders WHERE ordered_at < ?),
    days AS (SELECT CAST(range AS DATE) AS day FROM range(
                 (SELECT CAST(min(ordered_at) AS DATE) FROM o), CAST(? AS DATE), INTERVAL 1 DAY)),
    per AS (SELECT CAST(ordered_at AS DATE) AS day, count(*) AS orders, sum(amount) AS revenue FROM o GROUP BY 1),
    daily AS (SELECT days.day, coalesce(per.orders, 0) AS orders, coalesce(per.revenue, 0) AS revenue
              FROM days LEFT JOIN per USING (day))
"""


def purchase_timing(store: Store, *, as_of: AsOf = None) -> TimingResult:
    """Hour x weekday heat map, weekday and seasonal indices and the monthly series of orders.

    Parameters
    ----------
    store : Store
        Needs the ``orders`` table.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).

    Returns
    -------
    TimingResult

    Notes
    -----
    Indices divide the mean orders per calendar day of a weekday (or calendar month) by the
    mean orders per day over the whole period from the first order to ``as_of``, days
    without orders included. Timestamps are taken as they are stored (the shop's local time).
    """
    as_of = orders_as_of(store, as_of, "purchase timing")
    cut = ts(as_of)
    cells = query(store, """
        SELECT isodow(ordered_at) - 1 AS weekday, hour(ordered_at) AS hour, count(*) AS orders, sum(amount) AS revenue
        FROM orders WHERE ordered_at < ? AND CAST(ordered_at AS TIME) <> TIME '00:00:00' GROUP BY 1, 2
    """, [cut])
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    heat = cells.set_index(["weekday", "hour"]).reindex(grid, fill_value=0).reset_index()
    heat["orders"] = heat["orders"].astype("int64")
    untimed = int(scalar(store, "SELECT count(*) FROM orders WHERE ordered_at < ? "
                                "AND CAST(ordered_at AS TIME) = TIME '00:00:00'", [cut]))
    weekday = query(store, _DAILY + """
        SELECT isodow(day) - 1 AS weekday, count(*) AS days, sum(orders) AS orders, sum(revenue) AS revenue,
               avg(orders) / (SELECT avg(orders) FROM daily) AS index
        FROM daily GROUP BY 1 ORDER BY 1
    """, [cut, cut])
    seasonal = query(store, _DAILY + """
        SELECT month(day) AS month_of_year, count(*) AS days, sum(orders) AS orders, sum(revenue) AS revenue,
               avg(orders) / (SELECT avg(orders) FROM daily) AS index
        FROM daily GROUP BY 1 ORDER BY 1
    """, [cut, cut])
    monthly = query(store, """
        SELECT date_trunc('month', ordered_at) AS month, count(*) AS orders,
               count(DISTINCT customer_id) AS customers, sum(amount) AS revenue
        FROM orders WHERE ordered_at < ? GROUP BY 1 ORDER BY 1
    """, [cut])
    monthly["month"] = pd.to_datetime(monthly["month"])
    for frame in (weekday, seasonal, monthly):
        for c in ("orders", "days", "customers", "weekday", "month_of_year"):
            if c in frame:
                frame[c] = frame[c].astype("int64")
    return TimingResult(heatmap=heat, weekday=weekday, monthly=monthly, seasonal=seasonal,
                        untimed_orders=untimed, as_of=as_of)
