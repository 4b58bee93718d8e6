"""A person as Growth Cycle holds them: a roster row (domain/staff.py) plus what the system learns
about them (an email address that bounced), and the two questions every layer asks of people:
is this person still in post, and who is the school's headteacher."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from growthcycle.domain.staff import StaffMember


class Person(StaffMember):
    email_suppressed: bool = False  # a bounce or complaint: send nothing until it is fixed

    @classmethod
    def from_member(cls, member: StaffMember) -> Person:
        return cls(**member.model_dump())

    @property
    def is_headteacher(self) -> bool:
        return "headteacher" in self.roles


def in_post(person: StaffMember, today: date) -> bool:
    """Still in post today: no leaving date, or one not yet passed (their last day still counts).

    The one rule for sessions, sign-in links, emailed links, reminders and pickers: a leaver
    (leaving date before today) is signed out, gets no link and no reminder, and is offered to
    nobody. Whether the person is reviewed at all is `is_staff` and `appraisal_exclusion` (3),
    asked separately."""
    return person.leaving_date is None or person.leaving_date >= today


# 3: "contracts of less than two KCC terms". A term is taken as 13 weeks (as domain/deadlines.py
# FALLBACK_WEEKS does for a termly rhythm), so two terms are 26 weeks: a September to December
# contract is less, a January to July one is not.
TWO_TERMS = timedelta(weeks=26)

IN_INDUCTION = "in induction"
SHORT_CONTRACT = "on a contract of less than two terms"


@dataclass(frozen=True)
class Exclusion:
    """Why a member of staff is not appraised (3), and until when (None: no end known)."""

    reason: str  # IN_INDUCTION or SHORT_CONTRACT
    until: date | None

    @property
    def shown(self) -> str:
        """The words the pages show: "Not appraised this year: in induction (section 3)"."""
        return f"Not appraised this year: {self.reason} (section 3)"


def contract_days(person: StaffMember) -> timedelta | None:
    """A fixed-term contract's length, first day to last; None for a permanent one."""
    if person.contract_end_date is None:
        return None
    return person.contract_end_date - person.start_date + timedelta(days=1)


def in_induction(person: StaffMember, day: date) -> bool:
    """3: a teacher "undergoing their formal year of induction" on `day`: from induction_start
    (or their first day, when only the end is given) up to and including induction_end (no end:
    still in induction)."""
    if person.induction_start is None and person.induction_end is None:
        return False
    begins = person.induction_start or person.start_date
    return begins <= day and (person.induction_end is None or day <= person.induction_end)


def appraisal_exclusion(person: StaffMember, day: date) -> Exclusion | None:
    """THE rule for section 3's exclusions, asked by every caller (the staff import, the
    openers and the daily check's rolling in domain/deadlines.py, the pages): a member of staff
    in their induction on `day`, or on a contract of less than two terms, gets no appraisal
    cycle and no reminders, and is shown as not appraised. None: appraised as usual (and for
    governors and external advisers, who are not staff: `is_staff`)."""
    if not person.is_staff:
        return None
    if in_induction(person, day):
        return Exclusion(IN_INDUCTION, person.induction_end)
    length = contract_days(person)
    if length is not None and length < TWO_TERMS:
        return Exclusion(SHORT_CONTRACT, person.contract_end_date)
    return None


def headteacher_of(people: Iterable[Person]) -> Person | None:
    """The school's headteacher among `people` (one school's); with two (a roster mid-handover),
    the first by person id, so every caller picks the same one."""
    heads = sorted((p for p in people if p.is_headteacher), key=lambda p: p.person_id)
    return heads[0] if heads else None
