"""`custlens campaign ...`: A/B analysis, uplift by segment, before/after and power planning."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import typer

from custlens.commands._common import JsonOpt, LangOpt, StoreOpt, check_lang, clean, emit_json, err, frame_table, out
from custlens.errors import CustlensWarning, InputError
from custlens.results import records


def register(app: typer.Typer) -> None:
    """Add the ``campaign`` command group to ``app``."""
    sub = typer.Typer(help="Campaigns and experiments: A/B analysis, uplift by segment, before/after, power.",
                      no_args_is_help=True)
    app.add_typer(sub, name="campaign")

    @sub.command("analyze")
    @clean
    def analyze(
        file: Optional[Path] = typer.Argument(None, help="An A/B export with one row per member (CSV, Excel, Parquet); "
                                                         "omit to analyse a campaign in the store."),
        group: str = typer.Option("group", "--group", help="Group column of FILE."),
        outcome: list[str] = typer.Option([], "--outcome", help="Outcome column of FILE, repeatable (0/1 = conversion)."),
        pre: Optional[str] = typer.Option(None, "--pre", help="Pre-period column of FILE for CUPED."),
        cost: Optional[str] = typer.Option(None, "--cost", help="Cost-per-member column of FILE (enables ROI)."),
        treatment: Optional[str] = typer.Option(None, "--treatment", help="Group value of the treatment."),
        control: Optional[str] = typer.Option(None, "--control", help="Group value of the control."),
        split: str = typer.Option("50/50", "--split", help="Intended treatment/control split, e.g. 50/50, 90/10 or 0.9."),
        campaign: Optional[str] = typer.Option(None, "--campaign", help="Campaign id (default: the most recent)."),
        window: int = typer.Option(30, "--window", help="Days after exposure in which outcomes count."),
        pre_days: int = typer.Option(90, "--pre-days", help="Days before exposure for the CUPED covariate."),
        alpha: float = typer.Option(0.05, "--alpha", help="1 - confidence level."),
        seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
        segments: bool = typer.Option(True, "--segments/--no-segments", help="Uplift by RFM segment (store only)."),
        store: str = StoreOpt,
        as_json: bool = JsonOpt,
        lang: str = LangOpt,
    ) -> None:
        """A/B test: lift with intervals, p-values (Holm/BH corrected), sample-ratio check, CUPED, ROI.

        Example: custlens campaign analyze --campaign CMP-2026-SUMMER --window 30 --json

        Example: custlens campaign analyze ab.csv --group variant --outcome converted --outcome revenue --pre pre_spend
        """
        from custlens import analyses
        from custlens.campaigns import analyze_experiment, campaign_segments
        from custlens.store import open_store

        check_lang(lang)
        shares = parse_split(split)
        seg = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if file is not None:
                if not outcome:
                    raise InputError("name the outcome column(s) of the export with --outcome COLUMN")
                frame = read_export(file)
                res = analyze_experiment(frame, outcome, group=group, pre=pre, cost=cost, treatment=treatment,
                                         control=control, split=shares, alpha=alpha, seed=seed)
                res.info = {"source": str(file), "members": int(res.groups["members"].sum())}
            else:
                st = open_store(store, read_only=True)
                res = analyses.campaign(st, campaign_id=campaign, window_days=window, pre_days=pre_days, split=shares,
                                        alpha=alpha, seed=seed)
                if segments:
                    seg = campaign_segments(st, members=res.frame, alpha=alpha)
        for w in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, CustlensWarning)):
            err.print(f"warning: {w}", markup=False, highlight=False)
        if as_json:
            doc = res.to_dict()
            if seg is not None:
                doc["segments"] = records(seg)
            emit_json(doc)
            return
        _print_result(res, seg, lang)

    @sub.command("plan")
    @clean
    def plan(
        baseline: float = typer.Option(..., "--baseline", help="Conversion of the control group, e.g. 0.05."),
        mde: float = typer.Option(..., "--mde", help="Smallest absolute lift worth detecting, e.g. 0.01."),
        alpha: float = typer.Option(0.05, "--alpha", help="Significance level."),
        power: float = typer.Option(0.8, "--power", help="Probability of detecting the lift."),
        ratio: float = typer.Option(1.0, "--ratio", help="Treatment members per control member."),
        one_sided: bool = typer.Option(False, "--one-sided", help="Plan a one-sided test."),
        as_json: bool = JsonOpt,
        lang: str = LangOpt,
    ) -> None:
        """Sample size of a conversion test (normal approximation on Cohen's h, as statsmodels).

        Example: custlens campaign plan --baseline 0.05 --mde 0.01 --alpha 0.05 --power 0.8
        """
        from custlens import i18n
        from custlens.campaigns import plan_conversion_test

        check_lang(lang)
        p = plan_conversion_test(baseline, mde, alpha, power, ratio, not one_sided)
        if as_json:
            emit_json(p.to_dict())
            return
        n = f"{p.n_control:,}" if ratio == 1 else f"{p.n_control:,} / {p.n_treatment:,}"
        out.print(i18n.t("cli.campaign.plan", lang, n=n, total=f"{p.n_total:,}", baseline=f"{baseline:.2%}",
                         target=f"{baseline + mde:.2%}", power=power, alpha=alpha), highlight=False)

    @sub.command("did")
    @clean
    def did(
        campaign: Optional[str] = typer.Option(None, "--campaign", help="Campaign id (default: the most recent)."),
        comparison: str = typer.Option("auto", "--comparison", help="control, others (non-members who bought in the weeks before) or auto."),
        weeks_before: int = typer.Option(8, "--weeks-before", help="Weeks before exposure."),
        weeks_after: int = typer.Option(4, "--weeks-after", help="Weeks after exposure."),
        alpha: float = typer.Option(0.05, "--alpha", help="1 - confidence level."),
        store: str = StoreOpt,
        as_json: bool = JsonOpt,
        lang: str = LangOpt,
    ) -> None:
        """Before/after without a control: difference-in-differences of weekly spend against a comparison group.

        Example: custlens campaign did --comparison others --weeks-before 8 --json
        """
        from custlens import i18n
        from custlens.campaigns import before_after
        from custlens.store import open_store

        check_lang(lang)
        res = before_after(open_store(store, read_only=True), campaign, comparison, weeks_before, weeks_after,
                           alpha=alpha)
        if as_json:
            emit_json(res.to_dict())
            return
        out.print(i18n.t("cli.campaign.did", lang, comparison=res.info["comparison"], effect=f"{res.effect:,.2f}",
                         days=res.info["period_days"], low=f"{res.ci_low:,.2f}", high=f"{res.ci_high:,.2f}",
                         p=_p(res.p_value), pre=_p(res.pretrend_p_value)), highlight=False)
        for key in res.assumptions:
            out.print(f"  - {i18n.t(key, lang)}", highlight=False)
        from custlens.campaigns.texts import column_headers

        wide = res.trends.pivot(index="period", columns="group", values="mean").reset_index()
        wide = wide[["period", "treated", "comparison"]].rename(
            columns={g: i18n.t(f"campaign.group.{g}", lang) for g in ("treated", "comparison")})
        out.print(frame_table(wide.rename(columns=column_headers(["period"], lang)), lang=lang))


def parse_split(text: str) -> tuple[float, float]:
    """``'50/50'`` or ``'0.5'`` (treatment share) -> (treatment, control) shares summing to 1."""
    try:
        parts = [float(x) for x in str(text).replace(":", "/").split("/")]
    except ValueError:
        raise InputError(f"--split {text!r} is not a split; use e.g. 50/50, 90/10 or 0.9") from None
    if len(parts) == 1:
        parts = [parts[0], 1 - parts[0]] if parts[0] < 1 else parts + [float("nan")]
    if len(parts) != 2 or not all(math.isfinite(p) and p > 0 for p in parts):
        raise InputError(f"--split {text!r} is not a split; use e.g. 50/50, 90/10 or 0.9")
    return parts[0] / sum(parts), parts[1] / sum(parts)


def read_export(path: Path) -> pd.DataFrame:
    """An A/B export as a DataFrame (CSV/TSV/TXT, Excel, Parquet)."""
    if not path.exists():
        raise InputError(f"no such file: '{path}'")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(path)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        for enc in ("utf-8-sig", "gb18030", "latin-1"):
            try:
                return pd.read_csv(path, sep=None, engine="python", encoding=enc)
            except UnicodeDecodeError:
                continue
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputError(f"{path}: cannot read the export ({exc})") from None
    raise InputError(f"{path}: cannot decode the file")  # pragma: no cover


def _p(p: float) -> str:
    return "–" if p != p else ("<0.001" if p < 0.001 else f"{p:.3f}")


def _print_result(res: Any, seg: pd.DataFrame | None, lang: str) -> None:
    from custlens import i18n
    from custlens.campaigns.texts import column_headers, metric_label

    info = res.info
    if "campaign_id" in info:
        out.print(i18n.t("cli.campaign.headline", lang, id=info["campaign_id"], members=f"{info['members']:,}",
                         window=info["window_days"]), highlight=False)
    groups = res.groups.assign(group=[i18n.t(f"campaign.group.{g}", lang) for g in res.groups["group"]])
    for c in ("share", "expected_share"):
        groups[c] = [f"{v:.1%}" for v in groups[c]]
    out.print(frame_table(groups.rename(columns=column_headers(list(groups.columns), lang)), lang=lang))
    cols = ["name", "control", "treatment", "lift", "ci", "p_value", "p_holm", "cuped_lift"]
    out.print(frame_table(_shown(res.metrics, cols, lang), lang=lang))
    if res.metrics["variance_reduction"].notna().any():
        parts = [f"{metric_label(n, lang)} {v:.1%}" for n, v in zip(res.metrics["name"], res.metrics["variance_reduction"])]
        out.print(i18n.t("cli.campaign.cuped", lang, parts=", ".join(parts)), highlight=False)
    verdict = i18n.t("cli.campaign.srm_bad" if res.srm_alarm else "cli.campaign.srm_ok", lang)
    out.print(i18n.t("cli.campaign.srm", lang, p=_p(res.srm_p_value), verdict=verdict), highlight=False)
    if res.roi is not None:
        r = res.roi
        verdict = i18n.t("cli.campaign.roi_sig" if r.significant else "cli.campaign.roi_ns", lang, p=_p(r.p_value))
        pct = (lambda v: "–" if v != v else f"{v:.1%}")
        out.print(i18n.t("cli.campaign.roi", lang, inc=f"{r.incremental_revenue:,.2f}",
                         low=f"{r.incremental_revenue_low:,.2f}", high=f"{r.incremental_revenue_high:,.2f}",
                         cost=f"{r.cost:,.2f}", roi=pct(r.roi), roi_low=pct(r.roi_low), roi_high=pct(r.roi_high),
                         verdict=verdict), highlight=False)
    for key in res.notes:
        err.print(f"warning: {i18n.t(key, lang)}", markup=False, highlight=False)
    if seg is not None and len(seg):
        from custlens.segments.catalog import text_key

        s = seg[seg["p_value"].notna()].copy()  # segments too small to test stay in --json
        s["segment"] = [i18n.t(text_key("rfm11", v, "name"), lang) if i18n.has(text_key("rfm11", v, "name"))
                        else i18n.t(f"campaign.segment.{v}", lang) for v in s["segment"]]
        s["kind"] = ["proportion" if v == "converted" else "mean" for v in s["metric"]]
        cols = ["segment", "metric", "n_control", "n_treatment", "lift", "ci", "p_value", "p_holm"]
        out.print(frame_table(_shown(s.rename(columns={"metric": "name"}), [c if c != "metric" else "name" for c in cols],
                                     lang), lang=lang))


def _num(v: float, pct: bool) -> str:
    return "–" if v != v else (f"{v:.2%}" if pct else f"{v:,.2f}")


def _diff(v: float, pct: bool, lang: str) -> str:
    """A lift: of a rate in percentage points (pp / 个百分点), never "%"; of an amount with 2 decimals."""
    from custlens import i18n

    if v != v:
        return "–"
    return i18n.t("cli.campaign.pp", lang, v=f"{v * 100:+.2f}") if pct else f"{v:,.2f}"


def _shown(df: pd.DataFrame, cols: list[str], lang: str) -> pd.DataFrame:
    """Display strings: rates in percent, their lifts in points, amounts with 2 decimals, p-values to 3."""
    from custlens.campaigns.texts import column_headers, metric_label

    rows = []
    for _, r in df.iterrows():
        pct = r.get("kind") == "proportion"
        row = {}
        for c in cols:
            v = r.get(c)
            if c == "name":
                row[c] = metric_label(v, lang)
            elif c.startswith("p_") or c.endswith("p_value"):
                row[c] = _p(v)
            elif c == "variance_reduction":
                row[c] = "–" if v != v else f"{v:.1%}"
            elif c in ("control", "treatment"):
                row[c] = _num(v, pct)
            elif c in ("lift", "cuped_lift"):
                row[c] = _diff(v, pct, lang)
            elif c == "ci":
                row[c] = f"{_diff(r['ci_low'], pct, lang)} .. {_diff(r['ci_high'], pct, lang)}"
            else:
                row[c] = v
        rows.append(row)
    return pd.DataFrame(rows, columns=cols).rename(columns=column_headers(cols, lang))


__all__ = ["parse_split", "read_export", "register"]
