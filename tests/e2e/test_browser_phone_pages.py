"""Real browser, phone viewport: pages from the phone user test pass axe with its best-practice
rules too (landmark-unique, heading-order) and never scroll sideways at 390px: the training queue
(4.7, 10), the governors' report (10), and the growth-style observation plan and record (App 3)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Stack, screenshot_dir
from tests.e2e.test_browser_observation import _act_as, _set_today

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]

FFION = "riverside-academy.ra004"


def _all_axe(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    return [f"{v['id']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]]


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.parametrize("name", ["Gareth Llewellyn", "David Okafor"])
def test_training_queue_fits_a_phone_with_a_labelled_focusable_table_10(
    phone: Any, stack: Stack, name: str
) -> None:
    _act_as(phone, stack, name)
    phone.goto(f"{stack.url}/training")
    _fits(phone)
    region = phone.get_by_role("region", name="By theme")
    assert region.get_attribute("tabindex") == "0"
    assert _all_axe(phone) == []
    phone.screenshot(path=str(screenshot_dir() / "training-phone.png"), full_page=True)


def test_report_landmarks_are_unique_10(phone: Any, stack: Stack) -> None:
    _act_as(phone, stack, "Helen Whitaker")
    phone.goto(f"{stack.url}/report")
    _fits(phone)
    assert _all_axe(phone) == []


def test_growth_observation_plan_and_record_headings_in_order_app_3(
    phone: Any, stack: Stack
) -> None:
    _act_as(phone, stack, "Owain Davies")
    phone.goto(f"{stack.url}/people/{FFION}/observations/new")
    assert _all_axe(phone) == []
    _fits(phone)
    earliest = re.search(r"book today is (\w+ \d+ \w+ \d{4})", phone.inner_text("main"))
    assert earliest
    # Every mistake at once (App 3.4, 3.5): too long and too soon on the first try.
    phone.fill("#f-focus", "Questioning in maths")
    phone.fill("#f-purpose", "To talk about questioning")
    phone.fill("#f-date", "2026-01-05")
    phone.fill("#f-time", "09:15")
    phone.fill("#f-duration_minutes", "200")
    phone.get_by_role("button", name="Book and send the notice").click()
    phone.wait_for_load_state()
    summary = phone.locator(".error-summary").inner_text()
    assert "notice" in summary or "cycle runs" in summary
    assert "at most 180" in summary
    assert phone.locator("#f-purpose").input_value() == "To talk about questioning"
    assert _all_axe(phone) == []

    day = datetime.strptime(earliest.group(1), "%A %d %B %Y").date() + timedelta(days=1)
    phone.fill("#f-date", day.isoformat())
    phone.fill("#f-duration_minutes", "60")
    phone.get_by_role("button", name="Book and send the notice").click()
    phone.wait_for_url(re.compile(r".*/observations/[0-9a-f]+$"))
    record = phone.url + "/record"
    _set_today(phone, stack, (day + timedelta(days=1)).isoformat())
    try:
        _act_as(phone, stack, "Owain Davies")
        phone.goto(record)
        assert phone.locator("h3", has_text="A developmental observation").is_visible()
        assert _all_axe(phone) == []
        _fits(phone)
    finally:
        phone.goto(f"{stack.url}/_local/clock")
        phone.get_by_role("button", name="Use the real date").click()
