"""The JSON API on the demo store: contents pinned to the library, languages, paging and limits."""

from __future__ import annotations

import pytest

from custlens.features.periods import headline_kpis
from custlens.store import Store


def test_kpis_are_the_library_headline_figures(client, demo_path) -> None:
    with Store(demo_path, read_only=True) as st:
        k = headline_kpis(st)
    got = client.get("/api/kpis").json()
    assert got["revenue"] == pytest.approx(k["revenue"], rel=1e-12)
    assert (got["orders"], got["customers"], got["repeat_customers"]) == (k["orders"], k["customers"],
                                                                         k["repeat_customers"])
    assert got["as_of"] == k["as_of"].isoformat()
    assert got["labels"]["revenue"] == "Revenue"
    assert client.get("/api/kpis?lang=zh").json()["labels"]["revenue"] == "销售额"


@pytest.mark.parametrize("header, query, lang", [
    ({"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, "", "zh"),
    ({"Accept-Language": "en-US,en;q=0.9,zh;q=0.8"}, "", "en"),
    ({"Accept-Language": "fr-FR,zh;q=0.5"}, "", "zh"),
    ({"Accept-Language": "zh-CN"}, "?lang=en", "en"),
    ({}, "", "en"),
])
def test_language_from_accept_language_or_query(client, header, query, lang) -> None:
    got = client.get(f"/api/segments{query}", headers=header).json()
    assert got["lang"] == lang
    champions = next(s for s in got["segments"] if s["segment"] == "champions")
    assert champions["name"] == {"en": "Champions", "zh": "冠军客户"}[lang]


def test_segments_partition_the_customers(client) -> None:
    kpis = client.get("/api/kpis").json()
    for scheme in ("rfm11", "cn8"):
        segs = client.get(f"/api/segments?scheme={scheme}").json()["segments"]
        assert sum(s["customers"] for s in segs) == kpis["customers"]
        assert sum(s["revenue"] for s in segs) == pytest.approx(kpis["revenue"], rel=1e-9)


def test_members_are_paged_and_match_the_segment_size(client) -> None:
    segs = {s["segment"]: s for s in client.get("/api/segments").json()["segments"]}
    first = client.get("/api/segments/champions/members?limit=7").json()
    second = client.get("/api/segments/champions/members?limit=7&offset=7").json()
    assert first["total"] == segs["champions"]["customers"]
    assert len(first["customers"]) == 7 and len(second["customers"]) == 7
    assert not {c["customer_id"] for c in first["customers"]} & {c["customer_id"] for c in second["customers"]}
    spend = [c["total_spend"] for c in first["customers"] + second["customers"]]
    assert spend == sorted(spend, reverse=True)
    assert {c["segment"] for c in first["customers"]} == {"champions"}
    assert client.get("/api/segments/Champions/members?limit=1").json()["total"] == first["total"]  # by name


def test_audience_csv_has_a_bom_and_every_member(client) -> None:
    res = client.get("/api/segments/audience.csv?segment=champions")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    assert res.content.startswith(b"\xef\xbb\xbf")
    lines = res.content.decode("utf-8-sig").splitlines()
    n = client.get("/api/segments/champions/members?limit=1").json()["total"]
    assert lines[0].startswith("customer_id,segment,name") and len(lines) == n + 1
    zh = client.get("/api/segments/audience.csv?segment=champions&lang=zh").content.decode("utf-8-sig")
    assert "冠军客户" in zh


def test_search_pages_and_counts(client) -> None:
    got = client.get("/api/customers?q=M1000&limit=5").json()
    assert got["total"] > 5 and len(got["customers"]) == 5
    ids = [c["customer_id"] for c in got["customers"]]
    assert ids == sorted(ids) and all(i.startswith("M1000") for i in ids)
    one = client.get(f"/api/customers/{ids[0]}").json()
    assert (got["customers"][0]["orders"], got["customers"][0]["revenue"]) == (one["orders"], one["revenue"])


def test_clv_top_list_comes_from_the_saved_scores(client, demo_path) -> None:
    with Store(demo_path, read_only=True) as st:
        best = st._con.execute("SELECT customer_id, clv FROM clv_scores ORDER BY clv DESC, customer_id LIMIT 3").fetchall()
        n = st.count("clv_scores")
    got = client.get("/api/clv/top?limit=3").json()
    assert got["source"] == "saved" and got["total"] == n
    assert [(c["customer_id"], c["clv"]) for c in got["customers"]] == [(a, pytest.approx(b)) for a, b in best]


def test_voc_counts_match_the_tables(client, demo_path) -> None:
    with Store(demo_path, read_only=True) as st:
        cid, n = st._con.execute("SELECT customer_id, count(*) FROM tickets GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1").fetchone()
        complaints = st._con.execute("SELECT count(*) FROM feedback WHERE customer_id = ? AND lower(kind) = 'complaint'",
                                    [cid]).fetchone()[0]
        nps = st._con.execute("SELECT nps FROM surveys WHERE customer_id = ? AND nps IS NOT NULL "
                             "ORDER BY answered_at DESC LIMIT 1", [cid]).fetchall()
    got = client.get(f"/api/customers/{cid}/voc").json()
    assert got["tickets_count"] == n and got["complaints"] == complaints
    assert got["latest_nps"] == (nps[0][0] if nps else None)
    assert set(got["available"]) == {"surveys", "feedback", "tickets"}


@pytest.mark.parametrize("url", ["/api/customers?limit=501", "/api/customers?limit=0", "/api/customers?offset=-1",
                                 "/api/churn/watch?limit=100000", "/api/segments?scheme=nope"])
def test_page_size_and_parameters_are_bounded(client, url) -> None:
    res = client.get(url)
    assert res.status_code == 422
    assert res.json()["detail"] == "invalid request"
    assert "nope" not in res.text and "100000" not in res.text  # no echo of the value


def test_errors_carry_no_data(client) -> None:
    secret = "SECRET-customer-4711"
    for url in (f"/api/customers/{secret}", f"/api/customers/{secret}/voc", f"/api/segments/{secret}/members"):
        res = client.get(url)
        assert res.status_code == 404 and res.json() == {"detail": "not found"}
        assert secret not in res.text
    assert client.get(f"/api/customers/{secret}?lang=zh").json() == {"detail": "未找到"}
    res = client.get("/api/customers/" + "x" * 201)
    assert res.status_code == 422 and "xxxx" not in res.text


def test_request_body_is_limited(client) -> None:
    big = b'{"orders": [' + b'{"ordered_at": "2025-01-01", "amount": 1},' * 40_000 + b'{}]}'
    assert len(big) > 1_000_000
    res = client.post("/api/score", content=big, headers={"Content-Type": "application/json"})
    assert res.status_code == 413
