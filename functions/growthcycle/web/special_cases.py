"""The headteacher's special cases for one person's cycle (3, 4.1).

- GET /people/<person_id>/cycle: the cycle, whether it is paused, and the actions below.
- POST /people/<person_id>/cycle/suspend: the capability procedure applies; the clocks stop.
- POST /people/<person_id>/cycle/resume: the procedure is over; the clocks restart, due dates
  pushed by the working days it lasted.
- POST /people/<person_id>/cycle/transfer: a transfer to a new post; the cycle begins again from
  the transfer date (aligned to end with everyone else's), or carries on, perhaps with a new
  reviewer (4.1, 4.2).

The headteacher only; anyone else, or a person of another school, gets a 404. A paused cycle is
also said on the person's forms (a note from `hooks.checkers`).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.adapters.reviewers import assign_reviewer
from growthcycle.adapters.special_cases import (
    CapabilityConflict,
    capability_record,
    record_transfer,
    restarts,
    resume_cycle,
    suspend_cycle,
)
from growthcycle.domain.cycles import CycleDateInvalid
from growthcycle.domain.deadlines import cycle_ends
from growthcycle.domain.forms import format_date
from growthcycle.domain.people import Person
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.reviewers import ReviewerRefused, check_assignment, effective_reviewers
from growthcycle.domain.special_cases import NotSuspended, plan_transfer
from growthcycle.domain.trust import School
from growthcycle.observability import logger
from growthcycle.web import hooks
from growthcycle.web.core import Visitor, page, school_of, signed_in
from growthcycle.web.errors import NotFound
from growthcycle.web.http import first, redirect
from growthcycle.web.reviewers import assigned_reviewers_of, checked_post
from growthcycle.web.services import Services, request_cache, services

router = Router()

PAUSED_NOTE = (
    "This cycle is paused, so its due dates are on hold. They carry on, moved on by the days "
    "it was paused, when the headteacher restarts it (3, 4.1)."
)


def paused_since(svc: Services, person: Person, cycle_id: str) -> date | None:
    """The day the person's cycle was paused for the capability procedure, if it is paused now
    (3, 4.1); read once a request."""
    if not person.is_staff:
        return None
    cache = request_cache()
    key = f"paused:{person.person_id}:{cycle_id}"
    if key not in cache:
        record, _, _ = capability_record(svc.store, person.person_id, cycle_id)
        cache[key] = record.current.starts if record.current is not None else None
    since: date | None = cache[key]
    return since


def paused_refusal(since: date) -> str:
    """What a person is told when they try to change a paused cycle's records (3, 4.1). No
    reason is given (7)."""
    return (
        f"This cycle has been paused since {format_date(since)}, so nothing in it can be saved or "
        "signed until the headteacher restarts it (3, 4.1). Nothing you typed has been lost: it "
        "is below, not saved. Keep a copy if you need it."
    )


def paused_note(event: hooks.FormEvent) -> list[hooks.Note]:
    """3, 4.1: the person's forms say when their cycle is paused (no reason given: 7)."""
    if not event.subject.is_staff:
        return []
    since = paused_since(event.svc, event.subject, event.cycle_id)
    return [hooks.Note(key="", message=PAUSED_NOTE, code="cycle-paused")] if since else []


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
    cycle = svc.cycle(subject)
    record, paused, _ = capability_record(svc.store, subject.person_id, cycle.cycle_id)
    staff = [p for p in svc.store.people_in_school(school.id) if p.is_staff]
    return page(
        "reviewers/cycle.html",
        who,
        http_status=status_code,
        subject=subject,
        cycle=cycle,
        record=record,
        paused_items=len(paused),
        restarted=restarts(svc.store, subject.person_id),
        candidates=[p for p in staff if p.person_id != subject.person_id],
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
    checked_post()
    who, me, subject, svc, school = _subject(person_id)
    cycle_id = svc.cycle(subject).cycle_id
    try:
        paused = suspend_cycle(
            svc.store,
            subject.person_id,
            cycle_id,
            today=svc.clock.today(),
            actor_id=me.person_id,
            at=svc.clock.now(),
            expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),  # 7
        )
    except CapabilityConflict:
        return _cycle_page(
            who,
            subject,
            svc,
            school,
            status_code=409,
            error="Someone changed this cycle at the same moment. Check it below.",
        )
    logger.info("cycle suspended", person_id=subject.person_id, cycle_id=cycle_id, paused=paused)
    return redirect(f"{_url(subject)}?done=suspended")


@router.post("/people/<person_id>/cycle/resume")
def cycle_resume(person_id: str) -> Response:
    checked_post()
    who, me, subject, svc, school = _subject(person_id)
    cycle_id = svc.cycle(subject).cycle_id
    try:
        pushed = resume_cycle(
            svc.store,
            subject.person_id,
            cycle_id,
            today=svc.clock.today(),
            calendar=school.working_calendar(),
            actor_id=me.person_id,
            at=svc.clock.now(),
            expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),  # 7
        )
    except NotSuspended as refused:
        return _cycle_page(who, subject, svc, school, error=str(refused), status_code=409)
    except CapabilityConflict:
        return _cycle_page(
            who,
            subject,
            svc,
            school,
            status_code=409,
            error="Someone changed this cycle at the same moment. Check it below.",
        )
    logger.info(
        "cycle resumed", person_id=subject.person_id, cycle_id=cycle_id, reopened=len(pushed)
    )
    return redirect(f"{_url(subject)}?done=resumed")


@router.post("/people/<person_id>/cycle/transfer")
def cycle_transfer(person_id: str) -> Response:
    body = checked_post()
    who, me, subject, svc, school = _subject(person_id)
    values = {k: first(body, k) for k in ("transfer_date", "choice", "reviewer")}
    cycle = svc.cycle(subject)

    def refuse(message: str, key: str) -> Response:
        return _cycle_page(
            who, subject, svc, school, error=message, error_key=key, values=values, status_code=422
        )

    try:
        transfer_date = date.fromisoformat(values["transfer_date"])
    except ValueError:
        return refuse("Enter the date of the transfer, such as 2027-01-18.", "transfer_date")
    if values["choice"] not in ("restart", "keep"):
        return refuse("Choose whether the cycle begins again or carries on.", "choice")
    try:
        transfer = plan_transfer(
            subject.person_id,
            cycle,
            transfer_date,
            values["choice"],  # type: ignore[arg-type]
            cycle_ends(school),
        )
    except CycleDateInvalid as invalid:
        return refuse(f"The {invalid}.", "transfer_date")
    reviewer: Person | None = None
    if values["reviewer"]:
        staff = [p for p in svc.store.people_in_school(school.id) if p.is_staff]
        reviewer = next((p for p in staff if p.person_id == values["reviewer"]), None)
        try:
            if reviewer is None:
                raise ReviewerRefused("Choose a reviewer from the school's staff.")
            current = effective_reviewers(school, staff, assigned_reviewers_of(svc, staff))
            check_assignment(school, subject, reviewer, staff, current)
        except ReviewerRefused as refused:
            return refuse(str(refused), "reviewer")
    now = svc.clock.now()
    years = svc.settings.retention_years  # 7
    record_transfer(svc.store, transfer, actor_id=me.person_id, at=now, retention_years=years)
    new_cycle_id = transfer.new_cycle.cycle_id if transfer.new_cycle else cycle.cycle_id
    if reviewer is not None:
        # 4.1: a cycle that begins again has the new reviewer from its first day; one that
        # carries on has them now. Either way keyed by the cycle Services.cycle gives.
        assign_reviewer(
            svc.store,
            reviewee_id=subject.person_id,
            cycle_id=new_cycle_id,
            reviewer_id=reviewer.person_id,
            actor_id=me.person_id,
            at=now,
            why="transfer",
            expires_at=expires_at_for_cycle_id(svc.settings, new_cycle_id),  # 7
        )
    logger.info(
        "transfer recorded",
        person_id=subject.person_id,
        choice=transfer.choice,
        reviewer_changed=reviewer is not None,
    )
    return redirect(f"{_url(subject)}?done=transfer")
