"""Capability pauses (3, 4.1) and transfers (4.1) through the API handler, with moto."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from growthcycle.adapters.deadlines import deadline_item, due_items
from growthcycle.adapters.reviewers import assigned_reviewer
from growthcycle.adapters.store import _from_item, _to_item
from growthcycle.domain.deadlines import OpenItem, deadline_key, idempotency_key
from tests.conftest import TABLE, Browser
from tests.helpers.aws import outbox_email, set_today
from tests.helpers.events import FakeContext

OAK = "oakfield-primary"
HEAD = f"{OAK}.op001"
DAVID = f"{OAK}.op002"
SARAH = f"{OAK}.op003"
EMMA = f"{OAK}.op004"
CYCLE = "2026-27"
MONDAY = date(2027, 2, 1)
SOON = date(2027, 2, 3)  # a Wednesday
FAR = date(2028, 1, 1)


def _csrf(page: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _open_emma_item(demo: Any, due: date = SOON) -> OpenItem:
    pk, sk = deadline_key(EMMA, CYCLE, "planning-review")
    item = OpenItem(
        pk=pk,
        sk=sk,
        school_id=OAK,
        subject_id=EMMA,
        responsible_id=SARAH,
        event="planning-review",
        due_date=due,
        link=f"/people/{EMMA}/forms/planning-review",
        title="Planning and review meeting for Emma Clarke",
    )
    # Replaces the seeded one: due soon, so the daily check would remind Sarah about it.
    demo.store.db.put_item(
        TableName=TABLE, Item=_to_item(deadline_item(item, expires_at=2_000_000_000))
    )
    return item


def _open_sks(demo: Any) -> set[str]:
    return {i.sk for i in due_items(demo.store, OAK, FAR) if i.subject_id == EMMA}


def _post(browser: Browser, path: str, **form: str) -> dict[str, Any]:
    csrf = _csrf(browser.get(f"/people/{EMMA}/cycle")["body"])
    return browser.post(path, {"_csrf": csrf, **form})


def _run_daily_check(day: date) -> None:
    from growthcycle.handlers.deadline_check import lambda_handler

    set_today(day)
    lambda_handler(
        {"source": "aws.scheduler", "detail-type": "Scheduled Event"},
        FakeContext(function_name="DeadlineCheckFunction"),
    )


def test_capability_suspends_the_clocks_4_1(browser: Browser, demo: Any, aws: Any) -> None:
    item = _open_emma_item(demo)
    set_today(MONDAY)
    browser.act_as(HEAD)
    page = browser.get(f"/people/{EMMA}/cycle")
    assert page["statusCode"] == 200 and "Pause the cycle from today" in page["body"]

    paused = _post(browser, f"/people/{EMMA}/cycle/suspend")
    assert paused["statusCode"] == 303
    assert item.sk not in _open_sks(demo)  # out of DueIndex: the clock has stopped
    assert "Paused since 1 February 2027" in browser.get(f"/people/{EMMA}/cycle")["body"]

    # The daily check on the day before it would have been due says nothing to Sarah.
    _run_daily_check(date(2027, 2, 2))
    assert outbox_email(aws("dynamodb"), TABLE, idempotency_key(SARAH, date(2027, 2, 2))) is None

    # Four weeks later, with the February half term in them: 15 working days stood still, so
    # the due date of Wednesday 3 February moves to Wednesday 3 March.
    set_today(date(2027, 3, 1))
    browser.act_as(HEAD)  # a new session: the old one expired with the weeks
    resumed = _post(browser, f"/people/{EMMA}/cycle/resume")
    assert resumed["statusCode"] == 303
    [reopened] = [i for i in due_items(demo.store, OAK, FAR) if i.pk == item.pk and i.sk == item.sk]
    assert reopened.due_date == date(2027, 3, 3)
    actions = [a.action for a in demo.store.audit_entries(EMMA)]
    assert actions[:2] == ["cycle.resumed", "cycle.suspended"]
    assert all(a.actor_id == HEAD for a in demo.store.audit_entries(EMMA))


def test_resuming_twice_does_not_push_due_dates_twice_4_1(browser: Browser, demo: Any) -> None:
    item = _open_emma_item(demo)
    set_today(MONDAY)
    browser.act_as(HEAD)
    assert _post(browser, f"/people/{EMMA}/cycle/suspend")["statusCode"] == 303
    set_today(date(2027, 2, 8))
    browser.act_as(HEAD)
    assert _post(browser, f"/people/{EMMA}/cycle/resume")["statusCode"] == 303
    again = _post(browser, f"/people/{EMMA}/cycle/resume")
    assert again["statusCode"] == 409 and "not paused" in again["body"]
    [reopened] = [i for i in due_items(demo.store, OAK, FAR) if i.pk == item.pk and i.sk == item.sk]
    assert reopened.due_date == date(2027, 2, 10)  # 5 working days on, once


def test_a_paused_cycle_is_said_on_the_persons_forms_3_4_1(browser: Browser, demo: Any) -> None:
    set_today(MONDAY)
    browser.act_as(EMMA)
    url = f"/people/{EMMA}/forms/self-review"
    page = browser.get(url)["body"]
    saved = browser.post(
        url, {"_csrf": _csrf(page), "_version": "0", "_action": "save", "reflection": "Phonics."}
    )
    assert saved["statusCode"] == 303
    assert "This cycle is paused" not in browser.get(url)["body"]

    browser.act_as(HEAD)
    assert _post(browser, f"/people/{EMMA}/cycle/suspend")["statusCode"] == 303
    browser.act_as(EMMA)
    shown = browser.get(url)["body"]
    assert "This cycle is paused" in shown and "capability" not in shown.lower()


def test_only_the_headteacher_pauses_a_cycle_7(browser: Browser, demo: Any) -> None:
    _open_emma_item(demo)
    set_today(MONDAY)
    browser.act_as(SARAH)  # Emma's reviewer, but not the headteacher
    assert browser.get(f"/people/{EMMA}/cycle")["statusCode"] == 404
    csrf = _csrf(browser.get("/")["body"])
    assert browser.post(f"/people/{EMMA}/cycle/suspend", {"_csrf": csrf})["statusCode"] == 404
    browser.act_as(demo.person(school="riverside-academy", role="headteacher").person_id)
    assert browser.get(f"/people/{EMMA}/cycle")["statusCode"] == 404
    browser.act_as(HEAD)
    assert browser.post(f"/people/{EMMA}/cycle/suspend", {})["statusCode"] == 403  # no CSRF
    assert browser.get(f"/people/{HEAD}/cycle")["statusCode"] == 404  # the governors decide
    assert f"DUE#{CYCLE}#planning-review" in _open_sks(demo)


def test_transfer_restart_begins_a_new_aligned_cycle_4_1(browser: Browser, demo: Any) -> None:
    set_today(MONDAY)
    browser.act_as(HEAD)
    done = _post(
        browser, f"/people/{EMMA}/cycle/transfer", transfer_date="2027-02-01", choice="restart"
    )
    assert done["statusCode"] == 303
    new_id = f"{CYCLE}-from-2027-02-01"
    found = aws_item(demo, f"PERSON#{EMMA}", f"CYCLE#{new_id}")
    assert found is not None
    assert (found["starts"], found["ends"], found["restarted_from"]) == (
        "2027-02-01",
        "2027-10-31",
        CYCLE,
    )
    [audit] = demo.store.audit_entries(EMMA)
    assert (audit.action, audit.target, audit.actor_id) == ("cycle.transfer-restart", new_id, HEAD)
    assert "a cycle began again on 1 February 2027" in browser.get(f"/people/{EMMA}/cycle")["body"]


def test_transfer_restart_opens_the_new_cycles_items_and_closes_the_old_ones_4_1(
    browser: Browser, demo: Any
) -> None:
    # Given Emma's 2026-27 planning and review open, due by 31 October 2027
    set_today(MONDAY)
    _open_emma_item(demo, due=date(2027, 10, 29))
    browser.act_as(HEAD)
    # When the headteacher records a transfer on which her cycle begins again
    done = _post(
        browser, f"/people/{EMMA}/cycle/transfer", transfer_date="2027-02-01", choice="restart"
    )
    assert done["statusCode"] == 303
    # Then the new cycle has its planning and review and its end (which the daily check rolls),
    # due with everyone else's (4.1), and the replaced cycle's are closed
    new_id = f"{CYCLE}-from-2027-02-01"
    assert _open_sks(demo) == {f"DUE#{new_id}#planning-review", f"DUE#{new_id}#cycle-end"}
    review = aws_item(demo, f"PERSON#{EMMA}", f"DUE#{new_id}#planning-review")
    assert review is not None and review["due_date"] == "2027-10-29"
    assert review["responsible_id"] == SARAH  # her line manager reviews her (4.2)
    old = aws_item(demo, f"PERSON#{EMMA}", f"DUE#{CYCLE}#planning-review")
    assert old is not None and "closed_at" in old and "due_pk" not in old
    # And recording it again opens nothing twice
    again = _post(
        browser, f"/people/{EMMA}/cycle/transfer", transfer_date="2027-02-01", choice="restart"
    )
    assert again["statusCode"] == 303
    assert _open_sks(demo) == {f"DUE#{new_id}#planning-review", f"DUE#{new_id}#cycle-end"}


def test_transfer_keep_with_a_new_reviewer_changes_only_the_reviewer_4_1_4_2(
    browser: Browser, demo: Any
) -> None:
    set_today(MONDAY)
    browser.act_as(HEAD)
    done = _post(
        browser,
        f"/people/{EMMA}/cycle/transfer",
        transfer_date="2027-02-01",
        choice="keep",
        reviewer=DAVID,
    )
    assert done["statusCode"] == 303
    assert assigned_reviewer(demo.store, EMMA, CYCLE) == DAVID
    assert aws_item(demo, f"PERSON#{EMMA}", f"CYCLE#{CYCLE}-from-2027-02-01") is None
    actions = sorted(a.action for a in demo.store.audit_entries(EMMA))
    assert actions == ["cycle.transfer-keep", "reviewer.assigned"]


def test_a_transfer_date_outside_the_cycle_is_a_clear_error_keeping_the_answers_4_1(
    browser: Browser, demo: Any
) -> None:
    set_today(MONDAY)
    browser.act_as(HEAD)
    refused = _post(
        browser, f"/people/{EMMA}/cycle/transfer", transfer_date="2028-02-01", choice="restart"
    )
    assert refused["statusCode"] == 422
    assert "must fall in the current cycle" in refused["body"]
    assert 'value="2028-02-01"' in refused["body"] and 'value="restart" checked' in refused["body"]
    assert demo.store.audit_entries(EMMA) == []


def aws_item(demo: Any, pk: str, sk: str) -> dict[str, Any] | None:
    found = demo.store.db.get_item(TableName=TABLE, Key=_to_item({"pk": pk, "sk": sk}))
    return _from_item(found["Item"]) if "Item" in found else None
