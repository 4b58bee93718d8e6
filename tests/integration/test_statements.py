"""Statements by email through the API handler with moto: the meeting (4.3), the draft (4.9), a
change request and a revision, agreement and signature with its copies (4.9), moderation with a
revision instruction (5), and an appeal (8). Emails are read back from the outbox and their links
followed, as a person would."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Browser, sent_outbox

HEAD = "oakfield-primary.op001"  # Helen Whitaker
SARAH = "oakfield-primary.op003"  # line manager: reviews Emma
EMMA = "oakfield-primary.op004"
JAMES = "oakfield-primary.op005"  # another teacher (reviewed by David)
GOVERNOR = "oakfield-primary.op010"  # on the pay committee (7)
OTHER_GOVERNOR = "oakfield-primary.op011"  # a governor, not on the pay committee
RIVERSIDE_HEAD = "riverside-academy.ra001"
MONDAY = "2026-10-05"
LINK = re.compile(r"https://appraisal\.oakvalley\.example(/statement-links/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def today(demo: Any, tmp_path: Any) -> Any:
    import os
    from pathlib import Path

    Path(os.environ["GROWTHCYCLE_LOCAL_CLOCK_FILE"]).write_text(MONDAY)
    return demo


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version)" value="([^"]*)"', page))


def new_mail(aws: Any, seen: set[str]) -> list[dict[str, Any]]:
    fresh = [m for m in sent_outbox(aws) if m["pk"] not in seen]
    seen.update(m["pk"] for m in fresh)
    return fresh


def mail_to(mails: list[dict[str, Any]], person_id: str) -> dict[str, Any]:
    [found] = [m for m in mails if m.get("to_person_id") == person_id]
    return found


def link_in(mail: dict[str, Any], label: str) -> str:
    """The path of the link printed under `label` in the plain-text body."""
    found = re.search(re.escape(label) + r":\n" + LINK.pattern, mail["text"])
    assert found, f"no {label!r} link in {mail['subject']!r}:\n{mail['text']}"
    return found.group(1)


def set_clock(day: str) -> None:
    import os
    from pathlib import Path

    Path(os.environ["GROWTHCYCLE_LOCAL_CLOCK_FILE"]).write_text(day)


def book_meeting(
    browser: Browser, day: str = "2026-10-19", time: str = "15:30", *, hold: bool = True
) -> dict[str, Any]:
    """Book Emma's meeting today and (with `hold`) move the clock to the meeting's day, so the
    draft that follows it may be sent (4.9)."""
    browser.act_as(SARAH)
    url = f"/people/{EMMA}/forms/meeting"
    booked = browser.post(
        url,
        {
            **hidden(browser.get(url)["body"]),
            "_action": "submit",
            "date": day,
            "time": time,
            "place": "Room 4; the library, upstairs",
        },
    )
    if hold:
        set_clock(day)
    return booked


def submit_statement(browser: Browser, assessment: str = "A strong year with Year 4.") -> Any:
    browser.act_as(SARAH)
    url = f"/people/{EMMA}/forms/planning-review"
    return browser.post(
        url,
        {
            **hidden(browser.get(url)["body"]),
            "_action": "submit",
            "assessment": assessment,
            "objectives": "1",
            "objectives-0-title": "Develop reasoning in Year 4 maths lessons",
            "objectives-0-success_criteria": "Pupils in the lowest group explain their method.",
            "objectives-0-timescale": "2027-06-30",
            "objectives-0-priority": "maths-mastery",
            "support": "Coaching from the maths lead.",
            "monitoring": "Two observations, in November and March.",
            "pay_recommendation": "progress",
        },
    )


def use(browser: Browser, path: str, reason: str = "") -> dict[str, Any]:
    page = browser.get(path)
    assert page["statusCode"] == 200, page["body"][:1500]
    form = {"_csrf": hidden(page["body"])["_csrf"]}
    if reason:
        form["reason"] = reason
    posted = browser.post(path, form)
    if posted["statusCode"] == 303:
        # Post/redirect/get: a done link goes to its own result page, which can be reloaded.
        assert posted["headers"]["Location"] == f"{path}/done"
        return browser.get(posted["headers"]["Location"])
    return posted


def statement(demo: Any) -> Any:
    from growthcycle.adapters.statements import get_statement
    from growthcycle.web.services import services

    cycle_id = services().cycle(demo.people[EMMA]).cycle_id
    return get_statement(demo.store, f"{cycle_id}.{EMMA}")


def test_meeting_invitation_has_a_calendar_file_and_short_notice_is_flagged_4_3(
    browser: Browser, today: Any, aws: Any
) -> None:
    seen: set[str] = set()
    booked = book_meeting(browser, day="2026-10-08", hold=False)  # Thursday: three days away
    assert booked["statusCode"] == 303
    page = browser.get(booked["headers"]["Location"])
    assert "Less than 5 working days" in page["body"]
    mails = new_mail(aws, seen)
    invitation = mail_to(mails, EMMA)
    [(name, kind, ics)] = invitation["attachments"]
    assert (name, kind) == ("meeting.ics", "text/calendar")
    assert "LOCATION:Room 4\\; the library\\, upstairs\r\n" in ics
    assert "DTSTART:20261008T143000Z" in ics  # 15:30 in London in October is 14:30 UTC
    assert "/forms/self-review" in invitation["text"]
    assert "LESS THAN 5 WORKING DAYS" in mail_to(mails, SARAH)["text"]

    # With two weeks' notice there is no flag.
    booked = book_meeting(browser, day="2026-10-19", hold=False)
    assert "Less than 5 working days" not in browser.get(booked["headers"]["Location"])["body"]


def test_the_whole_loop_by_email_links_4_9_5_8(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    seen: set[str] = set()
    book_meeting(browser)
    new_mail(aws, seen)

    # 4.9: the draft goes to the reviewee with three actions, and its due dates.
    submitted = submit_statement(browser)
    assert submitted["statusCode"] == 303
    assert "/statements/" in submitted["headers"]["Location"]
    draft = mail_to(new_mail(aws, seen), EMMA)
    assert "A strong year with Year 4." in draft["text"]
    assert "Develop reasoning" in draft["html"]
    for label in ("Agree and sign", "Ask for changes", "Add a comment"):
        link_in(draft, label)
    # 4.9: 5 working days after Monday 19 October, skipping the half-term closure.
    assert statement(demo).draft_due.isoformat() == "2026-11-02"

    # The reviewee asks for changes: a reason is required, and nothing is lost without one.
    anonymous = Browser()
    change = link_in(draft, "Ask for changes")
    refused = use(anonymous, change)
    assert refused["statusCode"] == 422 and statement(demo).state == "draft"
    asked = use(anonymous, change, reason="Please mention my work with the reading group.")
    assert asked["statusCode"] == 200 and "Done" in asked["body"]
    assert statement(demo).state == "changes-requested"
    to_reviewer = mail_to(new_mail(aws, seen), SARAH)
    assert "reading group" in to_reviewer["text"]

    # The reviewer revises: a new version of the same statement goes out again.
    submit_statement(browser, assessment="A strong year; led the reading group.")
    assert statement(demo).statement_version == 2
    draft2 = mail_to(new_mail(aws, seen), EMMA)
    assert "version 2" in draft2["subject"]

    # An old link now says the statement has changed, and changes nothing.
    old_agree = link_in(draft, "Agree and sign")
    stale = anonymous.get(old_agree)
    assert "The statement has changed" in stale["body"]

    # Versions can be compared: the changed field is listed.
    browser.act_as(EMMA)
    sid = statement(demo).statement_id
    compare = browser.get(f"/statements/{sid}/compare?a=1&b=2")
    assert compare["statusCode"] == 200
    assert "led the reading group" in compare["body"] and "Develop reasoning" not in compare["body"]

    # The reviewee agrees; the reviewer signs from the email link.
    assert use(anonymous, link_in(draft2, "Agree and sign"))["statusCode"] == 200
    assert statement(demo).state == "agreed"
    sign_mail = mail_to(new_mail(aws, seen), SARAH)
    signed = use(Browser(), link_in(sign_mail, "Sign the final statement"))
    assert signed["statusCode"] == 200
    # Oakfield moderates a 50% sample (5); this statement's stable draw (951 of 10,000) is in it.
    after = statement(demo)
    assert after.signed_at is not None and after.state == "awaiting-moderation"
    copies = new_mail(aws, seen)
    assert {m["to_person_id"] for m in copies} == {EMMA, HEAD}  # 4.9: copy and original
    assert "led the reading group" in mail_to(copies, EMMA)["text"]

    # 5: the headteacher instructs a revised statement, due 10 working days later.
    head_mail = mail_to(copies, HEAD)
    instructed = use(
        Browser(), link_in(head_mail, "Ask for a revised statement"), reason="Too vague."
    )
    assert instructed["statusCode"] == 200
    assert statement(demo).state == "revision-instructed"
    # Instructed on Monday 19 October (the meeting's day): 10 working days, half term skipped.
    assert statement(demo).revised_due.isoformat() == "2026-11-09"
    new_mail(aws, seen)
    submit_statement(browser, assessment="Revised after moderation.")
    draft3 = mail_to(new_mail(aws, seen), EMMA)
    use(Browser(), link_in(draft3, "Agree and sign"))
    sign_mail = mail_to(new_mail(aws, seen), SARAH)
    use(Browser(), link_in(sign_mail, "Sign the final statement"))
    head_mail = mail_to(new_mail(aws, seen), HEAD)
    use(Browser(), link_in(head_mail, "Approve"))
    assert statement(demo).state == "final"

    # 8: after moderation the reviewee appeals, and the headteacher records hearing and outcome.
    browser.act_as(EMMA)
    url = f"/statements/{sid}"
    appealed = browser.post(
        f"{url}/actions/appeal", {**hidden(browser.get(url)["body"]), "reason": "Objective 1."}
    )
    assert appealed["statusCode"] == 303
    assert statement(demo).state == "appealed"
    assert "Objective 1." in mail_to(new_mail(aws, seen), HEAD)["text"]
    browser.act_as(HEAD)
    decided = browser.post(
        f"{url}/actions/decide-appeal",
        {
            **hidden(browser.get(url)["body"]),
            "hearing_date": "2026-11-02",
            "outcome": "not-upheld",
            "reason": "The objective was agreed at the meeting.",
        },
    )
    assert decided["statusCode"] == 303
    assert statement(demo).state == "final"
    assert "Not upheld" in browser.get(url)["body"]

    # Every move left an audit entry, from a link or a page.
    channels = {(a.action, a.channel) for a in demo.store.audit_entries(EMMA)}
    assert ("statement.request-changes", "link") in channels
    assert ("statement.appeal", "page") in channels


def issue_draft(browser: Browser, aws: Any, meeting: str = "2026-10-19") -> dict[str, Any]:
    book_meeting(browser, day=meeting)
    submit_statement(browser)
    return _latest_to(aws, EMMA)


def _latest_to(aws: Any, person_id: str) -> dict[str, Any]:
    mails = [m for m in sent_outbox(aws) if m.get("to_person_id") == person_id]
    return max(mails, key=lambda m: m["queued_at"])


def test_opening_every_emailed_link_changes_nothing(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    draft = issue_draft(browser, aws)
    before = statement(demo)
    mails = len(sent_outbox(aws))
    for path in LINK.findall(draft["text"]):
        assert Browser().get(path)["statusCode"] == 200
        assert Browser().get(path)["statusCode"] == 200  # a mail scanner opens it twice
    assert statement(demo) == before
    assert len(sent_outbox(aws)) == mails


def test_a_link_is_single_use_and_a_replay_changes_nothing(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    draft = issue_draft(browser, aws)
    comment = link_in(draft, "Add a comment")
    assert use(Browser(), comment, reason="First comment")["statusCode"] == 200
    version = statement(demo).version
    page = Browser().get(comment)
    assert "already been used" in page["body"]
    replay = Browser()
    csrf = hidden(replay.get(comment)["body"])["_csrf"]
    again = replay.post(comment, {"_csrf": csrf, "reason": "Second comment"})
    assert again["statusCode"] == 400 and "already been used" in again["body"]
    assert statement(demo).version == version


def test_expired_tampered_and_wrong_person_links_change_nothing(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    import os
    from pathlib import Path

    draft = issue_draft(browser, aws, meeting="2026-10-06")  # links sent on 6 October
    agree = link_in(draft, "Agree and sign")
    before = statement(demo)

    # Tampered: one character changed.
    token = agree.rsplit("/", 1)[1]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    page = Browser().get(f"/statement-links/{flipped}")
    assert page["statusCode"] == 400 and "not complete" in page["body"]
    assert "fresh link" not in page["body"]  # a stranger is offered nothing

    # Someone else signed in: refused, and offered a fresh link for the link's own person.
    other = Browser()
    other.act_as(JAMES)
    page = other.get(agree)
    assert "sent to someone else" in page["body"] and "Emma" not in page["body"]
    posted = other.post(agree, {"_csrf": hidden(page["body"])["_csrf"]})
    assert posted["statusCode"] == 400

    # Another school's person with the same link: the same refusal.
    riverside = Browser()
    riverside.act_as(RIVERSIDE_HEAD)
    assert "sent to someone else" in riverside.get(agree)["body"]

    # Expired: 15 days later (the trust's link_expiry_days is 14).
    Path(os.environ["GROWTHCYCLE_LOCAL_CLOCK_FILE"]).write_text("2026-10-21")
    from growthcycle.web.services import reset_services

    reset_services()
    expired = Browser()
    page = expired.get(agree)
    assert "expired" in page["body"]
    posted = expired.post(agree, {"_csrf": hidden(page["body"])["_csrf"]})
    assert posted["statusCode"] == 400
    assert statement(demo) == before

    # A fresh link is emailed to the link's own person only, once however often it is asked.
    mails = len(sent_outbox(aws))
    csrf = hidden(page["body"])["_csrf"]
    renewed = expired.post(f"{agree}/renew", {"_csrf": csrf})
    expired.post(f"{agree}/renew", {"_csrf": csrf})
    assert renewed["statusCode"] == 200 and "Emma" not in renewed["body"]
    fresh = sent_outbox(aws)
    assert len(fresh) == mails + 1
    newest = _latest_to(aws, EMMA)
    assert "fresh link" in newest["text"]
    assert use(Browser(), link_in(newest, "Agree and sign"))["statusCode"] == 200
    assert statement(demo).state == "agreed"


def test_two_signatures_at_once_make_one(browser: Browser, today: Any, aws: Any, demo: Any) -> None:
    """Two people (or two taps) acting on the same version: exactly one succeeds."""
    from growthcycle.adapters import statements as repo
    from growthcycle.web.services import services
    from growthcycle.web.statement_content import load_statement
    from growthcycle.web.statements import perform

    draft = issue_draft(browser, aws)
    use(Browser(), link_in(draft, "Agree and sign"))
    svc = services()
    loaded = load_statement(svc, statement(demo).statement_id)
    sarah = demo.people[SARAH]
    results = []
    for _ in range(2):
        try:
            perform(
                svc,
                loaded,
                sarah,
                "reviewer",
                "sign",
                reason="",
                channel="page",
                expected_version=loaded.statement.version,
            )
            results.append("signed")
        except repo.StatementConflict:
            results.append("conflict")
    assert results == ["signed", "conflict"]
    signs = [e for e in repo.events(svc.store, loaded.statement.statement_id) if e.action == "sign"]
    assert len(signs) == 1
    copies = [m for m in sent_outbox(aws) if m["subject"].endswith("the original")]
    assert len(copies) == 1


def test_a_double_tapped_button_on_the_page_does_one_thing(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    issue_draft(browser, aws)
    browser.act_as(EMMA)
    url = f"/statements/{statement(demo).statement_id}"
    form = {**hidden(browser.get(url)["body"]), "reason": "Looks right"}
    first = browser.post(f"{url}/actions/agree", form)
    second = browser.post(f"{url}/actions/agree", form)
    assert first["statusCode"] == 303 and second["statusCode"] == 303
    from growthcycle.adapters import statements as repo

    agrees = [
        e for e in repo.events(demo.store, statement(demo).statement_id) if e.action == "agree"
    ]
    assert len(agrees) == 1
    assert len([m for m in sent_outbox(aws) if "agreed the draft" in m["subject"]]) == 1


def test_when_they_cannot_agree_the_reviewers_version_stands_with_the_comment_kept_4_6(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    draft = issue_draft(browser, aws)
    use(Browser(), link_in(draft, "Ask for changes"), reason="I disagree with objective 1.")
    browser.act_as(SARAH)
    url = f"/statements/{statement(demo).statement_id}"
    stood = browser.post(f"{url}/actions/stand", hidden(browser.get(url)["body"]))
    assert stood["statusCode"] == 303
    assert statement(demo).state == "reviewer-decided"
    page = browser.get(url)["body"]
    assert "I disagree with objective 1." in page
    assert "Sign the final statement" in page


def test_confidentiality_who_sees_a_statement_7(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    issue_draft(browser, aws)
    sid = statement(demo).statement_id
    url = f"/statements/{sid}"
    for person, status in (
        (EMMA, 200),
        (SARAH, 200),
        (HEAD, 200),
        (JAMES, 404),
        (RIVERSIDE_HEAD, 404),
        (GOVERNOR, 404),
    ):
        viewer = Browser()
        viewer.act_as(person)
        assert viewer.get(url)["statusCode"] == status, person
    # Another reviewee's statement looks like nothing at all.
    james = Browser()
    james.act_as(JAMES)
    assert james.get(f"{url}/views")["statusCode"] == 404
    assert james.get(f"{url}/governor")["statusCode"] == 404

    # Every view is recorded; the reviewee sees who and why.
    browser.act_as(EMMA)
    views = browser.get(f"{url}/views")["body"]
    assert "Helen Whitaker" in views and "moderates" in views
    assert "Sarah Pritchard" in views


def test_governors_see_only_the_overall_assessment_of_a_final_statement_7(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    from growthcycle.adapters import statements as repo
    from growthcycle.domain.statements import State

    issue_draft(browser, aws)
    current = statement(demo)
    # Make it final without the loop (the loop is tested above).
    final = current.model_copy(update={"state": State.FINAL, "version": current.version + 1})
    from growthcycle.domain.records import AuditEntry

    repo.commit(
        demo.store,
        final,
        expected_version=current.version,
        event=None,
        audit=AuditEntry(
            subject_id=EMMA, actor_id=HEAD, action="test", target="-", channel="system"
        ),
        emails=[],
        expires_at=2_000_000_000,  # 7: any TTL here; test_retention.py checks the real one
    )
    governor = Browser()
    governor.act_as(GOVERNOR)
    url = f"/statements/{current.statement_id}"
    assert governor.get(url)["statusCode"] == 303
    page = governor.get(f"{url}/governor")
    assert page["statusCode"] == 200
    assert "A strong year with Year 4." in page["body"]
    assert "Recommend pay progression" in page["body"]
    assert "Develop reasoning" not in page["body"] and "Coaching" not in page["body"]
    assert governor.get(f"{url}/compare?a=1&b=1")["statusCode"] == 404
    # 7: a governor not responsible for pay decisions sees nothing of it.
    other = Browser()
    other.act_as(OTHER_GOVERNOR)
    for path in (url, f"{url}/governor", f"{url}/views"):
        assert other.get(path)["statusCode"] == 404, path
