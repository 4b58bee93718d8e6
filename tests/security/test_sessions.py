"""Sessions end when they should (issue 18, item 6): sign-out, a leaver, a new signing key, an
hour without use, a school day after signing in. A copied cookie is worth no more than the
session it came from, and checking one costs one small read per request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Browser

EMMA = "oakfield-primary.op004"


def _signed_in(browser: Browser) -> bool:
    body = browser.get("/")["body"]
    return "Sign out" in body


def _copy(browser: Browser) -> Browser:
    return Browser(cookies=dict(browser.cookies))


def _later(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    """The services' clock runs `by` ahead (no sleeping: the clock is moved)."""
    from growthcycle.web.services import services

    clock = services().clock
    monkeypatch.setattr(clock, "now", lambda: type(clock).now(clock) + by)


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(
    browser: Browser, demo: Any
) -> None:
    # Given Emma signed in, and a copy of her cookie taken
    browser.act_as(EMMA)
    stolen = _copy(browser)
    assert _signed_in(stolen)
    # When she signs out
    signed_out = browser.post("/sign-out", {"_csrf": browser.csrf("/")})
    assert signed_out["statusCode"] == 303
    # Then the copy is signed out too
    assert not _signed_in(stolen)
    assert not _signed_in(browser)


def test_a_leavers_session_ends(browser: Browser, demo: Any) -> None:
    from growthcycle.web.services import services

    browser.act_as(EMMA)
    stolen = _copy(browser)
    person = demo.store.get_person(EMMA)
    yesterday = services().clock.today() - timedelta(days=1)
    demo.store.put_person(person.model_copy(update={"leaving_date": yesterday}))
    assert not _signed_in(stolen)
    # and it stays ended if the leaving date is taken back: the session was ended, not paused
    demo.store.put_person(person)
    assert not _signed_in(stolen)


def test_a_new_signing_key_ends_every_session(
    browser: Browser, demo: Any, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from growthcycle.adapters.keys import signer
    from growthcycle.config import get_settings
    from growthcycle.web.services import reset_services

    browser.act_as(EMMA)
    assert _signed_in(browser)
    arn = aws("secretsmanager").create_secret(Name="signing-key-2", SecretString="z" * 48)["ARN"]
    monkeypatch.setenv("SIGNING_KEY_SECRET_ARN", arn)
    get_settings.cache_clear()
    reset_services()
    signer.cache_clear()
    assert not _signed_in(browser)


def test_an_hour_without_use_ends_the_session(
    browser: Browser, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser.act_as(EMMA)
    _later(monkeypatch, timedelta(minutes=50))
    assert _signed_in(browser)  # used within the hour: it carries on
    _later(monkeypatch, timedelta(minutes=50 + 45))
    assert _signed_in(browser)  # 45 minutes after that use
    _later(monkeypatch, timedelta(minutes=50 + 45 + 61 + 5))
    assert not _signed_in(browser)  # 61 minutes idle


def test_a_session_ends_after_a_school_day_however_much_it_is_used(
    browser: Browser, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser.act_as(EMMA)
    for minutes in range(30, 8 * 60, 30):
        _later(monkeypatch, timedelta(minutes=minutes))
        assert _signed_in(browser), minutes
    _later(monkeypatch, timedelta(hours=8, minutes=1))
    assert not _signed_in(browser)


def test_checking_a_session_costs_at_most_one_small_read(browser: Browser, demo: Any) -> None:
    from growthcycle.web.services import services

    browser.act_as(EMMA)
    browser.get("/")
    calls: list[tuple[str, str]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        key = params.get("Key", {}).get("pk", {}).get("S", "")
        if key.startswith("SESSION#"):
            calls.append((model.name, key))

    events = services().store.db.meta.events
    events.register("provide-client-params.dynamodb.*", record)
    try:
        browser.get("/")
        browser.get("/statements")
    finally:
        events.unregister("provide-client-params.dynamodb.*", record)
    assert [name for name, _ in calls] == ["GetItem", "GetItem"]
