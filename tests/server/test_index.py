"""The customer-360 index answers exactly what `customer_360` and `custlens customer ID --json` answer."""

from __future__ import annotations

import json
import random

import pytest
from typer.testing import CliRunner

from custlens.cli import app as cli
from custlens.customer360 import customer_360
from custlens.server.analyses import jsonable
from custlens.server.index import Customer360Index, NotFound
from custlens.store import Store


@pytest.fixture(scope="module")
def demo_ro(demo_path):
    st = Store(demo_path, read_only=True)
    yield st
    st.close()


@pytest.fixture(scope="module")
def index(demo_ro) -> Customer360Index:
    return Customer360Index(demo_ro)


def _json(d: dict) -> dict:
    """As the CLI prints it (NumPy booleans, timestamps and all)."""
    from custlens.commands._common import _default

    return json.loads(json.dumps(d, default=_default))


def test_index_equals_customer_360_for_a_sample_and_the_prospects(demo_ro, index) -> None:
    rng = random.Random(7)
    buyers = rng.sample(sorted(index.in_orders), 20)
    prospects = [c for c in index.ids if c not in index.in_orders][:3]
    voc = [r[0] for r in demo_ro._con.execute(
        "SELECT customer_id FROM tickets INTERSECT SELECT customer_id FROM feedback ORDER BY 1 LIMIT 5").fetchall()]
    top = [r[0] for r in demo_ro._con.execute(
        "SELECT customer_id FROM orders GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3").fetchall()]
    assert prospects and voc and top
    for cid in buyers + prospects + voc + top:
        assert jsonable(index.get(cid)) == _json(customer_360(demo_ro, cid).to_dict()), cid


def test_api_360_equals_the_cli_json(client, demo_path, index) -> None:
    runner = CliRunner()
    for cid in sorted(index.in_orders)[:2] + [c for c in index.ids if c not in index.in_orders][:1]:
        res = runner.invoke(cli, ["customer", cid, "--store", str(demo_path), "--json"])
        assert res.exit_code == 0, res.output
        api = client.get(f"/api/customers/{cid}")
        assert api.status_code == 200
        assert api.json() == json.loads(res.output)


def test_unknown_customer_raises_not_found(index) -> None:
    with pytest.raises(NotFound):
        index.get("no-such-customer")


def test_search_is_a_sorted_prefix_range(index) -> None:
    total, page = index.search("M1000", 0, 10)
    every = [c for c in index.ids if c.startswith("M1000")]
    assert total == len(every) and page == every[:10]
    assert index.search("M1000", 5, 3)[1] == every[5:8]
    assert index.search("zzz", 0, 10) == (0, [])
    assert index.search("", 0, 5) == (len(index.ids), index.ids[:5])
