"""The analysis contract (issue 14): one signature shape, one result base, no writes.

Every analysis of `custlens.analyses.ANALYSES` is ``name(store, *, as_of=None, **options)``
(the customer view adds its subject ``customer_id``) and returns a `Result` whose
``to_dict()`` is strict JSON. The package functions behind them have the same shape.
"""

from __future__ import annotations

import inspect
import json

import pytest
from typer.testing import CliRunner

from custlens import analyses
from custlens.behaviour import festival_lift, market_basket, preferences, purchase_frequency, purchase_timing
from custlens.campaigns import analyze_campaign
from custlens.churn import churn_analysis, retention_analysis
from custlens.clv.pipeline import run_clv
from custlens.cohorts import cohorts
from custlens.customer360 import customer_360
from custlens.forecast import forecast
from custlens.lifecycle import lifecycle
from custlens.loyalty import loyalty
from custlens.profile import profile
from custlens.quality import assess
from custlens.results import Result
from custlens.voc import feedback_analysis, nps_analysis, satisfaction_index, service_analysis, survey_analysis

#: The subject arguments that may stay positional after ``store``.
SUBJECTS = {"customer": ("customer_id",), "customer_360": ("customer_id",)}
PACKAGE_ENTRY_POINTS = [run_clv, churn_analysis, retention_analysis, analyze_campaign, cohorts, assess, customer_360,
                        lifecycle, loyalty, profile, purchase_frequency, preferences, market_basket, purchase_timing,
                        festival_lift, forecast, satisfaction_index, survey_analysis, nps_analysis, feedback_analysis,
                        service_analysis]


def _check_shape(fn) -> None:
    params = list(inspect.signature(fn).parameters.values())
    subjects = SUBJECTS.get(fn.__name__, ())
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert positional == ["store", *subjects], f"{fn.__name__}: positional {positional}"
    assert all(p.default is p.empty for p in params[:1 + len(subjects)]), fn.__name__
    rest = params[1 + len(subjects):]
    assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in rest), fn.__name__
    as_of = inspect.signature(fn).parameters.get("as_of")
    assert as_of is not None and as_of.kind is as_of.KEYWORD_ONLY and as_of.default is None, fn.__name__


@pytest.mark.parametrize("name", sorted(analyses.ANALYSES))
def test_contract_signature(name: str) -> None:
    fn = analyses.ANALYSES[name]
    assert fn.__name__ == name and name in analyses.__all__
    _check_shape(fn)


@pytest.mark.parametrize("fn", PACKAGE_ENTRY_POINTS, ids=lambda f: f.__name__)
def test_package_entry_points_have_the_same_shape(fn) -> None:
    _check_shape(fn)


def test_a_positional_as_of_is_refused(store) -> None:
    with pytest.raises(TypeError):
        analyses.cohorts(store, "2024-01-01")  # type: ignore[misc]


#: Cheaper options where an analysis has an expensive default; the shape is what is tested.
OPTIONS = {"forecast": {"horizon": 14, "n_windows": 1, "models": ["SeasonalNaive", "AutoETS"]},
           "campaign": {"n_boot": 200}, "feedback": {"n_topics": 3}}


def _tables(store) -> dict[str, int]:
    # Ibis registers frames it is given (ibis.memtable) as temporary views of the connection:
    # not in the file, so not a write.
    names = [r[0] for r in store._con.execute("SELECT table_name FROM information_schema.tables "
                                               "WHERE table_name NOT LIKE 'ibis_%memtable%'").fetchall()]
    return {n: store.count(n) for n in sorted(names)}


@pytest.mark.slow
def test_every_analysis_returns_a_json_result_and_writes_nothing(demo_run) -> None:
    from custlens.store import Store

    store = Store(demo_run.store_path, read_only=True)
    try:
        before = _tables(store)
        cid = store._con.execute("SELECT min(customer_id) FROM orders").fetchone()[0]
        for name, fn in sorted(analyses.ANALYSES.items()):
            args = (cid,) if name == "customer" else ()
            res = fn(store, *args, as_of=None, **OPTIONS.get(name, {}))
            assert isinstance(res, Result), name
            try:
                json.dumps(res.to_dict(), allow_nan=False)  # strict JSON: no NaN, no Timestamp, no NumPy
            except (TypeError, ValueError) as exc:
                raise AssertionError(f"{name}: to_dict() is not strict JSON: {exc}") from exc
        assert _tables(store) == before
    finally:
        store.close()


def test_customer_to_dict_is_the_cli_json(demo_run) -> None:
    """``custlens customer ID --json`` prints exactly ``analyses.customer(...).to_dict()``."""
    from custlens.cli import app
    from custlens.store import Store

    with Store(demo_run.store_path, read_only=True) as store:
        cid = store._con.execute("SELECT customer_id FROM orders ORDER BY customer_id LIMIT 1 OFFSET 7").fetchone()[0]
        expected = analyses.customer(store, cid).to_dict()
    res = CliRunner().invoke(app, ["customer", cid, "--store", str(demo_run.store_path), "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got == json.loads(json.dumps(expected))
    assert list(got) == list(expected) == [
        "customer_id", "as_of", "orders", "revenue", "first_order", "last_order", "aov", "days_since_last", "segment",
        "segment_scheme", "rfm", "lifecycle_stage", "profile", "order_summary", "preferences", "clv", "churn",
        "scores", "recent_orders", "feedback", "tickets", "surveys", "voc"]
    assert got["customer_id"] == cid and got["orders"] >= 1
    assert got["clv"] is not None and "options" in got["clv"]  # the demo saved its CLV scores with their context
