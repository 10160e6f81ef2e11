"""``custlens clv``: fit the CLV models on the store, score every customer, show the best."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from custlens.commands._common import (AsOfOpt, ForceOpt, JsonOpt, LangOpt, StoreOpt, check_lang, clean,
                                       emit_json, frame_table, out, parse_as_of)
from custlens.errors import CustlensError

_TOP = ["customer_id", "orders", "total_spend", "p_purchase", "expected_purchases", "expected_spend", "clv"]



def register(app: typer.Typer) -> None:
    """Add the ``clv`` command to ``app``."""

    @app.command()
    @clean
    def clv(
        model: str = typer.Option("auto", "--model", help="auto, bgnbd, mbgnbd, pnbd or bgbb (monthly periods)."),
        horizon: float = typer.Option(365, "--horizon", help="Horizon of the predictions and the CLV, in days."),
        discount_rate: float = typer.Option(0.01, "--discount-rate", help="Monthly discount rate of the CLV."),
        holdout_days: Optional[int] = typer.Option(None, "--holdout-days", help="Holdout length in days (default: the last quarter of the data, at least 56; 0 for none)."),
        export: Optional[Path] = typer.Option(None, "--export", help="Also write the per-customer scores to .csv, .parquet or .xlsx."),
        save: bool = typer.Option(False, "--save/--no-save", help="Save the scores (with model, horizon and as-of) as the ones the customer 360, lifecycle and exports read; without it the saved scores are left alone."),
        top: int = typer.Option(10, "--top", help="Number of most valuable customers to show."),
        fit_sample: int = typer.Option(50_000, "--fit-sample", help="Fit the models on a random sample of this many customers when there are more (every customer is scored); 0 fits on every customer."),
        seed: int = typer.Option(0, "--seed", help="Seed of the --fit-sample sample."),
        force: bool = ForceOpt,
        store: str = StoreOpt,
        as_of: Optional[str] = AsOfOpt,
        lang: str = LangOpt,
        as_json: bool = JsonOpt,
    ) -> None:
        """Customer lifetime value: fit BG/NBD-family models, check them on a holdout, score every customer.

        Every fit is checked (parameters on a bound, singular Hessian, holdout error); with no
        sound fit no scores are shown or saved. With --save the scores (P(alive), P(an order
        within the horizon), expected purchases and spend, CLV, days to the next purchase) replace
        the store table clv_scores, which the customer 360, lifecycle and exports read.

        Example: custlens clv --model auto --horizon 365 --save --export clv.csv
        """
        from custlens import analyses, i18n
        from custlens.clv.pipeline import MODELS
        from custlens.features import export_table
        from custlens.store import open_store

        check_lang(lang)
        if model != "auto" and model not in MODELS:
            raise CustlensError(f"--model {model!r} is unknown; use one of auto, {', '.join(MODELS)}")
        with open_store(store, read_only=True) as st:  # fitted read-only; written only to save
            res = analyses.clv(st, as_of=parse_as_of(as_of, st, lang), model=model, horizon_days=horizon,
                               discount_rate=discount_rate, holdout_days=holdout_days, top=max(top, 1),
                               fit_sample=fit_sample or None, random_state=seed)
        if save and res.sound:
            with open_store(store) as st:
                analyses.save_clv(st, res)
        if export and res.sound:
            export_table(res.scores, export, force=force)
        if as_json:
            emit_json(res.to_dict(lang) | {"export": str(export) if export and res.sound else None,
                                           "saved": bool(save and res.sound)})
            if not res.sound:
                raise typer.Exit(1)
            return
        comp = res.comparison_table(lang)
        for col in ("holdout_mae", "holdout_rmse"):
            if col in comp:
                comp[col] = [f"{v:.4f}" for v in comp[col]]
        if not res.sound:  # say so instead of showing scores
            out.print(i18n.t("clv.cli.unsound", lang, customers=res.customers, as_of=str(res.as_of.date())),
                      highlight=False, markup=False)
            out.print(frame_table(comp, i18n.t("clv.cli.comparison", lang), lang=lang))
            out.print(i18n.t("clv.cli.checks", lang), highlight=False)
            for text in res.diagnostic_texts(lang):
                out.print("  " + text, highlight=False, markup=False)
            for text in res.note_texts(lang):
                out.print(text, highlight=False, markup=False)
            raise typer.Exit(1)
        name = i18n.t(f"clv.model.{res.model}", lang)
        out.print(i18n.t("clv.cli.headline", lang, model=name, customers=res.customers,
                         as_of=str(res.as_of.date()), total=res.total_clv, horizon=f"{horizon:g}",
                         mean=res.mean_clv, alive=res.share_purchase), highlight=False)
        params = res.parameter_table(lang)
        for col in ("estimate", "std_error", "lower_95", "upper_95"):
            params[col] = [f"{v:.4g}" for v in params[col]]
        out.print(frame_table(params, i18n.t("clv.cli.params", lang), lang=lang))
        out.print(frame_table(comp, i18n.t("clv.cli.comparison", lang), lang=lang))
        if res.diagnostics:
            out.print(i18n.t("clv.cli.checks", lang), highlight=False)
            for text in res.diagnostic_texts(lang):
                out.print("  " + text, highlight=False, markup=False)
        if res.holdout_by_frequency is not None:
            by_freq = res.holdout_by_frequency.reset_index()
            by_freq["frequency"] = [str(f) for f in by_freq["frequency"]]
            by_freq.loc[by_freq.index[-1], "frequency"] += "+"
            out.print(frame_table(by_freq, i18n.t("clv.cli.holdout", lang), lang=lang))
            e = res.holdout_errors
            out.print(i18n.t("clv.cli.holdout_errors", lang, predicted=e["predicted"], actual=e["actual"],
                             error=e["aggregate_pct_error"], mae=e["mae"]), highlight=False)
        out.print(frame_table(res.top_customers[_TOP].head(top), i18n.t("clv.cli.top", lang), lang=lang))
        for text in res.note_texts(lang):
            out.print(text, highlight=False, markup=False)
        if export:
            out.print(i18n.t("clv.cli.exported", lang, n=len(res.scores), path=str(export)), highlight=False)
        if save:
            out.print(i18n.t("clv.cli.saved", lang, model=name, horizon=f"{horizon:g}", as_of=str(res.as_of.date())),
                      highlight=False, markup=False)
        else:
            out.print(i18n.t("clv.cli.not_saved", lang), highlight=False, markup=False)
