"""The CPD lead's queue of training and development needs (4.7, App 3.15, 10).

- An after-save hook: a submitted planning and review statement passes its agreed training and
  support to the queue (4.7), a need a line, once each however often it is saved.
- GET /training: the school's queue (the CPD lead and the headteacher only; 404 otherwise).
- GET/POST /training/<need_id>: record what was provided and when, or that the support could
  not be provided and why (10: reported to governors).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.adapters.training import (
    add_needs,
    get_need,
    needs_with_status,
    record_outcome,
    training_needs,
)
from growthcycle.domain.forms import format_date
from growthcycle.domain.people import Person
from growthcycle.domain.records import AuditEntry, Submission, VersionConflict
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.training import (
    THEMES,
    OutcomeInvalid,
    TrainingNeed,
    by_theme,
    check_outcome,
    distinct_needs,
    needs_from_statement,
)
from growthcycle.observability import logger
from growthcycle.web import hooks
from growthcycle.web.core import Visitor, page, require_csrf, signed_in
from growthcycle.web.errors import NotFound
from growthcycle.web.http import first, form_body, redirect
from growthcycle.web.services import services

router = Router()

PLANNING_REVIEW = "planning-review"


def pass_statement_needs(event: hooks.FormEvent, submission: Submission) -> Response | None:
    """4.7: development and training agreed in the statement go to the CPD lead."""
    if event.form.id != PLANNING_REVIEW or submission.status != "submitted":
        return None
    found = needs_from_statement(
        submission.values,
        school_id=event.school.id,
        person_id=event.subject.person_id,
        cycle_id=event.cycle_id,
        now=submission.saved_at,
    )
    # A revised statement that rewords a need ("Phonics hub training" -> "... training day")
    # does not queue it twice: near-identical to an open need of theirs this cycle is skipped.
    queued = training_needs(event.svc.store, event.school.id, event.cycle_id) if found else []
    needs = distinct_needs(found, [n for n in queued if n.person_id == event.subject.person_id])
    added = add_needs(
        event.svc.store,
        needs,
        expires_at=expires_at_for_cycle_id(event.svc.settings, event.cycle_id),  # 7
    )
    logger.info(
        "training needs queued",
        source=PLANNING_REVIEW,
        found=len(found),
        distinct=len(needs),
        added=added,
    )
    return None


def may_manage(person: Person) -> bool:
    """The training and development coordinator (4.7) and the headteacher (10: their report)."""
    return person.has_role("cpd-lead") or person.is_headteacher


def _lead() -> tuple[Visitor, Person]:
    who, me = signed_in()
    if not may_manage(me):
        raise NotFound("There is nothing at this address.")
    return who, me


def _names(people: list[Person]) -> dict[str, Person]:
    return {p.person_id: p for p in people}


@router.get("/training")
def training_queue() -> Response:
    who, me = _lead()
    svc = services()
    school_id = me.school_id
    open_needs = needs_with_status(svc.store, school_id, "open")
    provided = needs_with_status(svc.store, school_id, "provided")
    not_provided = needs_with_status(svc.store, school_id, "not-provided")
    counts = by_theme([*open_needs, *provided, *not_provided])
    return page(
        "training/queue.html",
        who,
        open_needs=open_needs,
        provided=list(reversed(provided))[:20],
        not_provided=list(reversed(not_provided)),
        people=_names(svc.store.people_in_school(school_id)),
        themes=[(t, counts.get(t.id, {})) for t in THEMES],
        day=format_date,
    )


def _need_for(me: Person, need_id: str) -> TrainingNeed:
    need = get_need(services().store, need_id) if len(need_id) <= 64 else None
    if need is None or need.school_id != me.school_id:
        raise NotFound("There is nothing at this address.")
    return need


def _outcome_page(
    who: Visitor,
    need: TrainingNeed,
    values: dict[str, str],
    errors: Mapping[str, str] | None = None,
    *,
    status: int = 200,
    message: str | None = None,
) -> Response:
    svc = services()
    return page(
        "training/need.html",
        who,
        http_status=status,
        need=need,
        person_of_need=svc.store.get_person(need.person_id),
        values=values,
        errors=errors or {},
        message=message,
        day=format_date,
        action_url=f"/training/{quote(need.need_id)}",
    )


@router.get("/training/<need_id>")
def show_need(need_id: str) -> Response:
    who, me = _lead()
    need = _need_for(me, need_id)
    values = {
        "status": need.status if need.status != "open" else "",
        "outcome_on": need.outcome_on.isoformat() if need.outcome_on else "",
        "outcome": need.outcome or "",
    }
    return _outcome_page(who, need, values)


@router.post("/training/<need_id>")
def save_outcome(need_id: str) -> Response:
    who, me = _lead()
    body = form_body(router.current_event)
    require_csrf(who, body)
    svc = services()
    need = _need_for(me, need_id)
    values: dict[str, Any] = {k: first(body, k)[:2100] for k in ("status", "outcome_on", "outcome")}
    try:
        status, day = check_outcome(
            values["status"], values["outcome_on"], values["outcome"], svc.clock.today()
        )
    except OutcomeInvalid as invalid:
        return _outcome_page(who, need, values, invalid.errors, status=422)
    outcome = values["outcome"].strip()
    if need.status == status and need.outcome_on == day and need.outcome == outcome:
        return redirect("/training")  # sent twice: already recorded
    try:
        loaded = int(first(body, "_version") or 0)
    except ValueError:
        loaded = 0
    if loaded != need.version:
        return _outcome_page(
            who,
            need,
            values,
            status=409,
            message=(
                "Someone else recorded an outcome for this need while you were writing. Check "
                "what is recorded now, then send yours again if it is still right."
            ),
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
        current = _need_for(me, need_id)
        return _outcome_page(
            who,
            current,
            values,
            status=409,
            message="Someone saved an outcome at the same moment. Check it, then send again.",
        )
    logger.info("training outcome recorded", need_id=need.need_id, status=status)
    return redirect("/training")
