"""Fuzz the HTTP API from its own OpenAPI document (generated from the resolver's routes) against
the local stack on 127.0.0.1: no input makes the server answer with a 5xx, every status is one the
document names, and every response is what it says it is.

Bounded: a fixed number of examples per operation, derandomised, so the run is repeatable and short.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    status_code_conformance,
)

from growthcycle.web.openapi import document
from tests.e2e.conftest import Stack, stack  # noqa: F401 (the fixture, reused)

pytestmark = [pytest.mark.stack, pytest.mark.xdist_group("stack")]

schema = schemathesis.openapi.from_dict(document())
# API Gateway HTTP APIs never pass TRACE (or the draft QUERY method) to Lambda; the local stack's
# http.server answers them itself with 501. Every method API Gateway does pass is still tried.
schema.config.phases.coverage.unexpected_methods = {
    "get",
    "put",
    "post",
    "delete",
    "options",
    "patch",
}
EXAMPLES = 12


@pytest.fixture(scope="module")
def signed_in(stack: Stack) -> dict[str, str]:  # noqa: F811
    """A headteacher's session (she may open the most pages), from the stack's act-as page."""
    answer = requests.post(
        f"{stack.url}/_local/act-as",
        data={"person_id": "oakfield-primary.op001"},
        allow_redirects=False,
        timeout=10,
    )
    return {"gc_session": answer.cookies["gc_session"]}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_any_route_answer_with_a_server_error(
    case: Any,
    stack: Stack,  # noqa: F811
    signed_in: dict[str, str],
) -> None:
    response = case.call(base_url=stack.url, cookies=signed_in, timeout=15, allow_redirects=False)
    case.validate_response(
        response,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance],
    )
