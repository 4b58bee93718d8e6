"""Statement content leaves through one door (issue 18, items 1 and 3; 7: confidentiality).

Every response that shows a statement's text, on any route and any status (the page, a refused
move beside its field, the 409 "someone did this first", the planning and review form and its
saved page), shows only what the viewer's audience may see (the statement page's rule,
`domain/statements.audience`), and every such showing is a view in the reviewee's "who has seen
it". A governor sees only the overall assessment, whatever they post.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Browser
from tests.integration.test_statements import (
    EMMA,
    GOVERNOR,
    HEAD,
    SARAH,
    issue_draft,
    statement,
)
from tests.integration.test_statements import today as today

ASSESSMENT = "A strong year with Year 4."  # the overall assessment (a governor may see it)
BEYOND_GOVERNOR = ("Develop reasoning", "Coaching from the maths lead", "Two observations")


def _views(demo: Any, statement_id: str) -> list[Any]:
    from growthcycle.adapters import statements as repo

    return repo.views(demo.store, statement_id)


def _make_final(demo: Any) -> Any:
    """Move the statement to final without the loop (the loop is tested in integration)."""
    from growthcycle.adapters import statements as repo
    from growthcycle.domain.records import AuditEntry
    from growthcycle.domain.statements import State

    current = statement(demo)
    final = current.model_copy(update={"state": State.FINAL, "version": current.version + 1})
    repo.commit(
        demo.store,
        final,
        expected_version=current.version,
        event=None,
        audit=AuditEntry(
            subject_id=EMMA, actor_id=HEAD, action="test", target="-", channel="system"
        ),
        emails=[],
        expires_at=2_000_000_000,
    )
    return final


def _shows_content(body: str) -> bool:
    return ASSESSMENT in body or any(text in body for text in BEYOND_GOVERNOR)


def _actions() -> list[str]:
    from growthcycle.domain.statements import MOVES

    return [m.action for m in MOVES]


@pytest.mark.parametrize("action", _actions())
def test_a_governor_posting_any_action_sees_no_more_than_the_governor_view_and_is_logged(
    browser: Browser, today: Any, aws: Any, demo: Any, action: str
) -> None:
    # Given a final statement, and a governor (who may see the overall assessment only)
    issue_draft(browser, aws)
    final = _make_final(demo)
    governor = Browser()
    governor.act_as(GOVERNOR)
    csrf = governor.csrf("/")
    url = f"/statements/{final.statement_id}/actions/{action}"
    for form in (
        {"_csrf": csrf, "_version": "1", "reason": "x"},  # a stale version: "already done"
        {"_csrf": csrf, "_version": str(final.version), "reason": ""},  # a refused move
        {"_csrf": csrf, "_version": str(final.version), "hearing_date": "not a date"},
    ):
        before = len(_views(demo, final.statement_id))
        # When they post it
        answer = governor.post(url, form)
        body = answer.get("body") or ""
        # Then nothing beyond the governor's part is shown, and any showing is logged
        assert answer["statusCode"] < 500
        for text in BEYOND_GOVERNOR:
            assert text not in body, (action, form, answer["statusCode"])
        after = _views(demo, final.statement_id)
        if _shows_content(body):
            assert len(after) == before + 1, (action, "content shown but no view logged")
            assert after[-1].viewer_id == GOVERNOR and after[-1].why == "governor"
        assert statement(demo).version == final.version  # and nothing moved


@pytest.mark.parametrize("person", [HEAD, SARAH, EMMA])
def test_the_already_done_and_refused_pages_are_logged_as_views(
    browser: Browser, today: Any, aws: Any, demo: Any, person: str
) -> None:
    # Given a draft statement the person may see
    issue_draft(browser, aws)
    current = statement(demo)
    viewer = Browser()
    viewer.act_as(person)
    csrf = viewer.csrf("/")
    url = f"/statements/{current.statement_id}/actions"
    for action, form in (
        ("agree", {"_csrf": csrf, "_version": "0"}),  # stale: "the statement changed"
        ("sign", {"_csrf": csrf, "_version": "0"}),
        ("request-changes", {"_csrf": csrf, "_version": str(current.version), "reason": ""}),
    ):
        before = len(_views(demo, current.statement_id))
        # When they post a move that is refused or came too late
        answer = viewer.post(f"{url}/{action}", form)
        # Then the page it answers with, showing the statement, is a view like any other
        if _shows_content(answer.get("body") or ""):
            views = _views(demo, current.statement_id)
            assert len(views) == before + 1, (person, action, answer["statusCode"])
            assert views[-1].viewer_id == person


def test_reading_the_statement_through_the_planning_and_review_form_is_a_view(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    # Given an issued statement, and its reviewer (with delegation in its entirety, 4.2, the
    # headteacher reads the statement page, not the delegated reviewer's form)
    person = SARAH
    issue_draft(browser, aws)
    sid = statement(demo).statement_id
    reader = Browser()
    reader.act_as(person)
    for path in (
        f"/people/{EMMA}/forms/planning-review",
        f"/people/{EMMA}/forms/planning-review/saved",
    ):
        before = len(_views(demo, sid))
        # When they open the form or its saved page
        answer = reader.get(path)
        # Then it shows the statement, and the reviewee's "who has seen it" says so
        assert answer["statusCode"] == 200 and _shows_content(answer["body"]), path
        views = _views(demo, sid)
        assert len(views) == before + 1, path
        assert views[-1].viewer_id == person and views[-1].page.startswith("planning and review")
    emma = Browser()
    emma.act_as(EMMA)
    assert (
        "planning and review statement, the form page"
        in emma.get(f"/statements/{sid}/views")["body"]
    )


def test_a_rejected_save_of_the_planning_and_review_form_is_a_view_too(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    # Given an issued statement, the reviewer's form posted with a missing answer
    issue_draft(browser, aws)
    sid = statement(demo).statement_id
    reviewer = Browser()
    reviewer.act_as(SARAH)
    url = f"/people/{EMMA}/forms/planning-review"
    page = reviewer.get(url)["body"]
    from tests.integration.test_statements import hidden

    before = len(_views(demo, sid))
    # When the page comes back with the error beside its field
    answer = reviewer.post(
        url,
        {
            **hidden(page),
            "_action": "submit",
            "assessment": "",
            "objectives": "1",
            "objectives-0-title": "Develop reasoning in Year 4 maths lessons",
            "support": "Coaching from the maths lead.",
        },
    )
    # Then the statement it shows again is logged like any other showing
    assert answer["statusCode"] == 422 and _shows_content(answer["body"])
    assert len(_views(demo, sid)) == before + 1
