"""The statement's own clocks as open items in DueIndex (4.9, 5), driven through the API handler.

James Hughes (op005) is reviewed by David Okafor (op002) at Oakfield Primary (England). Today is
Monday 19 April 2027; the meeting is on Thursday 29 April, so the draft's 5 working days skip the
early May bank holiday (Monday 3 May 2027) and it is due Friday 7 May; the final statement and
moderation are due 10 working days after the meeting, Friday 14 May. James's statement is in
Oakfield's 50% moderation sample for 2026-27 (its stable draw is 4,826 of 10,000).

After each move exactly one statement item is open, owed by whoever moves next, and the daily
check (handlers/deadline_check.py) reminds that person and nobody else.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from growthcycle.adapters.statement_clocks import open_statement_items, statement_moved
from growthcycle.adapters.store import _to_item
from growthcycle.domain.deadlines import idempotency_key
from tests.conftest import TABLE, Browser
from tests.helpers.aws import counting_dynamodb_calls, outbox_email, set_today
from tests.helpers.events import FakeContext

HEAD = "oakfield-primary.op001"
DAVID = "oakfield-primary.op002"  # James's line manager and reviewer (4.2)
JAMES = "oakfield-primary.op005"
CYCLE = "2026-27"
STATEMENT = f"{CYCLE}.{JAMES}"
TODAY = date(2027, 4, 19)
MEETING = "2027-04-29"


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version)" value="([^"]*)"', page))


def open_items(aws: Any) -> list[tuple[str, str, str]]:
    """(sort key, who owes it, due date) of James's open statement items in DueIndex (his
    planning and review item, opened with the cycle, is not the statement's)."""
    found = aws("dynamodb").query(
        TableName=TABLE,
        IndexName="DueIndex",
        KeyConditionExpression="due_pk = :school",
        ExpressionAttributeValues=_to_item({":school": "OPEN#oakfield-primary"}),
    )["Items"]
    return sorted(
        (i["sk"]["S"], i["responsible_id"]["S"], i["due_date"]["S"])
        for i in found
        if i["subject_id"]["S"] == JAMES and "#statement-" in i["sk"]["S"]
    )


def check_reminds(aws: Any, day: date, person_id: str, title: str) -> None:
    """The daily check on `day` sends `person_id` a digest naming `title`, and nobody else's
    digest (they may have their own planning and review items) names it."""
    from growthcycle.handlers.deadline_check import lambda_handler

    set_today(day)
    lambda_handler(
        {"source": "aws.scheduler", "detail-type": "Scheduled Event"},
        FakeContext(function_name="DeadlineCheckFunction"),
    )
    db = aws("dynamodb")
    email = outbox_email(db, TABLE, idempotency_key(person_id, day))
    assert email is not None, f"no digest for {person_id} on {day}"
    assert title in email["text"]
    for other in {HEAD, DAVID, JAMES} - {person_id}:
        theirs = outbox_email(db, TABLE, idempotency_key(other, day))
        assert theirs is None or title not in theirs["text"]


def move(browser: Browser, who: str, action: str, reason: str = "") -> None:
    browser.act_as(who)
    url = f"/statements/{STATEMENT}"
    form = hidden(browser.get(url)["body"])
    if reason:
        form["reason"] = reason
    done = browser.post(f"{url}/actions/{action}", form)
    assert done["statusCode"] == 303, done["body"][:1500]
    assert "done=" in done["headers"]["Location"]


def submit_statement(browser: Browser, assessment: str) -> None:
    browser.act_as(DAVID)
    url = f"/people/{JAMES}/forms/planning-review"
    form = {
        **hidden(browser.get(url)["body"]),
        "_action": "submit",
        "assessment": assessment,
        "objectives": "1",
        "objectives-0-title": "Raise attainment in Year 5 fractions",
        "objectives-0-success_criteria": "Pupils explain equivalent fractions.",
        "objectives-0-timescale": "2027-10-15",
        "objectives-0-priority": "maths-mastery",
        "support": "Time with the maths hub.",
        "monitoring": "Two observations.",
        "pay_recommendation": "progress",
    }
    done = browser.post(url, form)
    confirm = re.search(r'name="_confirmed" value="([^"]*)"', done["body"])
    if done["statusCode"] == 200 and confirm:
        # 4.6: advice on the objective is shown first; the second Submit sends it as it is.
        done = browser.post(url, {**form, **hidden(done["body"]), "_confirmed": confirm.group(1)})
    assert done["statusCode"] == 303, done["body"][:1500]
    assert "/statements/" in done["headers"]["Location"]


@pytest.fixture
def april(demo: Any) -> Any:
    set_today(TODAY)
    return demo


def test_each_statement_move_opens_the_next_clock_for_whoever_owes_it_4_9_5(
    browser: Browser, april: Any, aws: Any
) -> None:
    # 4.3, 4.9: booking the meeting starts the reviewer's draft clock; the early May bank
    # holiday (3 May) is not a working day.
    browser.act_as(DAVID)
    url = f"/people/{JAMES}/forms/meeting"
    booked = browser.post(
        url,
        {
            **hidden(browser.get(url)["body"]),
            "_action": "submit",
            "date": MEETING,
            "time": "15:30",
            "place": "Year 5 classroom",
        },
    )
    assert booked["statusCode"] == 303
    assert open_items(aws) == [
        (f"DUE#{CYCLE}#statement-draft#{MEETING}", DAVID, "2027-05-07"),
    ]
    check_reminds(aws, date(2027, 5, 5), DAVID, "Draft planning and review statement for James")

    # 4.9: the draft goes to James; his answer is due the working day before the final
    # statement, which David signs by the final due date whether or not James answers.
    submit_statement(browser, "A strong year leading maths.")
    assert open_items(aws) == [
        (f"DUE#{CYCLE}#statement-answer#v1", JAMES, "2027-05-13"),
        (f"DUE#{CYCLE}#statement-sign#v1", DAVID, "2027-05-14"),
    ]
    check_reminds(aws, date(2027, 5, 11), JAMES, "draft statement from David Okafor")

    # 4.9: James asks for changes; David owes the revision (or his decision, 4.6).
    move(browser, JAMES, "request-changes", reason="Please mention the maths hub work.")
    assert open_items(aws) == [(f"DUE#{CYCLE}#statement-revise#v1", DAVID, "2027-05-14")]
    check_reminds(aws, date(2027, 5, 12), DAVID, "Revise the statement for James Hughes")

    # The revision is version 2: a new round, so a new item for James.
    submit_statement(browser, "A strong year leading maths and the maths hub.")
    assert open_items(aws) == [
        (f"DUE#{CYCLE}#statement-answer#v2", JAMES, "2027-05-13"),
        (f"DUE#{CYCLE}#statement-sign#v2", DAVID, "2027-05-14"),
    ]

    # James agrees; David signs.
    move(browser, JAMES, "agree")
    assert open_items(aws) == [(f"DUE#{CYCLE}#statement-sign#v2", DAVID, "2027-05-14")]
    check_reminds(aws, date(2027, 5, 13), DAVID, "Sign the final statement for James Hughes")

    # 4.9, 5: signed, in the sample: the headteacher's moderation is due 10 working days after
    # the meeting.
    move(browser, DAVID, "sign")
    assert open_items(aws) == [(f"DUE#{CYCLE}#statement-moderation#v2", HEAD, "2027-05-14")]
    check_reminds(aws, date(2027, 5, 14), HEAD, "Moderate the statement for James Hughes")

    # 5: the headteacher instructs a revised statement on Friday 14 May: due 10 working days
    # later, Friday 28 May.
    move(browser, HEAD, "instruct-revision", reason="Objective 1 needs a measure.")
    assert open_items(aws) == [(f"DUE#{CYCLE}#statement-revised#v2", DAVID, "2027-05-28")]
    check_reminds(aws, date(2027, 5, 26), DAVID, "Prepare the revised statement for James")

    # The reviewer issues the revised statement (version 3): James's answer is due by the
    # revised statement's due date (5).
    submit_statement(browser, "A strong year; fractions measured by the end of term test.")
    assert open_items(aws) == [
        (f"DUE#{CYCLE}#statement-answer#v3", JAMES, "2027-05-27"),
        (f"DUE#{CYCLE}#statement-sign#v3", DAVID, "2027-05-28"),
    ]

    move(browser, JAMES, "agree")
    move(browser, DAVID, "sign")
    move(browser, HEAD, "approve")
    assert open_items(aws) == []  # final: nothing is owed

    # 6: a revision asked for mid-cycle has no timescale, so no clock runs for its rounds (the
    # meeting's dates would make it overdue at once).
    move(browser, JAMES, "request-revision", reason="My role changed in September.")
    submit_statement(browser, "Revised for the new role.")
    assert open_items(aws) == []


def test_a_repeated_sync_opens_nothing_twice_and_the_answered_clock_stays_closed(
    browser: Browser, april: Any, aws: Any
) -> None:
    from growthcycle.adapters.statements import get_statement
    from growthcycle.web.services import services

    browser.act_as(DAVID)
    url = f"/people/{JAMES}/forms/meeting"
    browser.post(
        url,
        {
            **hidden(browser.get(url)["body"]),
            "_action": "submit",
            "date": MEETING,
            "time": "09:00",
            "place": "Room 2",
        },
    )
    set_today(date.fromisoformat(MEETING))  # 4.9: the draft follows the meeting
    submit_statement(browser, "First draft.")
    svc = services()
    statement = get_statement(svc.store, STATEMENT)
    james = april.people[JAMES]
    assert statement is not None
    from growthcycle.adapters.aws import client

    with counting_dynamodb_calls(client("dynamodb")) as calls:
        again = statement_moved(svc, statement, james, lambda party: [james])
    # A draft runs two clocks: James's answer and the signature (4.9).
    assert (again.opened, again.already_open, again.closed) == (0, 2, 0)
    # The statement's moves, its open items and the person's cycle restarts: Queries only, and
    # a conditional PutItem per clock that finds the item there.
    assert calls["Scan"] == 0 and calls["PutItem"] == 2 and calls["Query"] <= 3, calls
    assert [i["sk"] for i in open_statement_items(svc.store, JAMES, CYCLE)] == [
        f"DUE#{CYCLE}#statement-answer#v1",
        f"DUE#{CYCLE}#statement-sign#v1",
    ]
    # Each open item carries its TTL (7).
    item = aws("dynamodb").get_item(
        TableName=TABLE,
        Key=_to_item({"pk": f"PERSON#{JAMES}", "sk": f"DUE#{CYCLE}#statement-answer#v1"}),
    )["Item"]
    assert int(item["expires_at"]["N"]) > 0


def test_rebooking_the_meeting_moves_the_draft_clock_4_9(
    browser: Browser, april: Any, aws: Any
) -> None:
    browser.act_as(DAVID)
    url = f"/people/{JAMES}/forms/meeting"
    for day in (MEETING, "2027-05-05"):
        browser.post(
            url,
            {
                **hidden(browser.get(url)["body"]),
                "_action": "submit",
                "date": day,
                "time": "09:00",
                "place": "Room 2",
            },
        )
    # 5 May + 5 working days: 6, 7, 10, 11, 12 May.
    assert open_items(aws) == [(f"DUE#{CYCLE}#statement-draft#2027-05-05", DAVID, "2027-05-12")]


def test_the_reviewer_signs_a_draft_the_reviewee_did_not_answer_once_their_time_is_up_4_9(
    browser: Browser, april: Any, aws: Any
) -> None:
    from tests.conftest import sent_outbox

    # Given the meeting on Thursday 29 April and the draft sent that day: James may answer
    # until Thursday 13 May, the working day before the final statement is due (Friday 14 May)
    browser.act_as(DAVID)
    url = f"/people/{JAMES}/forms/meeting"
    browser.post(
        url,
        {
            **hidden(browser.get(url)["body"]),
            "_action": "submit",
            "date": MEETING,
            "time": "09:00",
            "place": "Room 2",
        },
    )
    set_today(date.fromisoformat(MEETING))
    submit_statement(browser, "A strong year leading maths.")
    page = f"/statements/{STATEMENT}"

    # While James still has time, David cannot sign without his answer
    set_today(date(2027, 5, 13))
    browser.act_as(DAVID)
    assert "Sign without the reviewee" not in browser.get(page)["body"]
    token = browser.csrf(f"/people/{JAMES}/forms/planning-review")  # no move form to read it
    early = browser.post(f"{page}/actions/sign-unanswered", {"_csrf": token, "_version": "1"})
    assert early["statusCode"] == 409, early["body"][:3000]
    assert "may answer the draft until Thursday 13 May 2027" in early["body"]

    # James never answers. His silence is not escalated as a missed duty; David's signature,
    # due Friday 14 May, is (three working days late on Wednesday 19 May)
    from growthcycle.handlers.deadline_check import lambda_handler

    wednesday = date(2027, 5, 19)
    set_today(wednesday)
    lambda_handler({"source": "aws.scheduler"}, FakeContext(function_name="DeadlineCheck"))
    head_digest = outbox_email(aws("dynamodb"), TABLE, idempotency_key(HEAD, wednesday))
    assert head_digest is not None
    assert "Overdue at your school" in head_digest["html"]
    assert "Sign the final statement for James Hughes" in head_digest["text"]
    assert "draft statement from David Okafor" not in head_digest["text"]
    james_digest = outbox_email(aws("dynamodb"), TABLE, idempotency_key(JAMES, wednesday))
    assert james_digest is not None  # he is still reminded that he may answer
    assert "draft statement from David Okafor" in james_digest["text"]

    # Once his time is up David signs the draft as it is, and the statement says so
    browser.act_as(DAVID)
    assert "Sign without the reviewee" in browser.get(page)["body"]
    move(browser, DAVID, "sign-unanswered")
    shown = browser.get(page)["body"]
    assert "the reviewee did not answer by Thursday 13 May 2027 (4.9)" in shown
    # 5: in Oakfield's sample, so the headteacher moderates it next; nothing is owed by James
    assert open_items(aws) == [(f"DUE#{CYCLE}#statement-moderation#v1", HEAD, "2027-05-14")]
    [copy] = [
        e
        for e in sent_outbox(aws)
        if e["to_person_id"] == JAMES and e["subject"] == "Your final statement: your copy"
    ]
    assert "You did not answer the draft by Thursday 13 May 2027" in copy["text"]
    # James may still comment (4.9)
    move(browser, JAMES, "comment", reason="I was on a course that week.")
