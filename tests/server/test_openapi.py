"""Property test of the API against its own OpenAPI spec (schemathesis, few examples per endpoint).

Every generated request, valid or not, must get an answer that is not a server error, and a
2xx answer must match the spec. Derandomized under ``CI=true`` like the other Hypothesis tests.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from servertools import AUTH

pytestmark = pytest.mark.slow


OPERATIONS = ["GET /api/status", "GET /api/kpis", "GET /api/segments", "GET /api/segments/audience.csv",
              "GET /api/segments/{segment}/members", "GET /api/customers", "GET /api/customers/{customer_id}",
              "GET /api/customers/{customer_id}/voc", "GET /api/churn/watch", "GET /api/churn/winback",
              "GET /api/clv/top", "POST /api/score"]


@pytest.fixture(scope="module")
def api_schema(client):
    client.app.state.analyses.churn_lists()  # the models are fitted by the `client` fixture
    return schemathesis.openapi.from_asgi("/openapi.json", client.app, headers=AUTH)


def test_the_spec_lists_every_operation(api_schema) -> None:
    found = sorted(f"{r.ok().method.upper()} {r.ok().path}" for r in api_schema.get_all_operations())
    assert found == sorted(OPERATIONS)


@pytest.mark.parametrize("name", OPERATIONS)
def test_api_honours_its_spec(api_schema, client, name) -> None:
    method, path = name.split(" ")
    op = api_schema[path][method]

    @given(case=op.as_strategy())
    @settings(max_examples=8, deadline=None, derandomize=bool(os.environ.get("CI")),
              suppress_health_check=list(HealthCheck), database=None)
    def check(case) -> None:
        case.call_and_validate(headers=AUTH, checks=[not_a_server_error, response_schema_conformance,
                                                     content_type_conformance])

    check()
