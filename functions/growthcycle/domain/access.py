"""Who may do what to whose records (4.2 reviewers; 7 confidentiality).

Everything here is within one school: a person of another school is never allowed anything.
"""

from __future__ import annotations

from growthcycle.domain.people import Person


def is_reviewer_of(actor: Person, subject: Person) -> bool:
    """The line manager the headteacher delegated to, or the headteacher (4.2)."""
    if actor.person_id == subject.person_id or actor.school_id != subject.school_id:
        return False
    if subject.line_manager_person_id == actor.person_id:
        return True
    # The headteacher reviews everyone but themself; their own reviewers are governors (4.2).
    return actor.is_headteacher and not subject.is_headteacher


def may_fill(actor: Person, subject: Person, filled_by: str) -> bool:
    if actor.school_id != subject.school_id:
        return False
    if filled_by == "reviewee":
        return actor.person_id == subject.person_id
    if filled_by == "reviewer":
        return is_reviewer_of(actor, subject)
    return False


def may_view(actor: Person, subject: Person) -> bool:
    """7: the reviewee, their reviewer and the headteacher; nobody else."""
    if actor.school_id != subject.school_id:
        return False
    return (
        actor.person_id == subject.person_id
        or is_reviewer_of(actor, subject)
        or actor.is_headteacher
    )
