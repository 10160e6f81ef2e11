"""CLI of the behaviour analyses: ``profile``, ``behaviour``, ``cohorts``, ``lifecycle``, ``loyalty``, ``customer``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Optional

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from custlens import i18n
from custlens.commands._common import (AsOfOpt, JsonOpt, LangOpt, StoreOpt, check_lang, clean, emit_json,
                                       number_format, out, parse_as_of, styled)
from custlens.errors import MissingDataError
from custlens.safety import visible

_PCT = ("share", "rate", "retention", "retention_first", "retention_recurring", "revenue_retention", "support",
        "confidence")


def _frame(df: pd.DataFrame, lang: str, title: str | None = None) -> Table:
    """A rich table with the behaviour headers; share/rate columns as percentages."""
    from custlens.behaviour.texts import header

    table = Table(title=Text(visible(title)) if title is not None else None)
    for c in df.columns:
        table.add_column(Text(visible(header(str(c), lang))),
                         justify="right" if pd.api.types.is_numeric_dtype(df[c]) else "left")
    pct = [str(c).endswith(_PCT) for c in df.columns]
    fmts = [number_format(c, df[c]) for c in df.columns]
    for row in df.itertuples(index=False):
        table.add_row(*[Text(visible(_cell(v, p, f))) for v, p, f in zip(row, pct, fmts)])
    return table


def _cell(v: Any, pct: bool, fmt: Any = None) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float):
        return f"{v:.1%}" if pct else (fmt(v) if fmt else f"{v:,.2f}")
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, pd.Timestamp):
        return str(v.date())
    return str(v)


def _open(store: str):
    from custlens.store import open_store

    return open_store(store, read_only=True)


def register(app: typer.Typer) -> None:
    """Add the six commands to ``app``."""

    @app.command()
    @clean
    def profile(store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt,
                as_json: bool = JsonOpt) -> None:
        """Customer profile: demographics against value, with chi-square and Cramér's V.

        Example: custlens profile --store shop.duckdb --lang zh
        """
        from custlens import analyses

        check_lang(lang)
        st = _open(store)
        res = analyses.profile(st, as_of=parse_as_of(as_of, st, lang))
        if as_json:
            emit_json({**res.to_dict(), "findings": _findings(res, lang)})
            return
        for line in _findings(res, lang):
            out.print(line, highlight=False)
        tests = res.tests.assign(dimension=[i18n.t(f"profile.dim.{d}", lang) for d in res.tests["dimension"]],
                                 target=[i18n.t(f"profile.target.{x}", lang) for x in res.tests["target"]],
                                 strength=[i18n.t(f"profile.strength.{x}", lang) for x in res.tests["strength"]])
        out.print(_frame(tests[["dimension", "target", "cramers_v", "p_value", "strength"]], lang))
        miss = res.missing.assign(dimension=[i18n.t(f"profile.dim.{d}", lang) for d in res.missing["dimension"]])
        out.print(_frame(miss, lang))

    @app.command()
    @clean
    def behaviour(store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt,
                  country: str = typer.Option("auto", "--country", help="Festival calendar: ISO code (CN, GB...) or auto (read from the data)."),
                  as_json: bool = JsonOpt) -> None:
        """Purchase behaviour: frequency, preferences, basket rules, timing and festival lift.

        Example: custlens behaviour --store shop.duckdb --json
        """
        from custlens import analyses

        check_lang(lang)
        st = _open(store)
        when = parse_as_of(as_of, st, lang)
        freq, prefs = analyses.frequency(st, as_of=when), analyses.preferences(st, as_of=when)
        tim = analyses.timing(st, as_of=when)
        fest = analyses.festivals(st, as_of=when, country=country or None)
        from custlens.behaviour.festivals import MIN_ORDERS
        try:
            basket = analyses.basket(st, as_of=when)
        except MissingDataError:
            basket = None
        if as_json:
            emit_json({"frequency": freq.to_dict(), "preferences": prefs.to_dict(), "timing": tim.to_dict(),
                       "festivals": fest.to_dict(), "basket": None if basket is None else basket.to_dict()})
            return
        b = freq.buckets.assign(bucket=[i18n.t(f"behaviour.bucket.{k}", lang) for k in freq.buckets["bucket"]])
        out.print(f"{i18n.t('behaviour.repeat_rate', lang)}: {freq.repeat_rate:.1%}   "
                  f"{i18n.t('behaviour.median_gap', lang)}: {freq.gap_summary['median']:.0f}   "
                  f"{i18n.t('behaviour.median_second', lang)}: {freq.time_to_second['median']:.0f}", highlight=False)
        out.print(_frame(b, lang))
        for dim, frame in prefs.shares.items():
            out.print(_frame(frame.head(5)[["value", "orders", "revenue", "revenue_share"]], lang,
                             i18n.t(f"behaviour.dim.{dim}", lang)))
        if basket is not None and len(basket.rules):
            named = "antecedent_name" in basket.rules
            cols = ["antecedent_name", "consequent_name"] if named else ["antecedent", "consequent"]
            out.print(_frame(basket.top_rules(8)[cols + ["orders", "support", "confidence", "lift"]], lang,
                             i18n.t("report.basket.title", lang)))
        wd, hr = tim.peak()
        out.print(f"{i18n.t('behaviour.peak_time', lang)}: "
                  f"{i18n.t('behaviour.peak_time_value', lang, weekday=i18n.t(f'behaviour.weekday.{wd}', lang), hour=hr)}",
                  highlight=False)
        from custlens.report.holiday_names import holiday_name

        fs = fest.summary.assign(festival=[i18n.t(f"behaviour.festival.{k}", lang) if i18n.has(f"behaviour.festival.{k}")
                                           else holiday_name(str(k), fest.country, lang) for k in fest.summary["festival"]])
        out.print(_frame(fs[["festival", "years", "orders", "baseline_orders", "lift_orders", "lift_revenue"]], lang,
                         i18n.t("report.behaviour.festivals", lang)))
        if fest.country_choice is not None:
            out.print(fest.country_choice.text(lang), highlight=False)
        thin = fs[~fest.summary["enough_orders"].to_numpy()]
        if len(thin):
            out.print(i18n.t("behaviour.festival.too_few", lang, n=MIN_ORDERS, names=", ".join(thin["festival"])),
                      highlight=False)

    @app.command()
    @clean
    def cohorts(store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt,
                freq: str = typer.Option("month", "--freq", help="month or quarter."),
                as_json: bool = JsonOpt) -> None:
        """Cohort retention by acquisition month: the average curve (first-time and recurring).

        Example: custlens cohorts --freq quarter --json
        """
        from custlens import analyses

        check_lang(lang)
        st = _open(store)
        res = analyses.cohorts(st, as_of=parse_as_of(as_of, st, lang), freq=freq)
        if as_json:
            emit_json(res.to_dict())
            return
        cols = ["period", "cohorts", "customers", "retention", "retention_first", "retention_recurring",
                "revenue_retention"]
        out.print(_frame(res.average[cols].head(13), lang, i18n.t("report.cohorts.curve", lang)))

    @app.command()
    @clean
    def lifecycle(store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt,
                  since: Optional[str] = typer.Option(None, "--from", help="Also show stage transitions from this date to --as-of."),
                  as_json: bool = JsonOpt) -> None:
        """Lifecycle stages (prospect ... churned) with their value, and monthly states.

        Example: custlens lifecycle --from 2025-10-01
        """
        from custlens import analyses

        check_lang(lang)
        st = _open(store)
        res = analyses.lifecycle(st, as_of=parse_as_of(as_of, st, lang),  # transitions from the same pass
                                 transitions_from=parse_as_of(since) if since else None)
        tr = res.transitions
        if as_json:
            emit_json(res.to_dict())
            return
        rules = asdict(res.rules)
        stages = res.stages.copy()
        stages["rule"] = [i18n.t(f"lifecycle.rule.{s}", lang, **rules) for s in stages["stage"]]
        stages["stage"] = [i18n.t(f"lifecycle.stage.{s}", lang) for s in stages["stage"]]
        out.print(_frame(stages[["stage", "rule", "customers", "share", "revenue", "revenue_share"]], lang))
        p = res.periods.tail(6).assign(period=lambda f: f["period"].dt.strftime("%Y-%m"))
        out.print(_frame(p[["period", "new", "returning", "resurrecting", "dormant", "revenue_new"]]
                         .rename(columns={"revenue_new": "revenue"}), lang))
        if tr is not None:
            counts = tr.counts.copy()
            counts.columns = [i18n.t(f"lifecycle.stage.{s}", lang) for s in counts.columns]
            counts.insert(0, "stage", [i18n.t(f"lifecycle.stage.{s}", lang) for s in counts.index])
            out.print(_frame(counts.reset_index(drop=True), lang,
                             i18n.t("report.lifecycle.transitions", lang, start=tr.date_from.date(), end=tr.date_to.date())))

    @app.command()
    @clean
    def loyalty(store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt,
                window: int = typer.Option(365, "--window", help="Days of each retention window."),
                as_json: bool = JsonOpt) -> None:
        """Loyalty: repeat-purchase rate, retention rate, NPS and the loyalty index.

        Example: custlens loyalty --window 180 --json
        """
        from custlens import analyses

        check_lang(lang)
        st = _open(store)
        res = analyses.loyalty(st, as_of=parse_as_of(as_of, st, lang), window_days=window)
        if as_json:
            emit_json(res.to_dict())
            return
        out.print(f"{i18n.t('loyalty.index', lang)}: {res.index:.1f}/100", highlight=False)
        comp = res.components.assign(component=[i18n.t(f"loyalty.component.{c}", lang) for c in res.components["component"]])
        out.print(_frame(comp, lang))

    @app.command()
    @clean
    def customer(customer_id: str = typer.Argument(..., help="The customer id."), store: str = StoreOpt,
                 as_of: Optional[str] = AsOfOpt, lang: str = LangOpt, as_json: bool = JsonOpt) -> None:
        """Customer 360: profile, orders, segment, lifecycle stage, CLV, churn risk, feedback, tickets.

        Example: custlens customer M10037437 --json
        """
        from custlens import analyses

        check_lang(lang)
        st = _open(store)
        d = analyses.customer(st, customer_id, as_of=parse_as_of(as_of, st, lang)).to_dict()
        if as_json:
            emit_json(d)
            return
        _print_360(d, lang)


def _findings(res: Any, lang: str) -> list[str]:
    rows = res.findings()
    if rows.empty:
        return [i18n.t("profile.no_findings", lang)]
    return [i18n.t("profile.finding", lang, dimension=i18n.t(f"profile.dim.{r.dimension}", lang),
                   target=i18n.t(f"profile.target.{r.target}", lang), v=f"{r.cramers_v:.2f}",
                   strength=i18n.t(f"profile.strength.{r.strength}", lang),
                   p="p < 0.001" if r.p_value < 0.001 else f"p = {r.p_value:.3f}") for r in rows.itertuples()]


def _print_360(d: dict[str, Any], lang: str) -> None:
    def t(key: str, **kw: Any) -> str:
        return i18n.t(key, lang, **kw)

    none = t("customer360.none")
    seg = t(f"segment.{d['segment_scheme']}.{d['segment']}.name") if d["segment"] else none
    out.print(styled((t("customer360.title", id=d["customer_id"]), "bold"), f"  ({d['as_of']})"))
    lines = [
        (t("customer360.orders"), f"{d['orders']:,}"),
        (t("customer360.revenue"), f"{d['revenue']:,.2f}"),
        (t("customer360.first_order"), (d["first_order"] or none)[:19]),
        (t("customer360.last_order"), (d["last_order"] or none)[:19]),
        (t("customer360.segment"), seg),
        (t("customer360.stage"), t(f"lifecycle.stage.{d['lifecycle_stage']}")),
        (t("customer360.clv"), _with_context(_clv(d.get("clv"), lang), d, "clv", lang) or none),
        (t("customer360.churn"), _with_context(_churn(d.get("churn"), lang), d, "churn", lang) or none),
    ]
    for label, value in lines:
        out.print(f"  {label}: {value}", highlight=False)
    if d["profile"]:
        from custlens.behaviour.texts import header

        out.print("  " + ", ".join(f"{header(k, lang)}: {_value(v)}" for k, v in d["profile"].items() if v is not None),
                  highlight=False)
    for key, rows, cols in (("customer360.recent_orders", d["recent_orders"], ["order_id", "ordered_at", "amount", "channel"]),
                            ("customer360.feedback", d["feedback"], ["created_at", "kind", "rating", "text"]),
                            ("customer360.tickets", d["tickets"], ["opened_at", "category", "satisfaction"])):
        if rows:
            frame = pd.DataFrame(rows)
            frame = frame[[c for c in cols if c in frame]]
            out.print(_frame(frame.head(5), lang, t(key)))


def _clv(clv: dict[str, Any] | None, lang: str) -> str:

    if not clv or clv.get("clv") is None:
        return ""
    buy = clv.get("p_purchase")
    return f"{clv['clv']:,.2f}" + (f", {i18n.t('report.col.p_purchase', lang)} {buy:.0%}" if buy is not None else "")


def _with_context(value: str, d: dict[str, Any], name: str, lang: str) -> str:
    """The saved score with the model/horizon/as-of it was computed with, or why it is not shown."""
    from custlens.clv.scores import ScoreStatus

    info = (d.get("scores") or {}).get(name)
    if not info:
        return value
    status = ScoreStatus(info["state"], f"{name}_scores", info["model"], info["horizon_days"],
                         pd.Timestamp(info["as_of"]) if info["as_of"] else None,
                         pd.Timestamp(info["wanted"]) if info["wanted"] else None)
    return f"{value} ({status.text(lang)})" if value and status.ok else ("" if status.ok else status.text(lang))
def _value(v: Any) -> str:
    """A profile value: an age or a count of 34.0 is shown as 34."""
    if isinstance(v, float) and v.is_integer():
        return f"{int(v)}"
    return f"{v:,.2f}" if isinstance(v, float) else str(v)


def _churn(churn: dict[str, Any] | None, lang: str) -> str:
    from custlens.churn.saved import reasons_text

    if not churn:
        return ""
    p = churn.get("churn_probability")
    band = churn.get("risk_band") or ""
    reasons = reasons_text(churn.get("reasons"), lang)  # saved as keys and arguments
    return " ".join(x for x in (f"{p:.0%}" if isinstance(p, float) else "", str(band), str(reasons)) if x)


