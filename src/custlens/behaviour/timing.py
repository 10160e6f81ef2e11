"""When customers buy: hour x weekday heat map, monthly series and the seasonal pattern."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd

from custlens import schema
from custlens.behaviour._common import orders_as_of, orders_before
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
        ``month`` (first day), ``orders, customers, revenue`` (``customers`` only with
        ``customers_by_month``).
    seasonal : DataFrame
        ``month_of_year`` (1–12), ``days, orders, revenue, index`` (mean orders per day in that
        calendar month over mean orders per day).
    untimed_orders : int
        Orders stamped exactly 00:00:00 (date without a time); left out of the heat map.
    daily : DataFrame
        ``day, orders, revenue`` for every calendar day from the first order's day to the day
        before ``as_of`` (days without orders as 0): what `festival_lift` reads as ``daily``.
    """

    heatmap: pd.DataFrame
    weekday: pd.DataFrame
    monthly: pd.DataFrame
    seasonal: pd.DataFrame
    untimed_orders: int
    as_of: pd.Timestamp
    daily: pd.DataFrame = field(default_factory=pd.DataFrame)

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


def _hourly(store: Store, o: ibis.Table) -> pd.DataFrame:
    """Orders and revenue per clock hour (``hour``: the hour's start) and ``untimed`` flag, from one
    aggregate over the orders (a few tens of thousands of rows for years of data): the heat map,
    the daily and the monthly series are all sums of it."""
    at = o[schema.ORDERED_AT]
    # Untimed: stamped within the first second of the day (hour, minute and second zero), i.e. no
    # second boundary between midnight and the stamp (portable: no time-of-day literal).
    untimed = at.delta(at.truncate("D"), unit="second") == 0
    per = store.execute(o.group_by(hour=at.truncate("h"), untimed=untimed)
                        .aggregate(orders=o.count(), revenue=o[schema.AMOUNT].sum()))
    per["hour"] = pd.to_datetime(per["hour"])
    per["untimed"] = per["untimed"].astype(bool)
    per["orders"] = per["orders"].astype("int64")
    return per


def _daily(per: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Orders and revenue per calendar day from the first order's day to the day before ``as_of``,
    days without orders included (from the hourly sums of `_hourly`)."""
    if per.empty:  # no order before as_of: no days
        return pd.DataFrame({"day": pd.to_datetime([]), "orders": pd.Series([], dtype="int64"),
                             "revenue": pd.Series([], dtype="float64")})
    by_day = per.groupby(per["hour"].dt.normalize().rename("day"))[["orders", "revenue"]].sum()
    days = pd.date_range(by_day.index.min(), pd.Timestamp(as_of).normalize() - pd.Timedelta(days=1), freq="D")
    daily = by_day.reindex(days).rename_axis("day").reset_index()
    daily["orders"] = daily["orders"].fillna(0).astype("int64")
    daily["revenue"] = daily["revenue"].fillna(0.0)
    return daily


def _index(daily: pd.DataFrame, key: pd.Series, name: str) -> pd.DataFrame:
    """Days, orders, revenue and mean orders per day over the overall mean, per value of ``key``."""
    out = daily.groupby(key.rename(name)).agg(days=("orders", "size"), orders=("orders", "sum"),
                                              revenue=("revenue", "sum"), index=("orders", "mean")).reset_index()
    out["index"] = out["index"] / daily["orders"].mean()
    return out


def purchase_timing(store: Store, *, as_of: AsOf = None, customers_by_month: bool = True) -> TimingResult:
    """Hour x weekday heat map, weekday and seasonal indices and the monthly series of orders.

    Parameters
    ----------
    store : Store
        Needs the ``orders`` table.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    customers_by_month : bool, default True
        Count the distinct customers of each month (``monthly.customers``): a distinct count
        over all orders, most of this function's cost at scale. The report, which does not
        show the monthly series, passes False; ``monthly`` then has no ``customers`` column.

    Returns
    -------
    TimingResult

    Notes
    -----
    Indices divide the mean orders per calendar day of a weekday (or calendar month) by the
    mean orders per day over the whole period from the first order to ``as_of``, days
    without orders included. Timestamps are taken as they are stored (the shop's local time).
    Everything but the monthly customers comes from one aggregate of the orders per clock hour.
    """
    as_of = orders_as_of(store, as_of, "purchase timing")
    o = orders_before(store, as_of)
    per = _hourly(store, o)
    timed = per[~per["untimed"]]
    cells = timed.groupby([timed["hour"].dt.dayofweek.rename("weekday"), timed["hour"].dt.hour.rename("hour")])[
        ["orders", "revenue"]].sum()
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    heat = cells.reindex(grid, fill_value=0).reset_index()
    heat["orders"] = heat["orders"].astype("int64")
    heat["revenue"] = heat["revenue"].astype("float64")
    untimed = int(per.loc[per["untimed"], "orders"].sum())
    daily = _daily(per, as_of)
    weekday = _index(daily, daily["day"].dt.dayofweek, "weekday")
    seasonal = _index(daily, daily["day"].dt.month, "month_of_year")
    monthly = (per.groupby(per["hour"].dt.to_period("M").dt.to_timestamp().rename("month"))[["orders", "revenue"]]
               .sum().reset_index())
    if customers_by_month:
        at = o[schema.ORDERED_AT]
        cust = store.execute(o.group_by(month=at.truncate("M")).aggregate(customers=o[schema.CUSTOMER_ID].nunique()))
        cust["month"] = pd.to_datetime(cust["month"])
        monthly = monthly.merge(cust, on="month", how="left")[["month", "orders", "customers", "revenue"]]
    for frame in (weekday, seasonal, monthly):
        for c in ("orders", "days", "customers", "weekday", "month_of_year"):
            if c in frame:
                frame[c] = frame[c].astype("int64")
    return TimingResult(heatmap=heat, weekday=weekday, monthly=monthly, seasonal=seasonal,
                        untimed_orders=untimed, as_of=as_of, daily=daily)
