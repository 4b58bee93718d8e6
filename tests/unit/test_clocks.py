"""The policy's clocks: a table of rules, and due dates explained.

Expected dates are worked out by hand from a printed calendar, not from the code under test.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from growthcycle.domain.calendar import ClosureDays, WorkingCalendar
from growthcycle.domain.clocks import (
    EVENTS,
    POLICY_CLOCKS,
    Direction,
    InvalidClockOverride,
    PolicyStyle,
    Unit,
    UnknownEvent,
    clock_rule,
    clock_rules,
    due_date,
)

ENGLAND = WorkingCalendar("england")


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_every_clock_in_the_domain_table_is_a_row_with_its_source() -> None:
    expected = {
        "meeting-notice": (Direction.NOTICE, Unit.WORKING_DAYS, 5, "4.3"),
        "draft-statement": (Direction.AFTER, Unit.WORKING_DAYS, 5, "4.9"),
        "final-statement": (Direction.AFTER, Unit.WORKING_DAYS, 10, "4.9"),
        "moderation": (Direction.AFTER, Unit.WORKING_DAYS, 10, "5"),
        "revised-statement": (Direction.AFTER, Unit.WORKING_DAYS, 10, "5"),
        "planning-review": (Direction.BY, Unit.WORKING_DAYS, 0, "4.1"),
        "mid-year-review": (Direction.BY, Unit.WORKING_DAYS, 0, "4.8"),
        "observation-notice": (Direction.NOTICE, Unit.CALENDAR_DAYS, 7, "App 3.5"),
        "observation-feedback": (Direction.AFTER, Unit.WORKING_DAYS, 1, "App 3.11"),
        "observation-record": (Direction.AFTER, Unit.WORKING_DAYS, 5, "App 3.13"),
    }
    rows = {r.event: (r.direction, r.unit, r.amount, r.source) for r in POLICY_CLOCKS}
    assert rows == expected
    assert set(EVENTS) == set(expected)


def test_both_policy_styles_keep_the_same_clocks() -> None:
    # Seeds 002/003 (growth style) set no different timescales.
    assert dict(clock_rules(PolicyStyle.GROWTH)) == dict(clock_rules(PolicyStyle.PERFORMANCE))


@pytest.mark.parametrize(
    ("event", "start", "expected"),
    [
        # Mon 5 Oct 2026 meeting: draft by Mon 12 Oct, final and moderation by Mon 19 Oct.
        ("draft-statement", "2026-10-05", "2026-10-12"),
        ("final-statement", "2026-10-05", "2026-10-19"),
        ("moderation", "2026-10-05", "2026-10-19"),
        # Instruction Wed 16 Dec 2026: 17, 18, 21, 22, 23, 24, 29, 30, 31 Dec, 4 Jan.
        ("revised-statement", "2026-12-16", "2027-01-04"),
        # Lesson on Thu 24 Dec 2026: next working day is Tue 29 Dec (25 and 28 are holidays).
        ("observation-feedback", "2026-12-24", "2026-12-29"),
        # Lesson Thu 25 Mar 2027: skip Good Friday 26 Mar and Easter Monday 29 Mar;
        # counted 30, 31 Mar, 1, 2, 5 Apr.
        ("observation-record", "2027-03-25", "2027-04-05"),
    ],
)
def test_working_day_clocks_after_an_event_in_england(
    event: str, start: str, expected: str
) -> None:
    assert due_date(event, d(start), ENGLAND).due == d(expected)


def test_draft_due_five_working_days_after_meeting() -> None:
    explanation = due_date("draft-statement", d("2026-12-23"), WorkingCalendar("scotland"))
    assert explanation.due == d("2027-01-05")
    text = "\n".join(explanation.lines)
    assert "within 5 working days" in text
    assert "policy 4.9" in text
    assert "2027-01-04 (Monday): New Year Holiday (observed) (public holiday, Scotland)" in text
    assert "2026-12-25 (Friday): Christmas Day (public holiday, Scotland)" in text


@pytest.mark.parametrize(
    ("nation", "meeting", "last_notice_day"),
    [
        # Mon 12 Oct 2026: notice days 5-9 Oct, so notice by Fri 2 Oct.
        ("england", "2026-10-12", "2026-10-02"),
        # Wed 6 Jan 2027: notice days 29, 30, 31 Dec, 4, 5 Jan; the working day before 29 Dec
        # is Thu 24 Dec (25 and 28 Dec are holidays).
        ("england", "2027-01-06", "2026-12-24"),
        # Scotland also loses Mon 4 Jan: notice days 24, 29, 30, 31 Dec, 5 Jan; notice by 23 Dec.
        ("scotland", "2027-01-06", "2026-12-23"),
        # Thu 19 Mar 2026 in Northern Ireland: 17 March does not count; 11, 12, 13, 16, 18 March.
        ("northern-ireland", "2026-03-19", "2026-03-10"),
        ("england", "2026-03-19", "2026-03-11"),
    ],
)
def test_meeting_notice_is_the_last_working_day_leaving_five_working_days_before_the_meeting(
    nation: str, meeting: str, last_notice_day: str
) -> None:
    explanation = due_date("meeting-notice", d(meeting), WorkingCalendar(nation))
    assert explanation.due == d(last_notice_day)
    assert any(line.startswith("definition:") for line in explanation.lines)
    assert explanation.lines[-1].startswith("last day notice may be given:")


@pytest.mark.parametrize(
    ("nation", "visit", "last_notice_day"),
    [
        # One calendar week before Thu 15 Oct 2026.
        ("england", "2026-10-15", "2026-10-08"),
        # A week before Mon 4 Jan 2027 is Mon 28 Dec, a holiday: back to Thu 24 Dec.
        ("england", "2027-01-04", "2026-12-24"),
        # A week before Mon 19 Jul 2027 is Mon 12 Jul: a holiday in Northern Ireland only.
        ("northern-ireland", "2027-07-19", "2027-07-09"),
        ("england", "2027-07-19", "2027-07-12"),
    ],
)
def test_observation_notice_is_one_calendar_week_before_on_a_working_day(
    nation: str, visit: str, last_notice_day: str
) -> None:
    assert due_date("observation-notice", d(visit), WorkingCalendar(nation)).due == d(
        last_notice_day
    )


def test_mid_year_review_is_due_by_the_last_working_day_of_the_cycle() -> None:
    # The teachers' cycle ends Sun 31 Oct 2027; the last working day is Fri 29 Oct.
    assert due_date("mid-year-review", d("2027-10-31"), ENGLAND).due == d("2027-10-29")


def test_closure_days_push_a_due_date_and_are_explained() -> None:
    calendar = WorkingCalendar(
        "england", ClosureDays.of({d("2026-10-07"): "INSET day", d("2026-10-08"): "INSET day"})
    )
    explanation = due_date("draft-statement", d("2026-10-05"), calendar)
    assert explanation.due == d("2026-10-14")
    assert "skipped: 2026-10-07 (Wednesday): school closed: INSET day" in explanation.lines


def test_a_trust_override_changes_the_amount_and_says_so() -> None:
    rule = clock_rule("draft-statement", overrides={"draft-statement": 3})
    assert rule.amount == 3
    assert rule.policy_amount == 5
    explanation = due_date(
        "draft-statement", d("2026-10-05"), ENGLAND, overrides={"draft-statement": 3}
    )
    assert explanation.due == d("2026-10-08")
    assert any("trust override: 3 working days (the policy says 5)" in x for x in explanation.lines)


def test_overrides_leave_the_policy_table_alone() -> None:
    clock_rules(overrides={"moderation": 15})
    assert clock_rule("moderation").amount == 10


@pytest.mark.parametrize("overrides", [{"draft-statement": -1}, {"draft-statement": True}])
def test_a_negative_or_non_integer_override_is_refused(overrides: dict[str, int]) -> None:
    with pytest.raises(InvalidClockOverride):
        clock_rules(overrides=overrides)


def test_an_override_for_an_unknown_event_is_refused() -> None:
    with pytest.raises(UnknownEvent):
        clock_rules(overrides={"coffee-break": 2})


def test_an_unknown_event_is_refused_by_name() -> None:
    with pytest.raises(UnknownEvent, match="coffee-break"):
        due_date("coffee-break", d("2026-10-05"), ENGLAND)


# --- properties ----------------------------------------------------------------------------------

NATIONS = ("england", "wales", "scotland", "northern-ireland")
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=150, deadline=None)
@given(nation=st.sampled_from(NATIONS), meeting=dates)
def test_notice_on_the_last_notice_day_gives_five_working_days_and_a_day_later_does_not(
    nation: str, meeting: date
) -> None:
    calendar = WorkingCalendar(nation)
    notice = due_date("meeting-notice", meeting, calendar).due
    assert calendar.is_working_day(notice)

    def days_of_notice(given_on: date) -> int:
        return calendar.working_days_between(
            given_on + timedelta(days=1), meeting - timedelta(days=1)
        )

    assert days_of_notice(notice) >= 5
    assert days_of_notice(calendar.add_working_days(notice, 1)) < 5


@settings(max_examples=150, deadline=None)
@given(
    nation=st.sampled_from(NATIONS),
    start=dates,
    event=st.sampled_from([e for e in EVENTS if clock_rule(e).direction is Direction.AFTER]),
)
def test_clocks_after_an_event_fall_on_a_working_day_after_it(
    nation: str, start: date, event: str
) -> None:
    calendar = WorkingCalendar(nation)
    due = due_date(event, start, calendar).due
    assert due > start
    assert calendar.is_working_day(due)
