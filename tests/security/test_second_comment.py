"""A second comment is not a double tap (issue 18, item 5): two different comments posted with
the same `_version` (Back, or a second tab) are both kept; the same comment twice is kept once;
and where a comment can no longer be added to the text it was written about, the page says
plainly it was not stored and gives the words back."""

from __future__ import annotations

from typing import Any

from tests.conftest import Browser
from tests.integration.test_statements import (
    EMMA,
    hidden,
    issue_draft,
    statement,
    submit_statement,
)
from tests.integration.test_statements import today as today


def _comments(demo: Any) -> list[str]:
    from growthcycle.adapters import statements as repo

    return [
        e.reason
        for e in repo.events(demo.store, statement(demo).statement_id)
        if e.action == "comment"
    ]


def _page(browser: Browser, demo: Any) -> tuple[str, dict[str, str]]:
    browser.act_as(EMMA)
    url = f"/statements/{statement(demo).statement_id}"
    return url, hidden(browser.get(url)["body"])


def test_two_different_comments_from_one_page_are_both_kept(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    # Given Emma's draft open in two tabs (the same _version)
    issue_draft(browser, aws)
    url, form = _page(browser, demo)
    # When she posts a comment from each
    first = browser.post(f"{url}/actions/comment", {**form, "reason": "Objective 1 is right."})
    second = browser.post(f"{url}/actions/comment", {**form, "reason": "Please add coaching."})
    # Then both are stored, and both pages say so
    assert first["statusCode"] == 303 and second["statusCode"] == 303
    assert _comments(demo) == ["Objective 1 is right.", "Please add coaching."]


def test_the_same_comment_twice_is_kept_once(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    issue_draft(browser, aws)
    url, form = _page(browser, demo)
    for _ in range(2):
        answer = browser.post(f"{url}/actions/comment", {**form, "reason": "Looks right."})
        assert answer["statusCode"] == 303
    assert _comments(demo) == ["Looks right."]


def test_a_comment_on_a_text_that_has_since_changed_is_not_stored_and_the_words_are_kept(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    # Given Emma's page on version 1, then a new draft (version 2) sent by her reviewer
    issue_draft(browser, aws)
    emma = Browser()
    url, form = _page(emma, demo)
    submit_statement(browser, assessment="A strong year, revised.")
    assert statement(demo).statement_version == 2
    # When she posts her comment about version 1
    answer = emma.post(f"{url}/actions/comment", {**form, "reason": "About version one."})
    # Then it was not stored, the page says so plainly and her words are in the box
    assert answer["statusCode"] == 409
    assert "not stored" in answer["body"]
    assert "About version one." in answer["body"]
    assert _comments(demo) == []
