"""Real browser: recording a reflection on a phone (iPhone 13 viewport) and seeing it on the
timeline, with axe clean (seed 003, point 2; seed 001, risks 1 and 4)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack, axe_violations, screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]


def _act_as(page: Any, stack: Stack, name: str) -> None:
    page.goto(f"{stack.url}/_local/")
    page.get_by_role("button", name=f"Act as {name}").click()
    page.wait_for_url(f"{stack.url}/")


def test_a_teacher_records_a_reflection_on_a_phone_and_sees_it_on_the_timeline_seed_003(
    phone: Any, stack: Stack
) -> None:
    _act_as(phone, stack, "Ffion Roberts")
    phone.goto(f"{stack.url}/forms/reflection")  # the daily check's nudge link
    phone.wait_for_url(f"{stack.url}/reflections/new")
    assert "never scored" in phone.content()
    assert axe_violations(phone) == [], "the reflection page has accessibility problems"
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    # Missing an answer: told beside the field, what was typed is kept.
    phone.get_by_label("What did you try?").fill("Sentence stems for the quiet group")
    phone.get_by_role("button", name="Save reflection").click()
    phone.wait_for_load_state()
    assert phone.locator(".error-summary").count() == 1
    assert axe_violations(phone) == [], "the reflection page showing errors has problems"
    assert "Sentence stems" in phone.get_by_label("What did you try?").input_value()

    phone.get_by_label("What happened?").fill("It did not work at first; pairs helped later.")
    phone.get_by_label("What will you do next?").fill("Model the stems myself first.")
    phone.get_by_role("button", name="Save reflection").click()
    phone.wait_for_url("**/reflections?recorded=1")
    assert "Your reflection is saved" in phone.content()
    assert "Sentence stems for the quiet group" in phone.content()
    assert axe_violations(phone) == [], "the reflection timeline has accessibility problems"
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    phone.screenshot(path=str(screenshot_dir() / "reflection-timeline.png"), full_page=True)


def test_the_mid_year_audit_page_passes_axe_on_a_phone_4_8(phone: Any, stack: Stack) -> None:
    _act_as(phone, stack, "Gareth Llewellyn")
    phone.goto(f"{stack.url}/mid-year-reviews")
    assert "Mid-year reviews" in phone.content()
    assert axe_violations(phone) == []
    phone.screenshot(path=str(screenshot_dir() / "mid-year-audit.png"), full_page=True)
