"""Real browser on a phone (iPhone 13 viewport), axe clean, for the pages the phone user test
changed: the reviewer reading a submitted self-review (7), the planning and review form with the
reviewee's comments read-only (4.9) and advice to weigh before sending (4.6), the headteacher's
"your reviewers" page and the request decision's replacement list (4.2)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack, axe_violations, screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]

EMMA = "oakfield-primary.op004"


TODAY = "2026-11-23"


def _act_as(page: Any, stack: Stack, name: str) -> None:
    page.goto(f"{stack.url}/_local/")
    page.get_by_role("button", name=f"Act as {name}").click()
    page.wait_for_url(f"{stack.url}/")


def _set_today(page: Any, stack: Stack, day: str) -> None:
    page.goto(f"{stack.url}/_local/clock")
    page.fill("#f-today", day)
    page.get_by_role("button", name="Set today").click()
    page.wait_for_load_state()


def _clean_at_390(page: Any, what: str) -> None:
    assert axe_violations(page) == [], f"{what} has accessibility problems"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} is wider than the phone"


def test_reviewer_reads_the_self_review_and_weighs_advice_before_sending_7_4_6(
    phone: Any, stack: Stack
) -> None:
    _set_today(phone, stack, TODAY)  # a Monday in term, whatever day the tests run
    _act_as(phone, stack, "Emma Clarke")
    _clean_at_390(phone, "Emma's home page")
    assert phone.get_by_text("Record a reflection").count() == 1
    phone.goto(f"{stack.url}/people/{EMMA}/forms/self-review")
    phone.locator("#f-reflection").fill("Phonics groups went well; marking load was hard.")
    phone.get_by_role("button", name="Submit").click()
    phone.wait_for_url("**/self-review/saved")

    _act_as(phone, stack, "Sarah Pritchard")
    _clean_at_390(phone, "Sarah's home page")
    phone.goto(f"{stack.url}/people/{EMMA}/forms/planning-review")
    assert phone.locator('[name="reviewee_comments"]').count() == 0
    _clean_at_390(phone, "the planning and review form")
    phone.get_by_role("link", name="Self-review by Emma Clarke").click()
    phone.wait_for_url(f"**/people/{EMMA}/forms/self-review")
    assert "Phonics groups went well" in phone.content()
    assert phone.locator("textarea").count() == 0
    _clean_at_390(phone, "the read-only self-review")
    phone.screenshot(path=str(screenshot_dir() / "reviewer-reads-self-review.png"), full_page=True)

    # 4.9: the draft follows the meeting, so it is held today first (short notice is only flagged).
    phone.goto(f"{stack.url}/people/{EMMA}/forms/meeting")
    phone.fill('[name="date"]', TODAY)
    phone.fill('[name="time"]', "15:30")
    phone.fill('[name="place"]', "Room 4")
    phone.get_by_role("button", name="Submit").click()
    phone.wait_for_url("**/meeting?booked=1")

    phone.goto(f"{stack.url}/people/{EMMA}/forms/planning-review")
    phone.locator("#f-assessment").fill("A strong year.")
    phone.locator("#f-objectives-0-title").fill("80% of pupils to achieve A*-C")
    phone.locator("#f-objectives-0-success_criteria").fill("Results")
    phone.locator("#f-objectives-0-timescale").fill("2027-07-16")
    phone.locator("#f-objectives-0-priority").check()
    phone.locator("#f-support").fill("Phonics training.")
    phone.locator("#f-monitoring").fill("Half-termly drop-ins.")
    phone.locator("#f-pay_recommendation").check()
    phone.get_by_role("button", name="Submit", exact=True).click()
    phone.wait_for_load_state()
    assert "Before you send it" in phone.content()
    assert "Something to consider:" in phone.content()
    _clean_at_390(phone, "the form asking to confirm advice")
    phone.screenshot(path=str(screenshot_dir() / "planning-review-advice.png"), full_page=True)


def test_headteacher_reviewer_pages_on_a_phone_4_2(phone: Any, stack: Stack) -> None:
    _act_as(phone, stack, "Gareth Llewellyn")
    phone.goto(f"{stack.url}/reviewer-change")
    assert "governing body appoints" in phone.content()
    _clean_at_390(phone, "the headteacher's reviewers explanation")

    _act_as(phone, stack, "Emma Clarke")
    phone.goto(f"{stack.url}/reviewer-change")
    if phone.locator("#f-reasons").count():
        phone.locator("#f-reasons").fill("A close family link.")
        phone.get_by_role("button", name="Send to the headteacher").click()
        phone.wait_for_url("**/reviewer-change?sent=1")
    _act_as(phone, stack, "Helen Whitaker")
    phone.goto(f"{stack.url}/reviewers")
    options = phone.locator(f'select[id="q-{EMMA}-replacement"] option').all_inner_texts()
    assert not any("Rachel Evans" in o or "Karen Doyle" in o for o in options)
    assert not any("Sarah Pritchard" in o for o in options)
    _clean_at_390(phone, "the reviewers page with a request")
