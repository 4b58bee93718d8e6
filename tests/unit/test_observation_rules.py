"""The observation protocol (Appendix 3) and the training themes (4.7, 10) as plain rules: no AWS."""

from __future__ import annotations

import datetime as dt
from datetime import date, time
from typing import Any

import pytest

from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.cycles import Cycle, StaffGroup
from growthcycle.domain.forms import RESOURCES, FormContext, load_forms
from growthcycle.domain.observations import (
    STYLE_RULES,
    BookingRefused,
    Observation,
    Plan,
    cap_minutes,
    check_booking,
    copy_recipients,
    earliest_day,
    may_book,
    may_see,
    parse_time,
)
from growthcycle.domain.people import Person
from growthcycle.domain.training import (
    build_digest,
    by_theme,
    classify,
    digest_key,
    needs_from_statement,
    split_needs,
)

ENGLAND = WorkingCalendar("england")
CYCLE = Cycle(StaffGroup.TEACHER, date(2026, 11, 1), date(2027, 10, 31), "2026-27")
MONDAY = date(2026, 11, 9)


def person(staff_id: str, **extra: Any) -> Person:
    fields: dict[str, Any] = {
        "person_id": f"oak.{staff_id}",
        "school_id": "oak",
        "staff_id": staff_id,
        "first_name": staff_id.title(),
        "last_name": "Example",
        "email": f"{staff_id}@oak.example",
        "roles": ("teacher",),
        "job_title": "Teacher",
        "line_manager_id": "lm",
        "fte": 1.0,
        "qualified_teacher": True,
        "start_date": dt.date(2020, 9, 1),
    }
    fields.update(extra)
    return Person(**fields)


REVIEWEE = person("t1")
MANAGER = person("lm", roles=("line-manager", "teacher"), line_manager_id="head")
HEAD = person("head", roles=("headteacher",), line_manager_id=None)
TA = person("ta", roles=("support",), qualified_teacher=False)


def plan(day: date = date(2026, 11, 17), minutes: int = 60, revision_ref: str = "") -> Plan:
    return Plan(
        observer_id=MANAGER.person_id,
        focus="Questioning",
        purpose="Evidence for objective 1",
        day=day,
        at=time(9, 15),
        duration_minutes=minutes,
        revision_ref=revision_ref,
    )


def booked(minutes: int, obs_id: str = "x") -> Observation:
    return Observation(
        obs_id=obs_id,
        school_id="oak",
        cycle_id="2026-27",
        style="performance",
        reviewee_id=REVIEWEE.person_id,
        observer_id=MANAGER.person_id,
        booked_by=MANAGER.person_id,
        booked_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        plan={},
        day=date(2026, 11, 12),
        at="09:00",
        duration_minutes=minutes,
        notice_by=date(2026, 11, 5),
        feedback_due=date(2026, 11, 13),
        record_due=date(2026, 11, 19),
    )


def check(p: Plan, *, observer: Person | None = MANAGER, reviewee: Person = REVIEWEE, **kw: Any):
    return check_booking(
        p,
        observer=observer,
        reviewee=reviewee,
        style=kw.pop("style", "performance"),
        cycle=CYCLE,
        booked=kw.pop("booked", []),
        today=kw.pop("today", MONDAY),
        calendar=ENGLAND,
    )


def codes(refused: pytest.ExceptionInfo[BookingRefused]) -> list[str]:
    return [p.code for p in refused.value.problems]


# --- App 3.1 -----------------------------------------------------------------------------------


def test_observer_must_be_a_qualified_teacher_app_3_1() -> None:
    with pytest.raises(BookingRefused) as refused:
        check(plan(), observer=TA)
    assert codes(refused) == ["observer-not-qualified"]
    assert "qualified teacher" in refused.value.problems[0].message


def test_observer_must_be_of_the_same_school_app_3_1() -> None:
    stranger = person("x1", school_id="elsewhere", person_id="elsewhere.x1")
    with pytest.raises(BookingRefused) as refused:
        check(plan(), observer=stranger)
    assert codes(refused) == ["observer-unknown"]


def test_nobody_observes_themselves_app_3_1() -> None:
    with pytest.raises(BookingRefused) as refused:
        check(plan(), observer=REVIEWEE)
    assert codes(refused) == ["observer-is-reviewee"]


# --- App 3.5 -----------------------------------------------------------------------------------


def test_notice_at_least_one_week_before_app_3_5() -> None:
    # A visit on Tuesday 17 November: notice by Tuesday 10 November.
    assert check(plan(date(2026, 11, 17)), today=date(2026, 11, 10)).notice_by == date(2026, 11, 10)
    with pytest.raises(BookingRefused) as refused:
        check(plan(date(2026, 11, 17)), today=date(2026, 11, 11))
    assert codes(refused) == ["notice-too-short"]
    message = refused.value.problems[0].message
    assert "Tuesday 10 November 2026" in message and "week" in message


def test_notice_day_on_a_bank_holiday_moves_back_to_the_working_day_before_app_3_5() -> None:
    # Monday 4 January 2027: a week before is Monday 28 December, a bank holiday in England
    # (Boxing Day moved), and Friday 25 is Christmas Day: notice by Thursday 24 December.
    assert check(plan(date(2027, 1, 4)), today=date(2026, 12, 24)).notice_by == date(2026, 12, 24)
    with pytest.raises(BookingRefused):
        check(plan(date(2027, 1, 4)), today=date(2026, 12, 29))


def test_earliest_bookable_day_is_a_week_away_app_3_5() -> None:
    assert earliest_day(MONDAY, ENGLAND, "performance") == date(2026, 11, 16)


def test_observation_must_fall_within_the_cycle_app_3_3() -> None:
    with pytest.raises(BookingRefused) as refused:
        check(plan(date(2027, 11, 15)))
    assert "outside-cycle" in codes(refused)


# --- App 3.4 and 3.16 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fte", "minutes"), [(1.0, 180), (0.6, 108), (0.5, 90), (0.8, 144), (0.33, 59), (None, 180)]
)
def test_observation_total_capped_at_three_hours_pro_rata_app_3_4(
    fte: float | None, minutes: int
) -> None:
    assert cap_minutes(fte, "performance") == minutes
    assert cap_minutes(fte, "growth") == minutes


def test_booking_beyond_the_cap_is_refused_saying_minutes_remaining_app_3_4() -> None:
    part_time = person("pt", fte=0.6)
    with pytest.raises(BookingRefused) as refused:
        check(plan(minutes=60), reviewee=part_time, booked=[booked(60)])
    assert codes(refused) == ["over-cap"]
    assert "48 minutes remain" in refused.value.problems[0].message
    ok = check(plan(minutes=48), reviewee=part_time, booked=[booked(60)])
    assert ok.minutes_after == 108 and not ok.beyond_cap


def test_extra_observation_only_with_a_revision_reference_app_3_16() -> None:
    over = check(plan(minutes=60, revision_ref="REV-2027-03"), booked=[booked(150)])
    assert over.beyond_cap
    with pytest.raises(BookingRefused):
        check(plan(minutes=60, revision_ref="   "), booked=[booked(150)])


def test_cancelled_observations_do_not_count_towards_the_cap_app_3_4() -> None:
    cancelled = booked(180).model_copy(update={"status": "cancelled"})
    assert check(plan(minutes=180), booked=[cancelled]).minutes_before == 0


def test_every_broken_rule_is_reported_at_once() -> None:
    with pytest.raises(BookingRefused) as refused:
        check(plan(minutes=200), observer=TA, booked=[], today=date(2026, 11, 16))
    assert set(codes(refused)) == {"observer-not-qualified", "notice-too-short", "over-cap"}


# --- App 3.11 and 3.13 ---------------------------------------------------------------------------


def test_feedback_within_one_and_record_within_five_working_days_app_3_11_3_13() -> None:
    # Friday 20 November: feedback by Monday 23, record by Friday 27.
    booking = check(plan(date(2026, 11, 20)))
    assert booking.feedback_due == date(2026, 11, 23)
    assert booking.record_due == date(2026, 11, 27)


def test_copies_to_the_reviewee_and_the_line_manager_app_3_13_3_14() -> None:
    by_manager = booked(30)
    assert copy_recipients(by_manager, REVIEWEE) == [REVIEWEE.person_id]
    by_someone_else = by_manager.model_copy(update={"observer_id": "oak.other"})
    assert copy_recipients(by_someone_else, REVIEWEE) == [REVIEWEE.person_id, "oak.lm"]


def test_who_may_book_and_see_observations_7() -> None:
    assert may_book(MANAGER, REVIEWEE) and may_book(HEAD, REVIEWEE)
    assert not may_book(person("t2"), REVIEWEE) and not may_book(REVIEWEE, REVIEWEE)
    assert may_see(REVIEWEE, REVIEWEE) and may_see(MANAGER, REVIEWEE) and may_see(HEAD, REVIEWEE)
    assert not may_see(person("t2"), REVIEWEE)
    observer_view = booked(30).model_copy(update={"observer_id": "oak.t2"})
    assert may_see(person("t2"), REVIEWEE, observer_view)
    assert not may_see(person("t2", school_id="other"), REVIEWEE)


def test_time_of_day_is_read_on_the_24_hour_clock() -> None:
    assert parse_time("9:15") == time(9, 15)
    assert parse_time("13.40") == time(13, 40)
    assert parse_time("25:00") is None and parse_time("nine") is None


# --- seed 002 --------------------------------------------------------------------------------------


def test_growth_observation_has_no_grade_seed_002() -> None:
    record = load_forms(RESOURCES / "forms" / "observations").get("observation-record")
    growth_keys = {f.key for f in record.fields_for("growth")}
    performance_keys = {f.key for f in record.fields_for("performance")}
    assert "judgement" in performance_keys
    assert "judgement" not in growth_keys
    assert not STYLE_RULES["growth"].graded and STYLE_RULES["growth"].developmental
    # A judgement posted to a growth record is dropped, never stored.
    values = {
        "feedback_meeting_on": "2026-11-18",
        "notes": "n",
        "feedback": "f",
        "action_points": "a",
        "judgement": "strong",
    }
    clean = record.validate(values, FormContext(style="growth"))
    assert "judgement" not in clean


def test_observation_forms_are_not_per_cycle_forms() -> None:
    # Booked through their own pages (notice, cap, observer checked), never the generic form route.
    assert "observation-plan" not in load_forms() and "observation-record" not in load_forms()


# --- 4.7 and 10: training needs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("Autism awareness training", "send"),
        ("Support for pupils with an EHCP", "send"),
        ("Behaviour management in Year 9", "behaviour"),
        ("Phonics refresher (RWI)", "reading"),
        ("Maths mastery course", "maths"),
        ("Better use of retrieval practice", "assessment"),
        ("NPQ for middle leaders", "leadership"),
        ("Subject knowledge: KS3 chemistry curriculum", "subject-knowledge"),
        ("Workload and wellbeing support", "wellbeing"),
        ("First aid certificate", "other"),
        ("Sending parents newsletters", "other"),  # "sending" is not SEND
        ("Presenting to governors", "other"),  # "present" is not SEN
    ],
)
def test_training_needs_classified_by_theme_for_governors_report_10(text: str, theme: str) -> None:
    assert classify(text) == theme


def test_a_need_a_line_from_the_statement_4_7() -> None:
    assert split_needs("- Phonics training\n2) Coaching\n\nNone\n• Team teaching") == [
        "Phonics training",
        "Coaching",
        "Team teaching",
    ]
    now = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    needs = needs_from_statement(
        {"training_needs": "Phonics training", "support": "Coaching from the maths lead"},
        ["training_needs"],
        school_id="oak",
        person_id="oak.t1",
        cycle_id="2026-27",
        now=now,
    )
    # 4.7: the training needs box goes to the CPD lead; agreed support stays in the statement.
    assert [(n.source_ref, n.theme) for n in needs] == [
        ("planning-review:training_needs", "reading"),
    ]
    again = needs_from_statement(
        {"training_needs": "phonics   TRAINING"},
        ["training_needs"],
        school_id="oak",
        person_id="oak.t1",
        cycle_id="2026-27",
        now=now,
    )
    assert again[0].need_id == needs[0].need_id  # the same need is the same item
    counts = by_theme(needs)
    assert counts["reading"]["open"] == 1 and counts["maths"]["open"] == 0


def test_training_digest_once_per_lead_per_iso_week_4_7() -> None:
    assert digest_key("oak.lm", date(2026, 11, 9)) == digest_key("oak.lm", date(2026, 11, 15))
    assert digest_key("oak.lm", date(2026, 11, 9)) != digest_key("oak.lm", date(2026, 11, 16))
    now = dt.datetime(2026, 11, 9, 7, tzinfo=dt.UTC)
    old, new = (
        needs_from_statement(
            {"training_needs": text},
            ["training_needs"],
            school_id="oak",
            person_id="oak.t1",
            cycle_id="2026-27",
            now=at,
        )[0]
        for text, at in (("Phonics", now - dt.timedelta(days=20)), ("Maths", now))
    )
    digest = build_digest("oak.lm", [new, old], date(2026, 11, 9))
    assert [n.text for n in digest.new] == ["Maths"]
    assert [n.text for n in digest.older] == ["Phonics"]
