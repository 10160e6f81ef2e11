"""The result of :func:`custlens.clv.pipeline.run_clv`: DataFrames and numbers, no rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from custlens import i18n
from custlens.results import Result


@dataclass
class ClvResult(Result):
    """Everything :func:`run_clv` found; DataFrames and numbers, no rendering.

    Attributes
    ----------
    model : str
        Transaction model actually used (``bgnbd``, ``mbgnbd``, ``pnbd`` or ``bgbb``);
        empty when no fit was sound.
    sound : bool
        False when no model passed the checks: then there are no scores, and
        ``diagnostics`` says why (the CLI and the report show that instead of numbers).
    diagnostics : list of (str, dict)
        Problems found in the fits (``clv.diag.*`` i18n keys and their fields), including
        those of models that were not used.
    params, summary, log_likelihood
        Parameters, their table (estimate, std_error, lower_95, upper_95) and the
        log-likelihood of the model refitted on the whole window.
    spend_model : str
        ``gamma_gamma`` or ``mean_aov`` (the fallback); ``spend_params``/``spend_summary``
        describe it (empty for the fallback).
    comparison : DataFrame
        One row per model fitted on the calibration period (or the whole window without a
        holdout): log-likelihood, AIC, BIC and holdout errors; ``criterion`` the column used.
    holdout_by_frequency : DataFrame or None
        Mean actual and predicted holdout purchases by calibration frequency.
    holdout_errors : dict
        ``mae``, ``rmse``, ``actual``, ``predicted``, ``aggregate_pct_error`` (empty without
        a holdout).
    tracking : DataFrame
        Repeat purchases per period (weeks; months for BG/BB), actual vs model, with
        cumulative columns and a ``holdout`` flag.
    p_alive_grid, p_purchase_grid, expected_purchases_grid : DataFrame
        Index frequency, columns recency (in ``time_unit``), for a customer of age ``grid_T``.
    scores : DataFrame
        One row per customer: the columns of the ``clv_scores`` table.
    top_customers : DataFrame
        The ``top`` customers by CLV with their history.
    customers, total_clv, mean_clv, share_alive, share_purchase
        Headline figures: ``share_alive`` is the mean P(alive) of the model (BG/NBD gives 1
        to every one-time buyer), ``share_purchase`` the mean P(at least one order within
        the horizon), the "expected share still active" shown to readers.
    notes : list of (str, dict)
        i18n keys and their fields: how the data was split, how spend was modelled...
    fit_sample, fit_sample_seed : int or None
        Customers the models (transaction and spend) were fitted on, and the seed of that
        uniform random sample, when the shop had more customers than ``run_clv``'s
        ``fit_sample``; None when every customer was used. Every customer is scored either way.
    pnbd_at_limit : bool
        The model used is the Pareto/NBD at its limit ``s -> inf`` (one death rate for all
        customers; ``params`` are then ``r, alpha, mu``); a note says why.
    """

    model: str
    params: dict[str, float]
    log_likelihood: float
    summary: pd.DataFrame
    spend_model: str
    spend_params: dict[str, float]
    spend_summary: pd.DataFrame
    comparison: pd.DataFrame
    criterion: str
    holdout_by_frequency: pd.DataFrame | None
    holdout_errors: dict[str, float]
    tracking: pd.DataFrame
    p_alive_grid: pd.DataFrame
    expected_purchases_grid: pd.DataFrame
    grid_T: float
    scores: pd.DataFrame
    top_customers: pd.DataFrame
    customers: int
    total_clv: float
    mean_clv: float
    share_alive: float
    share_purchase: float
    as_of: pd.Timestamp
    calibration_end: pd.Timestamp | None
    holdout_days: int
    horizon_days: float
    discount_rate: float
    time_unit: str
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    diagnostics: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sound: bool = True
    p_purchase_grid: pd.DataFrame = field(default_factory=pd.DataFrame)
    fit_sample: int | None = None
    fit_sample_seed: int | None = None
    pnbd_at_limit: bool = False
    fitted: dict[str, Any] = field(default_factory=dict, repr=False)

    def note_texts(self, lang: str = "en") -> list[str]:
        """The notes translated into ``lang``."""
        return [_text(key, fields, lang) for key, fields in self.notes]

    def diagnostic_texts(self, lang: str = "en") -> list[str]:
        """The problems found in the fits, translated into ``lang``."""
        return [_text(key, fields, lang) for key, fields in self.diagnostics]

    def parameter_table(self, lang: str = "en") -> pd.DataFrame:
        """Parameters grouped by model: the transaction model's rows, then the spend model's.

        Columns ``model`` (translated name), ``parameter``, ``estimate``, ``std_error``,
        ``lower_95``, ``upper_95``; empty without a sound fit.
        """
        cols = ["model", "parameter", "estimate", "std_error", "lower_95", "upper_95"]
        if not self.sound:
            return pd.DataFrame(columns=cols)
        name = "pnbd_limit" if self.pnbd_at_limit else self.model
        parts = [self.summary.reset_index().assign(model=i18n.t(f"clv.model.{name}", lang))]
        if len(self.spend_summary):
            parts.append(self.spend_summary.reset_index().assign(
                model=i18n.t(f"clv.model.{self.spend_model}", lang)))
        return pd.concat(parts, ignore_index=True)[cols]

    def comparison_table(self, lang: str = "en") -> pd.DataFrame:
        """The model comparison with translated model names and a yes/no ``sound`` column."""
        comp = self.comparison.reset_index()
        comp["model"] = [i18n.t(f"clv.model.{m}", lang) for m in comp["model"]]
        if "sound" in comp:
            comp["sound"] = [i18n.t(f"clv.sound.{'yes' if v else 'no'}", lang) for v in comp["sound"]]
        return comp

    def rule_text(self, lang: str = "en") -> str:
        """The automatic choice rule in ``lang`` (empty for a model asked for by name)."""
        for key, fields in self.notes:
            if key.startswith("clv.note.rule.") or key == "clv.note.chosen":
                return _text(key, fields, lang)
        return ""

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """A JSON-ready summary (the CLI's ``--json`` object)."""
        def records(df: pd.DataFrame | None, index: str | None = None) -> list[dict[str, Any]]:
            if df is None:
                return []
            frame = df.reset_index() if index else df
            return frame.replace({np.nan: None}).to_dict(orient="records")

        return {
            "model": self.model or None, "params": self.params, "log_likelihood": self.log_likelihood,
            "summary": records(self.summary, "parameter"),
            "spend_model": self.spend_model, "spend_params": self.spend_params,
            "customers": self.customers, "total_clv": self.total_clv, "mean_clv": self.mean_clv,
            "share_alive": self.share_alive, "share_purchase": self.share_purchase,
            "sound": self.sound, "diagnostics": self.diagnostic_texts(lang), "as_of": str(self.as_of.date()),
            "calibration_end": str(self.calibration_end.date()) if self.calibration_end is not None else None,
            "fit_sample": self.fit_sample, "fit_sample_seed": self.fit_sample_seed,
            "pnbd_at_limit": self.pnbd_at_limit,
            "holdout_days": self.holdout_days, "horizon_days": self.horizon_days,
            "discount_rate": self.discount_rate, "time_unit": self.time_unit,
            "criterion": self.criterion, "comparison": records(self.comparison, "model"),
            "holdout_errors": self.holdout_errors,
            "holdout_by_frequency": records(self.holdout_by_frequency, "frequency"),
            "top_customers": records(self.top_customers),
            "notes": self.note_texts(lang),
        }


def _text(key: str, fields: dict[str, Any], lang: str) -> str:
    fields = dict(fields)
    for name in ("model", "first"):
        if fields.get(name) in ("auto", "bgnbd", "mbgnbd", "pnbd", "pnbd_limit", "bgbb"):
            fields[name] = i18n.t(f"clv.model.{fields[name]}", lang)
    if "criterion" in fields and i18n.has(f"report.col.{fields['criterion']}"):
        fields["criterion"] = i18n.t(f"report.col.{fields['criterion']}", lang)
    if "tolerance" in fields:
        fields["tolerance"] = f"{fields['tolerance']:.0%}"
    return i18n.t(key, lang, **fields)
