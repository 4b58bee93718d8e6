"""Mid-year reviews (4.8) through the API handler with moto: the reviewer's form with the
reflection timeline beside it, and the headteacher's audit of who has had one, when, by whom."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Browser

REVIEWER = "riverside-academy.ra003"
TEACHER = "riverside-academy.ra004"


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version|_token)" value="([^"]*)"', page))


def _reflect(browser: Browser, text: str) -> None:
    browser.act_as(TEACHER)
    hidden = _hidden(browser.get("/reflections/new")["body"])
    form = {**hidden, "about": "general", "tried": text, "happened": "Mixed, learnt a lot"}
    assert browser.post("/reflections/new", form)["statusCode"] == 303


def _review(browser: Browser, **extra: str) -> dict[str, Any]:
    browser.act_as(REVIEWER)
    url = f"/people/{TEACHER}/forms/mid-year-review"
    page = browser.get(url)
    assert page["statusCode"] == 200
    form = {
        **_hidden(page["body"]),
        "_action": "submit",
        "meeting_date": "2027-02-03",
        "reflections_discussed": "Talk partners; what did not work with the quiet group.",
        "support": "ALNCo time is happening.",
        "revision_needed": "no",
        **extra,
    }
    return browser.post(url, form)


def test_reviewer_sees_the_reflection_timeline_beside_the_mid_year_review_4_8(
    browser: Browser, demo: Any
) -> None:
    _reflect(browser, "Talk partners before writing")
    browser.act_as(REVIEWER)
    page = browser.get(f"/people/{TEACHER}/forms/mid-year-review")
    assert page["statusCode"] == 200
    body = page["body"]
    assert "reflections this cycle" in body and "Talk partners before writing" in body
    # Growth style: reflections discussed, not progress scored (seed 003, point 2).
    assert 'name="reflections_discussed"' in body and 'name="progress"' not in body


def test_performance_mid_year_review_asks_about_progress_4_8(browser: Browser, demo: Any) -> None:
    browser.act_as("oakfield-primary.op003")
    page = browser.get("/people/oakfield-primary.op004/forms/mid-year-review")
    assert page["statusCode"] == 200
    assert 'name="progress"' in page["body"] and 'name="reflections_discussed"' not in page["body"]


def test_revision_needed_asks_what_must_change_4_8_and_6(browser: Browser, demo: Any) -> None:
    answer = _review(browser, revision_needed="yes")
    assert answer["statusCode"] == 422
    assert 'href="#f-revision_notes"' in answer["body"]


def test_headteacher_audits_who_has_had_a_mid_year_review_when_and_by_whom_4_8(
    browser: Browser, demo: Any
) -> None:
    assert _review(browser)["statusCode"] == 303
    browser.act_as("riverside-academy.ra001")
    page = browser.get("/mid-year-reviews")
    assert page["statusCode"] == 200
    body = page["body"]
    assert "1 of 8 people have had a mid-year review" in body
    card = body[body.index("Ffion Roberts") :][:600]
    assert "met on 3 February 2027" in card and "Recorded by Owain Davies" in card
    assert "Not yet." in body[body.index("Bethan Thomas") :][:600]
    assert "Eleri Williams" not in body  # governors are not reviewed (3)


def test_mid_year_audit_is_for_the_headteacher_only_4_8(browser: Browser, demo: Any) -> None:
    for viewer in (REVIEWER, TEACHER, "riverside-academy.ra010"):
        browser.act_as(viewer)
        assert browser.get("/mid-year-reviews")["statusCode"] == 404, viewer


def test_another_schools_headteacher_sees_only_their_own_school_7(
    browser: Browser, demo: Any
) -> None:
    assert _review(browser)["statusCode"] == 303
    browser.act_as("oakfield-primary.op001")
    body = browser.get("/mid-year-reviews")["body"]
    assert "Ffion Roberts" not in body and "0 of " in body
    assert browser.get(f"/people/{TEACHER}/forms/mid-year-review")["statusCode"] == 404
