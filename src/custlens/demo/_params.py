"""Generating parameters of the demo shop: the ground truth that tests check against."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

#: Chinese New Year's Day (first day of the first lunar month) by Gregorian year.
#: Source: Hong Kong Observatory, "Gregorian-Lunar Calendar Conversion Table"
#: (https://www.hko.gov.hk/en/gts/time/conversion.htm). Extend through
#: ``ShopCalendar(spring_festival=...)`` for other years.
SPRING_FESTIVAL: dict[int, str] = {
    2020: "2020-01-25",
    2021: "2021-02-12",
    2022: "2022-02-01",
    2023: "2023-01-22",
    2024: "2024-02-10",
    2025: "2025-01-29",
    2026: "2026-02-17",
    2027: "2027-02-06",
    2028: "2028-01-26",
    2029: "2029-02-13",
    2030: "2030-02-03",
}


@dataclass(frozen=True)
class Festival:
    """A shopping peak on a fixed calendar date.

    Parameters
    ----------
    name : str
        Key used in ``truth.json``.
    month, day : int
        Calendar date of the peak day, every year.
    peak : float
        Multiplier of the day intensity on the peak day.
    ramp_days : int
        Days before the peak with a smaller lift (pre-sales, "preheating").
    ramp : float
        Share of the peak lift applied on ramp days: ``1 + ramp * (peak - 1)``.
    midnight_rush : bool
        Sales open at midnight: hours 0-1 of the peak day get ``festival_midnight_boost``.
    """

    name: str
    month: int
    day: int
    peak: float
    ramp_days: int = 2
    ramp: float = 0.3
    midnight_rush: bool = False


@dataclass(frozen=True)
class ShopCalendar:
    """Day-level intensity of shopping: week, year, festivals and the Spring Festival dip.

    The intensity of a day is the product of a weekday factor, a yearly cosine, the festival
    multipliers and the Spring Festival dip. Purchases are moved within ``window_days`` toward
    high-intensity days; the counting process itself is not changed.
    """

    weekday: tuple[float, ...] = (0.95, 0.95, 0.95, 1.0, 1.05, 1.25, 1.25)  # Mon..Sun
    yearly_amplitude: float = 0.12
    yearly_peak_day_of_year: int = 320  # mid November
    festivals: tuple[Festival, ...] = (
        Festival("618", 6, 18, 3.5, midnight_rush=True),
        Festival("double_11", 11, 11, 6.0, ramp_days=3, midnight_rush=True),
        Festival("christmas", 12, 25, 1.5, ramp_days=1),
    )
    black_friday_peak: float = 1.8  # fourth Friday of November
    spring_festival_dip: float = 0.35  # New Year's Eve to the sixth day
    spring_festival_days: tuple[int, int] = (-1, 6)  # offsets around New Year's Day
    spring_festival: dict[int, str] = field(default_factory=lambda: dict(SPRING_FESTIVAL))
    window_days: int = 7
    # Relative weight of each hour of the day (evening peak, a small midnight bump).
    hours: tuple[float, ...] = (
        1.2, 0.6, 0.3, 0.2, 0.15, 0.15, 0.3, 0.7, 1.2, 1.6, 1.9, 2.0,
        2.2, 1.9, 1.7, 1.7, 1.7, 1.8, 2.0, 2.6, 3.2, 3.6, 3.3, 2.2,
    )  # fmt: skip
    festival_midnight_boost: float = 5.0  # hours 0-1 on festivals with a midnight rush


@dataclass(frozen=True)
class DemoParams:
    """Everything the generator draws from, besides the seed and the size.

    Time unit of the purchase process is the day.

    Attributes
    ----------
    r, alpha : float
        BG/NBD purchase rate heterogeneity: ``lambda ~ Gamma(shape=r, rate=alpha)`` per day.
    a, b : float
        BG/NBD dropout heterogeneity: ``p ~ Beta(a, b)``; a customer drops out right after
        a repeat purchase with probability ``p`` (never after the first purchase).
    p, q, v : float
        Gamma-Gamma spend: ``nu ~ Gamma(q, rate=v)``, each order value ``z ~ Gamma(p, rate=nu)``
        (yuan). Mean order value ``p * v / (q - 1)``.
    """

    r: float = 0.25
    alpha: float = 30.0
    a: float = 0.8
    b: float = 2.5
    p: float = 6.0
    q: float = 4.0
    v: float = 100.0
    never_buy_share: float = 0.06
    growth: float = 0.7  # log growth of acquisitions over the whole period
    calendar: ShopCalendar = field(default_factory=ShopCalendar)
    # Demographic links (latent Gaussian copula: the marginals above stay exact).
    income_on_spend: float = 0.25  # log income += income_on_spend * (-z_nu)
    tier_on_rate: tuple[float, float, float, float] = (0.35, 0.15, 0.0, -0.2)
    channel_on_dropout: dict[str, float] = field(
        default_factory=lambda: {"搜索": -0.2, "社交": 0.1, "直播": 0.7, "自然": -0.5, "广告": 0.3}
    )
    # Orders.
    discount_share: float = 0.35
    festival_discount_share: float = 0.75
    return_rate: dict[str, float] = field(
        default_factory=lambda: {
            "服饰": 0.12, "美妆": 0.03, "数码": 0.06, "家居": 0.04, "食品": 0.01, "母婴": 0.03
        }
    )  # fmt: skip
    # Campaign.
    campaign_days_before_end: int = 90
    campaign_active_days: int = 180
    campaign_window_days: int = 30
    campaign_extra_purchase: float = 0.06
    campaign_cost: float = 0.5
    # Mess, as shares of valid order lines (at least 2 rows of each kind).
    mess_rates: dict[str, float] = field(
        default_factory=lambda: {
            "empty_customer_id": 0.001,
            "bad_date": 0.0005,
            "bad_amount": 0.0005,
            "future_date": 0.0003,
            "duplicate_line": 0.003,
        }
    )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: tuples become lists, year keys become strings."""
        return json.loads(json.dumps(asdict(self), ensure_ascii=False))
