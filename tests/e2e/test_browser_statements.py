"""Real browser: the statement loop by email on a phone (iPhone 13 viewport), with axe on every
page visited. The reviewer books the meeting (4.3) and sends the draft (4.9); the reviewee opens it
from the mail viewer and asks for a change; the reviewer revises; the reviewee agrees; the reviewer
signs (4.9). The mailer runs on the local stack's stream consumer, so mail is polled for."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.e2e.conftest import Stack, axe_violations, screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]

EMMA = "oakfield-primary.op004"


def _act_as(page: Any, stack: Stack, name: str) -> None:
    page.goto(f"{stack.url}/_local/")
    page.get_by_role("button", name=f"Act as {name}").click()
    page.wait_for_url(f"{stack.url}/")


def _check(page: Any, what: str) -> None:
    assert axe_violations(page) == [], f"{what} has accessibility problems"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways on a phone"


def _mail_link(stack: Stack, label: str, count: int) -> str:
    """The newest link labelled `label`, once at least `count` such links have arrived."""
    pattern = (
        r'href="(' + re.escape(stack.url) + r'/statement-links/[^"]+)"[^>]*>' + re.escape(label)
    )
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        found = stack.mail_links(pattern)
        if len(found) >= count:
            return str(found[0])
        time.sleep(0.3)
    raise AssertionError(f"no email with a {label!r} link arrived")


def _set_today(page: Any, stack: Stack, day: str) -> None:
    page.goto(f"{stack.url}/_local/clock")
    page.fill("#f-today", day)
    page.get_by_role("button", name="Set today").click()
    page.wait_for_load_state()


def _fill_statement(page: Any, assessment: str) -> None:
    page.fill('[name="assessment"]', assessment)
    page.fill('[name="objectives-0-title"]', "Develop reasoning in Year 4 maths lessons")
    page.fill('[name="objectives-0-success_criteria"]', "Pupils explain their method.")
    page.fill('[name="objectives-0-timescale"]', "2027-06-30")
    page.check('[name="objectives-0-priority"][value="maths-mastery"]')
    page.fill('[name="support"]', "Coaching from the maths lead.")
    page.fill('[name="monitoring"]', "Two observations.")
    page.check('[name="pay_recommendation"][value="progress"]')


def test_the_statement_loop_by_email_on_a_phone_4_9(phone: Any, stack: Stack) -> None:
    # The reviewer books the meeting two weeks ahead (4.3).
    _set_today(phone, stack, "2026-10-05")
    _act_as(phone, stack, "Sarah Pritchard")
    phone.goto(f"{stack.url}/people/{EMMA}/forms/meeting")
    _check(phone, "the meeting form")
    phone.fill('[name="date"]', "2026-10-19")
    phone.fill('[name="time"]', "15:30")
    phone.fill('[name="place"]', "Room 4")
    phone.get_by_role("button", name="Submit").click()
    phone.wait_for_url("**/meeting?booked=1")
    assert "The meeting is booked" in phone.content()
    _check(phone, "the booked meeting page")

    # 4.9: before the meeting the draft cannot be sent: a block beside Submit says when it is.
    phone.goto(f"{stack.url}/people/{EMMA}/forms/planning-review")
    _fill_statement(phone, "A strong year with Year 4.")
    phone.get_by_role("button", name="Submit").click()
    phone.wait_for_load_state()
    assert "is on Monday 19 October 2026" in phone.content()
    assert phone.locator("#f-submit a").count() == 1
    _check(phone, "the planning and review form refused before the meeting")

    # On the meeting's day the reviewer submits the form: the draft goes out.
    _set_today(phone, stack, "2026-10-19")
    _act_as(phone, stack, "Sarah Pritchard")
    phone.goto(f"{stack.url}/people/{EMMA}/forms/planning-review")
    _fill_statement(phone, "A strong year with Year 4.")
    phone.get_by_role("button", name="Submit").click()
    phone.wait_for_url("**/statements/**")
    assert "Draft with the reviewee" in phone.content()
    _check(phone, "the reviewer's statement page")

    # The reviewee opens the draft from the mail viewer and asks for a change.
    _act_as(phone, stack, "Emma Clarke")
    phone.goto(_mail_link(stack, "Ask for changes", 1))
    assert "Nothing has changed yet" in phone.content()
    _check(phone, "the emailed link's page")
    phone.get_by_role("button", name="Ask for changes").click()
    phone.wait_for_load_state()
    assert phone.locator(".error-summary").count() == 1  # a reason is required
    _check(phone, "the link page showing an error")
    phone.get_by_label("Your reasons").fill("Please mention the reading group I led.")
    phone.get_by_role("button", name="Ask for changes").click()
    phone.wait_for_load_state()
    assert "Done: ask for changes" in phone.content()
    assert phone.url.endswith("/done")  # post/redirect/get: Reload shows the same page
    phone.reload()
    assert "Done: ask for changes" in phone.content()
    _check(phone, "the link's done page")

    # The reviewer revises: version 2 goes out.
    _act_as(phone, stack, "Sarah Pritchard")
    phone.goto(f"{stack.url}/statements")
    _check(phone, "the statements list")
    phone.goto(f"{stack.url}/people/{EMMA}/forms/planning-review")
    phone.fill('[name="assessment"]', "A strong year; led the reading group.")
    phone.get_by_role("button", name="Submit").click()
    phone.wait_for_url("**/statements/**")
    assert "version 2" in phone.content()
    assert "Please mention the reading group I led." in phone.content()

    # The reviewee agrees to version 2 from the newest email.
    _act_as(phone, stack, "Emma Clarke")
    phone.goto(_mail_link(stack, "Agree and sign", 2))
    phone.get_by_role("button", name="Agree and sign").click()
    phone.wait_for_load_state()
    assert "Done: agree and sign" in phone.content()

    # The reviewer signs the final statement from the link in the email the agreement sent (4.9).
    _act_as(phone, stack, "Sarah Pritchard")
    phone.goto(_mail_link(stack, "Sign the final statement", 1))
    _check(phone, "the emailed signing link's page")
    phone.get_by_role("button", name="Sign the final statement").click()
    phone.wait_for_load_state()
    assert "Done: sign the final statement" in phone.content()
    content = phone.content()
    assert "Signed, waiting for moderation" in content or "Final" in content
    phone.goto(f"{stack.url}/statements")
    phone.get_by_role("link", name=re.compile("Emma Clarke")).click()
    phone.wait_for_load_state()
    phone.goto(phone.url.split("?")[0] + "/compare?a=1&b=2")
    assert "led the reading group" in phone.content()
    _check(phone, "the comparison page")
    phone.screenshot(path=str(screenshot_dir() / "statement-compare.png"), full_page=True)

    # The reviewee sees who has seen the statement, and why (7).
    _act_as(phone, stack, "Emma Clarke")
    phone.goto(f"{stack.url}/statements")
    phone.get_by_role("link", name=re.compile("Your statement")).click()
    phone.wait_for_load_state()
    _check(phone, "the reviewee's statement page")
    phone.screenshot(path=str(screenshot_dir() / "statement-reviewee.png"), full_page=True)
    phone.get_by_role("link", name="Who has seen your statement, and why").click()
    phone.wait_for_load_state()
    assert "Sarah Pritchard" in phone.content()
    _check(phone, "the view log")
