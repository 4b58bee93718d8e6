"""A person as Growth Cycle holds them: a roster row (domain/staff.py) plus what the system learns
about them (an email address that bounced)."""

from __future__ import annotations

from growthcycle.domain.staff import StaffMember


class Person(StaffMember):
    email_suppressed: bool = False  # a bounce or complaint: send nothing until it is fixed

    @classmethod
    def from_member(cls, member: StaffMember) -> Person:
        return cls(**member.model_dump())

    @property
    def is_headteacher(self) -> bool:
        return "headteacher" in self.roles
