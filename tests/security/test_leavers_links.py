"""A leaver's emailed links no longer act, and no fresh link is sent to them (issue 18, item 2).

The one rule is domain/people.py `in_post`, as for sign-in and sessions: a person whose leaving
date has passed gets nothing from a link they were emailed while in post.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.conftest import Browser, sent_outbox
from tests.integration.test_statements import (
    EMMA,
    hidden,
    issue_draft,
    link_in,
    statement,
)
from tests.integration.test_statements import today as today


def _leave(demo: Any, person_id: str) -> None:
    """A re-import sets a leaving date before today (yesterday was their last day)."""
    from growthcycle.web.services import services

    yesterday = services().clock.today() - timedelta(days=1)
    person = demo.store.get_person(person_id)
    demo.store.put_person(person.model_copy(update={"leaving_date": yesterday}))


def test_a_leavers_emailed_link_changes_nothing(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    # Given Emma's draft with its Agree link, and a page opened before she left
    draft = issue_draft(browser, aws)
    agree = link_in(draft, "Agree and sign")
    holder = Browser()
    csrf = hidden(holder.get(agree)["body"])["_csrf"]
    before = statement(demo)
    # When she has left and the link is used
    _leave(demo, EMMA)
    opened = holder.get(agree)
    posted = holder.post(agree, {"_csrf": csrf})
    # Then the page offers no button, the post is refused and the statement has not moved
    assert "Agree and sign</button>" not in opened["body"]
    assert posted["statusCode"] >= 400, posted["statusCode"]
    assert statement(demo) == before


def test_a_leaver_is_sent_no_fresh_link(browser: Browser, today: Any, aws: Any, demo: Any) -> None:
    # Given Emma's draft, its link moved on (so the page offers a fresh one), and Emma gone
    draft = issue_draft(browser, aws)
    comment = link_in(draft, "Add a comment")
    holder = Browser()
    csrf = hidden(holder.get(comment)["body"])["_csrf"]
    _leave(demo, EMMA)
    emails = len(sent_outbox(aws))
    # When "Email me a fresh link" is pressed
    answer = holder.post(f"{comment}/renew", {"_csrf": csrf})
    # Then the page says what it says to anyone, and nothing is sent
    assert answer["statusCode"] == 200
    assert len(sent_outbox(aws)) == emails


def test_a_person_on_their_last_day_still_acts(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    from growthcycle.web.services import services

    draft = issue_draft(browser, aws)
    comment = link_in(draft, "Add a comment")
    person = demo.store.get_person(EMMA)
    last_day: date = services().clock.today()
    demo.store.put_person(person.model_copy(update={"leaving_date": last_day}))
    holder = Browser()
    csrf = hidden(holder.get(comment)["body"])["_csrf"]
    posted = holder.post(comment, {"_csrf": csrf, "reason": "On my last day"})
    assert posted["statusCode"] == 303
    assert statement(demo).version > 1
