"""Customer 360 on the toy shop: every part, optional score tables, unknown ids."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import toyshop

from custlens.customer360 import customer_360
from custlens.errors import MissingDataError


def test_everything_about_customer_a(toy) -> None:
    d = customer_360(toy, "a", as_of=toyshop.AS_OF).to_dict()
    assert (d["customer_id"], d["orders"], d["revenue"]) == ("a", 3, 180.0)
    assert d["first_order"] == "2024-01-05T10:00:00" and d["last_order"] == "2024-03-10T21:00:00"
    assert d["aov"] == 60.0 and d["days_since_last"] == 22.0
    assert d["segment"] and d["segment_scheme"] == "rfm11" and set(d["rfm"]) == {"r", "f", "m"}
    assert d["lifecycle_stage"] == "new"  # default rules: first order 87 days before as_of (<= 90)
    assert d["profile"]["gender"] == "F" and d["profile"]["city_tier"] == "一线"
    assert d["preferences"]["channel"][0]["value"] == "APP"
    assert [o["order_id"] for o in d["recent_orders"]] == ["o_a3", "o_a2", "o_a1"]
    assert [f["feedback_id"] for f in d["feedback"]] == ["f2", "f1"] and d["tickets"][0]["ticket_id"] == "t1"
    assert len(d["surveys"]) == 1  # the answer dated after as_of is not shown
    assert d["clv"] is None and d["churn"] is None
    json.dumps(d)  # plain JSON all the way down


def _saved(toy, as_of: str) -> None:
    toy.write("clv_scores", pd.DataFrame({"customer_id": ["a"], "p_alive": [0.8], "p_purchase": [0.55],
                                          "expected_purchases": [1.5], "clv": [123.4], "model": ["mbgnbd"], "horizon_days": [365.0],
                                          "as_of": [pd.Timestamp(as_of)]}))
    toy.write("churn_scores", pd.DataFrame({"customer_id": ["a"], "churn_probability": [0.2], "risk_band": ["low"],
                                            "reasons": ['[{"key": "churn.reason.no_order", "args": {"days": 3}}]'],
                                            "model": ["gradient_boosting"], "horizon_days": [120.0],
                                            "as_of": [pd.Timestamp(as_of)]}))


def test_scores_tables_are_picked_up_with_their_context(toy) -> None:
    _saved(toy, toyshop.AS_OF)
    d = customer_360(toy, "a", as_of=toyshop.AS_OF).to_dict()
    assert d["clv"] == {"p_alive": 0.8, "p_purchase": 0.55, "expected_purchases": 1.5, "clv": 123.4, "model": "mbgnbd",
                        "horizon_days": 365.0, "as_of": pd.Timestamp(toyshop.AS_OF).isoformat()}
    assert d["churn"]["risk_band"] == "low"
    assert d["churn"]["reasons"] == [{"key": "churn.reason.no_order", "args": {"days": 3}}]  # keys, not texts
    assert d["scores"]["clv"] == {"state": "ok", "table": "clv_scores", "model": "mbgnbd", "horizon_days": 365.0,
                                  "as_of": str(pd.Timestamp(toyshop.AS_OF).date()),
                                  "wanted": str(pd.Timestamp(toyshop.AS_OF).date())}
    assert d["scores"]["churn"]["horizon_days"] == 120.0


def test_stale_or_missing_scores_are_not_shown(toy) -> None:
    """Issue 11.9: scores saved as of another date (or without a date) must not pass for this view's."""
    past = customer_360(toy, "a", as_of="2024-02-01").to_dict()
    assert past["clv"] is None and past["scores"]["clv"]["state"] == "missing"
    _saved(toy, toyshop.AS_OF)
    past = customer_360(toy, "a", as_of="2024-02-01").to_dict()
    assert past["clv"] is None and past["churn"] is None
    assert past["scores"]["clv"]["state"] == "stale" and past["scores"]["churn"]["state"] == "stale"
    # a table from before scores recorded their context is stale too
    toy.write("clv_scores", pd.DataFrame({"customer_id": ["a"], "clv": [1.0]}))
    assert customer_360(toy, "a", as_of=toyshop.AS_OF).to_dict()["scores"]["clv"]["state"] == "stale"


def test_360_cli_says_which_scores_it_shows(toy) -> None:
    from typer.testing import CliRunner

    from custlens.cli import app

    _saved(toy, "2024-02-01")
    path = toy.path
    toy.close()
    res = CliRunner().invoke(app, ["customer", "a", "--store", str(path), "--as-of", str(toyshop.AS_OF)])
    assert res.exit_code == 0, res.output
    assert "saved CLV scores are as of 2024-02-01, not 2024-04-01; not shown" in res.stdout
    res = CliRunner().invoke(app, ["customer", "a", "--store", str(path), "--as-of", "2024-02-01", "--lang", "zh"])
    assert "123.40, 期内下单概率 55% (MBG/NBD，未来 365 天，截至 2024-02-01)" in res.stdout


def test_prospect_and_time_travel(toy) -> None:
    e = customer_360(toy, "e").to_dict()
    assert (e["orders"], e["revenue"], e["segment"], e["lifecycle_stage"]) == (0, 0.0, None, "prospect")
    assert e["first_order"] is None and e["recent_orders"] == []
    past = customer_360(toy, "a", as_of="2024-02-01").to_dict()
    assert past["orders"] == 2 and past["feedback"][0]["feedback_id"] == "f1"


def test_unknown_id_is_a_clear_error(toy) -> None:
    with pytest.raises(MissingDataError, match=r"customer 'zz' is not in the store .* customer ids look like 'a', 'b', 'c'"):
        customer_360(toy, "zz").to_dict()
