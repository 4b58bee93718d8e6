"""The CPD lead's queue of training and development needs (4.7, App 3.15, 10).

- An after-save hook: a submitted planning and review statement passes its agreed training and
  support to the queue (4.7), a need a line, once each however often it is saved.
- GET /training: the school's queue (the CPD lead and the headteacher only; 404 otherwise).
- GET/POST /training/<need_id>: record what was provided and when, or that the support could
  not be provided and why (10: reported to governors).

The use cases are in app/training.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.app import training as cases
from growthcycle.domain.forms import format_date
from growthcycle.domain.people import Person
from growthcycle.domain.records import Submission
from growthcycle.domain.training import (
    OutcomeChanged,
    OutcomeInvalid,
    TrainingNeed,
    may_manage,
)
from growthcycle.web import hooks
from growthcycle.web.core import Visitor, page, require_csrf, signed_in
from growthcycle.web.errors import NotFound
from growthcycle.web.http import first, form_body, redirect
from growthcycle.web.paging import page_of
from growthcycle.web.services import services

router = Router()

PLANNING_REVIEW = "planning-review"


def pass_statement_needs(event: hooks.FormEvent, submission: Submission) -> Response | None:
    """4.7: development and training agreed in the statement go to the CPD lead."""
    if event.form.id != PLANNING_REVIEW or submission.status != "submitted":
        return None
    cases.pass_statement_needs(
        event.svc, event.school, event.subject, event.cycle_id, submission, event.form
    )
    return None


def _lead() -> tuple[Visitor, Person]:
    who, me = signed_in()
    if not may_manage(me):
        raise NotFound("There is nothing at this address.")
    return who, me


@router.get("/training")
def training_queue() -> Response:
    who, me = _lead()
    seen = cases.queue(services(), me.school_id)
    listed = page_of(seen.open_needs, "/training")  # issue 14.1: the open needs 20 a page
    return page(
        "training/queue.html",
        who,
        open_needs=listed.items,
        listed=listed,
        provided=seen.provided,
        not_provided=seen.not_provided,
        people=seen.people,
        themes=seen.themes,
        day=format_date,
    )


def _need_for(me: Person, need_id: str) -> TrainingNeed:
    need = cases.need_for(services(), me, need_id)
    if need is None:
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
    return page(
        "training/need.html",
        who,
        http_status=status,
        need=need,
        person_of_need=cases.person_of(services(), need),
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
    need = _need_for(me, need_id)
    values: dict[str, Any] = {k: first(body, k)[:2100] for k in ("status", "outcome_on", "outcome")}
    try:
        loaded = int(first(body, "_version") or 0)
    except ValueError:
        loaded = 0
    try:
        cases.record(services(), me, need, values, loaded)
    except OutcomeInvalid as invalid:
        return _outcome_page(who, need, values, invalid.errors, status=422)
    except OutcomeChanged as changed:
        shown = _need_for(me, need_id) if changed.reread else need
        return _outcome_page(who, shown, values, status=409, message=str(changed))
    return redirect("/training")
