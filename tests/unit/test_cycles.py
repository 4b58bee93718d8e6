"""Cycle dates (4.1), leavers, retention (7) and capability suspensions (3, 4.1)."""

from __future__ import annotations

from datetime import date

import pytest

from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.cycles import (
    CycleDateInvalid,
    StaffGroup,
    Suspension,
    close_for_leaver,
    first_cycle,
    regular_cycle,
    resume_due_date,
    retain_until,
    staff_group,
    suspended_working_days,
)

ENGLAND = WorkingCalendar("england")


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("group", "day", "starts", "ends", "cycle_id"),
    [
        # 4.1: teachers' planning and review complete by 31 October.
        (StaffGroup.TEACHER, "2027-03-01", "2026-11-01", "2027-10-31", "2026-27"),
        (StaffGroup.TEACHER, "2026-10-31", "2025-11-01", "2026-10-31", "2025-26"),
        (StaffGroup.TEACHER, "2026-11-01", "2026-11-01", "2027-10-31", "2026-27"),
        # 4.1: the headteacher's by 31 December.
        (StaffGroup.HEADTEACHER, "2027-03-01", "2027-01-01", "2027-12-31", "2027"),
        # 4.1: support staff on the academic year, or the year ending 31 March.
        (StaffGroup.SUPPORT_ACADEMIC_YEAR, "2027-03-01", "2026-09-01", "2027-08-31", "2026-27"),
        (StaffGroup.SUPPORT_APRIL_MARCH, "2027-03-01", "2026-04-01", "2027-03-31", "2026-27"),
        (StaffGroup.SUPPORT_APRIL_MARCH, "2027-04-01", "2027-04-01", "2028-03-31", "2027-28"),
    ],
)
def test_each_groups_cycle_ends_on_its_review_date(
    group: StaffGroup, day: str, starts: str, ends: str, cycle_id: str
) -> None:
    cycle = regular_cycle(group, d(day))
    assert (cycle.starts, cycle.ends, cycle.cycle_id) == (d(starts), d(ends), cycle_id)
    assert cycle.review_due == d(ends)


def test_a_trust_may_move_the_teachers_review_date() -> None:
    cycle = regular_cycle("teacher", d("2027-03-01"), ends={StaffGroup.TEACHER: (9, 30)})
    assert (cycle.starts, cycle.ends) == (d("2026-10-01"), d("2027-09-30"))


def test_new_starters_first_cycle_is_shortened_to_end_with_everyone_elses() -> None:
    cycle = first_cycle(StaffGroup.TEACHER, d("2027-01-04"))
    assert (cycle.starts, cycle.ends, cycle.cycle_id) == (
        d("2027-01-04"),
        d("2027-10-31"),
        "2026-27",
    )


def test_a_leavers_cycle_closes_on_their_last_day() -> None:
    cycle = close_for_leaver(regular_cycle("teacher", d("2027-03-01")), d("2027-04-09"))
    assert cycle.ends == d("2027-04-09")
    assert cycle.closed_early == "left the school"


def test_a_leaving_date_outside_the_cycle_is_refused() -> None:
    with pytest.raises(CycleDateInvalid):
        close_for_leaver(regular_cycle("teacher", d("2027-03-01")), d("2027-11-01"))


def test_statements_are_kept_six_years_from_the_end_of_the_cycle() -> None:
    assert retain_until(regular_cycle("teacher", d("2027-03-01"))) == d("2033-10-31")
    leaver = close_for_leaver(regular_cycle("teacher", d("2028-02-01")), d("2028-02-29"))
    assert retain_until(leaver) == d("2034-03-01")


def test_staff_group_follows_role_and_the_schools_support_staff_choice() -> None:
    assert staff_group("headteacher") is StaffGroup.HEADTEACHER
    assert staff_group("teacher") is StaffGroup.TEACHER
    assert staff_group("support", "april-march") is StaffGroup.SUPPORT_APRIL_MARCH
    assert staff_group("support") is StaffGroup.SUPPORT_ACADEMIC_YEAR


# --- capability suspends the clocks (3, 4.1) ------------------------------------------------------


def test_capability_pushes_a_due_date_by_the_suspended_working_days() -> None:
    # Draft due Fri 9 Oct 2026; capability from Mon 5 Oct, clocks restart Mon 19 Oct.
    # Suspended working days: 5-9 and 12-16 Oct = 10; Fri 9 Oct + 10 working days = Fri 23 Oct.
    # (The same as pausing: 5 working days were left on 5 Oct; counted again from 19 Oct.)
    suspension = Suspension(d("2026-10-05"), d("2026-10-19"))
    assert suspended_working_days(suspension, ENGLAND) == 10
    assert resume_due_date(d("2026-10-09"), suspension, ENGLAND) == d("2026-10-23")


def test_a_due_date_before_the_suspension_is_left_alone() -> None:
    suspension = Suspension(d("2026-10-05"), d("2026-10-19"))
    assert resume_due_date(d("2026-10-02"), suspension, ENGLAND) == d("2026-10-02")


def test_an_open_suspension_leaves_no_due_date() -> None:
    assert resume_due_date(d("2026-10-09"), Suspension(d("2026-10-05")), ENGLAND) is None


def test_holidays_inside_a_suspension_do_not_count_as_suspended_days() -> None:
    # Mon 21 Dec 2026 to restart Mon 4 Jan 2027: 21, 22, 23, 24, 29, 30, 31 Dec = 7 working days.
    suspension = Suspension(d("2026-12-21"), d("2027-01-04"))
    assert suspended_working_days(suspension, ENGLAND) == 7


def test_a_suspension_cannot_end_before_it_starts() -> None:
    with pytest.raises(CycleDateInvalid):
        Suspension(d("2026-10-19"), d("2026-10-05"))
