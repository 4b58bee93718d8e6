"""The headteacher's special cases for one person's cycle (3, 4.1).

- GET /people/<person_id>/cycle: the cycle, whether it is paused, and the actions below.
- POST /people/<person_id>/cycle/suspend: the capability procedure applies; the clocks stop.
- POST /people/<person_id>/cycle/resume: the procedure is over; the clocks restart, due dates
  pushed by the working days it lasted.
- POST /people/<person_id>/cycle/transfer: a transfer to a new post; the cycle begins again from
  the transfer date (aligned to end with everyone else's), or carries on, perhaps with a new
  reviewer (4.1, 4.2).

The headteacher only; anyone else, or a person of another school, gets a 404. A paused cycle is
also said on the person's forms (a note from `hooks.checkers`). The use cases are in
app/special_cases.py; `paused_since` here only adds this request's memo, for the route modules
that have not moved to the application layer yet.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.app import special_cases as cases
from growthcycle.domain.people import Person
from growthcycle.domain.special_cases import (
    PAUSED_NOTE,
    CapabilityConflict,
    NotSuspended,
    TransferRefused,
    paused_refusal,
)
from growthcycle.domain.trust import School
from growthcycle.web import hooks
from growthcycle.web.core import Visitor, page, require_csrf, school_of, signed_in
from growthcycle.web.errors import NotFound
from growthcycle.web.http import first, form_body, redirect
from growthcycle.web.request import request_cache
from growthcycle.web.services import Services, services

router = Router()

__all__ = ["PAUSED_NOTE", "paused_refusal", "paused_since"]

CONFLICT = "Someone changed this cycle at the same moment. Check it below."


def paused_since(svc: Services, person: Person, cycle_id: str) -> date | None:
    """app/special_cases.py `paused_since`, read once a request."""
    return cases.paused_since(svc, person, cycle_id, memo=request_cache())


def paused_note(event: hooks.FormEvent) -> list[hooks.Note]:
    """3, 4.1: the person's forms say when their cycle is paused (no reason given: 7)."""
    if not event.subject.is_staff:
        return []
    since = paused_since(event.svc, event.subject, event.cycle_id)
    return [hooks.Note(key="", message=PAUSED_NOTE, code="cycle-paused")] if since else []


def _checked_post() -> dict[str, list[str]]:
    """Every POST: signed in and its CSRF token checked first, before who may do what."""
    who, _ = signed_in()
    body = form_body(router.current_event)
    require_csrf(who, body)
    return body


def _subject(person_id: str) -> tuple[Visitor, Person, Person, Services, School]:
    who, me = signed_in()
    svc = services()
    subject = svc.store.get_person(person_id)
    if (
        not me.is_headteacher
        or subject is None
        or subject.school_id != me.school_id
        or not subject.is_staff
        or subject.person_id == me.person_id  # the governing body decides for a headteacher (4.1)
    ):
        raise NotFound("There is nothing at this address.")
    return who, me, subject, svc, school_of(svc, subject)


def _url(subject: Person) -> str:
    return f"/people/{quote(subject.person_id)}/cycle"


def _cycle_page(
    who: Visitor,
    subject: Person,
    svc: Services,
    school: School,
    *,
    error: str | None = None,
    error_key: str = "",
    values: dict[str, Any] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    seen = cases.cycle_view(svc, subject, school)
    return page(
        "reviewers/cycle.html",
        who,
        http_status=status_code,
        subject=subject,
        cycle=seen.cycle,
        record=seen.record,
        paused_items=seen.paused_items,
        restarted=seen.restarted,
        candidates=seen.candidates,
        action_url=_url(subject),
        error=error,
        error_key=error_key,
        values=values or {"transfer_date": "", "choice": "", "reviewer": ""},
        message=message,
        today=svc.clock.today(),
    )


@router.get("/people/<person_id>/cycle")
def cycle_page(person_id: str) -> Response:
    who, _, subject, svc, school = _subject(person_id)
    done = router.current_event.get_query_string_value("done")
    messages = {
        "suspended": "The cycle is paused. Its due dates are on hold and nobody is reminded.",
        "resumed": "The cycle has restarted. Its due dates have moved on by the days it was paused.",
        "transfer": "The transfer is recorded.",
    }
    return _cycle_page(who, subject, svc, school, message=messages.get(done or ""))


@router.post("/people/<person_id>/cycle/suspend")
def cycle_suspend(person_id: str) -> Response:
    _checked_post()
    who, me, subject, svc, school = _subject(person_id)
    try:
        cases.suspend(svc, subject, me)
    except CapabilityConflict:
        return _cycle_page(who, subject, svc, school, status_code=409, error=CONFLICT)
    return redirect(f"{_url(subject)}?done=suspended")


@router.post("/people/<person_id>/cycle/resume")
def cycle_resume(person_id: str) -> Response:
    _checked_post()
    who, me, subject, svc, school = _subject(person_id)
    try:
        cases.resume(svc, subject, me, school)
    except NotSuspended as refused:
        return _cycle_page(who, subject, svc, school, error=str(refused), status_code=409)
    except CapabilityConflict:
        return _cycle_page(who, subject, svc, school, status_code=409, error=CONFLICT)
    return redirect(f"{_url(subject)}?done=resumed")


@router.post("/people/<person_id>/cycle/transfer")
def cycle_transfer(person_id: str) -> Response:
    body = _checked_post()
    who, me, subject, svc, school = _subject(person_id)
    values = {k: first(body, k) for k in ("transfer_date", "choice", "reviewer")}
    try:
        cases.transfer(
            svc,
            subject,
            me,
            school,
            transfer_date=values["transfer_date"],
            choice=values["choice"],
            reviewer_id=values["reviewer"],
        )
    except TransferRefused as refused:
        return _cycle_page(
            who,
            subject,
            svc,
            school,
            error=str(refused),
            error_key=refused.key,
            values=values,
            status_code=422,
        )
    return redirect(f"{_url(subject)}?done=transfer")
