"""``custlens clv``: fit the CLV models on the store, score every customer, show the best."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from custlens.commands._common import (AsOfOpt, ForceOpt, JsonOpt, LangOpt, StoreOpt, check_lang, clean,
                                       emit_json, frame_table, out, parse_as_of)
from custlens.errors import CustlensError

_TOP = ["customer_id", "orders", "total_spend", "p_alive", "expected_purchases", "expected_spend", "clv"]


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
        top: int = typer.Option(10, "--top", help="Number of most valuable customers to show."),
        force: bool = ForceOpt,
        store: str = StoreOpt,
        as_of: Optional[str] = AsOfOpt,
        lang: str = LangOpt,
        as_json: bool = JsonOpt,
    ) -> None:
        """Customer lifetime value: fit BG/NBD-family models, check them on a holdout, score every customer.

        The scores (P(alive), expected purchases and spend, CLV, days to the next purchase)
        are saved in the store table clv_scores, which the customer export joins.

        Example: custlens clv --model auto --horizon 365 --export clv.csv
        """
        from custlens import i18n
        from custlens.clv.pipeline import MODELS, SCORES_TABLE, run_clv
        from custlens.features import export_table
        from custlens.store import open_store

        check_lang(lang)
        if model != "auto" and model not in MODELS:
            raise CustlensError(f"--model {model!r} is unknown; use one of auto, {', '.join(MODELS)}")
        with open_store(store, read_only=True) as st:  # fitted read-only; written only to save
            res = run_clv(st, model=model, horizon_days=horizon, discount_rate=discount_rate,
                          as_of=parse_as_of(as_of, st, lang), holdout_days=holdout_days, top=max(top, 1), write=False)
        with open_store(store) as st:
            st.write(SCORES_TABLE, res.scores)
        if export:
            export_table(res.scores, export, force=force)
        if as_json:
            emit_json(res.to_dict(lang) | {"export": str(export) if export else None})
            return
        name = i18n.t(f"clv.model.{res.model}", lang)
        out.print(i18n.t("clv.cli.headline", lang, model=name, customers=res.customers,
                         as_of=str(res.as_of.date()), total=res.total_clv, horizon=f"{horizon:g}",
                         mean=res.mean_clv, alive=res.share_alive), highlight=False)
        params = res.summary.reset_index()
        if len(res.spend_summary):
            params = pd.concat([params, res.spend_summary.reset_index()], ignore_index=True)
        for col in ("estimate", "std_error", "lower_95", "upper_95"):
            params[col] = [f"{v:.4g}" for v in params[col]]
        out.print(frame_table(params, i18n.t("clv.cli.params", lang), lang=lang))
        comp = res.comparison.reset_index()
        comp["model"] = [i18n.t(f"clv.model.{m}", lang) for m in comp["model"]]
        for col in ("holdout_mae", "holdout_rmse"):
            if col in comp:
                comp[col] = [f"{v:.4f}" for v in comp[col]]
        out.print(frame_table(comp, i18n.t("clv.cli.comparison", lang), lang=lang))
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
