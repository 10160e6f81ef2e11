"""Festival effects: lift of daily orders and revenue in festival windows against comparable days.

Shopping festivals (618, 双11, Black Friday, Christmas) have configurable dates; the Spring
Festival and other public holidays come from the `holidays` package. The country is given or
read from the data (`custlens.behaviour.country`): 618 and 双11 are measured only for China,
and a lift resting on fewer than `MIN_ORDERS` orders is flagged, not a finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from custlens import schema
from custlens.behaviour._common import orders_as_of, orders_before
from custlens.behaviour.country import AUTO, CountryChoice, resolve_country
from custlens.errors import InputError, MissingDataError
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store

__all__ = ["DEFAULT_FESTIVALS", "MIN_ORDERS", "FestivalResult", "ShoppingFestival", "festival_calendar", "festival_lift",
           "festivals_for"]

#: A festival lift resting on fewer orders than this (in its windows, all years) is not a finding.
MIN_ORDERS = 30


@dataclass(frozen=True)
class ShoppingFestival:
    """A shopping festival with a yearly peak day and a window around it.

    Parameters
    ----------
    key : str
        Identifier; the report names it with the i18n key ``behaviour.festival.<key>`` when
        registered, else shows the key.
    month, day : int
        Fixed calendar date of the peak (ignored when ``rule`` or ``dates`` is given).
    rule : {"black_friday"}, optional
        A moving date: ``"black_friday"`` is the day after the fourth Thursday of November
        (US Thanksgiving), e.g. 29 Nov 2024, 28 Nov 2025.
    dates : mapping of int to str, optional
        Explicit peak date per year (e.g. a shop's own anniversary sale).
    before, after : int
        Days before and after the peak inside the window (default: the peak day alone).
    """

    key: str
    month: int = 0
    day: int = 0
    rule: str | None = None
    dates: Mapping[int, str] | None = None
    before: int = 0
    after: int = 0

    def peak(self, year: int) -> pd.Timestamp | None:
        """The peak day in ``year`` (None when unknown)."""
        if self.dates is not None:
            d = self.dates.get(year)
            return None if d is None else pd.Timestamp(d).normalize()
        if self.rule == "black_friday":  # the day after Thanksgiving, the fourth Thursday of November
            first = pd.Timestamp(year=year, month=11, day=1)
            return first + pd.Timedelta(days=(3 - first.day_of_week) % 7 + 21 + 1)
        if self.rule is not None:
            raise InputError(f"festival {self.key!r}: rule={self.rule!r} is unknown; use 'black_friday' or dates=")
        return pd.Timestamp(year=year, month=self.month, day=self.day)


DEFAULT_FESTIVALS: tuple[ShoppingFestival, ...] = (
    ShoppingFestival("618", 6, 18),
    ShoppingFestival("double_11", 11, 11),
    ShoppingFestival("black_friday", rule="black_friday"),
    ShoppingFestival("christmas", 12, 25),
)
#: Chinese e-commerce festivals, measured only for China.
CN_ONLY = frozenset({"618", "double_11"})


def festivals_for(country: str | None) -> tuple[ShoppingFestival, ...]:
    """The shopping festivals of a country: all of `DEFAULT_FESTIVALS` for China, else without 618 and 双11."""
    if country == "CN":
        return DEFAULT_FESTIVALS
    return tuple(f for f in DEFAULT_FESTIVALS if f.key not in CN_ONLY)


#: The Spring Festival window around Chinese New Year's Day (from the holiday library).
SPRING_FESTIVAL_DAYS: tuple[int, int] = (-1, 6)


@dataclass
class FestivalResult(Result):
    """Festival lift.

    Attributes
    ----------
    events : DataFrame
        One row per festival and year: ``festival, kind`` (shopping/holiday), ``year, start,
        end, days, orders, revenue, baseline_orders, baseline_revenue, lift_orders,
        lift_revenue, baseline_days``.
    summary : DataFrame
        One row per festival, all years pooled: ``festival, kind, years, orders,
        baseline_orders, lift_orders, revenue, baseline_revenue, lift_revenue,
        enough_orders`` (False when the festival windows hold fewer than `MIN_ORDERS` orders
        in all: the lift is then not a finding), by lift.
    country : str or None
        ISO code of the calendar used; ``country_choice`` says how it was chosen.
    """

    events: pd.DataFrame
    summary: pd.DataFrame
    country: str | None
    baseline_weeks: int
    as_of: pd.Timestamp
    country_choice: CountryChoice | None = None

    def findings(self) -> pd.DataFrame:
        """The summary rows whose lift rests on enough orders."""
        return self.summary[self.summary["enough_orders"]].reset_index(drop=True)

    def lift(self, festival: str) -> float:
        """Pooled order lift of ``festival``."""
        row = self.summary.loc[self.summary["festival"] == festival, "lift_orders"]
        if row.empty:
            raise KeyError(f"no festival {festival!r} in the data; have {', '.join(self.summary['festival'])}")
        return float(row.iloc[0])

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {"country": self.country, "baseline_weeks": self.baseline_weeks, "min_orders": MIN_ORDERS,
                "country_choice": self.country_choice.to_dict() if self.country_choice else None,
                "summary": self.summary.to_dict("records")}


def festival_calendar(
    years: Iterable[int],
    festivals: Iterable[ShoppingFestival] = DEFAULT_FESTIVALS,
    country: str | None = "CN",
    include_holidays: bool = True,
) -> pd.DataFrame:
    """Festival windows: ``festival, kind, year, day`` (one row per day in a window).

    The Spring Festival (``spring_festival``: New Year's Eve to the sixth day) is found in
    the `holidays` calendar of ``country`` by the name "Spring Festival"; with
    ``include_holidays`` every other public holiday becomes a window of its consecutive
    official days, named as the library names it. ``country=None`` uses shopping festivals only.
    """
    years = sorted(set(int(y) for y in years))
    rows = []
    for f in festivals:
        for y in years:
            peak = f.peak(y)
            if peak is not None:
                for k in range(-f.before, f.after + 1):
                    rows.append((f.key, "shopping", y, peak + pd.Timedelta(days=k)))
    if country:
        rows += _holiday_rows(years, country, include_holidays)
    return pd.DataFrame(rows, columns=["festival", "kind", "year", "day"])


def _holiday_rows(years: list[int], country: str, include_all: bool) -> list[tuple[str, str, int, pd.Timestamp]]:
    import holidays

    try:
        cal = holidays.country_holidays(country, years=years)
    except NotImplementedError as exc:
        raise InputError(f"country={country!r} is not known to the holidays package; use an ISO code like 'CN'") from exc
    rows = []
    named: dict[tuple[str, int], list[pd.Timestamp]] = {}
    for d, names in sorted(cal.items()):
        for name in str(names).split("; "):
            if name.startswith("Day off") or "substituted" in name:
                continue
            base = name.replace(" (observed)", "").strip()
            named.setdefault((base, d.year), []).append(pd.Timestamp(d))
    for (name, year), days in named.items():
        if "Spring Festival" in name:
            lo, hi = SPRING_FESTIVAL_DAYS
            rows += [("spring_festival", "holiday", year, min(days) + pd.Timedelta(days=k)) for k in range(lo, hi + 1)]
        elif include_all and "New Year's Eve" not in name:
            rows += [(name, "holiday", year, day) for day in days]
    return rows


def festival_lift(
    store: Store,
    *,
    as_of: AsOf = None,
    festivals: Iterable[ShoppingFestival] | None = None,
    country: str | None = AUTO,
    include_holidays: bool = True,
    baseline_weeks: int = 4,
    guard_days: int = 3,
    daily: pd.DataFrame | None = None,
) -> FestivalResult:
    """Lift of daily orders and revenue in each festival window against comparable days.

    Parameters
    ----------
    store : Store
        Needs the ``orders`` table.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    festivals : iterable of ShoppingFestival, optional
        Shopping festivals (default `festivals_for` the country: 618 and 双11 for China only,
        Black Friday and Christmas; peak day only).
    country : str or None, default "auto"
        ISO code (or English name) of the public holidays (and the Spring Festival) from the
        `holidays` package; ``"auto"`` reads it from the data (`infer_country`), None measures
        shopping festivals only.
    include_holidays : bool, default True
        Also measure every other public holiday.
    baseline_weeks : int, default 4
        Comparable days of a window day ``d`` are ``d ± 7k`` for ``k = 1..baseline_weeks``
        (same weekday, same season).
    guard_days : int, default 3
        Days within ``guard_days`` of any festival or holiday window are never comparable
        days (pre-sales and after-effects would bias the baseline).
    daily : DataFrame, optional
        ``day, orders, revenue`` per calendar day before ``as_of`` from the first order's day
        (`TimingResult.daily` of the same ``as_of``): read instead of a new pass over the orders.

    Returns
    -------
    FestivalResult

    Notes
    -----
    For a window, ``baseline_orders`` is the sum over its days of the mean orders on that
    day's comparable days inside the observed period; ``lift_orders = orders /
    baseline_orders`` (likewise for revenue). Windows not fully observed are skipped. A lift
    of 2 means twice the orders of comparable ordinary days.
    """
    if baseline_weeks < 1:
        raise InputError(f"baseline_weeks={baseline_weeks!r} should be >= 1")
    choice = resolve_country(store, country)
    country = choice.code
    festivals = festivals_for(country) if festivals is None else tuple(festivals)
    as_of = orders_as_of(store, as_of, "festival effects")
    o = orders_before(store, as_of)
    if daily is None:  # orders and revenue per day with orders, from the store (one row per day)
        per = store.execute(o.group_by(day=o[schema.ORDERED_AT].date())
                            .aggregate(orders=o.count(), revenue=o[schema.AMOUNT].sum()))
    else:
        per = daily.loc[daily["orders"] > 0, ["day", "orders", "revenue"]]
    per = per.assign(day=pd.to_datetime(per["day"]).astype("datetime64[ns]"))
    if per.empty:
        raise MissingDataError(f"no orders before as_of={as_of.date()}: there is no festival to measure; "
                               "pass a later as_of")
    first = per["day"].min()
    cal = festival_calendar(range(first.year, as_of.year + 1), festivals, country, include_holidays)
    cal = cal[(cal["day"] >= first) & (cal["day"] < as_of)]
    cal = cal.groupby(["festival", "year"]).filter(lambda g: _complete(g, festivals))
    blocked = set()
    for day in cal["day"].unique():
        for k in range(-guard_days, guard_days + 1):
            blocked.add(pd.Timestamp(day) + pd.Timedelta(days=k))
    comp = [(r.festival, r.year, r.day, r.day + pd.Timedelta(days=7 * k * s))
            for r in cal.itertuples() for k in range(1, baseline_weeks + 1) for s in (-1, 1)]
    comp_df = pd.DataFrame(comp, columns=["festival", "year", "day", "cday"]).astype(
        {"day": "datetime64[ns]", "cday": "datetime64[ns]"})  # typed even when empty (no window observed)
    cal = cal.astype({"day": "datetime64[ns]"})
    comp_df = comp_df[(comp_df["cday"] >= first) & (comp_df["cday"] < as_of) & ~comp_df["cday"].isin(blocked)]
    windows = cal.merge(comp_df, on=["festival", "year", "day"], how="left")
    windows["kind"] = windows["kind"].astype(str)
    events = _events(windows, per)  # the windows joined with the orders per day
    for c in ("days", "orders", "baseline_days", "year"):
        events[c] = events[c].astype("int64")
    events["lift_orders"] = events["orders"] / events["baseline_orders"].where(events["baseline_orders"] > 0)
    events["lift_revenue"] = events["revenue"] / events["baseline_revenue"].where(events["baseline_revenue"] > 0)
    summ = events.groupby(["festival", "kind"], as_index=False).agg(
        years=("year", "nunique"), orders=("orders", "sum"), baseline_orders=("baseline_orders", "sum"),
        revenue=("revenue", "sum"), baseline_revenue=("baseline_revenue", "sum"))
    summ["lift_orders"] = summ["orders"] / summ["baseline_orders"].where(summ["baseline_orders"] > 0)
    summ["lift_revenue"] = summ["revenue"] / summ["baseline_revenue"].where(summ["baseline_revenue"] > 0)
    summ = summ.sort_values("lift_orders", ascending=False, na_position="last").reset_index(drop=True)
    summ["enough_orders"] = summ["orders"] >= MIN_ORDERS
    summ = summ[["festival", "kind", "years", "orders", "baseline_orders", "lift_orders",
                 "revenue", "baseline_revenue", "lift_revenue", "enough_orders"]]
    return FestivalResult(events=events, summary=summ, country=country, baseline_weeks=baseline_weeks, as_of=as_of,
                          country_choice=choice)


def _events(windows: pd.DataFrame, per: pd.DataFrame) -> pd.DataFrame:
    """Orders in each festival window and the mean of its comparison days, summed over its days.

    A comparison day without orders counts as zero; a window day without comparison days has
    no baseline (NaN), and a window without any has a NaN baseline sum.
    """
    keys = ["festival", "kind", "year", "day"]
    w = windows[keys + ["cday"]].astype({"day": "datetime64[ns]", "cday": "datetime64[ns]"})
    comp = w.merge(per.rename(columns={"day": "cday"}), on="cday", how="left")
    has = comp["cday"].notna()
    comp["b_orders"] = comp["orders"].fillna(0).where(has)
    comp["b_revenue"] = comp["revenue"].fillna(0.0).where(has)
    perday = comp.groupby(keys, sort=False).agg(b_orders=("b_orders", "mean"), b_revenue=("b_revenue", "mean"),
                                               n_comp=("cday", "count")).reset_index()
    perday = perday.merge(per, on="day", how="left")
    events = perday.groupby(["festival", "kind", "year"], sort=False).agg(
        start=("day", "min"), end=("day", "max"), days=("day", "size"),
        orders=("orders", lambda x: x.fillna(0).sum()), revenue=("revenue", lambda x: x.fillna(0.0).sum()),
        baseline_orders=("b_orders", lambda x: x.sum(min_count=1)),
        baseline_revenue=("b_revenue", lambda x: x.sum(min_count=1)),
        baseline_days=("n_comp", "sum")).reset_index()
    events = events.sort_values("start", kind="stable").reset_index(drop=True)
    events["start"] = events["start"].astype("datetime64[us]")
    events["end"] = events["end"].astype("datetime64[us]")
    return events


def _complete(group: pd.DataFrame, festivals: Iterable[ShoppingFestival]) -> bool:
    """A shopping-festival window counts only when all its days are observed."""
    spec = {f.key: f for f in festivals}.get(group["festival"].iloc[0])
    return spec is None or len(group) == spec.before + spec.after + 1
