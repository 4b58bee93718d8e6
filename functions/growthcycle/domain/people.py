"""A person as Growth Cycle holds them: a roster row (domain/staff.py) plus what the system learns
about them (an email address that bounced), and the two questions every layer asks of people:
is this person still in post, and who is the school's headteacher."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

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
    nobody. Whether the person is reviewed at all is `is_staff` (3), asked separately."""
    return person.leaving_date is None or person.leaving_date >= today


def headteacher_of(people: Iterable[Person]) -> Person | None:
    """The school's headteacher among `people` (one school's); with two (a roster mid-handover),
    the first by person id, so every caller picks the same one."""
    heads = sorted((p for p in people if p.is_headteacher), key=lambda p: p.person_id)
    return heads[0] if heads else None
