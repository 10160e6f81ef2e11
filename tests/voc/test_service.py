"""Customer service: SLA breaches, repeats and the watch list by hand; the demo's slow channel."""

from __future__ import annotations

import pytest

from custlens import Store
from custlens.errors import InputError
from custlens.voc import service_analysis
from custlens.voc.service import demand_type

T = ("ticket_id", "customer_id", "opened_at", "category", "channel", "first_response_at", "resolved_at", "satisfaction")


@pytest.fixture
def tickets(tmp_path, put_rows) -> Store:
    st = Store(tmp_path / "t.duckdb")
    put_rows(st, "tickets", T, [
        ("t1", "a", "2025-01-01 10:00:00", "咨询", "chat", "2025-01-01 10:10:00", "2025-01-01 12:00:00", 5),
        ("t2", "a", "2025-01-03 10:00:00", "退换货", "chat", "2025-01-03 12:00:00", "2025-01-07 10:00:00", 2),
        ("t3", "b", "2025-01-05 10:00:00", "投诉", "email", "2025-01-05 15:00:00", None, None),
        ("t4", "c", "2025-02-01 10:00:00", "Payment failed", "email", None, None, None),
    ])
    yield st
    st.close()


def test_sla_breaches_and_repeats_by_hand(tickets) -> None:
    """SLA 60 min / 72 h. t1 10 min, 2 h; t2 120 min (breach), 96 h (breach); t3 300 min
    (breach), open for 26 days (breach); t4 unanswered for 3 days (both breached)."""
    res = service_analysis(tickets, as_of="2025-02-04")
    ch = res.by_channel.set_index("channel")
    assert ch.loc["chat", "first_response_breach"] == 0.5 and ch.loc["chat", "resolution_breach"] == 0.5
    assert ch.loc["email", "first_response_breach"] == 1.0 and ch.loc["email", "open"] == 2
    assert res.repeat_rate == pytest.approx(1 / 4)  # t2 within 7 days of t1
    assert list(res.watch_list["customer_id"]) == ["c", "b", "a"]  # open first, then the latest
    assert res.times.set_index("measure").loc["first_response_minutes", "median"] == 120
    d = res.by_demand.set_index("demand_type")["tickets"].to_dict()
    assert d == {"pre_sale": 1, "after_sale": 1, "complaint": 1, "account": 1}


def test_as_of_hides_later_responses(tickets) -> None:
    """On 2025-01-03 11:00 t2 had no response yet; as_of 2025-01-03 ignores t2 entirely."""
    res = service_analysis(tickets, as_of="2025-01-03")
    assert res.tickets == 1 and res.by_channel["first_response_breach"].iloc[0] == 0.0


def test_configurable_sla_and_errors(tickets) -> None:
    res = service_analysis(tickets, as_of="2025-02-04", sla={"first_response_minutes": 180})
    assert res.by_channel.set_index("channel").loc["chat", "first_response_breach"] == 0.0
    with pytest.raises(InputError, match="positive"):
        service_analysis(tickets, sla={"first_response_minutes": 0})
    assert demand_type(None) == "other" and demand_type("售前咨询") == "pre_sale"


def test_demo_email_breaches_the_sla(demo, demo_run) -> None:
    truth = demo_run.truth["tickets"]
    res = service_analysis(demo, sla={"first_response_minutes": truth["sla_first_response_minutes"]})
    breach = res.by_channel.set_index("channel")["first_response_breach"]
    assert breach.idxmax() == truth["sla_breaching_channel"]
    assert breach.drop(truth["sla_breaching_channel"]).max() < 0.3 < breach.max()
    assert res.findings[0][0] == "sla_channel" and res.findings[0][1]["channel"] == truth["sla_breaching_channel"]
