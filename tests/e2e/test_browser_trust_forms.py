"""Real browser on a phone (iPhone 13 viewport), axe clean: the demo trust's own forms (issue 12,
item 6): Oakfield's self-review template, its extra planning and review question, and the trust's
support staff appraisal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack, axe_violations, screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]

EMMA = "oakfield-primary.op004"
RACHEL = "oakfield-primary.op008"


def _act_as(page: Any, stack: Stack, name: str) -> None:
    page.goto(f"{stack.url}/_local/")
    page.get_by_role("button", name=f"Act as {name}").click()
    page.wait_for_url(f"{stack.url}/")


def _clean_at_390(page: Any, what: str) -> None:
    assert axe_violations(page) == [], f"{what} has accessibility problems"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} is wider than the phone"


def test_the_support_staff_appraisal_on_a_phone(phone: Any, stack: Stack) -> None:
    _act_as(phone, stack, "Sarah Pritchard")
    phone.get_by_role("link", name="Support staff appraisal").first.click()
    phone.wait_for_url(f"**/people/{RACHEL}/forms/support-staff-review")
    _clean_at_390(phone, "the support staff appraisal")

    phone.get_by_role("button", name="Submit").click()
    phone.wait_for_load_state()
    assert phone.locator(".error-summary").count() == 1
    _clean_at_390(phone, "the support staff appraisal showing errors")

    phone.locator("#f-role_now").fill("Runs the Year 2 phonics catch-up groups.")
    phone.locator("#f-went_well").fill("Every child in her groups passed the phonics check.")
    phone.get_by_label("Yes: Ways to Success applies").check()
    phone.get_by_role("button", name="Submit").click()
    phone.wait_for_load_state()
    phone.screenshot(path=str(screenshot_dir() / "support-staff-appraisal.png"), full_page=True)
    assert "phonics check" in phone.content()
    _clean_at_390(phone, "the saved support staff appraisal")


def test_oakfields_own_self_review_and_extra_planning_question_on_a_phone(
    phone: Any, stack: Stack
) -> None:
    _act_as(phone, stack, "Emma Clarke")
    phone.goto(f"{stack.url}/people/{EMMA}/forms/self-review")
    assert phone.get_by_label("How has your work helped pupils to read fluently?").count() == 1
    _clean_at_390(phone, "Oakfield's self-review")

    _act_as(phone, stack, "Sarah Pritchard")
    phone.goto(f"{stack.url}/people/{EMMA}/forms/planning-review")
    assert phone.get_by_label("How will this year's work support early reading?").count() == 1
    _clean_at_390(phone, "Oakfield's planning and review statement")


def test_the_demo_lists_every_schools_forms_with_a_preview_of_each(
    phone: Any, stack: Stack
) -> None:
    phone.goto(f"{stack.url}/_local/forms")
    _clean_at_390(phone, "the list of every school's forms")
    assert phone.get_by_role("heading", name="Support staff appraisal").count() == 2  # both schools
    phone.get_by_role(
        "link", name="Phone page of Planning and review statement at Oakfield Primary School"
    ).click()
    phone.wait_for_load_state()
    assert phone.get_by_label("How will this year's work support early reading?").count() == 1
    _clean_at_390(phone, "the preview of Oakfield's planning and review statement")
    phone.go_back()
    phone.get_by_role(
        "link", name="Read-only page of Planning and review statement at Riverside Academy"
    ).click()
    phone.wait_for_load_state()
    assert "early reading" not in phone.content()
    _clean_at_390(phone, "the read-only preview of Riverside's planning and review statement")
