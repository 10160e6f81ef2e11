"""`custlens campaign ...` through Typer's runner: JSON contract, exports, plan, errors, help."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize
from typer.testing import CliRunner

from custlens.campaigns import campaign_outcomes
from custlens.cli import app
from custlens.store import open_store

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_every_campaign_command_has_help_with_an_example() -> None:
    (group,) = [g for g in app.registered_groups if g.name == "campaign"]
    names = [c.name for c in group.typer_instance.registered_commands]
    assert names == ["analyze", "plan", "did"]
    for command in group.typer_instance.registered_commands:
        assert "Example: custlens campaign " + command.name in (command.callback.__doc__ or ""), command.name
        res = _run("campaign", command.name, "--help")
        assert res.exit_code == 0, res.output


def test_analyze_store_json_contract(demo_run) -> None:
    truth = demo_run.truth["campaign"]
    res = _run("campaign", "analyze", "--store", demo_run.store_path, "--campaign", truth["campaign_id"],
               "--window", truth["window_days"], "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {"groups", "metrics", "srm_p_value", "roi", "segments", "campaign_id"} <= set(doc)
    assert {g["group"]: g["members"] for g in doc["groups"]} == {"treatment": truth["treatment"],
                                                                 "control": truth["control"]}
    names = [m["name"] for m in doc["metrics"]]
    assert names == ["converted", "revenue", "orders"]
    for m in doc["metrics"]:
        assert {"name", "control", "treatment", "lift", "ci_low", "ci_high", "p_value"} <= set(m)
        assert m["lift"] == pytest.approx(m["treatment"] - m["control"])
        assert m["ci_low"] < m["lift"] < m["ci_high"]
    conv = doc["metrics"][0]
    assert conv["ci_low"] < truth["true_conversion_lift"] < conv["ci_high"]
    assert 0.001 < doc["srm_p_value"] <= 1
    assert res.stderr == ""


def test_analyze_store_text_output(demo_run) -> None:
    res = _run("campaign", "analyze", "--store", demo_run.store_path, "--no-segments", "--lang", "zh")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"活动 {demo_run.truth['campaign']['campaign_id']}：")
    assert "样本比例检验：p = " in res.stdout and "转化率" in res.stdout


@pytest.fixture(scope="module")
def export(demo_run, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The demo campaign as an A/B export with its own column names and labels A/B."""
    with open_store(demo_run.store_path, read_only=True) as st:
        df = campaign_outcomes(st)
    ab = pd.DataFrame({"user": df["customer_id"], "variant": df["group"].map({"treatment": "B", "control": "A"}),
                       "bought": df["converted"], "spend": df["revenue"], "spend_before": df["pre_spend"],
                       "cost": df["cost"]})
    path = tmp_path_factory.mktemp("ab") / "ab_export.csv"
    ab.to_csv(path, index=False)
    return path, df


def test_analyze_export_matches_the_store_analysis(export, demo_run, tmp_path: Path) -> None:
    path, _ = export
    res = _run("campaign", "analyze", path, "--group", "variant", "--outcome", "bought", "--outcome", "spend",
               "--pre", "spend_before", "--cost", "cost", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    ref = json.loads(_run("campaign", "analyze", "--store", demo_run.store_path, "--json").stdout)
    got = {m["name"]: m for m in doc["metrics"]}
    want = {m["name"]: m for m in ref["metrics"]}
    for mine, theirs in (("bought", "converted"), ("spend", "revenue")):
        for key in ("control", "treatment", "lift", "ci_low", "ci_high", "p_value", "cuped_lift"):
            assert got[mine][key] == pytest.approx(want[theirs][key], rel=1e-9), (mine, key)
    assert doc["roi"]["incremental_revenue"] == pytest.approx(ref["roi"]["incremental_revenue"])
    assert "segments" not in doc


def test_injected_sample_ratio_mismatch_through_the_cli(export, tmp_path: Path) -> None:
    path, _ = export
    rng = np.random.default_rng(0)
    big = pd.concat([pd.read_csv(path)] * 20, ignore_index=True)  # 13,080 members, 50/50
    fair = tmp_path / "fair.csv"
    big.to_csv(fair, index=False)
    broken = tmp_path / "broken.csv"
    drop = (big["variant"] == "A") & (rng.random(len(big)) < 0.1)  # a tenth of the control lost
    big[~drop].to_csv(broken, index=False)
    args = ("--group", "variant", "--outcome", "bought", "--json")
    ok = json.loads(_run("campaign", "analyze", fair, *args).stdout)
    bad = json.loads(_run("campaign", "analyze", broken, *args).stdout)
    assert ok["srm_p_value"] > 0.001 and not ok["srm_alarm"]
    assert bad["srm_p_value"] < 0.001 and bad["srm_alarm"] and "campaign.note.srm" in bad["notes"]
    res = _run("campaign", "analyze", broken, "--group", "variant", "--outcome", "bought")
    assert "MISMATCH" in res.stdout
    assert "warning: Sample ratio mismatch" in res.stderr
    # The same counts are fair against the split they were drawn with.
    share_b = (big[~drop]["variant"] == "B").mean()
    again = json.loads(_run("campaign", "analyze", broken, *args, "--split", f"{share_b:.4f}").stdout)
    assert again["srm_p_value"] > 0.5


def test_plan_matches_statsmodels() -> None:
    res = _run("campaign", "plan", "--baseline", "0.05", "--mde", "0.01", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    ref = NormalIndPower().solve_power(proportion_effectsize(0.06, 0.05), alpha=0.05, power=0.8, ratio=1)
    assert doc["n_control_exact"] == pytest.approx(ref, rel=1e-6)
    assert doc["n_control"] == doc["n_treatment"] == 8143
    text = _run("campaign", "plan", "--baseline", "0.05", "--mde", "0.01").stdout
    assert text == "8,143 members per group (16,286 in all) detect 5.00% -> 6.00% with power 0.8 at alpha 0.05\n"


def test_did_json(demo_run) -> None:
    res = _run("campaign", "did", "--store", demo_run.store_path, "--comparison", "control", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["comparison"] == "control" and doc["ci_low"] < doc["effect"] < doc["ci_high"]
    assert len(doc["trends"]) == 2 * 12 and len(doc["assumptions"]) == 4


@pytest.mark.parametrize("args,message", [
    (("plan", "--baseline", "0.95", "--mde", "0.1"), "error: --mde 0.1: baseline + mde"),
    (("analyze", "nope.csv", "--outcome", "x"), "error: no such file: 'nope.csv'"),
    (("analyze", "{export}"), "error: name the outcome column(s) of the export with --outcome COLUMN"),
    (("analyze", "{export}", "--outcome", "bought"), "error: group column 'group' is not in the data"),
    (("analyze", "{export}", "--group", "variant", "--outcome", "bought", "--split", "fifty"),
     "error: --split 'fifty' is not a split"),
    (("analyze", "{export}", "--group", "user", "--outcome", "bought"), "are not a treatment/control pair"),
    (("analyze", "--store", "{store}", "--campaign", "NOPE"), "error: campaign 'NOPE' is not in campaign_members"),
])
def test_errors_are_clean(args, message: str, export, demo_run) -> None:
    args = [str(a).format(export=export[0], store=demo_run.store_path) for a in args]
    res = _run("campaign", *args)
    assert res.exit_code == 1, res.output
    assert message in res.stderr
    assert res.stderr.startswith("error: ") and "Traceback" not in res.output
