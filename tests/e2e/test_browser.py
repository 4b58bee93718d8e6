"""Real browser: Debian's Chromium through Playwright, in an iPhone 13 viewport, with axe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack, axe_violations, screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]


def _act_as(page: Any, stack: Stack, name: str) -> None:
    page.goto(f"{stack.url}/_local/")
    page.get_by_role("button", name=f"Act as {name}").click()
    page.wait_for_url(f"{stack.url}/")


def test_a_teacher_fills_in_and_submits_the_self_review_on_a_phone(
    phone: Any, stack: Stack
) -> None:
    _act_as(phone, stack, "Emma Clarke")
    phone.get_by_role("link", name="Self-review").first.click()
    phone.wait_for_load_state()
    assert axe_violations(phone) == [], "the blank self-review form has accessibility problems"

    # Submitting with required answers missing shows the error summary, and keeps nothing lost.
    labels = phone.locator("textarea")
    labels.first.fill("I tried retrieval practice starters with Year 4; it worked for most.")
    phone.get_by_role("button", name="Submit").click()
    phone.wait_for_load_state()
    if phone.locator(".error-summary").count():
        assert axe_violations(phone) == [], "the form showing errors has accessibility problems"
        assert "retrieval practice" in phone.locator("textarea").first.input_value()
        for index in range(phone.locator("textarea").count()):
            area = phone.locator("textarea").nth(index)
            if not area.input_value():
                area.fill("Something true and specific.")
        phone.get_by_role("button", name="Submit").click()
        phone.wait_for_load_state()
    phone.screenshot(path=str(screenshot_dir() / "self-review-saved.png"), full_page=True)
    assert "Saved" in phone.content()
    assert "retrieval practice" in phone.content()
    assert axe_violations(phone) == []


def test_the_form_page_fits_a_phone_without_sideways_scrolling(phone: Any, stack: Stack) -> None:
    _act_as(phone, stack, "Priya Sharma")
    phone.goto(f"{stack.url}/forms/self-review")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    phone.screenshot(path=str(screenshot_dir() / "self-review-phone.png"), full_page=True)
