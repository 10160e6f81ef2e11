"""`custlens satisfaction`, `custlens feedback`, `custlens service`: the voice of the customer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pandas as pd
import typer

from custlens.commands._common import (AsOfOpt, JsonOpt, LangOpt, StoreOpt, check_lang, clean, emit_json, err, out,
                                       parse_as_of)
from custlens.errors import CustlensError

_LABELLED = {"attribute": "attribute", "dimension": "dimension", "grade": "grade", "quadrant": "ipa",
             "category": "category", "demand_type": "demand", "group": "nps.group", "lang": "lang",
             "measure": "measure", "sentiment_label": "sentiment", "item": "attribute"}


def _table(df: pd.DataFrame, lang: str, title: str | None = None) -> Any:
    """A rich table with VoC headers and translated labels."""
    from rich.table import Table

    from custlens.voc.texts import header, label

    t = Table(title=title)
    shown = df.copy()
    for col, prefix in _LABELLED.items():
        if col in shown:
            shown[col] = [label(prefix, v, lang) if v is not None and v == v else "" for v in shown[col]]
    for c in shown.columns:
        t.add_column(header(str(c), lang), justify="right" if pd.api.types.is_numeric_dtype(shown[c]) else "left")
    for row in shown.itertuples(index=False):
        t.add_row(*[_cell(v) for v in row])
    return t


def _cell(v: Any) -> str:
    if isinstance(v, bool):
        return "✓" if v else ""
    if isinstance(v, float):
        return "" if v != v else f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
    if isinstance(v, list):
        return " | ".join(map(str, v))
    return "" if v is None else str(v)


def _p(text: str) -> None:
    out.print(text, markup=False, highlight=False)


def _open(store: str) -> Any:
    from custlens.store import open_store

    return open_store(store, read_only=True)


def _weights(weights: str, ahp_file: Optional[Path]) -> Any:
    from custlens.voc import ahp, read_matrix

    if ahp_file is not None:
        return ahp(read_matrix(ahp_file))
    if weights in ("derived", "equal"):
        return weights
    pairs = dict(item.split("=", 1) for item in weights.split(",") if "=" in item)
    if not pairs:
        raise CustlensError(f"--weights {weights!r}: use derived, equal or expert weights like 'quality=0.4,delivery=0.3'")
    try:
        return {k.strip(): float(v) for k, v in pairs.items()}
    except ValueError:
        raise CustlensError(f"--weights {weights!r}: weights must be numbers, e.g. 'quality=0.4,delivery=0.3'") from None


def register(app: typer.Typer) -> None:
    """Add the ``satisfaction`` group and the ``feedback`` and ``service`` commands to ``app``."""
    sat = typer.Typer(help="Satisfaction index, survey analysis, NPS and AHP weights.", invoke_without_command=True)
    app.add_typer(sat, name="satisfaction")

    @sat.callback()
    @clean
    def satisfaction(
        ctx: typer.Context,
        weights: str = typer.Option("derived", "--weights", help="derived | equal | expert weights 'quality=0.4,delivery=0.3,...'."),
        ahp_file: Optional[Path] = typer.Option(None, "--ahp", help="Weights from an AHP pairwise-comparison CSV."),
        period: str = typer.Option("quarter", "--period", help="quarter | month | year."),
        store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt, as_json: bool = JsonOpt,
    ) -> None:
        """Satisfaction index 0-100 with grade, by dimension, segment, channel and period.

        Example: custlens satisfaction --ahp weights.csv --lang zh
        """
        if ctx.invoked_subcommand is not None:
            return
        from custlens import analyses, i18n

        check_lang(lang)
        res = analyses.satisfaction(_open(store), as_of=parse_as_of(as_of), weights=_weights(weights, ahp_file),
                                 period=period)
        if as_json:
            emit_json(res.to_dict())
            return
        _p(i18n.t("voc.cli.index", lang, index=f"{res.index:.1f}", low=f"{res.ci_low:.1f}", high=f"{res.ci_high:.1f}",
                  n=f"{res.answers:,}", grade=i18n.t(f"voc.grade.{res.grade}", lang),
                  method=i18n.t(f"voc.weights.{res.weight_method}", lang)))
        out.print(_table(res.attributes, lang))
        out.print(_table(res.by_period, lang))

    @sat.command("ahp")
    @clean
    def ahp_cmd(
        matrix: Path = typer.Argument(..., help="Square CSV: criterion names as header and first column; cells like 3 or 1/3."),
        lang: str = LangOpt, as_json: bool = JsonOpt,
    ) -> None:
        """AHP weights, lambda_max, CI and CR of a pairwise-comparison matrix (refused when CR > 0.1).

        Example: custlens satisfaction ahp criteria.csv --json
        """
        from custlens import i18n
        from custlens.voc import ahp, read_matrix

        check_lang(lang)
        res = ahp(read_matrix(matrix))
        if as_json:
            emit_json(res.to_dict())
            return
        _p(i18n.t("voc.cli.ahp", lang, lam=f"{res.lambda_max:.4f}", ci=f"{res.consistency_index:.4f}",
                  cr=f"{res.consistency_ratio:.4f}"))
        out.print(_table(pd.DataFrame({"attribute": list(res.weights), "weight": list(res.weights.values())}), lang))

    @sat.command("survey")
    @clean
    def survey_cmd(store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt,
                   as_json: bool = JsonOpt) -> None:
        """Item statistics, Cronbach's alpha, factor analysis, clusters, importance-performance and drivers.

        Example: custlens satisfaction survey --json
        """
        from custlens import analyses, i18n

        check_lang(lang)
        res = analyses.survey(_open(store), as_of=parse_as_of(as_of))
        if as_json:
            emit_json(res.to_dict())
            return
        out.print(_table(res.items, lang))
        k = int((~res.items["item"].isin(["csat", "nps"])).sum())
        _p(i18n.t("voc.cli.alpha", lang, alpha=f"{res.alpha:.3f}", k=k))
        if res.factors is not None:
            f = res.factors
            _p(i18n.t("voc.cli.factors", lang, kmo=f"{f.kmo:.3f}", p=f"{f.bartlett_p:.2g}", n=f.n_factors))
            out.print(_table(f.loadings.round(3).reset_index(names="attribute"), lang))
        if res.clusters is not None:
            out.print(_table(res.clusters, lang))
        if res.ipa is not None:
            ipa = res.ipa.assign(action=[i18n.t(f"voc.ipa.action.{q}", lang) for q in res.ipa["quadrant"]])
            out.print(_table(ipa, lang))
        for target, d in (("csat", res.csat_drivers), ("nps", res.nps_drivers)):
            if d is not None:
                out.print(_table(d, lang, title=i18n.t(f"voc.attribute.{target}", lang)))
        for note in res.notes:
            err.print(f"note: {note}", markup=False, highlight=False)

    @sat.command("nps")
    @clean
    def nps_cmd(window: int = typer.Option(180, "--window", help="Days after an answer in which purchases are counted."),
                store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt,
                as_json: bool = JsonOpt) -> None:
        """NPS with its 95% interval, by segment and period, drivers, and purchases after answering.

        Example: custlens satisfaction nps --window 90 --lang zh
        """
        from custlens import analyses, i18n

        check_lang(lang)
        res = analyses.nps(_open(store), as_of=parse_as_of(as_of), window_days=window)
        if as_json:
            emit_json(res.to_dict())
            return
        o = res.overall
        _p(i18n.t("voc.cli.nps", lang, nps=f"{o['nps']:+.1f}", low=f"{o['ci_low']:+.1f}", high=f"{o['ci_high']:+.1f}",
                  n=f"{o['responses']:,}", pro=o["promoters"], pas=o["passives"], det=o["detractors"]))
        out.print(_table(res.by_period, lang))
        if not res.behaviour.empty:
            b = res.behaviour.set_index("group")["lapsed_share"]
            _p(i18n.t("voc.cli.behaviour", lang, days=window, det=f"{b.get('detractor', float('nan')):.0%}",
                      pro=f"{b.get('promoter', float('nan')):.0%}", p=f"{res.behaviour.attrs['p_lapsed']:.2g}"))
        if res.drivers is not None:
            out.print(_table(res.drivers, lang))

    @app.command()
    @clean
    def feedback(
        topics: int = typer.Option(5, "--topics", help="Number of NMF topics."),
        store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt, as_json: bool = JsonOpt,
    ) -> None:
        """Feedback texts (Chinese and English): sentiment, keywords, topics, complaint categories, trend.

        Example: custlens feedback --topics 6 --lang zh
        """
        from custlens import analyses, i18n

        check_lang(lang)
        res = analyses.feedback(_open(store), as_of=parse_as_of(as_of), n_topics=topics)
        if as_json:
            emit_json(res.to_dict())
            return
        _p(i18n.t("voc.cli.feedback", lang, n=f"{len(res.items):,}", c=f"{int(res.trend['complaints'].sum()):,}"))
        out.print(_table(res.sentiment, lang))
        cats = res.categories.assign(action=[i18n.t(f"voc.category_action.{c}", lang) for c in res.categories["category"]])
        out.print(_table(cats, lang))
        out.print(_table(res.complaint_topics, lang))
        out.print(_table(res.keywords.head(10), lang))

    @app.command()
    @clean
    def service(
        sla_first_response: float = typer.Option(60.0, "--sla-first-response", help="First-response SLA in minutes."),
        sla_resolution: float = typer.Option(72.0, "--sla-resolution", help="Resolution SLA in hours."),
        repeat_days: int = typer.Option(7, "--repeat-days", help="Contacts within this many days count as repeats."),
        store: str = StoreOpt, as_of: Optional[str] = AsOfOpt, lang: str = LangOpt, as_json: bool = JsonOpt,
    ) -> None:
        """Customer service: tickets by demand type and channel, response/resolution times, SLA breaches, repeats.

        Example: custlens service --sla-first-response 30 --sla-resolution 48 --json
        """
        from custlens import analyses, i18n
        from custlens.voc.texts import finding_text

        check_lang(lang)
        res = analyses.service(_open(store), as_of=parse_as_of(as_of), repeat_days=repeat_days,
                               sla={"first_response_minutes": sla_first_response, "resolution_hours": sla_resolution})
        if as_json:
            emit_json(res.to_dict())
            return
        _p(i18n.t("voc.cli.service", lang, n=f"{res.tickets:,}", fr=f"{sla_first_response:g}",
                  res=f"{sla_resolution:g}", days=repeat_days, rate=f"{res.repeat_rate:.1%}"))
        out.print(_table(res.by_demand, lang))
        out.print(_table(res.by_channel, lang))
        out.print(_table(res.times, lang))
        for key, params in res.findings:
            _p("- " + finding_text(key, params, lang))
        _p(i18n.t("voc.cli.watch", lang, n=f"{len(res.watch_list):,}"))

