"""Fixes from the phone user test, through the API handler: no draft before the meeting (4.9),
emailed link actions answer with a redirect to a page that can be reloaded, and the moderation
sample (5) is said on the statement page and in the headteacher's email."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Browser, sent_outbox
from tests.integration.test_statements import (
    EMMA,
    HEAD,
    MONDAY,
    SARAH,
    book_meeting,
    hidden,
    link_in,
    set_clock,
    statement,
    submit_statement,
)


@pytest.fixture
def today(demo: Any) -> Any:
    set_clock(MONDAY)  # Monday 5 October 2026
    return demo


def test_4_9_no_draft_is_sent_before_the_meeting_with_a_block_beside_submit_and_answers_kept(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    # No meeting recorded: the submit is refused, a link to book one, nothing typed lost.
    refused = submit_statement(browser, assessment="Typed before any meeting.")
    assert refused["statusCode"] == 422
    body = refused["body"]
    assert "No planning and review meeting is recorded for Emma Clarke" in body
    assert f'href="/people/{EMMA}/forms/meeting"' in body
    assert 'id="f-submit"' in body and "Typed before any meeting." in body
    assert statement(demo) is None
    assert not [m for m in sent_outbox(aws) if m.get("to_person_id") == EMMA]

    # Booked for a later day: still refused, saying when the meeting is.
    book_meeting(browser, day="2026-10-19", hold=False)
    mails = len(sent_outbox(aws))
    refused = submit_statement(browser, assessment="Typed before the meeting.")
    assert refused["statusCode"] == 422
    assert "is on Monday 19 October 2026" in refused["body"]
    assert "Typed before the meeting." in refused["body"]
    assert statement(demo) is None and len(sent_outbox(aws)) == mails

    # Saving a draft of the form is never refused.
    browser.act_as(SARAH)
    url = f"/people/{EMMA}/forms/planning-review"
    saved = browser.post(
        url, {**hidden(browser.get(url)["body"]), "_action": "save", "assessment": "Kept."}
    )
    assert saved["statusCode"] == 303 and statement(demo) is None

    # On the meeting's day the draft goes, with its due dates.
    set_clock("2026-10-19")
    sent = submit_statement(browser)
    assert sent["statusCode"] == 303 and "/statements/" in sent["headers"]["Location"]
    issued = statement(demo)
    assert issued is not None and issued.meeting_date.isoformat() == "2026-10-19"
    assert issued.draft_due is not None and issued.final_due is not None


def test_emailed_link_actions_redirect_to_a_result_page_that_reloads_and_changes_nothing(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    book_meeting(browser)
    submit_statement(browser)
    draft = max(
        (m for m in sent_outbox(aws) if m.get("to_person_id") == EMMA),
        key=lambda m: m["queued_at"],
    )
    comment = link_in(draft, "Add a comment")
    phone = Browser()
    csrf = hidden(phone.get(comment)["body"])["_csrf"]
    posted = phone.post(comment, {"_csrf": csrf, "reason": "Thank you."})
    assert posted["statusCode"] == 303
    assert posted["headers"]["Location"] == f"{comment}/done"
    after = statement(demo)
    mails = len(sent_outbox(aws))
    for _ in range(2):  # Reload: the same page, nothing changes
        done = phone.get(f"{comment}/done")
        assert done["statusCode"] == 200
        assert "Done: add a comment" in done["body"]
    assert statement(demo) == after and len(sent_outbox(aws)) == mails

    # Before a link is used, its result page sends you to the link's own page.
    agree = link_in(draft, "Agree and sign")
    early = Browser().get(f"{agree}/done")
    assert early["statusCode"] == 303 and early["headers"]["Location"] == agree
    assert statement(demo) == after


def test_5_a_statement_outside_the_moderation_sample_says_so_to_headteacher_and_reviewer(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    from growthcycle.domain.statements import moderated

    # Oakfield moderates a 50% sample; Emma's statement for 2025-26 is in it (tests above), so
    # check the words for whichever answer the stable draw gives.
    book_meeting(browser)
    submit_statement(browser)
    sid = statement(demo).statement_id
    in_sample = moderated("sample", 50, sid, statement(demo).cycle_id)
    for who in (HEAD, SARAH):
        browser.act_as(who)
        body = browser.get(f"/statements/{sid}")["body"]
        assert ("Not in this year's moderation sample (5)" in body) is (not in_sample)
        assert ("Moderation complete" in body) is in_sample
    browser.act_as(EMMA)
    assert "moderation sample" not in browser.get(f"/statements/{sid}")["body"]
    if in_sample:
        # 5: the headteacher's email with the signed original says when moderation is due.
        draft = max(
            (m for m in sent_outbox(aws) if m.get("to_person_id") == EMMA),
            key=lambda m: m["queued_at"],
        )
        use_link(link_in(draft, "Agree and sign"))
        to_sarah = [m for m in sent_outbox(aws) if m.get("to_person_id") == SARAH]
        use_link(link_in(max(to_sarah, key=lambda m: m["queued_at"]), "Sign the final statement"))
        [original] = [
            m
            for m in sent_outbox(aws)
            if m.get("to_person_id") == HEAD and "original" in m["subject"]
        ]
        due = statement(demo).moderation_due
        assert due is not None
        assert f"Moderation is due by {due:%A} {due.day} {due:%B %Y} (5)." in original["text"]


def use_link(path: str) -> None:
    phone = Browser()
    csrf = hidden(phone.get(path)["body"])["_csrf"]
    assert phone.post(path, {"_csrf": csrf})["statusCode"] == 303
