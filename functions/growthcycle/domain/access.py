"""Who may do what to whose records (4.2 reviewers; 7 confidentiality).

Everything here is within one school: a person of another school is never allowed anything.

Who reviews a person is decided in one place, domain/reviewers.py `review_of_record`. The caller
reads what it needs for the subject's cycle (the explicit assignment, or for the headteacher the
governors' appointment, and the school's mode) and passes it in as `ReviewInputs`; a bare string
is an explicit assignment alone.
"""

from __future__ import annotations

from growthcycle.domain.people import Person
from growthcycle.domain.reviewers import ReviewInputs, ReviewOfRecord, review_of_record

Reviewing = ReviewInputs | str | None


def _inputs(reviewing: Reviewing) -> ReviewInputs:
    if isinstance(reviewing, ReviewInputs):
        return reviewing
    return ReviewInputs(assigned_reviewer_id=reviewing)


def record_for(actor: Person, subject: Person, reviewing: Reviewing = None) -> ReviewOfRecord:
    """The subject's reviewers as `actor` can tell them (the headteacher knows they are one)."""
    return review_of_record(
        subject,
        _inputs(reviewing),
        headteacher_id=actor.person_id if actor.is_headteacher else None,
    )


def is_reviewer_of(actor: Person, subject: Person, reviewing: Reviewing = None) -> bool:
    """4.2: the reviewer the headteacher assigned; else the line manager the headteacher delegated
    to, or the headteacher; for the headteacher, the governors appointed to review them."""
    if actor.person_id == subject.person_id or actor.school_id != subject.school_id:
        return False
    return record_for(actor, subject, reviewing).includes(actor.person_id)


def may_fill(actor: Person, subject: Person, filled_by: str, reviewing: Reviewing = None) -> bool:
    if actor.school_id != subject.school_id:
        return False
    if filled_by == "reviewee":
        return actor.person_id == subject.person_id
    if filled_by == "reviewer":
        return is_reviewer_of(actor, subject, reviewing)
    return False


def may_view(actor: Person, subject: Person, reviewing: Reviewing = None) -> bool:
    """7: the reviewee, their reviewer(s) and the headteacher; nobody else. For the headteacher's
    own records, every governor appointed to review them (4.2)."""
    if actor.school_id != subject.school_id:
        return False
    return (
        actor.person_id == subject.person_id
        or is_reviewer_of(actor, subject, reviewing)
        or actor.is_headteacher
    )
