"""After-save steps that keep the daily check's open items true: a submitted planning and review
form closes that cycle's planning-review deadline (4.1), so nobody is reminded about done work."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from growthcycle.adapters.deadlines import close_deadline
from growthcycle.domain.deadlines import PLANNING_REVIEW, deadline_key
from growthcycle.domain.records import Submission
from growthcycle.web import hooks


def close_planning_review(event: hooks.FormEvent, submission: Submission) -> Response | None:
    if event.form.id == PLANNING_REVIEW and submission.status == "submitted":
        pk, sk = deadline_key(event.subject.person_id, event.cycle_id, PLANNING_REVIEW)
        close_deadline(event.svc.store, pk, sk, closed_at=event.svc.clock.now())
    return None
