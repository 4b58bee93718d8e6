"""Issue 18, item 4: link tokens would have landed in the deployed access log.

The HTTP API's access log line is rendered here from its format in template.yaml, for every
registered route that carries a token, with a real token in the path: the token must not appear.
The path itself is logged by the API function, with tokens replaced by `{token}`, under the same
request id (Powertools' correlation id is the API's `requestId`)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from growthcycle.domain.links import make_link
from growthcycle.domain.tokens import Signer
from growthcycle.local.table import load_template
from tests.helpers.events import http_event
from tests.security.routes import registered_routes

SIGNER = Signer(b"k" * 48)
NOW = datetime(2026, 10, 1, 9, tzinfo=UTC)

# What each access-log variable holds for one request. A variable not listed here fails the test
# until someone says what it holds (and whether it can carry a token).
CONTEXT: dict[str, Callable[[dict[str, Any]], str]] = {
    "requestId": lambda e: e["requestContext"]["requestId"],
    "identity.sourceIp": lambda e: e["requestContext"]["http"]["sourceIp"],
    "requestTime": lambda e: e["requestContext"]["time"],
    "httpMethod": lambda e: e["requestContext"]["http"]["method"],
    "path": lambda e: e["requestContext"]["http"]["path"],
    "routeKey": lambda _: "ANY /{proxy+}",
    "protocol": lambda e: e["requestContext"]["http"]["protocol"],
    "status": lambda _: "200",
    "responseLength": lambda _: "1234",
    "responseLatency": lambda _: "87",
    "integrationErrorMessage": lambda _: "",
}


def _access_log_format() -> str:
    api = load_template()["Resources"]["HttpApi"]["Properties"]
    return str(api["AccessLogSettings"]["Format"])


def _render(event: dict[str, Any]) -> str:
    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        assert name in CONTEXT, f"say what $context.{name} holds (can it carry a token?)"
        return CONTEXT[name](event)

    return re.sub(r"\$context\.([A-Za-z.]+)", value, _access_log_format())


def _tokens() -> dict[str, str]:
    sign_in = SIGNER.sign(
        "sign-in", {"p": "oakfield-primary.op004"}, now=NOW, ttl=timedelta(minutes=30)
    )
    statement = make_link(
        SIGNER,
        person_id="oakfield-primary.op004",
        statement_id="oakfield-primary.op004.2026-27",
        statement_version=1,
        action="agree",
        now=NOW,
        days=14,
    )
    return {"sign-in": sign_in, "statement-link": statement}


TOKEN_ROUTES = [r for r in registered_routes() if "token" in r.params]


def test_there_are_token_routes_to_check() -> None:
    assert len(TOKEN_ROUTES) >= 4


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=str)
def test_the_access_log_line_never_holds_a_link_token(route: Any) -> None:
    for token in _tokens().values():
        event = http_event(route.method, route.path(token=token))
        assert token in event["requestContext"]["http"]["path"]
        line = _render(event)
        json.loads(line)  # still one JSON object a log query can read
        assert token not in line
        assert token.split(".")[0] not in line  # not even the readable half


def test_the_access_log_keeps_the_request_id_that_joins_it_to_the_functions_log() -> None:
    assert '"requestId":"$context.requestId"' in _access_log_format()


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    from growthcycle.observability import logger

    buffer = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    stream = handler.setStream(buffer)
    yield buffer
    if stream is not None:
        handler.setStream(stream)


def test_the_function_logs_each_request_path_with_tokens_removed(
    demo: Any, browser: Any, json_logs: io.StringIO
) -> None:
    tokens = _tokens()
    browser.get(f"/sign-in/{tokens['sign-in']}")
    browser.get(f"/statement-links/{tokens['statement-link']}/done")
    browser.get("/people/oakfield-primary.op004/observations")
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line.strip()]
    for token in tokens.values():
        assert all(token not in json.dumps(line) for line in lines)
    requests = [line for line in lines if line.get("message") == "request"]
    paths = [line["path"] for line in requests]
    assert paths == [
        "/sign-in/{token}",
        "/statement-links/{token}/done",
        "/people/oakfield-primary.op004/observations",
    ]
    assert all(line.get("correlation_id") for line in requests)
    assert all(isinstance(line.get("status"), int) for line in requests)
