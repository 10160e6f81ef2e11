"""Customer 360 on the toy shop: every part, optional score tables, unknown ids."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import toyshop

from custlens.customer360 import customer_360
from custlens.errors import MissingDataError


def test_everything_about_customer_a(toy) -> None:
    d = customer_360(toy, "a", as_of=toyshop.AS_OF)
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


def test_scores_tables_are_picked_up(toy) -> None:
    toy.write("clv_scores", pd.DataFrame({"customer_id": ["a"], "p_alive": [0.8], "expected_purchases": [1.5],
                                          "clv": [123.4]}))
    toy.write("churn_scores", pd.DataFrame({"customer_id": ["a"], "churn_probability": [0.2], "risk_band": ["low"],
                                            "reasons_en": ["recent purchase"], "reasons_zh": ["近期有购买"]}))
    d = customer_360(toy, "a")
    assert d["clv"] == {"p_alive": 0.8, "expected_purchases": 1.5, "clv": 123.4}
    assert d["churn"]["risk_band"] == "low" and d["churn"]["reasons_zh"] == "近期有购买"


def test_prospect_and_time_travel(toy) -> None:
    e = customer_360(toy, "e")
    assert (e["orders"], e["revenue"], e["segment"], e["lifecycle_stage"]) == (0, 0.0, None, "prospect")
    assert e["first_order"] is None and e["recent_orders"] == []
    past = customer_360(toy, "a", as_of="2024-02-01")
    assert past["orders"] == 2 and past["feedback"][0]["feedback_id"] == "f1"


def test_unknown_id_is_a_clear_error(toy) -> None:
    with pytest.raises(MissingDataError, match=r"customer 'zz' is not in the store .* customer ids look like 'a', 'b', 'c'"):
        customer_360(toy, "zz")
