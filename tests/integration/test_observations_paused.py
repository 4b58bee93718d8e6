"""Observations in a paused cycle (3, 4.1): booking, the record and the reviewee's comments are
refused like the forms, with nothing typed lost, through the API handler and moto."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tests.conftest import Browser
from tests.helpers.aws import set_today
from tests.integration.test_observations import (
    EMMA,
    HEAD,
    SARAH,
    book,
    obs_id_of,
    record_values,
    write_record,
)

MONDAY = date(2026, 11, 9)
PAUSED = "nothing in it can be saved or signed until the headteacher restarts it"


def _pause(browser: Browser, person_id: str) -> None:
    browser.act_as(HEAD)
    csrf = browser.csrf(f"/people/{person_id}/cycle")
    assert browser.post(f"/people/{person_id}/cycle/suspend", {"_csrf": csrf})["statusCode"] == 303


def _observations(demo: Any) -> list[Any]:
    from growthcycle.adapters.observations import observations_for

    return observations_for(demo.store, EMMA, "2026-27")


def test_booking_an_observation_in_a_paused_cycle_is_refused_keeping_the_text_3_4_1(
    browser: Browser, demo: Any
) -> None:
    set_today(MONDAY)
    _pause(browser, EMMA)
    refused = book(browser, SARAH, EMMA, focus="Kept focus words")
    assert refused["statusCode"] == 409
    assert PAUSED in refused["body"] and "Kept focus words" in refused["body"]
    assert _observations(demo) == []


def test_record_and_comments_in_a_paused_cycle_are_refused_keeping_the_text_3_4_1(
    browser: Browser, demo: Any
) -> None:
    set_today(MONDAY)
    obs_id = obs_id_of(book(browser, SARAH, EMMA))
    _pause(browser, EMMA)
    set_today(date(2026, 11, 18))
    browser.act_as(SARAH)
    url = f"/observations/{obs_id}/record"
    version = re.search(r'name="_version" value="(\d+)"', browser.get(url)["body"])
    assert version
    form = {"_csrf": browser.csrf(url), "_version": version.group(1), **record_values()}
    refused = browser.post(url, {**form, "notes": "Notes typed in a paused cycle"})
    assert refused["statusCode"] == 409
    assert PAUSED in refused["body"] and "Notes typed in a paused cycle" in refused["body"]
    [kept] = _observations(demo)
    assert not kept.record


def test_reviewee_comments_in_a_paused_cycle_are_refused_keeping_the_text_3_4_1(
    browser: Browser, demo: Any
) -> None:
    set_today(MONDAY)
    obs_id = obs_id_of(book(browser, SARAH, EMMA))
    set_today(date(2026, 11, 18))
    assert write_record(browser, SARAH, obs_id)["statusCode"] == 303
    _pause(browser, EMMA)
    browser.act_as(EMMA)
    view = f"/observations/{obs_id}"
    once = re.search(r'name="_once" value="([^"]+)"', browser.get(view)["body"])
    assert once
    comment = browser.post(
        f"{view}/comments",
        {"_csrf": browser.csrf(view), "_once": once.group(1), "comment": "My words, kept"},
    )
    assert comment["statusCode"] == 409
    assert PAUSED in comment["body"] and "My words, kept" in comment["body"]
    from growthcycle.adapters.observations import comments_for

    [kept] = _observations(demo)
    assert comments_for(demo.store, kept) == []
