"""``generate_shop``: a synthetic online shop with known ground truth, written as messy exports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from custlens import schema
from custlens.demo import _voc
from custlens.demo._calendar import black_friday, day_intensity
from custlens.demo._campaign import run_campaign
from custlens.demo._catalog import build_catalog, pair_products
from custlens.demo._export import write_customers, write_orders
from custlens.demo._orders import build_orders, pair_stats
from custlens.demo._params import DemoParams
from custlens.demo._people import draw_members
from custlens.demo._process import simulate
from custlens.errors import InputError

TRUTH_FILE = "truth.json"
CUSTOMERS_TRUTH_FILE = "customers_truth.csv"


@dataclass
class DemoShop:
    """A generated demo shop.

    Attributes
    ----------
    out_dir : Path
        Folder holding the exports and the truth.
    paths : dict of str to Path
        Export file per canonical table name (``orders`` holds order lines and refunds;
        ingest splits it into ``orders``, ``order_items`` and ``returns``).
    truth : dict
        The content of ``truth.json``.
    """

    out_dir: Path
    paths: dict[str, Path]
    truth: dict[str, Any] = field(repr=False)

    @property
    def truth_path(self) -> Path:
        """``truth.json`` beside the exports."""
        return self.out_dir / TRUTH_FILE

    @property
    def customers_truth_path(self) -> Path:
        """``customers_truth.csv``: latent parameters and status of every member."""
        return self.out_dir / CUSTOMERS_TRUTH_FILE

    def customers_truth(self) -> pd.DataFrame:
        """Read ``customers_truth.csv``."""
        return pd.read_csv(self.customers_truth_path, dtype={"customer_id": str})


#: Length of the demo's history in whole months (January 2024 to September 2026 before the
#: demo followed the calendar).
HISTORY_MONTHS = 33


def default_end(today: object = None) -> pd.Timestamp:
    """The demo's default last day: the last day of the month before ``today`` (default: the
    machine's date), so the data reads as recent and the same day always gives the same shop.

    >>> str(default_end("2026-11-30").date()), str(default_end("2026-12-01").date())
    ('2026-10-31', '2026-11-30')
    """
    day = pd.Timestamp.today() if today is None else pd.Timestamp(today)
    return day.normalize().replace(day=1) - pd.Timedelta(days=1)


def default_start(end: object) -> pd.Timestamp:
    """The first day of the month `HISTORY_MONTHS` months before the month after ``end``.

    >>> str(default_start("2026-09-30").date())
    '2024-01-01'
    """
    first_after = (pd.Timestamp(end).normalize() + pd.Timedelta(days=1)).replace(day=1)
    return first_after - pd.DateOffset(months=HISTORY_MONTHS)


def _validate(customers: int, seed: int, start: str, end: str, params: DemoParams) -> tuple[pd.Timestamp, pd.Timestamp]:
    if not isinstance(customers, (int, np.integer)) or isinstance(customers, bool) or customers < 100:
        raise InputError(f"customers={customers!r} should be an integer >= 100")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed={seed!r} should be a non-negative integer")
    try:
        t0, t1 = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    except (ValueError, TypeError) as exc:
        raise InputError(f"start={start!r} / end={end!r}: not dates ({exc}); use 'YYYY-MM-DD'") from exc
    min_days = params.campaign_days_before_end + params.campaign_window_days + 60
    if (t1 - t0).days + 1 < min_days:
        raise InputError(f"start={start!r} to end={end!r} spans {(t1 - t0).days + 1} days; need at least {min_days}")
    return t0, t1


def generate_shop(
    out_dir: str | Path,
    customers: int = 5000,
    seed: int = 42,
    start: str | None = None,
    end: str | None = None,
    *,
    params: DemoParams | None = None,
) -> DemoShop:
    """Generate a synthetic online shop and write its exports and ground truth to ``out_dir``.

    Purchases follow the BG/NBD process (Fader, Hardie & Lee 2005) with per-day rate
    ``lambda ~ Gamma(r, alpha)`` and dropout ``p ~ Beta(a, b)``; order values follow the
    Gamma-Gamma model (Fader, Hardie & Lee 2005b) with ``p, q, v``. Repeat purchases are then
    moved within a week toward busy days (weekends, 618, 双11, Black Friday, Christmas) and
    away from the Spring Festival, and get an hour of day with an evening peak. Demographics
    depend on the latent parameters through a Gaussian copula (the model marginals stay exact).

    Parameters
    ----------
    out_dir : str or Path
        Created if missing; existing export files are overwritten.
    customers : int, default 5000
        Registered members (about 6% never order).
    seed : int, default 42
        Same seed, same files, byte for byte.
    start, end : str, optional
        First and last day of the observation period (inclusive). Default ``end``: the last day
        of the previous month (`default_end`), so forecasts, timeliness and "still active" read
        naturally; default ``start``: `HISTORY_MONTHS` months earlier (`default_start`). The
        same seed and dates give the same shop; pass both for a fixed shop (the tests use
        2024-01-01 to 2026-09-30).
    params : DemoParams, optional
        Generating parameters; defaults to ``DemoParams()``.

    Returns
    -------
    DemoShop
        Paths of ``orders.csv`` (UTF-8 with BOM, Chinese headers, planted mess),
        ``customers.csv`` (GBK), ``surveys.csv``, ``feedback.csv``, ``tickets.csv``,
        ``campaign_members.csv``, plus ``truth.json`` and ``customers_truth.csv``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting Your Customers" the Easy
    Way: An Alternative to the Pareto/NBD Model. Marketing Science, 24(2), 275-284.

    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using Iso-Value Curves
    for Customer Base Analysis. Journal of Marketing Research, 42(4), 415-430.

    Examples
    --------
    >>> shop = generate_shop(tmp_path, customers=500, seed=1)  # doctest: +SKIP
    >>> shop.truth["orders"]["expected_ingest"]["orders"]  # doctest: +SKIP
    """
    params = params or DemoParams()
    end = str((default_end() if end is None else pd.Timestamp(end)).date())
    start = str(default_start(end).date()) if start is None else start
    t_start, t_end = _validate(customers, seed, start, end, params)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(9)]

    days = pd.date_range(t_start, t_end, freq="D")
    n_days = len(days)
    period_end = t_start + pd.Timedelta(days=n_days)
    weights, festival = day_intensity(days, params.calendar)

    members = draw_members(int(customers), params, rngs[0])
    proc = simulate(members, weights, festival, params, rngs[1])
    camp = run_campaign(proc.tx, members, t_start, n_days, params, rngs[2])
    tx = pd.concat([proc.tx, camp.extra], ignore_index=True)

    catalog = build_catalog(rngs[3])
    promo = weights / np.median(weights) > 1.5
    data = build_orders(tx, members, catalog, t_start, promo, n_days, params, rngs[4])
    first_order = data.orders.groupby("member")["ordered_at"].min()
    signup = _signup_times(members, proc.per_member, first_order, t_start, rngs[5])

    paths = {name: out / f"{name}.csv" for name in
             (schema.ORDERS.name, schema.CUSTOMERS.name, schema.SURVEYS.name, schema.FEEDBACK.name,
              schema.TICKETS.name, schema.CAMPAIGN_MEMBERS.name)}  # fmt: skip
    orders_truth = write_orders(data, paths["orders"], params, rngs[6])
    customers_truth = write_customers(members, signup, paths["customers"], rngs[7])

    vrng = rngs[8]
    refunded = np.zeros(len(data.orders), dtype=bool)
    refunded[pd.Index(data.orders["order_id"]).get_indexer(data.refunds["order_id"])] = True
    surveys, s_truth = _voc.surveys(data.orders, members, period_end, vrng)
    feedback, f_truth = _voc.feedback(data.lines, data.orders, refunded, members,
                                      catalog.set_index("product_id")["kind"], period_end, vrng)  # fmt: skip
    tickets, t_truth = _voc.tickets(data.orders, refunded, members, period_end, vrng)
    others = (("surveys", surveys), ("feedback", feedback), ("tickets", tickets), ("campaign_members", camp.members))
    for name, frame in others:
        frame.to_csv(paths[name], index=False, encoding="utf-8", lineterminator="\n")

    per = _customers_truth(members, proc.per_member, data.orders, t_start, signup, params)
    per.to_csv(out / CUSTOMERS_TRUTH_FILE, index=False, lineterminator="\n")

    camp.truth["true_incremental_revenue_treatment_total"] = round(
        int(data.orders.loc[data.orders["kind"] == "campaign", "amount_cents"].sum()) / 100, 2
    )
    truth = {
        "generator": "custlens.demo.generate_shop",
        "seed": int(seed),
        "customers": int(customers),
        "start": str(t_start.date()),
        "end": str(t_end.date()),
        "period_end_exclusive": str(period_end.date()),
        "time_unit": "day",
        "bgnbd": {
            "r": params.r, "alpha_days": params.alpha, "alpha_weeks": params.alpha / 7.0,
            "a": params.a, "b": params.b,
            "note": "dropout after each repeat purchase with probability p; never after the first",
        },
        "gamma_gamma": {"p": params.p, "q": params.q, "v": params.v,
                        "mean_order_value": params.p * params.v / (params.q - 1)},
        "members": {
            "registered": int(customers),
            "buyers": int(members["buyer"].sum()),
            "never_ordered": int((~members["buyer"]).sum()),
            "repeat_buyer_share": float((per.loc[per["buyer"], "x"] > 0).mean()),
            "alive_at_end_share": float(per.loc[per["buyer"], "alive_at_end"].mean()),
        },
        "tables": {
            "orders": {"file": paths["orders"].name, "rows": orders_truth["rows"], "encoding": "utf-8-sig"},
            "customers": {"file": paths["customers"].name, "rows": customers_truth["rows"], "encoding": "gbk"},
            **{name: {"file": paths[name].name, "rows": len(frame), "encoding": "utf-8"} for name, frame in others},
        },
        "orders": orders_truth,
        "customers_file": customers_truth,
        "calendar": _calendar_truth(days, params),
        "demographic_links": _demographic_truth(members, params),
        "basket_pairs": pair_stats(data.lines, pair_products(catalog)),
        "campaign": camp.truth,
        "surveys": s_truth,
        "feedback": f_truth,
        "tickets": t_truth,
        "files": {"truth": TRUTH_FILE, "customers_truth": CUSTOMERS_TRUTH_FILE},
        "params": params.to_dict(),
    }
    (out / TRUTH_FILE).write_text(json.dumps(truth, ensure_ascii=False, indent=2), encoding="utf-8")
    return DemoShop(out_dir=out, paths=paths, truth=truth)


def _signup_times(members: pd.DataFrame, per: pd.DataFrame, first_order: pd.Series, start: pd.Timestamp,
                  rng: np.random.Generator) -> pd.Series:  # fmt: skip
    """Signup: minutes before the first order for most buyers, days before for some."""
    n = len(members)
    base = start + pd.to_timedelta(per["signup_day"].to_numpy(), unit="D") + pd.to_timedelta(
        rng.integers(8 * 3600, 23 * 3600, n), unit="s"
    )
    first = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    first.loc[first_order.index] = first_order.to_numpy()
    lead = np.where(rng.random(n) < 0.7, rng.uniform(60, 1800, n), rng.exponential(20 * 86400, n))
    lead_td = pd.to_timedelta(np.round(lead), unit="s")
    signup = (first - lead_td).where(first.notna(), pd.Series(base))
    return signup.clip(lower=start).dt.floor("s")


def _customers_truth(members: pd.DataFrame, per: pd.DataFrame, orders: pd.DataFrame, start: pd.Timestamp,
                     signup: pd.Series, params: DemoParams) -> pd.DataFrame:  # fmt: skip
    counts = orders.groupby(["member", "kind"]).size().unstack(fill_value=0)
    n = len(members)

    def _col(kind: str) -> np.ndarray:
        return counts[kind].reindex(range(n), fill_value=0).to_numpy() if kind in counts else np.zeros(n, int)

    def _ts(days: np.ndarray) -> pd.Series:
        return pd.Series(start + pd.to_timedelta(days * 86400, unit="s")).dt.floor("s")

    first_at = orders.groupby("member")["ordered_at"].min().reindex(range(n))
    return pd.DataFrame(
        {
            "customer_id": members["customer_id"].to_numpy(),
            "buyer": members["buyer"].to_numpy(),
            "signup_at": signup.to_numpy(),
            "first_order_at": first_at.to_numpy(),
            "lambda_per_day": members["lam"].to_numpy(),
            "p_dropout": members["p_dropout"].to_numpy(),
            "nu": members["nu"].to_numpy(),
            "expected_order_value": params.p / members["nu"].to_numpy(),
            "x": per["x"].to_numpy(),
            "t_x_days": per["t_x_days"].to_numpy(),
            "T_days": per["T_days"].to_numpy(),
            "alive_at_end": per["alive_at_end"].to_numpy().astype(bool),
            "churn_at": _ts(per["churn_t"].to_numpy()).to_numpy(),
            "orders_first": _col("first"),
            "orders_repeat": _col("repeat"),
            "orders_campaign": _col("campaign"),
            "satisfaction": members["satisfaction"].to_numpy(),
            "income": members["income"].to_numpy(),
            "city_tier": members["city_tier"].to_numpy(),
            "acquisition_channel": members["acquisition_channel"].to_numpy(),
        }
    )


def _calendar_truth(days: pd.DatetimeIndex, params: DemoParams) -> dict[str, Any]:
    cal = params.calendar
    years = range(days[0].year, days[-1].year + 1)
    return {
        "weekday_multipliers_mon_to_sun": list(cal.weekday),
        "yearly_amplitude": cal.yearly_amplitude,
        "yearly_peak_day_of_year": cal.yearly_peak_day_of_year,
        "festivals": [
            {"name": f.name, "month": f.month, "day": f.day, "peak_multiplier": f.peak,
             "ramp_days": f.ramp_days, "ramp_multiplier": 1 + f.ramp * (f.peak - 1), "midnight_rush": f.midnight_rush}
            for f in cal.festivals
        ] + [{"name": "black_friday", "dates": [str(black_friday(y).date()) for y in years if black_friday(y) <= days[-1]],
              "peak_multiplier": cal.black_friday_peak}],  # fmt: skip
        "spring_festival": {
            "dates": {str(y): cal.spring_festival[y] for y in years},
            "dip_multiplier": cal.spring_festival_dip,
            "dip_days_offsets": list(cal.spring_festival_days),
            "source": "Hong Kong Observatory Gregorian-Lunar Calendar Conversion Table",
        },
        "relocation_window_days": cal.window_days,
        "hour_weights": list(cal.hours),
        "festival_midnight_boost": cal.festival_midnight_boost,
    }


def _demographic_truth(members: pd.DataFrame, params: DemoParams) -> dict[str, Any]:
    b = members[members["buyer"]]
    q = pd.qcut(b["income"].rank(method="first"), 5, labels=False)
    return {
        "method": "Gaussian copula: z_lam, z_p, z_nu ~ N(0,1) independent; lambda, p, nu from their quantiles",
        "income": f"log income += {params.income_on_spend} * (-z_nu): richer members spend more per order",
        "city_tier_on_rate": dict(zip(("一线", "二线", "三线", "四线及以下"), params.tier_on_rate)),
        "channel_on_dropout": params.channel_on_dropout,
        "mean_expected_order_value_by_income_quintile": [
            round(float(v), 2) for v in (params.p / b["nu"]).groupby(q.to_numpy()).mean().to_numpy()
        ],
        "mean_lambda_per_day_by_city_tier": {k: round(float(v), 5) for k, v in b.groupby("city_tier")["lam"].mean().items()},
        "mean_p_dropout_by_channel": {k: round(float(v), 4) for k, v in b.groupby("acquisition_channel")["p_dropout"].mean().items()},
    }
