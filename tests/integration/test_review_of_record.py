"""The reviewer of record everywhere (4.2), the headteacher's own review by appointed governors
with quality assurance (4.2, 5), a paused cycle (3, 4.1) and a transfer's restarted cycle (4.1),
through the API handler with moto."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from growthcycle.adapters.statements import get_statement
from growthcycle.domain.statements import State
from tests.conftest import TABLE, Browser
from tests.helpers.aws import outbox_email, set_today
from tests.helpers.meetings import held_meeting
from tests.integration.test_special_cases import _open_emma_item, _run_daily_check

OAK = "oakfield-primary"
HEAD = f"{OAK}.op001"  # Helen Whitaker
DAVID = f"{OAK}.op002"  # line manager
SARAH = f"{OAK}.op003"  # Emma's line manager
EMMA = f"{OAK}.op004"
CHAIR = f"{OAK}.op010"  # Chair of Governors
GOVERNOR = f"{OAK}.op011"
ADVISER = f"{OAK}.op012"
MONDAY = date(2027, 2, 1)
CYCLE = "2026-27"


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version)" value="([^"]*)"', page))


def _csrf(page: str) -> str:
    return hidden(page)["_csrf"]


def _fill(browser: Browser, subject: str, form_id: str, **values: str) -> dict[str, Any]:
    url = f"/people/{subject}/forms/{form_id}"
    if form_id == "planning-review":
        held_meeting(subject, "test", browser)  # 4.9: the draft follows the meeting
    page = browser.get(url)
    assert page["statusCode"] == 200, page["body"][:500]
    return browser.post(url, {**hidden(page["body"]), "_action": "submit", **values})


def _statement_values() -> dict[str, str]:
    return {
        "assessment": "A strong year.",
        "objectives": "1",
        "objectives-0-title": "Develop reasoning in Year 4 maths lessons",
        "objectives-0-success_criteria": "Pupils in the lowest group explain their method.",
        "objectives-0-timescale": "2027-06-30",
        "objectives-0-priority": "maths-mastery",
        "support": "Coaching from the maths lead.",
        "monitoring": "Two observations, in March and May.",
        "pay_recommendation": "progress",
    }


def _act(browser: Browser, statement_id: str, action: str, reason: str = "") -> dict[str, Any]:
    url = f"/statements/{statement_id}"
    page = browser.get(url)
    assert page["statusCode"] == 200, page["body"][:500]
    form = hidden(page["body"])
    if reason:
        form["reason"] = reason
    return browser.post(f"{url}/actions/{action}", form)


def _assign(browser: Browser, reviewee: str, reviewer: str) -> None:
    browser.act_as(HEAD)
    csrf = _csrf(browser.get("/reviewers")["body"])
    done = browser.post("/reviewers", {"_csrf": csrf, "reviewee": reviewee, "reviewer": reviewer})
    assert done["statusCode"] == 303, done["body"][:800]


def _third_governor(demo: Any) -> str:
    base = demo.people[GOVERNOR]
    third = base.model_copy(
        update={
            "person_id": f"{OAK}.op013",
            "staff_id": "OP013",
            "email": "op013@oakfield.example",
            "first_name": "Grace",
            "job_title": "Parent Governor",
        }
    )
    demo.store.put_person(third)
    return third.person_id


def _appoint(browser: Browser, governors: list[str], qa: list[str]) -> None:
    browser.act_as(GOVERNOR)
    csrf = _csrf(browser.get("/headteacher-review/reviewers")["body"])
    done = browser.post(
        "/headteacher-review/reviewers",
        {
            "_csrf": csrf,
            "governors": governors,
            "adviser": ADVISER,
            "adviser_kind": "external-adviser",
            "qa": qa,
        },
    )
    assert done["statusCode"] == 303, done["body"][:1500]


def _head_statement_id() -> str:
    from growthcycle.web.services import services

    head = services().store.get_person(HEAD)
    assert head is not None
    return f"{services().cycle(head).cycle_id}.{HEAD}"


# --- (a) the assigned reviewer -----------------------------------------------------------------


def test_assigned_reviewer_acts_and_line_manager_no_longer_can_4_2(
    browser: Browser, demo: Any
) -> None:
    set_today(MONDAY)
    # Given Sarah, Emma's line manager, issued a draft statement
    browser.act_as(SARAH)
    assert _fill(browser, EMMA, "planning-review", **_statement_values())["statusCode"] == 303
    statement_id = f"{CYCLE}.{EMMA}"
    # When the headteacher makes David Emma's reviewer (4.2)
    _assign(browser, EMMA, DAVID)

    # Then Sarah can no longer fill Emma's reviewer forms or see her reflections...
    browser.act_as(SARAH)
    assert browser.get(f"/people/{EMMA}/forms/planning-review")["statusCode"] == 404
    assert browser.get(f"/people/{EMMA}/reflections")["statusCode"] == 404
    assert f"/people/{EMMA}/forms/planning-review" not in browser.get("/")["body"]
    # ... nor sign the statement she issued (as line manager she may read it: 7)
    browser.act_as(EMMA)
    assert _act(browser, statement_id, "agree")["statusCode"] == 303
    browser.act_as(SARAH)
    page = browser.get(f"/statements/{statement_id}")
    assert page["statusCode"] == 200 and "Sign the final statement" not in page["body"]
    version = str(get_statement(demo.store, statement_id).version)
    refused = browser.post(
        f"/statements/{statement_id}/actions/sign",
        {"_csrf": _csrf(browser.get("/")["body"]), "_version": version},
    )
    assert refused["statusCode"] == 409
    assert get_statement(demo.store, statement_id).state == State.AGREED

    # And David finds Emma on his home page and statements list, and signs
    browser.act_as(DAVID)
    assert f"/people/{EMMA}/forms/planning-review" in browser.get("/")["body"]
    assert browser.get(f"/people/{EMMA}/reflections")["statusCode"] == 200
    assert f"/statements/{statement_id}" in browser.get("/statements")["body"]
    assert _act(browser, statement_id, "sign")["statusCode"] == 303
    assert get_statement(demo.store, statement_id).state in {
        State.AWAITING_MODERATION,
        State.FINAL,
    }


def test_daily_check_reminds_the_assigned_reviewer_not_the_line_manager_4_2(
    browser: Browser, demo: Any, aws: Any
) -> None:
    # Given Emma's planning and review item opened with Sarah responsible, due soon
    _open_emma_item(demo)
    set_today(MONDAY)
    _assign(browser, EMMA, DAVID)
    # When the daily check runs the day before it is due
    day = date(2027, 2, 2)
    _run_daily_check(day)
    # Then David, her reviewer now, is reminded, and Sarah is not
    table = aws("dynamodb")
    from growthcycle.domain.deadlines import idempotency_key

    assert outbox_email(table, TABLE, idempotency_key(SARAH, day)) is None
    reminder = outbox_email(table, TABLE, idempotency_key(DAVID, day))
    assert reminder is not None and "Emma Clarke" in str(reminder)


# --- (b) the headteacher's own review -------------------------------------------------------


def _headteacher_statement_signed(browser: Browser, demo: Any, third: str) -> str:
    """Governor books the meeting and issues the draft; the headteacher agrees; the other
    appointed governor signs."""
    assert (
        _fill(browser, HEAD, "meeting", date="2027-02-10", time="16:00", place="The office")[
            "statusCode"
        ]
        == 303
    )
    assert _fill(browser, HEAD, "planning-review", **_statement_values())["statusCode"] == 303
    statement_id = _head_statement_id()
    statement = get_statement(demo.store, statement_id)
    assert statement.reviewer_id == GOVERNOR and statement.state == State.DRAFT
    browser.act_as(HEAD)
    assert _act(browser, statement_id, "agree")["statusCode"] == 303
    # Any one of the appointed governors may act as the reviewer (4.2).
    browser.act_as(third)
    assert _act(browser, statement_id, "sign")["statusCode"] == 303
    return statement_id


def test_headteacher_statement_reviewed_by_appointed_governor_4_2(
    browser: Browser, demo: Any
) -> None:
    set_today(MONDAY)
    third = _third_governor(demo)
    # Before the governing body appoints anyone, no governor reviews the headteacher
    browser.act_as(GOVERNOR)
    assert browser.get(f"/people/{HEAD}/forms/planning-review")["statusCode"] == 404

    _appoint(browser, [GOVERNOR, third], [CHAIR])
    browser.act_as(GOVERNOR)
    assert f"/people/{HEAD}/forms/planning-review" in browser.get("/")["body"]
    statement_id = _headteacher_statement_signed(browser, demo, third)
    assert get_statement(demo.store, statement_id).state == State.AWAITING_MODERATION

    # The adviser is recorded, not a reviewer; the headteacher cannot quality-assure her own
    browser.act_as(ADVISER)
    assert browser.get(f"/people/{HEAD}/forms/planning-review")["statusCode"] == 404
    assert browser.get(f"/statements/{statement_id}")["statusCode"] == 404
    browser.act_as(HEAD)
    page = browser.get(f"/statements/{statement_id}")
    assert "waiting for quality assurance by the governors" in page["body"]
    assert _act(browser, statement_id, "approve")["statusCode"] == 409


def test_headteacher_statement_quality_assured_by_chair_5(
    browser: Browser, demo: Any, aws: Any
) -> None:
    set_today(MONDAY)
    third = _third_governor(demo)
    _appoint(browser, [GOVERNOR, third], [CHAIR])
    browser.act_as(GOVERNOR)
    statement_id = _headteacher_statement_signed(browser, demo, third)

    # The chair is sent the signed statement to quality-assure (5), and approves it
    from tests.conftest import sent_outbox

    to_chair = [e for e in sent_outbox(aws) if e.get("to_person_id") == CHAIR]
    assert any("quality assurance" in e["subject"] for e in to_chair)
    browser.act_as(CHAIR)
    page = browser.get(f"/statements/{statement_id}")
    assert page["statusCode"] == 200 and "quality-assures the headteacher" in page["body"]
    assert _act(browser, statement_id, "approve")["statusCode"] == 303
    assert get_statement(demo.store, statement_id).state == State.FINAL


def test_headteacher_statement_with_no_quality_assurance_is_final_once_signed_5(
    browser: Browser, demo: Any
) -> None:
    set_today(MONDAY)
    school = demo.trust.school(OAK)
    moderation = school.moderation.model_copy(update={"headteacher_statement_qa": "none"})
    demo.store.put_school(
        OAK, {"config": school.model_copy(update={"moderation": moderation}).model_dump_json()}
    )
    from growthcycle.web.services import reset_services

    reset_services()
    third = _third_governor(demo)
    _appoint(browser, [GOVERNOR, third], [])
    browser.act_as(GOVERNOR)
    statement_id = _headteacher_statement_signed(browser, demo, third)
    assert get_statement(demo.store, statement_id).state == State.FINAL


# --- (d) a paused cycle ------------------------------------------------------------------------


def test_paused_cycle_refuses_saving_and_keeps_text_4_1(browser: Browser, demo: Any) -> None:
    set_today(MONDAY)
    browser.act_as(HEAD)
    csrf = _csrf(browser.get(f"/people/{EMMA}/cycle")["body"])
    assert browser.post(f"/people/{EMMA}/cycle/suspend", {"_csrf": csrf})["statusCode"] == 303

    # The self-review is refused, with what was typed shown again and when the pause began
    browser.act_as(EMMA)
    url = f"/people/{EMMA}/forms/self-review"
    typed = "Phonics groups went well; & reading at home <did not>."
    refused = browser.post(
        url, {**hidden(browser.get(url)["body"]), "_action": "save", "reflection": typed}
    )
    assert refused["statusCode"] == 409
    assert "paused since 1 February 2027" in refused["body"]
    assert "Phonics groups went well; &amp; reading at home &lt;did not&gt;." in refused["body"]
    assert demo.store.get_submission(EMMA, CYCLE, "self-review") is None

    # A reflection is refused the same way, its text kept
    page = browser.get("/reflections/new")["body"]
    token = re.search(r'name="_token" value="([^"]+)"', page)
    assert token
    kept = browser.post(
        "/reflections/new",
        {
            "_csrf": _csrf(page),
            "_token": token.group(1),
            "about": "general",
            "tried": "Paired reading",
            "happened": "Mixed results",
            "next_step": "Try again",
        },
    )
    assert kept["statusCode"] in (409, 422), kept["body"][:500]
    assert "Paired reading" in kept["body"]

    # And the reviewer cannot issue a statement for the paused cycle
    browser.act_as(SARAH)
    blocked = _fill(browser, EMMA, "planning-review", **_statement_values())
    assert blocked["statusCode"] == 409 and "paused since 1 February 2027" in blocked["body"]
    assert get_statement(demo.store, f"{CYCLE}.{EMMA}") is None


def test_paused_cycle_refuses_statement_moves_4_1(browser: Browser, demo: Any) -> None:
    set_today(MONDAY)
    browser.act_as(SARAH)
    assert _fill(browser, EMMA, "planning-review", **_statement_values())["statusCode"] == 303
    statement_id = f"{CYCLE}.{EMMA}"
    browser.act_as(HEAD)
    csrf = _csrf(browser.get(f"/people/{EMMA}/cycle")["body"])
    assert browser.post(f"/people/{EMMA}/cycle/suspend", {"_csrf": csrf})["statusCode"] == 303

    browser.act_as(EMMA)
    refused = _act(browser, statement_id, "request-changes", reason="Please add the phonics work")
    assert refused["statusCode"] == 409
    assert "paused since 1 February 2027" in refused["body"]
    assert "Please add the phonics work" in refused["body"]
    assert get_statement(demo.store, statement_id).state == State.DRAFT


# --- (c) a transfer's restarted cycle --------------------------------------------------------


def test_transfer_restart_starts_new_cycle_4_1(browser: Browser, demo: Any) -> None:
    set_today(MONDAY)
    browser.act_as(HEAD)
    csrf = _csrf(browser.get(f"/people/{EMMA}/cycle")["body"])
    done = browser.post(
        f"/people/{EMMA}/cycle/transfer",
        {"_csrf": csrf, "transfer_date": "2027-02-01", "choice": "restart", "reviewer": DAVID},
    )
    assert done["statusCode"] == 303
    new_cycle = f"{CYCLE}-from-2027-02-01"

    # Emma's pages are in the new cycle, which starts on the transfer date
    browser.act_as(EMMA)
    home = browser.get("/")["body"]
    assert f"Your {new_cycle} cycle" in home and "1 February 2027" in home
    url = f"/people/{EMMA}/forms/self-review"
    saved = browser.post(
        url, {**hidden(browser.get(url)["body"]), "_action": "save", "reflection": "New post."}
    )
    assert saved["statusCode"] == 303
    assert demo.store.get_submission(EMMA, new_cycle, "self-review") is not None
    assert demo.store.get_submission(EMMA, CYCLE, "self-review") is None

    # The new reviewer acts in the new cycle; the old line manager does not (4.1, 4.2)
    browser.act_as(DAVID)
    assert browser.get(f"/people/{EMMA}/forms/planning-review")["statusCode"] == 200
    browser.act_as(SARAH)
    assert browser.get(f"/people/{EMMA}/forms/planning-review")["statusCode"] == 404
