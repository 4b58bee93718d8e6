"""Real browser (phone, axe): the headteacher's report to governors (10) and its error state."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack, axe_violations, screenshot_dir
from tests.e2e.test_browser import _act_as

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]


def test_10_the_governors_report_is_accessible_and_fits_a_phone(phone: Any, stack: Stack) -> None:
    _act_as(phone, stack, "Helen Whitaker")
    phone.goto(f"{stack.url}/report?year=2026-27")
    assert phone.get_by_role("heading", name="Report to governors").is_visible()
    assert axe_violations(phone) == [], "the report page has accessibility problems"
    # The page itself never scrolls sideways on a 390px phone (wide tables scroll in their box).
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(screenshot_dir() / "report-phone.png"), full_page=True)

    phone.get_by_label("Cycle").fill("last year")
    phone.get_by_role("button", name="Show the report").click()
    phone.wait_for_load_state()
    assert "Enter a cycle like 2026-27" in phone.content()
    assert phone.get_by_label("Cycle").input_value() == "last year"
    assert axe_violations(phone) == [], "the report's error state has accessibility problems"
