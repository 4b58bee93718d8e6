"""The CPD lead's queue of training and development needs (4.7, App 3.15, 10), as use cases:
pass a submitted statement's agreed training and support to the queue, read the queue, and
record what was provided (or why it could not be).

Named errors for the routes: OutcomeInvalid (every mistake at once), OutcomeChanged (someone
recorded an outcome first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from growthcycle.adapters.training import (
    add_needs,
    get_need,
    needs_with_status,
    record_outcome,
    training_needs,
)
from growthcycle.app.context import Services
from growthcycle.domain.forms import Form
from growthcycle.domain.people import Person
from growthcycle.domain.records import AuditEntry, Submission, VersionConflict
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.training import (
    THEMES,
    TRAINING_NEEDS_ROLE,
    OutcomeChanged,
    Theme,
    TrainingNeed,
    by_theme,
    check_outcome,
    distinct_needs,
    needs_from_statement,
)
from growthcycle.domain.trust import School
from growthcycle.observability import logger

PLANNING_REVIEW = "planning-review"


def pass_statement_needs(
    svc: Services,
    school: School,
    subject: Person,
    cycle_id: str,
    submission: Submission,
    form: Form,
) -> int:
    """4.7: development and training agreed in the statement go to the CPD lead, a need a line,
    once each however often it is saved: the field `form` gives the training needs role. How
    many were added."""
    found = needs_from_statement(
        submission.values,
        form.role_keys([TRAINING_NEEDS_ROLE], school.policy_style),
        school_id=school.id,
        person_id=subject.person_id,
        cycle_id=cycle_id,
        now=submission.saved_at,
    )
    # A revised statement that rewords a need ("Phonics hub training" -> "... training day")
    # does not queue it twice: near-identical to an open need of theirs this cycle is skipped.
    queued = training_needs(svc.store, school.id, cycle_id) if found else []
    needs = distinct_needs(found, [n for n in queued if n.person_id == subject.person_id])
    added = add_needs(
        svc.store,
        needs,
        expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),  # 7
    )
    logger.info(
        "training needs queued",
        source=PLANNING_REVIEW,
        found=len(found),
        distinct=len(needs),
        added=added,
    )
    return added


@dataclass(frozen=True)
class Queue:
    open_needs: list[TrainingNeed]
    provided: list[TrainingNeed]  # the latest 20, newest first
    not_provided: list[TrainingNeed]  # newest first
    people: dict[str, Person]
    themes: list[tuple[Theme, dict[str, int]]]


def queue(svc: Services, school_id: str) -> Queue:
    open_needs = needs_with_status(svc.store, school_id, "open")
    provided = needs_with_status(svc.store, school_id, "provided")
    not_provided = needs_with_status(svc.store, school_id, "not-provided")
    counts = by_theme([*open_needs, *provided, *not_provided])
    return Queue(
        open_needs=open_needs,
        provided=list(reversed(provided))[:20],
        not_provided=list(reversed(not_provided)),
        people={p.person_id: p for p in svc.store.people_in_school(school_id)},
        themes=[(t, counts.get(t.id, {})) for t in THEMES],
    )


def need_for(svc: Services, me: Person, need_id: str) -> TrainingNeed | None:
    """A need of `me`'s school, else None (shown as nothing there)."""
    need = get_need(svc.store, need_id) if len(need_id) <= 64 else None
    return need if need is not None and need.school_id == me.school_id else None


def person_of(svc: Services, need: TrainingNeed) -> Person | None:
    return svc.store.get_person(need.person_id)


def record(
    svc: Services, me: Person, need: TrainingNeed, values: dict[str, Any], loaded_version: int
) -> TrainingNeed:
    """Record what was provided and when, or that the support could not be provided and why (10),
    on the version loaded. Sent twice: recorded once. OutcomeInvalid, OutcomeChanged."""
    status, day = check_outcome(
        values["status"], values["outcome_on"], values["outcome"], svc.clock.today()
    )
    outcome = values["outcome"].strip()
    if need.status == status and need.outcome_on == day and need.outcome == outcome:
        return need  # sent twice: already recorded
    if loaded_version != need.version:
        raise OutcomeChanged(
            "Someone else recorded an outcome for this need while you were writing. Check "
            "what is recorded now, then send yours again if it is still right."
        )
    after = need.model_copy(
        update={
            "status": status,
            "outcome_on": day,
            "outcome": outcome,
            "updated_by": me.person_id,
            "updated_at": svc.clock.now(),
            "version": need.version + 1,
        }
    )
    audit = AuditEntry(
        subject_id=need.person_id,
        actor_id=me.person_id,
        action=f"training.{status}",
        target=f"training:{need.need_id}",
        channel="page",
        at=svc.clock.now(),
    )
    try:
        ttl = expires_at_for_cycle_id(svc.settings, need.cycle_id)  # 7
        record_outcome(svc.store, need, after, audit, expires_at=ttl)
    except VersionConflict:
        raise OutcomeChanged(
            "Someone saved an outcome at the same moment. Check it, then send again.",
            reread=True,
        ) from None
    logger.info("training outcome recorded", need_id=need.need_id, status=status)
    return after
