"""Special cases of a person's cycle (3, 4.1): the capability procedure, and a transfer to a new
post part-way through a cycle. Pure: dates and records in, decisions out.

Capability (3, 4.1): "where serious weaknesses are identified ... this procedure should cease and
the issues will be managed within the school's capability procedure. The performance management
process will be re-commenced when the reviewee's performance has reached a satisfactory level."
So the headteacher suspends the person's cycle: its clocks stop (their open due dates leave the
daily check) and, on resumption, each due date is pushed by the working days the suspension covered
(domain/cycles.py `resume_due_date`). The cycle keeps its id and its end date.

Transfer (4.1): "where a member of staff transfers to a new post within the school part-way through
a cycle, the headteacher ... shall determine whether the cycle shall begin again and whether to
change the reviewer." Beginning again gives a new cycle from the transfer date, shortened to end
with everyone else's (`first_cycle`); its id names the regular cycle and the day it began, so the
old cycle's records stay where they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.cycles import (
    Cycle,
    CycleDateInvalid,
    MonthDay,
    StaffGroup,
    Suspension,
    first_cycle,
    latest_cycle,
    resume_due_date,
    suspended_working_days,
)
from growthcycle.domain.forms import format_date


class CapabilityConflict(Exception):
    """Someone changed the capability record at the same moment."""


class CyclePaused(Exception):
    """3, 4.1: the cycle is paused for the capability procedure, so nothing in it is saved. The
    message is what the person is told (no reason given: 7)."""

    def __init__(self, since: date) -> None:
        super().__init__(paused_refusal(since))
        self.since = since


class TransferRefused(ValueError):
    """A transfer the headteacher entered cannot be recorded; `key` is the field it is about."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


PAUSED_NOTE = (
    "This cycle is paused, so its due dates are on hold. They carry on, moved on by the days "
    "it was paused, when the headteacher restarts it (3, 4.1)."
)


def paused_refusal(since: date) -> str:
    """What a person is told when they try to change a paused cycle's records (3, 4.1). No
    reason is given (7)."""
    return (
        f"This cycle has been paused since {format_date(since)}, so nothing in it can be saved or "
        "signed until the headteacher restarts it (3, 4.1). Nothing you typed has been lost: it "
        "is below, not saved. Keep a copy if you need it."
    )


class AlreadySuspended(ValueError):
    """The cycle is already paused for the capability procedure."""


class NotSuspended(ValueError):
    """The cycle is not paused, so there is nothing to resume."""


@dataclass(frozen=True)
class CapabilityRecord:
    """A person's capability suspensions in one cycle, oldest first; the last may be open."""

    person_id: str
    cycle_id: str
    periods: tuple[Suspension, ...] = ()

    @property
    def current(self) -> Suspension | None:
        last = self.periods[-1] if self.periods else None
        return last if last is not None and last.ends is None else None

    @property
    def suspended(self) -> bool:
        return self.current is not None

    def suspend(self, starts: date) -> CapabilityRecord:
        if self.suspended:
            raise AlreadySuspended("This cycle is already paused for the capability procedure.")
        if self.periods and self.periods[-1].ends is not None and starts < self.periods[-1].ends:
            raise CycleDateInvalid("a new suspension cannot start before the last one ended")
        return replace(self, periods=(*self.periods, Suspension(starts=starts)))

    def resume(self, ends: date) -> CapabilityRecord:
        current = self.current
        if current is None:
            raise NotSuspended("This cycle is not paused, so there is nothing to resume.")
        ended = Suspension(starts=current.starts, ends=ends)  # CycleDateInvalid if before it
        return replace(self, periods=(*self.periods[:-1], ended))


def pushed_due_dates(
    paused: Mapping[str, date], suspension: Suspension, calendar: WorkingCalendar
) -> dict[str, date]:
    """3, 4.1: each paused due date (by key) pushed by the working days the suspension covered."""
    if suspension.ends is None:
        raise NotSuspended("the suspension has not ended yet")
    pushed: dict[str, date] = {}
    for key, due in paused.items():
        moved = resume_due_date(due, suspension, calendar)
        assert moved is not None  # an ended suspension always gives a date
        pushed[key] = moved
    return pushed


def paused_working_days(suspension: Suspension, calendar: WorkingCalendar) -> int:
    days = suspended_working_days(suspension, calendar)
    return 0 if days is None else days


# --- transfer to a new post (4.1) -------------------------------------------------------------

TransferChoice = Literal["restart", "keep"]


@dataclass(frozen=True)
class Transfer:
    person_id: str
    transfer_date: date
    choice: TransferChoice
    old_cycle_id: str
    new_cycle: Cycle | None  # only when the cycle begins again


def restarted_cycle(
    group: StaffGroup | str,
    transfer_date: date,
    ends: Mapping[StaffGroup, MonthDay] | None = None,
) -> Cycle:
    """4.1: the cycle begins again on the transfer date, shortened to align with everyone else's.
    Its id is the regular cycle's with the transfer date, such as `2026-27-from-2027-01-18`."""
    first = first_cycle(group, transfer_date, ends)
    return replace(first, cycle_id=f"{first.cycle_id}-from-{transfer_date.isoformat()}")


def plan_transfer(
    person_id: str,
    current: Cycle,
    transfer_date: date,
    choice: TransferChoice,
    ends: Mapping[StaffGroup, MonthDay] | None = None,
) -> Transfer:
    if transfer_date not in current:
        raise CycleDateInvalid(
            f"the transfer date must fall in the current cycle, {current.starts.strftime('%-d %B %Y')} "
            f"to {current.ends.strftime('%-d %B %Y')}"
        )
    new_cycle = restarted_cycle(current.group, transfer_date, ends) if choice == "restart" else None
    return Transfer(person_id, transfer_date, choice, current.cycle_id, new_cycle)


__all__ = ["latest_cycle"]  # the rule lives in domain/cycles.py (`current_cycle` asks it)
