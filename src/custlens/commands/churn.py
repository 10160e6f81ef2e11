"""`custlens churn`: churn risk with reasons, the model's check, and the action lists."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from custlens.commands._common import (AsOfOpt, ForceOpt, JsonOpt, LangOpt, StoreOpt, check_lang, clean, emit_json,
                                       frame_table, out, parse_as_of)
from custlens.errors import CustlensError


def _read_labels(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise CustlensError(f"--labels {str(path)!r}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(path)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, sep=None, engine="python")
    except (ValueError, OSError) as exc:
        raise CustlensError(f"--labels {str(path)!r} cannot be read: {exc}") from None


def register(app: typer.Typer) -> None:
    """Add the ``churn`` command to ``app``."""

    @app.command()
    @clean
    def churn(
        horizon: Optional[int] = typer.Option(None, "--horizon", help="Days without a purchase that count as churn (default: 90th percentile of the gaps between purchases)."),
        export: Optional[Path] = typer.Option(None, "--export", help="Write the early-warning and win-back list to .csv, .parquet or .xlsx."),
        labels: Optional[Path] = typer.Option(None, "--labels", help="A labelled customer table (CSV/Excel/Parquet) instead of the store's orders."),
        label_column: str = typer.Option("churned", "--label-column", help="The churn column of --labels."),
        value: str = typer.Option("spend", "--value", help="What ranks the lists: spend (total so far) or clv (12-month CLV)."),
        save: bool = typer.Option(False, "--save/--no-save", help="Save the scores (with horizon and as-of) as the ones the customer 360 and the exports read; without it the saved scores are left alone."),
        force: bool = ForceOpt,
        store: str = StoreOpt,
        as_of: Optional[str] = AsOfOpt,
        lang: str = LangOpt,
        as_json: bool = JsonOpt,
        capacity: str = typer.Option("10%", "--capacity", help="How many active customers the early-warning list holds: a share (10%, 0.1) or a number (200). Sets the risk bands."),
    ) -> None:
        """Churn early warning: risk per customer with reasons, checked on a held-out period.

        Example: custlens churn --horizon 120 --capacity 5% --export at_risk.csv --json   (add --save to keep the scores)
        """
        from custlens import analyses, i18n
        from custlens.churn import churn_from_labels, localise
        from custlens.churn.warning import parse_capacity
        from custlens.features import export_table
        from custlens.store import open_store

        check_lang(lang)
        if labels is not None:
            res = churn_from_labels(_read_labels(labels), label_column)
        else:
            with open_store(store, read_only=True) as st:  # other readers keep working meanwhile
                res = analyses.churn(st, as_of=parse_as_of(as_of, st, lang), horizon_days=horizon, value=value,
                                     capacity=parse_capacity(capacity))
            if save:  # write access only for the save
                with open_store(store) as st:
                    analyses.save_churn(st, res)
        lists = pd.concat([localise(res.early_warning, lang).assign(churn_list=i18n.t("churn.list.early_warning", lang)),
                           localise(res.win_back, lang).assign(churn_list=i18n.t("churn.list.win_back", lang))], ignore_index=True)
        if export:
            export_table(lists, export, force=force)
        if as_json:
            d = res.to_dict(lang)
            d["export"] = str(export) if export else None
            d["saved"] = bool(save and labels is None)
            emit_json(d)
            return
        out.print(res.definition.text(lang), highlight=False)
        m = res.metrics.reset_index(names="churn_model")[["churn_model", "roc_auc", "pr_auc", "brier", "lift_top10",
                                                           "gain_top10"]]
        m["churn_model"] = [i18n.t(f"churn.model.{k}", lang) for k in m["churn_model"]]
        out.print(frame_table(m, lang=lang))
        out.print(i18n.t("churn.cli.summary", lang, scored=f"{len(res.scores):,}", high=f"{res.high_risk:,}",
                         early=f"{len(res.early_warning):,}", winback=f"{len(res.win_back):,}"), highlight=False)
        if res.capacity is not None:
            out.print(res.capacity.text(lang, res.horizon.days if res.horizon else "-"), highlight=False)
        for note in res.notes:
            out.print(note.text(lang), highlight=False)
        top = localise(res.early_warning.head(10), lang)
        if len(top):
            out.print(frame_table(top[["customer_id", "churn_probability", "risk_band", "customer_value", "reasons"]], lang=lang))
        if export:
            out.print(i18n.t("churn.cli.exported", lang, n=f"{len(lists):,}", path=str(export)), highlight=False)
        if labels is None:
            key = "clv.cli.churn_saved" if save else "clv.cli.churn_not_saved"
            out.print(i18n.t(key, lang, horizon=res.horizon.days, as_of=str(res.as_of.date())), highlight=False)
