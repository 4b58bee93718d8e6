"""Reviewer pages from the phone user test (4.2), through the API handler with moto: the
headteacher is not offered a request to themself, and a request's replacement list offers only
people the policy allows."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Browser
from tests.helpers.aws import set_today
from tests.integration.test_reviewers import (
    CYCLE,
    DAVID,
    EMMA,
    HEAD,
    SARAH,
    TODAY,
    _ask,
    _pending_request_id,
)

GARETH = "riverside-academy.ra001"


def test_headteacher_is_told_the_governing_body_appoints_their_reviewers_4_2(
    browser: Browser, demo: Any
) -> None:
    browser.act_as(GARETH)
    page = browser.get("/reviewer-change")
    assert page["statusCode"] == 200
    body = page["body"]
    assert "governing body appoints" in body
    assert 'href="/headteacher-review/reviewers"' in body
    assert "Send to the headteacher" not in body and 'name="reasons"' not in body
    assert "not set yet" not in body


def test_request_replacement_list_offers_only_people_allowed_4_2(
    browser: Browser, demo: Any
) -> None:
    set_today(TODAY)
    assert _ask(browser, "A close family link.")["statusCode"] == 303
    csrf, request_id = _pending_request_id(browser)
    body = browser.get("/reviewers")["body"]
    select = re.search(
        rf'<select id="q-{re.escape(EMMA)}-replacement".*?</select>', body, re.DOTALL
    )
    assert select
    offered = set(re.findall(r'<option value="([^"]+)"', select.group(0)))
    # Equal or higher status than Emma's line manager (Sarah), not Sarah, not Emma.
    assert offered == {HEAD, DAVID}
    refused = browser.post(
        "/reviewers/requests",
        {
            "_csrf": csrf,
            "reviewee": EMMA,
            "request": request_id,
            "decision": "approve",
            "replacement": SARAH,
            "reasons": "Kept note",
        },
    )
    assert refused["statusCode"] == 422 and "Kept note" in refused["body"]
    from growthcycle.adapters.reviewers import assigned_reviewer

    assert assigned_reviewer(demo.store, EMMA, CYCLE) is None
