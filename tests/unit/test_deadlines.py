"""Due, overdue, escalated and the daily digest; what a cycle opens (4.1, seed 003). No AWS."""

from __future__ import annotations

from datetime import date

import pytest

from growthcycle.domain.calendar import ClosureDays, WorkingCalendar
from growthcycle.domain.cycles import Cycle, current_cycle
from growthcycle.domain.deadlines import (
    CYCLE_END,
    PLANNING_REVIEW,
    REFLECTION,
    DueStatus,
    OpenItem,
    about_people_in_post,
    assess,
    build_digests,
    cycle_deadlines,
    cycles_ending,
    idempotency_key,
    next_cycle_start,
    planning_review_deadlines,
    reflection_boundaries,
    reflection_deadlines,
    reminder_window_end,
    working_days_overdue,
)
from growthcycle.domain.people import Person
from growthcycle.domain.reviewers import HeadteacherReviewers
from growthcycle.domain.trust import School

ENGLAND = WorkingCalendar("england")
# October half term 2026 (Monday 26 to Friday 30 October).
HALF_TERM = WorkingCalendar(
    "england", ClosureDays.of({date(2026, 10, 26 + i): "October half term" for i in range(5)})
)


def person_cycle(person: Person, school: School, day: date) -> Cycle:
    return current_cycle(person.roles, day, school.cycle)


def d(text: str) -> date:
    return date.fromisoformat(text)


def item(
    due: str,
    *,
    responsible: str = "s.teacher",
    event: str = "draft-statement",
    school: str = "oakfield",
    subject: str = "s.reviewee",
) -> OpenItem:
    return OpenItem(
        pk=f"PERSON#{subject}",
        sk=f"DUE#2026-27#{event}#{due}#{responsible}",
        school_id=school,
        subject_id=subject,
        responsible_id=responsible,
        event=event,
        due_date=d(due),
        link=f"/people/{subject}/forms/{event}",
        title=f"{event} for {subject}",
    )


def line(it: OpenItem, today: str, calendar: WorkingCalendar = ENGLAND, escalate: int = 3):
    day = d(today)
    return assess(
        it,
        day,
        calendar,
        escalation_working_days=escalate,
        window_end=reminder_window_end(calendar, day),
    )


# --- due and overdue ---------------------------------------------------------------------------


def test_reminder_window_reaches_two_working_days_ahead_over_a_weekend() -> None:
    # Thursday 5 November 2026: Friday and Monday are the next two working days.
    assert reminder_window_end(ENGLAND, d("2026-11-05")) == d("2026-11-09")


def test_item_due_within_the_window_is_due_and_beyond_it_is_not_mentioned() -> None:
    assert line(item("2026-11-09"), "2026-11-05").status is DueStatus.DUE
    assert line(item("2026-11-10"), "2026-11-05") is None


def test_item_due_on_a_saturday_is_mentioned_on_the_friday_before() -> None:
    assert line(item("2026-10-31"), "2026-10-30").status is DueStatus.DUE


def test_item_due_today_says_due_today() -> None:
    assert line(item("2026-11-05"), "2026-11-05").status is DueStatus.DUE_TODAY


def test_overdue_counts_working_days_after_the_due_date_up_to_today() -> None:
    # Due Friday 6 November; Monday 9 is 1 working day late, Wednesday 11 is 3.
    assert working_days_overdue(ENGLAND, d("2026-11-06"), d("2026-11-09")) == 1
    assert working_days_overdue(ENGLAND, d("2026-11-06"), d("2026-11-11")) == 3
    found = line(item("2026-11-06"), "2026-11-09")
    assert found.status is DueStatus.OVERDUE and found.working_days_overdue == 1


def test_escalated_once_overdue_by_the_escalation_working_days() -> None:
    assert not line(item("2026-11-06"), "2026-11-10").escalated  # 2 working days
    assert line(item("2026-11-06"), "2026-11-11").escalated  # 3 working days


def test_escalation_does_not_count_half_term_or_weekends() -> None:
    # Due Friday 23 October, then a weekend, half term and a weekend: Monday 2 November is
    # only the first working day overdue; Wednesday 4 November the third.
    assert line(item("2026-10-23"), "2026-11-03", HALF_TERM).working_days_overdue == 2
    assert not line(item("2026-10-23"), "2026-11-03", HALF_TERM).escalated
    assert line(item("2026-10-23"), "2026-11-04", HALF_TERM).escalated


def test_escalation_threshold_is_the_trusts_setting() -> None:
    assert line(item("2026-11-06"), "2026-11-09", escalate=1).escalated
    assert not line(item("2026-11-06"), "2026-11-13", escalate=6).escalated


def test_reflections_are_never_escalated() -> None:
    late = line(item("2026-10-01", event=REFLECTION), "2026-11-11")
    assert late.status is DueStatus.OVERDUE and not late.escalated


# --- the digest ----------------------------------------------------------------------------------


def test_one_digest_per_person_with_everything_due_or_overdue_for_them() -> None:
    today = "2026-11-11"
    lines = [
        line(item("2026-11-12", responsible="a"), today),
        line(item("2026-11-10", responsible="a", subject="x"), today),
        line(item("2026-11-11", responsible="b"), today),
    ]
    digests = build_digests(lines, {}, d(today))
    assert set(digests) == {"a", "b"}
    assert [ln.item.due_date for ln in digests["a"].own] == [d("2026-11-10"), d("2026-11-12")]
    assert len(digests["a"].overdue) == 1 and len(digests["a"].due) == 1


def test_headteacher_gets_one_digest_with_their_own_items_and_the_escalations() -> None:
    today = "2026-11-11"
    lines = [
        line(item("2026-11-12", responsible="head"), today),
        line(item("2026-11-02", responsible="a"), today),  # 7 working days late
        line(item("2026-11-10", responsible="b"), today),  # 1: not escalated
    ]
    digests = build_digests(lines, {"oakfield": "head"}, d(today))
    head = digests["head"]
    assert [ln.item.responsible_id for ln in head.own] == ["head"]
    assert [ln.item.responsible_id for ln in head.escalations] == ["a"]
    assert len(head) == 2


def test_headteachers_own_overdue_item_is_not_escalated_to_themselves() -> None:
    lines = [line(item("2026-11-02", responsible="head"), "2026-11-11")]
    head = build_digests(lines, {"oakfield": "head"}, d("2026-11-11"))["head"]
    assert len(head.own) == 1 and head.escalations == []


def test_escalation_goes_to_the_headteacher_of_the_items_school() -> None:
    lines = [line(item("2026-11-02", responsible="a", school="riverside"), "2026-11-11")]
    digests = build_digests(lines, {"oakfield": "head-o", "riverside": "head-r"}, d("2026-11-11"))
    assert set(digests) == {"a", "head-r"}


def test_a_school_without_a_headteacher_still_reminds_the_person_responsible() -> None:
    lines = [line(item("2026-11-02", responsible="a"), "2026-11-11")]
    assert set(build_digests(lines, {}, d("2026-11-11"))) == {"a"}


def test_digest_key_is_one_per_person_per_day() -> None:
    assert idempotency_key("oakfield-primary.op004", d("2026-11-11")) == (
        "digest:oakfield-primary.op004:2026-11-11"
    )


# --- what a cycle opens ---------------------------------------------------------------------------


def school(**overrides) -> School:
    settings = {"id": "oakfield", "name": "Oakfield", "nation": "england"}
    return School.model_validate({"policy_style": "performance", **settings, **overrides})


def person(staff_id: str, roles: tuple[str, ...], manager: str | None = None, **extra) -> Person:
    return Person(
        person_id=f"oakfield.{staff_id}",
        school_id="oakfield",
        staff_id=staff_id,
        first_name=staff_id.title(),
        last_name="Clarke",
        email=f"{staff_id}@oakfield.example",
        roles=roles,
        job_title=extra.pop("job_title", "Teacher"),
        line_manager_id=manager,
        fte=None if "governor" in roles else 1.0,
        qualified_teacher=True,
        start_date=d("2020-09-01"),
        **extra,
    )


STAFF = [
    person("head", ("headteacher",)),
    person("deputy", ("line-manager", "teacher"), "head"),
    person("amy", ("teacher",), "deputy"),
    person("ta", ("support",), "deputy"),
    person("nolm", ("teacher",)),
    person("gov2", ("governor",), job_title="Parent Governor"),
    person("gov1", ("governor",), job_title="Chair of Governors"),
]


def test_planning_review_due_by_each_groups_review_date_with_the_reviewer_responsible() -> None:
    delegated = school(reviewers={"mode": "line-managers"})  # 4.2, option 2
    items = {i.subject_id: i for i in planning_review_deadlines(delegated, STAFF, d("2026-11-11"))}
    assert set(items) == {
        "oakfield.head",
        "oakfield.deputy",
        "oakfield.amy",
        "oakfield.ta",
        "oakfield.nolm",
    }
    # 4.1: teachers by 31 October, the headteacher by 31 December, support staff the year's end;
    # 31 October 2027 is a Sunday, so the due date is Friday 29 October.
    assert items["oakfield.amy"].due_date == d("2027-10-29")
    assert items["oakfield.head"].due_date == d("2026-12-31")
    assert items["oakfield.ta"].due_date == d("2027-08-31")
    assert items["oakfield.amy"].responsible_id == "oakfield.deputy"
    assert items["oakfield.nolm"].responsible_id == "oakfield.head"  # no line manager
    assert items["oakfield.head"].responsible_id == "oakfield.gov1"  # 4.2: the chair
    assert items["oakfield.amy"].link == "/people/oakfield.amy/forms/planning-review"
    assert items["oakfield.amy"].title == "Planning and review meeting for Amy Clarke"
    assert items["oakfield.amy"].sk == "DUE#2026-27#planning-review"
    assert items["oakfield.amy"].event == PLANNING_REVIEW


def test_reminders_go_to_the_reviewer_of_record_4_2() -> None:
    today = d("2026-11-11")
    # 4.2, option 1: the headteacher reviews everyone, so the headteacher is reminded.
    items = {i.subject_id: i for i in planning_review_deadlines(school(), STAFF, today)}
    assert items["oakfield.amy"].responsible_id == "oakfield.head"
    # An explicit assignment wins over the mode; the headteacher's appointed governors are
    # reminded of the headteacher's review rather than the chair.
    appointment = HeadteacherReviewers(
        cycle_id="2026",
        governor_ids=("oakfield.gov2",),
        foundation_ids=(),
        adviser_id="",
        adviser_kind="external-adviser",
        qa_ids=("oakfield.gov1",),
    )
    items = {
        i.subject_id: i
        for i in planning_review_deadlines(
            school(reviewers={"mode": "line-managers"}),
            STAFF,
            today,
            assigned={"oakfield.amy": "oakfield.nolm"},
            appointment=appointment,
        )
    }
    assert items["oakfield.amy"].responsible_id == "oakfield.nolm"
    assert items["oakfield.ta"].responsible_id == "oakfield.deputy"
    assert items["oakfield.head"].responsible_id == "oakfield.gov2"


def test_support_staff_on_april_march_are_due_by_31_march() -> None:
    april = school(cycle={"support_staff_cycle": "april-march"})
    [ta] = [i for i in planning_review_deadlines(april, STAFF, d("2026-11-11")) if "ta" in i.pk]
    assert ta.due_date == d("2027-03-31")


def test_headteacher_without_a_governor_has_no_planning_review_opened() -> None:
    no_governors = [p for p in STAFF if "governor" not in p.roles]
    subjects = {
        i.subject_id for i in planning_review_deadlines(school(), no_governors, d("2026-11-11"))
    }
    assert "oakfield.head" not in subjects and "oakfield.amy" in subjects


def test_leavers_and_governors_get_no_deadlines() -> None:
    left = person("gone", ("teacher",), "head", leaving_date=d("2026-10-01"))
    subjects = {
        i.subject_id for i in planning_review_deadlines(school(), [*STAFF, left], d("2026-11-11"))
    }
    assert not subjects & {"oakfield.gone", "oakfield.gov1", "oakfield.gov2"}


CLOSURES = {
    "apply": True,
    "days": [
        {"date": "2026-09-01", "reason": "INSET day"},
        {"from": "2026-10-26", "to": "2026-10-30", "reason": "October half term"},
        {"date": "2026-11-02", "reason": "INSET day"},
        {"from": "2026-12-21", "to": "2027-01-01", "reason": "Christmas holiday"},
        {"date": "2027-01-04", "reason": "INSET day"},
        {"from": "2027-02-15", "to": "2027-02-19", "reason": "February half term"},
        {"from": "2027-03-26", "to": "2027-04-09", "reason": "Easter holiday"},
        {"from": "2027-05-31", "to": "2027-06-04", "reason": "Whitsun half term"},
        {"from": "2027-07-20", "to": "2027-08-31", "reason": "Summer holiday"},
    ],
}


def growth(**overrides) -> School:
    return school(policy_style="growth", closures=CLOSURES, **overrides)


def test_half_term_reflections_fall_on_the_first_working_day_after_each_holiday() -> None:
    cycle = person_cycle(STAFF[2], growth(reflection_rhythm="half-term"), d("2026-11-11"))
    assert reflection_boundaries(growth(reflection_rhythm="half-term"), cycle) == [
        d("2026-11-03"),  # after October half term and the INSET day on 2 November
        d("2027-01-05"),  # after Christmas and the INSET day on 4 January
        d("2027-02-22"),
        d("2027-04-12"),
        d("2027-06-07"),
        d("2027-09-01"),
    ]


def test_termly_reflections_follow_only_the_end_of_term_breaks() -> None:
    cycle = person_cycle(STAFF[2], growth(), d("2026-11-11"))
    assert reflection_boundaries(growth(reflection_rhythm="termly"), cycle) == [
        d("2027-01-05"),
        d("2027-04-12"),
        d("2027-09-01"),
    ]


def test_without_holidays_listed_reflections_come_every_six_weeks_from_the_cycle_start() -> None:
    plain = school(policy_style="growth", reflection_rhythm="half-term")
    cycle = person_cycle(STAFF[2], plain, d("2026-11-11"))  # starts Sunday 1 November 2026
    days = reflection_boundaries(plain, cycle)
    assert days[:2] == [d("2026-12-14"), d("2027-01-25")]  # Sunday 13 Dec moves to Monday


def test_monthly_reflections_fall_on_the_first_working_day_of_each_month() -> None:
    cycle = person_cycle(STAFF[2], growth(reflection_rhythm="monthly"), d("2026-11-11"))
    days = reflection_boundaries(growth(reflection_rhythm="monthly"), cycle)
    assert days[:3] == [d("2026-12-01"), d("2027-01-05"), d("2027-02-01")]


def test_each_member_of_staff_in_a_growth_school_gets_their_next_reflection() -> None:
    items = reflection_deadlines(growth(reflection_rhythm="half-term"), STAFF, d("2026-11-11"))
    amy = next(i for i in items if i.subject_id == "oakfield.amy")
    assert amy.responsible_id == "oakfield.amy" and amy.event == REFLECTION
    assert amy.due_date == d("2027-01-05") and amy.link == "/forms/reflection"
    assert amy.sk == "DUE#2026-27#reflection#2027-01-05"
    assert not any("gov" in i.subject_id for i in items)


@pytest.mark.parametrize(
    "settings",
    [{"policy_style": "performance"}, {"policy_style": "growth", "reflection_rhythm": "none"}],
)
def test_no_reflections_in_a_performance_school_or_with_no_rhythm(settings) -> None:
    assert reflection_deadlines(school(**settings), STAFF, d("2026-11-11")) == []


def test_4_1_a_31_october_on_a_saturday_or_sunday_is_brought_back_to_the_friday() -> None:
    # 31 October 2026 is a Saturday, 31 October 2027 a Sunday (real calendars, England).
    due_2026 = {
        i.subject_id: i.due_date
        for i in planning_review_deadlines(school(), STAFF, d("2025-11-11"))
    }
    due_2027 = {
        i.subject_id: i.due_date
        for i in planning_review_deadlines(school(), STAFF, d("2026-11-11"))
    }
    assert due_2026["oakfield.amy"] == d("2026-10-30")
    assert due_2027["oakfield.amy"] == d("2027-10-29")
    assert d("2027-10-29").strftime("%A") == "Friday"
    # A 31 December that is a working day (Thursday 2026) stays where it is.
    assert due_2027["oakfield.head"] == d("2026-12-31")


def test_4_1_a_review_date_in_the_schools_closure_moves_to_the_last_working_day_before() -> None:
    closed = school(
        closures={
            "apply": True,
            "days": [{"from": "2026-12-21", "to": "2027-01-01", "reason": "Christmas holiday"}],
        }
    )
    items = {i.subject_id: i for i in planning_review_deadlines(closed, STAFF, d("2026-11-11"))}
    # 4.1: the headteacher's 31 December falls in the Christmas closure: Friday 18 December.
    assert items["oakfield.head"].due_date == d("2026-12-18")


# --- how cycles open and roll (4.1) ------------------------------------------------------------


def test_a_cycle_opens_its_planning_review_and_its_end_which_is_never_reminded_4_1() -> None:
    openings = {
        (o.item.subject_id, o.item.event): o
        for o in cycle_deadlines(school(), STAFF, d("2026-11-11"))
    }
    review = openings[("oakfield.amy", PLANNING_REVIEW)]
    end = openings[("oakfield.amy", CYCLE_END)]
    assert end.item.sk == "DUE#2026-27#cycle-end" and end.item.due_date == d("2027-10-31")
    assert review.cycle_ends == end.cycle_ends == d("2027-10-31")  # 7: the TTL counts from it
    # The headteacher's cycle ends on 31 December; governors have none (3).
    assert openings[("oakfield.head", CYCLE_END)].item.due_date == d("2026-12-31")
    assert not {s for s, _ in openings} & {"oakfield.gov1", "oakfield.gov2"}
    # A cycle's end is rolled by the daily check, not put in anyone's digest.
    assert line(end.item, "2027-10-29") is None
    assert line(end.item, "2027-11-03") is None


def test_only_the_cycles_ended_by_today_roll_and_the_next_starts_the_day_after_4_1() -> None:
    ends = item("2026-10-31", event=CYCLE_END)
    later = item("2027-10-31", event=CYCLE_END)
    review = item("2026-10-30", event=PLANNING_REVIEW)
    assert cycles_ending([ends, later, review], d("2026-10-31")) == [ends]
    assert cycles_ending([ends, later, review], d("2026-10-30")) == []
    assert next_cycle_start(ends) == d("2026-11-01")


def test_the_next_cycle_opens_from_its_first_day_for_one_person_only_4_1() -> None:
    openings = cycle_deadlines(school(), STAFF, d("2027-11-01"), subjects={"oakfield.amy"})
    assert {o.item.subject_id for o in openings} == {"oakfield.amy"}
    assert {o.item.sk for o in openings} == {
        "DUE#2027-28#planning-review",
        "DUE#2027-28#cycle-end",
    }


def test_nobody_is_reminded_or_escalated_about_someone_not_in_post_4_1() -> None:
    gone = person("gone", ("teacher",), "head", leaving_date=d("2026-11-06"))
    stays = person("stays", ("teacher",), "head")
    lines = [
        line(item("2026-11-04", subject="oakfield.gone"), "2026-11-09"),
        line(item("2026-11-04", subject="oakfield.stays"), "2026-11-09"),
        line(item("2026-11-04", subject="oakfield.unknown"), "2026-11-09"),
    ]
    people = {p.person_id: p for p in (gone, stays)}
    kept = about_people_in_post([x for x in lines if x], people, d("2026-11-09"))
    assert [x.item.subject_id for x in kept] == ["oakfield.stays", "oakfield.unknown"]
    # Their last day still counts.
    assert len(about_people_in_post([x for x in lines if x], people, d("2026-11-06"))) == 3
