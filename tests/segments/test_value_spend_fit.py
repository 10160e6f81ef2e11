"""The value matrix takes the report's CLV Gamma-Gamma fit only when it is the very fit it would make.

Reused or refitted, the matrix must be the same (every customer, cell, cut and parameter),
compared with the old implementation (``tests/reference_impl``); and a fit of another sample,
seed or table, one that warned about convergence, or one the matrix's own fit would refuse
(a sampled repeat buyer without spend) is not taken.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from reference_impl import value_matrix as old_value

from custlens import analyses
from custlens.clv import GammaGammaModel
from custlens.features import columns as c
from custlens.features import customer_table
from custlens.segments.value_matrix import SpendFit, spend_fit_of, value_matrix
from custlens.store import Store


@pytest.fixture
def gg_fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts `GammaGammaModel.fit` calls (test-only wrapper)."""
    calls: list[int] = []
    fit = GammaGammaModel.fit

    def counted(self, data):  # type: ignore[no-untyped-def]
        calls.append(len(data))
        return fit(self, data)

    monkeypatch.setattr(GammaGammaModel, "fit", counted)
    return calls


def _same(table: pd.DataFrame, spend: SpendFit | None, **kw) -> None:  # type: ignore[no-untyped-def]
    new, old = value_matrix(table, spend_fit=spend, **kw), old_value.value_matrix(table, **kw)
    pd.testing.assert_frame_equal(new.customers, old.customers, check_exact=True)
    pd.testing.assert_frame_equal(new.segments, old.segments, check_exact=True)
    assert (new.method, new.reason, new.cuts, new.params, new.sample_size, new.seed) == \
        (old.method, old.reason, old.cuts, old.params, old.sample_size, old.seed)


@pytest.fixture(scope="module")
def clv_runs(demo: Store) -> dict[str, object]:
    table = customer_table(demo)
    return {"table": table,
            "all": analyses.clv(demo, as_of=demo.default_as_of()),  # 2,000 customers: no sample
            "sample": analyses.clv(demo, as_of=demo.default_as_of(), fit_sample=1000, random_state=0)}


def test_the_clv_runs_gamma_gamma_fit_is_taken_and_gives_the_same_matrix(clv_runs, gg_fits) -> None:
    table = clv_runs["table"]
    spend = spend_fit_of(clv_runs["all"])
    assert spend is not None and spend.sample_size is None and spend.model.fit_warnings_ == ()
    _same(table, spend)
    assert len(gg_fits) == 1  # the old implementation's fit only
    sampled = spend_fit_of(clv_runs["sample"])
    assert (sampled.sample_size, sampled.seed) == (1000, 0)
    gg_fits.clear()
    _same(table, sampled, sample_size=1000, random_state=0)
    assert len(gg_fits) == 1


def test_another_sample_seed_or_table_is_refitted(clv_runs, gg_fits) -> None:
    table = clv_runs["table"]
    full, sampled = spend_fit_of(clv_runs["all"]), spend_fit_of(clv_runs["sample"])
    cases = [(table, sampled, {"sample_size": 1000, "random_state": 1}),  # another seed
             (table, sampled, {"sample_size": 1200}),  # another sample size
             (table, full, {"sample_size": 1000}),  # the CLV run used every customer
             (table, sampled, {}),  # the matrix uses every customer
             (table.iloc[:1500], full, {})]  # another table
    for frame, spend, kw in cases:
        gg_fits.clear()
        _same(frame, spend, **kw)
        assert len(gg_fits) == 2, kw  # the matrix fitted its own, as the old one did


def test_a_fit_that_warned_or_that_the_matrix_would_refuse_is_not_taken(clv_runs, gg_fits) -> None:
    table = clv_runs["table"]
    spend = spend_fit_of(clv_runs["all"])
    warned = GammaGammaModel.from_params(**spend.model.params_)
    warned.n_obs_, warned.fit_warnings_ = spend.model.n_obs_, ("the optimiser stopped without converging",)
    unrecorded = GammaGammaModel.from_params(**spend.model.params_)
    unrecorded.n_obs_ = spend.model.n_obs_  # a fit whose warnings nobody recorded
    for model in (warned, unrecorded):
        gg_fits.clear()
        _same(table, dataclasses.replace(spend, model=model))
        assert len(gg_fits) == 2
    # a repeat buyer without spend: the CLV run leaves them out, the matrix's own fit refuses
    # them (the fallback, with its reason): the shared fit must not hide that
    repeat = table.index[table[c.FREQUENCY] > 0][0]
    broken = table.copy()
    broken.loc[repeat, c.MONETARY_VALUE] = 0.0
    gg_fits.clear()
    _same(broken, spend)
    assert value_matrix(broken, spend_fit=spend).method == "repeat"


def test_a_degenerate_matrix_fit_still_falls_back(clv_runs) -> None:
    """Too few repeat buyers: no model, whatever fit is handed in."""
    table = clv_runs["table"]
    spend = spend_fit_of(clv_runs["all"])
    few = table.iloc[:20]
    _same(few, dataclasses.replace(spend, customers=len(few)))
    assert value_matrix(few, spend_fit=spend).method == "repeat"


def test_no_spend_fit_without_a_sound_gamma_gamma_run(clv_runs) -> None:
    res = clv_runs["all"]
    assert spend_fit_of(None) is None
    assert spend_fit_of(dataclasses.replace(res, spend_model="mean_aov")) is None
    assert spend_fit_of(dataclasses.replace(res, sound=False)) is None
