"""Who may do what to whose records (4.2 reviewers; 7 confidentiality).

Everything here is within one school: a person of another school is never allowed anything.

`assigned_reviewer_id` is the subject's explicit reviewer for the cycle, when the headteacher has
assigned one (domain/reviewers.py, stored by adapters/reviewers.py); the caller reads it and passes
it in. Without one, the line manager the headteacher delegated to, or the headteacher, reviews.
"""

from __future__ import annotations

from growthcycle.domain.people import Person


def is_reviewer_of(actor: Person, subject: Person, assigned_reviewer_id: str | None = None) -> bool:
    """The reviewer the headteacher assigned; else the line manager the headteacher delegated
    to, or the headteacher (4.2)."""
    if actor.person_id == subject.person_id or actor.school_id != subject.school_id:
        return False
    if assigned_reviewer_id is not None:
        # 4.2: the duties are delegated "in their entirety" to the one reviewer.
        return actor.person_id == assigned_reviewer_id
    if subject.line_manager_person_id == actor.person_id:
        return True
    # The headteacher reviews everyone but themself; their own reviewers are governors (4.2).
    return actor.is_headteacher and not subject.is_headteacher


def may_fill(
    actor: Person, subject: Person, filled_by: str, assigned_reviewer_id: str | None = None
) -> bool:
    if actor.school_id != subject.school_id:
        return False
    if filled_by == "reviewee":
        return actor.person_id == subject.person_id
    if filled_by == "reviewer":
        return is_reviewer_of(actor, subject, assigned_reviewer_id)
    return False


def may_view(actor: Person, subject: Person, assigned_reviewer_id: str | None = None) -> bool:
    """7: the reviewee, their reviewer and the headteacher; nobody else."""
    if actor.school_id != subject.school_id:
        return False
    return (
        actor.person_id == subject.person_id
        or is_reviewer_of(actor, subject, assigned_reviewer_id)
        or actor.is_headteacher
    )
