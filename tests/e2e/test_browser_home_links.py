"""Every link on each kind of person's home page opens a page that works on a phone and passes axe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]

PEOPLE = [
    "Helen Whitaker",  # headteacher, performance
    "David Okafor",  # line manager and CPD lead
    "Emma Clarke",  # teacher
    "Rachel Evans",  # support staff
    "Michael Turner",  # governor
    "Gareth Llewellyn",  # headteacher, growth
    "Ffion Roberts",  # part-time teacher, growth
]


@pytest.mark.parametrize("name", PEOPLE)
def test_every_home_link_opens_an_accessible_page(phone: Any, stack: Stack, name: str) -> None:
    phone.goto(f"{stack.url}/_local/")
    phone.get_by_role("button", name=f"Act as {name}").click()
    phone.wait_for_url(f"{stack.url}/")
    assert axe_violations(phone) == []
    links = phone.eval_on_selector_all(
        "main a[href^='/']", "els => [...new Set(els.map(e => e.getAttribute('href')))]"
    )
    assert links
    for href in links:
        response = phone.goto(f"{stack.url}{href}")
        assert response is not None and response.status < 500, href
        assert response.status in (200, 404), (href, response.status)
        assert axe_violations(phone) == [], href
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, href
