"""The daily deadline check through its Lambda handler, against moto's DynamoDB.

The demo trust (tests/conftest.py `demo`): Oakfield Primary (England, October half term 26-30
October 2026) and Riverside Academy (Wales). Planning and review deadlines are opened on
20 October 2026, so the teachers' fall due on Saturday 31 October 2026 (4.1): on Wednesday
4 November they are 3 working days overdue and escalated to the headteacher (the trust's 3).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest

from growthcycle.adapters.deadlines import (
    close_deadline,
    due_items,
    open_cycle_deadlines,
    open_deadline,
    record_headteacher,
)
from growthcycle.adapters.store import Store
from growthcycle.domain.deadlines import (
    NOT_REMINDED,
    OpenItem,
    idempotency_key,
    planning_review_deadlines,
)
from growthcycle.domain.people import Person
from growthcycle.domain.trust import School
from tests.conftest import TABLE, sent_outbox
from tests.helpers.aws import (
    batch_write,
    captured_items,
    counting_dynamodb_calls,
    outbox_email,
    set_today,
)
from tests.helpers.events import FakeContext

OPENED_ON = date(2026, 10, 20)
TTL = 2_000_000_000  # 7: any TTL here; tests/integration/test_retention.py checks the real ones
MONDAY_AFTER_HALF_TERM = date(2026, 11, 2)
WEDNESDAY = date(2026, 11, 4)
BASE_URL = "https://appraisal.oakvalley.example"


def run_check(day: date) -> dict[str, Any]:
    from growthcycle.handlers.deadline_check import lambda_handler

    set_today(day)
    return lambda_handler(
        {"source": "aws.scheduler", "detail-type": "Scheduled Event"},
        FakeContext(function_name="DeadlineCheckFunction"),
    )


def digest(aws: Any, person_id: str, day: date, table: str = TABLE) -> dict[str, Any] | None:
    return outbox_email(aws("dynamodb"), table, idempotency_key(person_id, day))


def expected_recipients(store: Store) -> list[str]:
    """Everyone with something due or overdue on WEDNESDAY (its window reaches Friday 6th)."""
    return sorted(
        {
            item.responsible_id
            for school_id in ("oakfield-primary", "riverside-academy")
            for item in due_items(store, school_id, date(2026, 11, 6))
            if item.event not in NOT_REMINDED  # a cycle's end rolls; nobody is reminded of it
        }
    )


@pytest.fixture
def opened(demo: Any) -> Any:
    open_cycle_deadlines(
        demo.store, demo.trust, list(demo.people.values()), OPENED_ON, retention_years=6
    )
    return demo


def test_digest_lists_what_is_overdue_with_absolute_links(aws: Any, opened: Any) -> None:
    deputy = opened.people["oakfield-primary.op002"]
    result = run_check(WEDNESDAY)

    email = digest(aws, deputy.person_id, WEDNESDAY)
    assert email is not None and email["to_address"] == deputy.email
    reviewees = [p for p in opened.people.values() if p.line_manager_id == "OP002"]
    assert reviewees
    for reviewee in reviewees:
        assert f"Planning and review meeting for {reviewee.name}" in email["text"]
        link = f"{BASE_URL}/people/{reviewee.person_id}/forms/planning-review"
        assert link in email["text"] and f'href="{link}"' in email["html"]
    assert "3 working days ago" in email["text"]
    assert email["subject"].startswith("Growth Cycle reminders:")
    assert result["digests_queued"] == len(expected_recipients(opened.store))
    assert "digest(s) queued" in result["summary"]


def test_overdue_item_escalates_to_the_headteacher_after_three_working_days_not_before(
    aws: Any, opened: Any
) -> None:
    head = "oakfield-primary.op001"
    # Due Saturday 31 October, then Monday is 1 working day late, Tuesday 2: not yet.
    run_check(date(2026, 11, 3))
    tuesday = digest(aws, head, date(2026, 11, 3))  # the head's own reviews, no escalations
    assert tuesday is not None and "Overdue at your school" not in tuesday["html"]

    result = run_check(WEDNESDAY)
    email = digest(aws, head, WEDNESDAY)
    assert email is not None
    assert "Overdue at your school" in email["html"]
    assert "waiting for David Okafor" in email["text"]
    assert result["escalations"] > 0


def test_escalation_counts_working_days_across_half_term(aws: Any, demo: Any) -> None:
    # Due Friday 23 October, the last day before half term: Monday 2 November is only the
    # first working day late; Wednesday 4 November the third.
    head = "oakfield-primary.op001"
    item = OpenItem(
        pk="PERSON#oakfield-primary.op004",
        sk="DUE#2025-26#draft-statement",
        school_id="oakfield-primary",
        subject_id="oakfield-primary.op004",
        responsible_id="oakfield-primary.op003",
        event="draft-statement",
        due_date=date(2026, 10, 23),
        link="/people/oakfield-primary.op004/forms/draft-statement",
        title="Draft statement for Emma Clarke",
    )
    record_headteacher(demo.store, "oakfield-primary", head)
    assert open_deadline(demo.store, item, expires_at=TTL)

    for day in (MONDAY_AFTER_HALF_TERM, date(2026, 11, 3)):
        run_check(day)
        assert digest(aws, "oakfield-primary.op003", day) is not None
        assert digest(aws, head, day) is None
    run_check(WEDNESDAY)
    assert "Draft statement for Emma Clarke" in digest(aws, head, WEDNESDAY)["text"]


def test_running_twice_queues_each_digest_once(aws: Any, opened: Any) -> None:
    first = run_check(WEDNESDAY)
    queued = len(sent_outbox(aws))
    second = run_check(WEDNESDAY)

    assert queued == first["digests_queued"] > 0
    assert second["digests_queued"] == 0
    assert second["digests_already_queued"] == first["digests_queued"]
    assert len(sent_outbox(aws)) == queued


def test_dying_half_way_then_rerunning_gives_every_due_person_exactly_one_digest(
    aws: Any, opened: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_queue_email = Store.queue_email
    calls = {"n": 0}

    def dies_after_three(self: Store, email: Any, idempotency_key: str) -> bool:
        if calls["n"] == 3:
            raise ConnectionError("the function died half-way")
        calls["n"] += 1
        return real_queue_email(self, email, idempotency_key)

    monkeypatch.setattr(Store, "queue_email", dies_after_three)
    with pytest.raises(ConnectionError):
        run_check(WEDNESDAY)
    assert len(sent_outbox(aws)) == 3
    # Everyone due today, the next cycles (rolled before the digests, 4.1) included.
    expected = expected_recipients(opened.store)
    assert len(expected) > 3

    monkeypatch.setattr(Store, "queue_email", real_queue_email)
    rerun = run_check(WEDNESDAY)

    assert rerun["digests_already_queued"] == 3
    queued = sent_outbox(aws)
    assert sorted(e["to_person_id"] for e in queued) == expected
    for person_id in expected:
        assert digest(aws, person_id, WEDNESDAY) is not None


def test_suppressed_address_gets_no_digest_and_the_others_still_do(aws: Any, opened: Any) -> None:
    deputy: Person = opened.people["oakfield-primary.op002"]
    opened.store.put_person(deputy.model_copy(update={"email_suppressed": True}))

    result = run_check(WEDNESDAY)

    assert digest(aws, deputy.person_id, WEDNESDAY) is None
    assert result["suppressed"] == 1
    assert digest(aws, "oakfield-primary.op003", WEDNESDAY) is not None
    assert all(e["to_address"] != deputy.email for e in sent_outbox(aws))


def test_no_digests_on_a_day_the_schools_are_closed(aws: Any, opened: Any) -> None:
    result = run_check(date(2026, 11, 7))  # a Saturday
    assert result["digests_queued"] == 0 and result["schools_closed"] == 2
    assert sent_outbox(aws) == []


def test_closed_item_leaves_the_index_and_is_never_reopened(aws: Any, opened: Any) -> None:
    store = opened.store
    [first, *_] = list(due_items(store, "oakfield-primary", WEDNESDAY))

    assert close_deadline(store, first.pk, first.sk)
    assert not close_deadline(store, first.pk, first.sk)  # already closed
    assert first not in list(due_items(store, "oakfield-primary", WEDNESDAY))
    assert not open_deadline(store, first, expires_at=TTL)  # opening again leaves it closed
    assert first not in list(due_items(store, "oakfield-primary", WEDNESDAY))


def test_opening_cycle_deadlines_again_opens_nothing_new(opened: Any) -> None:
    again = open_cycle_deadlines(
        opened.store, opened.trust, list(opened.people.values()), OPENED_ON, retention_years=6
    )
    assert again.opened == 0 and again.already_open > 0


# --- cost: grows with the items due, not with the staff ----------------------------------------

SCALE_SCHOOL = School.model_validate(
    {
        "id": "scale-school",
        "name": "Scale School",
        "nation": "england",
        "policy_style": "growth",
        "reviewers": {"mode": "line-managers"},  # 4.2, option 2: ten reviewers
    }
)
SCALE_TODAY = date(2026, 11, 11)  # a Wednesday
DUE = 50


def scale_people(n: int) -> list[Person]:
    def member(i: int, roles: tuple[str, ...], manager: str | None) -> Person:
        return Person(
            person_id=f"scale-school.s{i:05d}",
            school_id="scale-school",
            staff_id=f"S{i:05d}",
            first_name="Staff",
            last_name=f"Member {i}",
            email=f"s{i:05d}@scale.example",
            roles=roles,
            job_title="Teacher",
            line_manager_id=manager,
            fte=None if "governor" in roles else 1.0,
            qualified_teacher=True,
            start_date=date(2020, 9, 1),
        )

    people = [member(0, ("headteacher",), None), member(1, ("governor",), None)]
    people += [member(i, ("line-manager", "teacher"), "S00000") for i in range(2, 12)]
    people += [member(i, ("teacher",), f"S{2 + i % 10:05d}") for i in range(12, n)]
    return people


def seed_scale_staff(aws: Any, first: int, last: int, today: date) -> None:
    """Members of staff `first`..`last - 1`, each with an open planning and review; the last
    DUE of them due or overdue around `today` (the others are due next October)."""
    people = scale_people(last)[first:]
    items = planning_review_deadlines(SCALE_SCHOOL, scale_people(last), SCALE_TODAY)
    items = [it for it in items if it.subject_id >= people[0].person_id]
    offsets = (-5, -1, 0, 1, 2)  # days from today: escalated, overdue, due today, due soon
    items[-DUE:] = [
        dataclasses.replace(it, due_date=today + timedelta(days=offsets[i % len(offsets)]))
        for i, it in enumerate(items[-DUE:])
    ]
    dynamodb = aws("dynamodb")
    batch_write(dynamodb, TABLE, captured_items(lambda s: [s.put_person(p) for p in people]))
    batch_write(
        dynamodb,
        TABLE,
        captured_items(lambda s: [open_deadline(s, i, expires_at=TTL) for i in items]),
    )


def calls_on(aws: Any, day: date) -> tuple[dict[str, int], dict[str, Any]]:
    with counting_dynamodb_calls(aws("dynamodb")) as calls:
        result = run_check(day)
    return dict(calls.by_operation), result


@pytest.mark.xdist_group("deadline-scale")
def test_daily_check_never_scans_and_costs_the_same_with_twice_the_staff(aws: Any) -> None:
    store = Store(TABLE)
    store.put_school(SCALE_SCHOOL.id, {"config": SCALE_SCHOOL.model_dump_json()})
    record_headteacher(store, SCALE_SCHOOL.id, "scale-school.s00000")
    week_later = SCALE_TODAY + timedelta(days=7)

    seed_scale_staff(aws, 0, 5_000, SCALE_TODAY)
    small, small_result = calls_on(aws, SCALE_TODAY)

    # A week later the school has twice the staff; last week's items are done (closed) and
    # DUE new ones are due or overdue.
    for item in due_items(store, SCALE_SCHOOL.id, SCALE_TODAY + timedelta(days=2)):
        assert close_deadline(store, item.pk, item.sk)
    seed_scale_staff(aws, 5_000, 10_000, week_later)
    large, large_result = calls_on(aws, week_later)
    print(f"DynamoDB calls, 5,000 open cycles: {small}; 10,000: {large}")

    assert small.get("Scan", 0) == 0 and large.get("Scan", 0) == 0
    assert small == large
    assert small_result["items"] == large_result["items"] == DUE
    # 10 reviewers and the headteacher (escalations): one digest each.
    assert small_result["digests_queued"] == large_result["digests_queued"] == 11


def test_4_1_digest_dates_carry_the_year_and_a_saturday_31_october_moves_before_half_term(
    aws: Any, opened: Any
) -> None:
    # 4.1: teachers are reviewed by 31 October; in 2026 that is a Saturday at the end of
    # Oakfield's half term (26-30 October), so the last working day before it is Friday 23rd.
    deputy = opened.people["oakfield-primary.op002"]
    run_check(WEDNESDAY)
    email = digest(aws, deputy.person_id, WEDNESDAY)
    assert email is not None
    assert "was due Friday 23 October 2026, 3 working days ago" in email["text"]
    assert "Friday 23 October 2026" in email["html"]
    assert "Saturday" not in email["text"] and "Sunday" not in email["text"]


def test_nobody_is_reminded_or_escalated_about_someone_not_in_post_4_1(aws: Any, demo: Any) -> None:
    # Given Emma's draft statement overdue and escalated, and Emma gone since Friday (her item
    # left open, as if her leaving had been recorded some other way than the import)
    head, sarah = "oakfield-primary.op001", "oakfield-primary.op003"
    emma: Person = demo.people["oakfield-primary.op004"]
    item = OpenItem(
        pk=f"PERSON#{emma.person_id}",
        sk="DUE#2026-27#draft-statement",
        school_id="oakfield-primary",
        subject_id=emma.person_id,
        responsible_id=sarah,
        event="draft-statement",
        due_date=date(2026, 10, 23),
        link=f"/people/{emma.person_id}/forms/draft-statement",
        title="Draft statement for Emma Clarke",
    )
    record_headteacher(demo.store, "oakfield-primary", head)
    assert open_deadline(demo.store, item, expires_at=TTL)
    demo.store.put_person(emma.model_copy(update={"leaving_date": date(2026, 10, 30)}))
    # When the daily check runs on Wednesday
    result = run_check(WEDNESDAY)
    # Then neither her reviewer nor the headteacher hears about her
    for person_id in (sarah, head):
        email = digest(aws, person_id, WEDNESDAY)
        assert email is None or "Emma Clarke" not in email["text"]
    assert result["not_in_post"] >= 1
