"""What a re-imported roster changes: a pure diff of the people held against the school's new roster.

Each person falls in exactly one group:

- added: in the roster, not held. Staff get a cycle (4.1): a new starter whose first day falls in
  the current cycle, or later, gets a first cycle from that day, shortened to end with everyone
  else's (`first_cycle`); someone who started before the current cycle is only new to Growth Cycle
  and gets the current regular cycle. Governors and external advisers get no cycle (3: they take
  part but are not reviewed).
- left: held and not yet left, and now either missing from the roster (the import day is taken as
  their last day: the file does not say) or given a leaving date. Their cycle closes on the leaving
  date (`close_for_leaver`). Nobody is deleted: their records are kept (7: six years from the end
  of the cycle), and their person record keeps the leaving date.
- updated: held and in the roster, with different details (`fields` names which).
- unchanged: the rest, including people who left before and are still absent.

A person is matched by person id (school id + staff id, `person_id_for`), so a changed email
address is an update of the same person, never a leaver and a new starter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from growthcycle.domain.cycles import (
    Cycle,
    close_for_leaver,
    current_cycle,
    cycle_ends,
    first_cycle,
    fixed_term_of,
)
from growthcycle.domain.people import Exclusion, Person, appraisal_exclusion
from growthcycle.domain.staff import Roster, StaffMember
from growthcycle.domain.trust import CycleSettings

# The roster's own fields, in the order a change is reported.
COMPARED_FIELDS: tuple[str, ...] = (
    "staff_id",
    "first_name",
    "last_name",
    "email",
    "roles",
    "job_title",
    "line_manager_id",
    "fte",
    "qualified_teacher",
    "start_date",
    "leaving_date",
    "contract_type",
    "contract_end_date",
    "induction_start",
    "induction_end",
)


# 3: the fields that decide whether, and for how long, a member of staff is appraised.
SECTION_3_FIELDS: frozenset[str] = frozenset(
    {"start_date", "contract_type", "contract_end_date", "induction_start", "induction_end"}
)


@dataclass(frozen=True)
class Added:
    person: Person
    cycle: Cycle | None  # None for governors and external advisers, and the excluded (3)
    excluded: Exclusion | None = None  # 3: why a member of staff has no cycle (induction ...)


@dataclass(frozen=True)
class Updated:
    before: Person
    after: Person
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Left:
    before: Person
    after: Person  # as it will be kept: with the leaving date, other details from the roster
    leaving_date: date
    cycle: Cycle | None  # the closed cycle; None for governors and external advisers
    missing: bool  # True: absent from the roster; False: the roster gave a leaving date
    fields: tuple[str, ...]  # the details that changed, leaving_date included


@dataclass(frozen=True)
class RosterChanges:
    school_id: str
    added: tuple[Added, ...] = ()
    updated: tuple[Updated, ...] = ()
    left: tuple[Left, ...] = ()
    unchanged: tuple[Person, ...] = ()
    people_to_write: tuple[Person, ...] = field(default=(), repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.left)

    def leaving_share(self) -> tuple[int, int]:
        """(staff made leavers, staff held and not yet left): what the sync's guard weighs."""
        leaving = sum(1 for left in self.left if left.before.is_staff)
        held = [*self.unchanged, *(u.before for u in self.updated), *(x.before for x in self.left)]
        in_post = sum(1 for p in held if p.is_staff and p.leaving_date is None)
        return leaving, in_post


class TooManyLeavers(Exception):
    """A sync would make more of a school's staff leavers than the trust allows at once: most
    likely the MIS or Wonde lost people rather than the school losing staff. Nothing is applied."""

    def __init__(self, leaving: int, in_post: int, max_percent: int) -> None:
        self.leaving, self.in_post, self.max_percent = leaving, in_post, max_percent
        super().__init__(
            f"{leaving} of the school's {in_post} staff would become leavers, more than the "
            f"{max_percent}% the trust file allows in one sync (wonde.max_leavers_percent)"
        )


def check_leavers(changes: RosterChanges, max_percent: int) -> None:
    """Raise `TooManyLeavers` when more than `max_percent` of the staff in post would leave."""
    leaving, in_post = changes.leaving_share()
    if leaving and leaving * 100 > max_percent * in_post:
        raise TooManyLeavers(leaving, in_post, max_percent)


def starting_cycle(member: StaffMember, today: date, settings: CycleSettings) -> Cycle | None:
    """A newly added person's cycle (see the module docstring); None for non-staff and for
    staff not appraised on the day they are first in post (3, `appraisal_exclusion`)."""
    if not member.is_staff or appraisal_exclusion(member, max(today, member.start_date)):
        return None
    fixed_term = fixed_term_of(member)
    current = current_cycle(member.roles, today, settings, fixed_term=fixed_term)
    if fixed_term is not None:
        return current  # 3: a contract of under a year is its own cycle, from its first day
    if member.start_date < current.starts:
        return current  # not a new starter: new to Growth Cycle only
    # 4.1: a new starter's first cycle is shortened to align with everyone else's.
    return first_cycle(current.group, member.start_date, cycle_ends(settings))


def closed_cycle(person: StaffMember, leaving_date: date, settings: CycleSettings) -> Cycle | None:
    """A leaver's cycle, closed on their last day; None for non-staff and for staff not
    appraised on that day, who had none (3)."""
    if not person.is_staff or appraisal_exclusion(person, leaving_date):
        return None
    cycle = current_cycle(person.roles, leaving_date, settings, fixed_term=fixed_term_of(person))
    return close_for_leaver(cycle, leaving_date)


def _changed_fields(before: StaffMember, after: StaffMember) -> tuple[str, ...]:
    return tuple(f for f in COMPARED_FIELDS if getattr(before, f) != getattr(after, f))


def _kept(member: StaffMember, before: Person | None) -> Person:
    """The person record to keep: the roster's details, plus what Growth Cycle learnt. A bounced
    address stays suppressed until the address itself changes."""
    suppressed = bool(before and before.email_suppressed and before.email == member.email)
    return Person(**member.model_dump(), email_suppressed=suppressed)


def diff_roster(
    held: Iterable[Person], roster: Roster, *, today: date, settings: CycleSettings
) -> RosterChanges:
    """Compare the people held for the roster's school with the new roster (see the module doc)."""
    held_by_id = {p.person_id: p for p in held if p.school_id == roster.school_id}
    added: list[Added] = []
    updated: list[Updated] = []
    left: list[Left] = []
    unchanged: list[Person] = []
    to_write: list[Person] = []

    for member in roster:
        before = held_by_id.get(member.person_id)
        after = _kept(member, before)
        if before is None:
            first_day = max(today, member.start_date)
            added.append(
                Added(
                    after,
                    starting_cycle(member, today, settings),
                    appraisal_exclusion(member, first_day),
                )
            )
            to_write.append(after)
            continue
        fields = _changed_fields(before, after)
        if not fields:
            unchanged.append(before)
            continue
        to_write.append(after)
        if member.leaving_date is not None and before.leaving_date is None:
            cycle = closed_cycle(member, member.leaving_date, settings)
            left.append(Left(before, after, member.leaving_date, cycle, False, fields))
        else:
            updated.append(Updated(before, after, fields))

    in_roster = {m.person_id for m in roster}
    for person_id, before in held_by_id.items():
        if person_id in in_roster:
            continue
        if before.leaving_date is not None:
            unchanged.append(before)  # left before; still absent
            continue
        leaving = max(today, before.start_date)
        after = before.model_copy(update={"leaving_date": leaving})
        cycle = closed_cycle(before, leaving, settings)
        left.append(Left(before, after, leaving, cycle, True, ("leaving_date",)))
        to_write.append(after)

    return RosterChanges(
        school_id=roster.school_id,
        added=tuple(added),
        updated=tuple(updated),
        left=tuple(left),
        unchanged=tuple(unchanged),
        people_to_write=tuple(to_write),
    )
