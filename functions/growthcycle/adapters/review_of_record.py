"""What the daily check reads to remind the reviewer of record (4.2): the explicit assignments
and the governors appointed for the headteacher, for the reviewer's lines due today. The rule
itself is domain/reviewers.py `review_of_record`; this module only reads its inputs.

Reads (no Scan): one BatchGetItem of the assignments (`REVIEWER#<cycle id>` items, see
adapters/reviewers.py) for the lines' (subject, cycle) pairs; one GetItem per school and cycle
for the headteacher's appointment; and, where an appointment exists, the subjects' people items
to tell the headteacher from the rest. All grow with the lines due, not with the staff.
"""

from __future__ import annotations

from collections.abc import Sequence

from growthcycle.adapters.reviewers import assigned_reviewers, headteacher_reviewers
from growthcycle.adapters.store import Store
from growthcycle.domain.deadlines import REVIEWER_EVENTS, DigestLine, cycle_of
from growthcycle.domain.reviewers import ReviewInputs, review_of_record


def explicit_reviewers(store: Store, lines: Sequence[DigestLine]) -> dict[str, str]:
    """Subject id -> the reviewer decided for that subject's cycle, for the reviewer's lines."""
    items = [line.item for line in lines if line.item.event in REVIEWER_EVENTS]
    if not items:
        return {}
    found = assigned_reviewers(store, [(i.subject_id, cycle_of(i)) for i in items])
    appointments = {
        (school_id, cycle_id): headteacher_reviewers(store, school_id, cycle_id)
        for school_id, cycle_id in sorted({(i.school_id, cycle_of(i)) for i in items})
    }
    for item in items:
        appointment = appointments.get((item.school_id, cycle_of(item)))
        if appointment is None or item.subject_id in found:
            continue
        subject = store.get_person(item.subject_id)
        if subject is None or not subject.is_headteacher:
            continue
        reviewer = review_of_record(
            subject, ReviewInputs(appointment=appointment), headteacher_id=None
        ).primary
        if reviewer is not None:
            found[item.subject_id] = reviewer
    return found
