"""Sign-in link requests and link-token guesses are rate limited: a fixed window per client
address and per email address, counted with one conditional atomic write; over the limit, a
plain-words 429 page with Retry-After, and nothing sent."""

from __future__ import annotations

import re
from typing import Any

import pytest

import tests.conftest
from tests.conftest import sent_outbox
from tests.helpers.events import http_event
from tests.security.test_headers import assert_security_headers


@pytest.fixture(autouse=True)
def source_ips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let `browser.get(..., source_ip=...)` say which address API Gateway saw."""

    def event_from(method: str, path: str, *, source_ip: str = "127.0.0.1", **kwargs: Any) -> Any:
        event = http_event(method, path, **kwargs)
        event["requestContext"]["http"]["sourceIp"] = source_ip
        return event

    monkeypatch.setattr(tests.conftest, "http_event", event_from)


def sign_in_request(browser: Any, address: str, ip: str = "203.0.113.7") -> dict[str, Any]:
    token = browser.csrf("/sign-in")
    return browser.post("/sign-in", form={"_csrf": token, "email": address}, source_ip=ip)


def test_sign_in_link_requests_for_one_address_stop_after_the_limit_with_retry_after(
    aws: Any, demo: Any, browser: Any, monkeypatch: Any
) -> None:
    from growthcycle.web import ratelimit

    address = demo.people["oakfield-primary.op004"].email
    limit = ratelimit.SIGN_IN_BY_EMAIL.limit
    for _ in range(limit):
        assert sign_in_request(browser, address)["statusCode"] == 200
    queued = len(sent_outbox(aws))

    refused = sign_in_request(browser, address)

    assert refused["statusCode"] == 429
    retry_after = int(refused["headers"]["Retry-After"])
    assert 0 < retry_after <= ratelimit.SIGN_IN_BY_EMAIL.window_seconds
    assert "try again in a few minutes" in refused["body"]
    assert_security_headers(refused, "429 page")
    assert len(sent_outbox(aws)) == queued  # nothing more was sent


def test_the_email_limit_counts_the_address_however_it_is_written(demo: Any, browser: Any) -> None:
    from growthcycle.web import ratelimit

    address = demo.people["oakfield-primary.op004"].email
    for i in range(ratelimit.SIGN_IN_BY_EMAIL.limit):
        sign_in_request(browser, address.upper() if i % 2 else address)
    assert sign_in_request(browser, address.title())["statusCode"] == 429


def test_unknown_addresses_are_limited_the_same_way_so_the_limit_reveals_nothing(
    demo: Any, browser: Any
) -> None:
    from growthcycle.web import ratelimit

    for _ in range(ratelimit.SIGN_IN_BY_EMAIL.limit):
        assert sign_in_request(browser, "nobody@example.org")["statusCode"] == 200
    assert sign_in_request(browser, "nobody@example.org")["statusCode"] == 429


def test_one_client_address_is_limited_across_many_email_addresses(
    demo: Any, browser: Any, monkeypatch: Any
) -> None:
    from growthcycle.web import ratelimit

    monkeypatch.setattr(
        ratelimit, "SIGN_IN_BY_IP", ratelimit.Limit("sign-in-ip", limit=3, window_seconds=900)
    )
    for i in range(3):
        assert sign_in_request(browser, f"guess{i}@example.org")["statusCode"] == 200
    assert sign_in_request(browser, "guess9@example.org")["statusCode"] == 429
    # Another address (another school's network) is not affected.
    assert sign_in_request(browser, "guess9@example.org", ip="198.51.100.2")["statusCode"] == 200


def test_wrong_link_tokens_from_one_address_are_limited_and_a_right_one_still_works(
    aws: Any, demo: Any, browser: Any, monkeypatch: Any
) -> None:
    from growthcycle.web import ratelimit

    monkeypatch.setattr(
        ratelimit, "TOKEN_GUESSES", ratelimit.Limit("token-guess", limit=4, window_seconds=900)
    )
    for i in range(4):
        assert browser.get(f"/sign-in/guess{i}", source_ip="203.0.113.9")["statusCode"] == 400
    assert browser.get("/sign-in/guess5", source_ip="203.0.113.9")["statusCode"] == 429
    csrf = browser.csrf("/sign-in")
    refused = browser.post("/sign-in/guess6", form={"_csrf": csrf}, source_ip="203.0.113.9")
    assert refused["statusCode"] in (403, 429)  # the link's CSRF binding fails first, or the limit

    # A real link is never counted as a guess.
    sign_in_request(browser, demo.people["oakfield-primary.op004"].email, ip="203.0.113.9")
    link = next(
        re.search(r"/sign-in/([^\s\"<]+)", e["text"]).group(1)  # type: ignore[union-attr]
        for e in sent_outbox(aws)
        if "sign-in" in e["subject"].lower()
    )
    from urllib.parse import unquote

    opened = browser.get(f"/sign-in/{unquote(link)}", source_ip="203.0.113.9")
    assert opened["statusCode"] == 200


def test_rate_items_hold_no_address_and_expire_after_their_window(
    aws: Any, demo: Any, browser: Any
) -> None:
    from tests.conftest import TABLE

    address = demo.people["oakfield-primary.op004"].email
    sign_in_request(browser, address)
    items = [
        i
        for page in aws("dynamodb").get_paginator("scan").paginate(TableName=TABLE)
        for i in page["Items"]
        if i["pk"]["S"].startswith("RATE#")
    ]
    assert len(items) == 2  # one per client address, one per email address
    for item in items:
        assert address not in str(item) and "203.0.113.7" not in str(item)
        assert int(item["expires_at"]["N"]) > 0
