"""Real browser, phone viewport: a reviewer books an observation and records it, the reviewee
appends a comment, and the CPD lead sees the agreed development (Appendix 3, 4.7). Axe on each page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack, axe_violations, screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]

EMMA = "oakfield-primary.op004"


def _act_as(page: Any, stack: Stack, name: str) -> None:
    page.goto(f"{stack.url}/_local/")
    page.get_by_role("button", name=f"Act as {name}").click()
    page.wait_for_url(f"{stack.url}/")


def _set_today(page: Any, stack: Stack, day: str) -> None:
    page.goto(f"{stack.url}/_local/clock")
    page.fill("#f-today", day)
    page.get_by_role("button", name="Set today").click()
    page.wait_for_load_state()


def _fits_a_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_reviewer_books_and_records_an_observation_and_the_reviewee_comments(
    phone: Any, stack: Stack
) -> None:
    shots = screenshot_dir()
    _set_today(phone, stack, "2026-11-09")
    _act_as(phone, stack, "Sarah Pritchard")

    phone.goto(f"{stack.url}/people/{EMMA}/observations/new")
    assert axe_violations(phone) == [], "the booking form has accessibility problems"
    _fits_a_phone(phone)
    phone.get_by_label("Focus of the observation").fill("Questioning in maths")
    phone.get_by_label("Primary purpose").fill("Evidence towards the reasoning objective")
    phone.fill("#f-date", "2026-11-12")  # too soon: less than a week's notice
    phone.get_by_label("Start time").fill("09:15")
    phone.get_by_label("Length of the observation, in minutes").fill("45")
    phone.get_by_role("button", name="Book and send the notice").click()
    phone.wait_for_load_state()
    assert "a week" in phone.content()
    assert phone.get_by_label("Focus of the observation").input_value() == "Questioning in maths"
    assert axe_violations(phone) == [], "the booking form with errors has accessibility problems"
    phone.screenshot(path=str(shots / "observation-book-error.png"), full_page=True)

    phone.fill("#f-date", "2026-11-17")
    phone.get_by_role("button", name="Book and send the notice").click()
    phone.wait_for_load_state()
    assert "Observation on Tuesday 17 November 2026 at 09:15" in phone.content()
    assert axe_violations(phone) == [], "the observation page has accessibility problems"
    observation_url = phone.url

    phone.goto(f"{stack.url}/people/{EMMA}/observations")
    assert axe_violations(phone) == [], "the observations list has accessibility problems"
    assert "45 of 180 minutes" in phone.content()

    _set_today(phone, stack, "2026-11-17")
    _act_as(phone, stack, "Sarah Pritchard")
    phone.goto(observation_url)
    phone.get_by_role("link", name="Write the record").click()
    phone.wait_for_load_state()
    assert axe_violations(phone) == [], "the record form has accessibility problems"
    phone.fill("#f-feedback_meeting_on", "2026-11-17")
    phone.get_by_label("Notes from the observation").fill("Pupils explained their methods.")
    phone.get_by_label("Summary of the feedback discussion").fill("Strong modelling.")
    phone.get_by_label("Agreed action points").fill("More wait time after questions.")
    phone.get_by_label("Agreed formal development").fill("Maths mastery course")
    phone.get_by_role("button", name="Save the record and send the copies").click()
    phone.wait_for_load_state()
    assert "Pupils explained their methods." in phone.content()
    assert axe_violations(phone) == []

    _act_as(phone, stack, "Emma Clarke")
    phone.goto(observation_url)
    phone.get_by_label("Add your comments to the record").fill("The class had PE just before.")
    phone.get_by_role("button", name="Add comments").click()
    phone.wait_for_load_state()
    assert "The class had PE just before." in phone.content()
    assert axe_violations(phone) == [], "the observation with comments has accessibility problems"
    _fits_a_phone(phone)
    phone.screenshot(path=str(shots / "observation-commented.png"), full_page=True)

    _act_as(phone, stack, "David Okafor")
    phone.goto(f"{stack.url}/training")
    assert "Maths mastery course" in phone.content()
    assert axe_violations(phone) == [], "the training queue has accessibility problems"
    _fits_a_phone(phone)
    phone.get_by_role("link", name="Maths mastery course").click()
    phone.wait_for_load_state()
    assert axe_violations(phone) == [], "the training need page has accessibility problems"
    phone.screenshot(path=str(shots / "training-need.png"), full_page=True)
