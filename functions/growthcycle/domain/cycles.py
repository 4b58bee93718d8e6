"""Cycle dates (4.1): when each group's cycle runs, new starters, leavers, and capability pauses.

How 4.1 is read here: "performance planning and reviews must be completed for all teachers by 31
October and for Headteachers by 31 December ... The performance management cycle ... will
*therefore* run from ___ to ___". So each group's cycle ENDS on its review date, and the next
cycle starts the day after: the planning and review meeting that closes one cycle (and plans the
next) is complete by that date.

| group                 | cycle                  | source |
|-----------------------|------------------------|--------|
| teacher               | 1 November - 31 October | 4.1   |
| headteacher           | 1 January - 31 December | 4.1   |
| support-academic-year | 1 September - 31 August | 4.1   |
| support-april-march   | 1 April - 31 March      | 4.1   |

A trust may move an end date (its `cycle.teachers_due` / `headteacher_due`) through `ends`.

Fixed-term contracts (3): "the length of the cycle will be determined by the duration of their
contract" for one of less than one year: `current_cycle(..., fixed_term=fixed_term_of(person))`
gives the contract's own cycle (first day to last), so the review is never due after it ends.

A cycle is named by the years it spans, by its start year first: 1 November 2026 - 31 October 2027
is `2026-27`; a calendar-year cycle is `2027`.

Capability (3, 4.1): the procedure suspends the clocks, and they restart when it ends. A due date
is PUSHED by the working days the suspension covered (from its first day up to the day before the
clocks restart). That is the same as pausing: the working days a clock had left when the
suspension began are counted again from the day it ends. A due date before the suspension began is
left alone; while the suspension is open, a due date has no value (None). The cycle's own end date
is not moved: 4.1 wants everyone's cycles aligned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.people import contract_days
from growthcycle.domain.staff import StaffMember
from growthcycle.domain.trust import CycleSettings


class StaffGroup(StrEnum):
    TEACHER = "teacher"
    HEADTEACHER = "headteacher"
    SUPPORT_ACADEMIC_YEAR = "support-academic-year"
    SUPPORT_APRIL_MARCH = "support-april-march"


class CycleDateInvalid(ValueError):
    """A date given for a cycle (a start, a leaving date, a suspension) does not fit it."""


MonthDay = tuple[int, int]

# 4.1: the day each group's planning and review is complete, which is the day its cycle ends.
CYCLE_ENDS: Mapping[StaffGroup, MonthDay] = MappingProxyType(
    {
        StaffGroup.TEACHER: (10, 31),  # 4.1: teachers by 31 October
        StaffGroup.HEADTEACHER: (12, 31),  # 4.1: headteachers by 31 December
        StaffGroup.SUPPORT_ACADEMIC_YEAR: (8, 31),  # 4.1: support staff, the academic year
        StaffGroup.SUPPORT_APRIL_MARCH: (3, 31),  # 4.1: or the year ending 31 March
    }
)

# 3: "a fixed term contract of less than one year": its cycle is set by its length.
ONE_YEAR = timedelta(days=365)

# 7: statements are kept for at least six years from the date the cycle ends.
RETENTION_YEARS = 6


def staff_group(role: str, support_staff_cycle: str = "academic-year") -> StaffGroup:
    """The cycle group for a role (`headteacher`, `teacher`, `support`, ...)."""
    if role == "headteacher":
        return StaffGroup.HEADTEACHER
    if role == "support":
        return StaffGroup(f"support-{support_staff_cycle}")
    return StaffGroup.TEACHER


def _on(month_day: MonthDay, year: int) -> date:
    return date(year, *month_day)


@dataclass(frozen=True)
class Suspension:
    """A capability procedure (3, 4.1): clocks stop on `starts` and restart on `ends`."""

    starts: date
    ends: date | None = None  # the day the procedure ends and the clocks restart; None: open

    def __post_init__(self) -> None:
        if self.ends is not None and self.ends < self.starts:
            raise CycleDateInvalid("a suspension cannot end before it starts")


@dataclass(frozen=True)
class Cycle:
    group: StaffGroup
    starts: date
    ends: date
    cycle_id: str
    closed_early: str | None = None  # why the cycle ended before its regular end (a leaver)

    @property
    def review_due(self) -> date:
        """4.1: the planning and review is complete by the end of the cycle."""
        return self.ends

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.starts <= day <= self.ends


def _cycle_id(starts: date, ends: date) -> str:
    if starts.year == ends.year:
        return f"{starts.year}"
    return f"{starts.year}-{ends.year % 100:02d}"


def regular_cycle(
    group: StaffGroup | str, day: date, ends: Mapping[StaffGroup, MonthDay] | None = None
) -> Cycle:
    """The group's regular cycle that `day` falls in."""
    group = StaffGroup(group)
    month_day = {**CYCLE_ENDS, **(ends or {})}[group]
    end = _on(month_day, day.year)
    if end < day:
        end = _on(month_day, day.year + 1)
    previous_end = _on(month_day, end.year - 1)
    start = previous_end + timedelta(days=1)
    return Cycle(group, start, end, _cycle_id(start, end))


def first_cycle(
    group: StaffGroup | str, start_date: date, ends: Mapping[StaffGroup, MonthDay] | None = None
) -> Cycle:
    """A new starter's first cycle (4.1): from their first day, shortened to end with everyone
    else's, so it keeps the regular cycle's id. The headteacher (or the governing body, for a
    headteacher) may decide otherwise; that is a decision recorded elsewhere, not computed here.
    """
    regular = regular_cycle(group, start_date, ends)
    return replace(regular, starts=start_date)


def close_for_leaver(cycle: Cycle, leaving_date: date) -> Cycle:
    """A leaver's cycle closes on their last day."""
    if leaving_date not in cycle:
        raise CycleDateInvalid(
            f"leaving date {leaving_date.isoformat()} is outside cycle {cycle.cycle_id} "
            f"({cycle.starts.isoformat()} to {cycle.ends.isoformat()})"
        )
    return replace(cycle, ends=leaving_date, closed_early="left the school")


def retain_until(cycle: Cycle, years: int = RETENTION_YEARS) -> date:
    """7: keep the statements at least `years` years from the date the cycle ends."""
    end = cycle.ends
    try:
        return end.replace(year=end.year + years)
    except ValueError:  # 29 February: the next day keeps it "at least" that long
        return date(end.year + years, 3, 1)


def suspended_working_days(suspension: Suspension, calendar: WorkingCalendar) -> int | None:
    """Working days the clocks stood still: from `starts` to the day before `ends`."""
    if suspension.ends is None:
        return None
    return calendar.working_days_between(suspension.starts, suspension.ends - timedelta(days=1))


def resume_due_date(due: date, suspension: Suspension, calendar: WorkingCalendar) -> date | None:
    """A clock's due date after a capability suspension (3, 4.1): pushed by the suspended working
    days. Unchanged if it fell before the suspension; None while the suspension is open."""
    if due < suspension.starts:
        return due
    pushed = suspended_working_days(suspension, calendar)
    if pushed is None:
        return None
    return calendar.add_working_days(due, pushed)


def role_group(roles: Iterable[str], support_staff_cycle: str = "academic-year") -> StaffGroup:
    """A person's cycle group from all their roles (4.1), the one rule every caller asks:

    - the headteacher (one who also teaches is still the headteacher): 1 January - 31 December;
    - anyone who teaches: the teachers' cycle;
    - support staff: the school's support staff cycle, even when they also line manage or lead
      CPD (those roles are duties, not a post: a school business manager who line manages the
      office is support staff, 4.1 "all support staff");
    - the rest (a leader with only line-manager or cpd-lead on the roster): the teachers' cycle.
    """
    held = set(roles)
    if "headteacher" in held:
        return StaffGroup.HEADTEACHER
    if "teacher" in held:
        return StaffGroup.TEACHER
    if "support" in held:
        return staff_group("support", support_staff_cycle)
    return StaffGroup.TEACHER


def _month_day(text: str) -> MonthDay:
    month, day = text.split("-")
    return int(month), int(day)


def cycle_ends(settings: CycleSettings | None) -> Mapping[StaffGroup, MonthDay]:
    """The school's own review dates (4.1: `cycle.teachers_due`, `headteacher_due`), as the
    cycle end day by group; the policy's for a school with no settings."""
    if settings is None:
        return CYCLE_ENDS
    return MappingProxyType(
        {
            **CYCLE_ENDS,
            StaffGroup.TEACHER: _month_day(settings.teachers_due),
            StaffGroup.HEADTEACHER: _month_day(settings.headteacher_due),
        }
    )


def latest_cycle(regular: Cycle, restarts: Sequence[Cycle], today: date) -> Cycle:
    """The cycle a person is in today: the latest restart (a transfer, 4.1) that has begun
    within the regular cycle, else the regular one."""
    begun = [c for c in restarts if c.starts <= today and c.ends == regular.ends]
    return max(begun, key=lambda c: c.starts) if begun else regular


@dataclass(frozen=True)
class FixedTerm:
    """A fixed-term contract of less than one year (3): its first and last day."""

    starts: date
    ends: date


def fixed_term_of(person: StaffMember) -> FixedTerm | None:
    """3: the person's fixed-term contract when it is of less than one year (its cycle is set by
    its length, `current_cycle`); None for a permanent or longer contract."""
    length = contract_days(person)
    if length is None or length >= ONE_YEAR or person.contract_end_date is None:
        return None
    return FixedTerm(person.start_date, person.contract_end_date)


def current_cycle(
    roles: Iterable[str],
    day: date,
    settings: CycleSettings | None,
    restarts: Sequence[Cycle] = (),
    *,
    fixed_term: FixedTerm | None = None,
) -> Cycle:
    """THE current cycle (4.1): the regular cycle `day` falls in for a person with these roles,
    by their school's cycle settings (None: the policy's dates), or the cycle that began again
    on a transfer (`restarts`, domain/special_cases.py). The web pages, the daily check and the
    staff import all ask this one function, so a person has one cycle id and one end date.

    3: on a fixed-term contract of less than one year (`fixed_term`, from `fixed_term_of`) the
    cycle is the contract, from its first day to its last, so the review is due by the day it
    ends, never after. It takes the id of the regular cycle its last day falls in (a January to
    July contract for a teacher is `2026-27`, 4 January - 21 July 2027). After the contract's last
    day the regular cycle again (someone kept on, whose roster says so with a new end date)."""
    support = settings.support_staff_cycle if settings is not None else "academic-year"
    group = role_group(roles, support)
    ends = cycle_ends(settings)
    if fixed_term is not None and day <= fixed_term.ends:
        regular_end = regular_cycle(group, fixed_term.ends, ends)
        return replace(regular_end, starts=fixed_term.starts, ends=fixed_term.ends)
    regular = regular_cycle(group, day, ends)
    return latest_cycle(regular, restarts, day)


def next_cycle(cycle: Cycle, roles: Iterable[str], settings: CycleSettings | None) -> Cycle:
    """The cycle after `cycle` (4.1: the next one starts the day after it ends)."""
    return current_cycle(roles, cycle.ends + timedelta(days=1), settings)
