"""Lesson observations (Appendix 3): book with a week's notice, record within 5 working days, and
the reviewee's appended comments.

Routes:
- GET/POST /people/<id>/observations/new: the reviewee's reviewer or the headteacher books one.
- GET /people/<id>/observations: the reviewee, their reviewer and the headteacher (404 otherwise).
- GET /observations/<obs_id>: the plan, the due dates, the record and the comments.
- GET/POST /observations/<obs_id>/record: the observer writes the record (App 3.13).
- POST /observations/<obs_id>/comments: the reviewee appends comments (App 3.13).

Every POST checks CSRF; the use cases (app/observations.py) make each safe to repeat. Who books
and sees: the reviewer of record (4.2) and the headteacher.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.app import observations as cases
from growthcycle.app.observations import long_day, observation_forms
from growthcycle.domain.forms import FieldError, FormContext
from growthcycle.domain.observations import (
    PLAN_FORM,
    RECORD_FORM,
    BookingInvalid,
    CommentInvalid,
    Observation,
    RecordChanged,
    RecordInvalid,
    TooEarlyToRecord,
    style_rules,
)
from growthcycle.domain.people import Person
from growthcycle.domain.special_cases import CyclePaused
from growthcycle.domain.trust import School
from growthcycle.web.core import (
    Visitor,
    form_context,
    page,
    require_csrf,
    school_of,
    signed_in,
)
from growthcycle.web.errors import NotFound, PageError
from growthcycle.web.http import first, form_body, redirect
from growthcycle.web.services import services

router = Router()


class RecordNotYet(PageError):
    status = 409
    title = "Not yet"


# -- who and what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    who: Visitor
    actor: Person
    reviewee: Person
    school: School
    ctx: FormContext


def _subject(person_id: str) -> Subject:
    who, actor = signed_in()
    svc = services()
    reviewee = cases.visible_reviewee(svc, actor, person_id)
    if reviewee is None:
        raise NotFound("There is nothing at this address.")
    school = school_of(svc, reviewee)
    return Subject(who, actor, reviewee, school, form_context(school))


@dataclass(frozen=True)
class Found:
    who: Visitor
    actor: Person
    observation: Observation
    reviewee: Person
    school: School
    ctx: FormContext


def _observation(obs_id: str) -> Found:
    who, actor = signed_in()
    svc = services()
    found = cases.visible_observation(svc, actor, obs_id)
    if found is None:
        raise NotFound("There is nothing at this address.")
    observation, reviewee = found
    school = school_of(svc, reviewee)
    return Found(who, actor, observation, reviewee, school, form_context(school))


# -- booking -------------------------------------------------------------------------------------


def _booking_page(
    s: Subject,
    values: dict[str, Any],
    errors: list[FieldError],
    *,
    observer_id: str,
    once: str,
    status: int = 200,
) -> Response:
    svc = services()
    seen = cases.allowance(svc, s.reviewee, s.school)
    return page(
        "observations/new.html",
        s.who,
        http_status=status,
        form=observation_forms()[PLAN_FORM],
        ctx=s.ctx,
        values=values,
        errors=errors,
        reviewee=s.reviewee,
        rules=seen.rules,
        observers=cases.observers(svc, s.reviewee),
        observer_id=observer_id,
        observer_error=next((e.message for e in errors if e.key == "observer"), None),
        once=once,
        cap=seen.cap,
        used=seen.used,
        remaining=seen.remaining,
        earliest=long_day(cases.earliest(svc, s.school)),
        cycle=seen.cycle,
        action_url=f"/people/{quote(s.reviewee.person_id)}/observations/new",
    )


def _booker(person_id: str) -> Subject:
    s = _subject(person_id)
    if not cases.may_book_for(services(), s.actor, s.reviewee):
        raise NotFound("There is nothing at this address.")
    return s


@router.get("/people/<person_id>/observations/new")
def new_observation(person_id: str) -> Response:
    s = _booker(person_id)
    form = observation_forms()[PLAN_FORM]
    default_observer = s.actor.person_id if s.actor.qualified_teacher else ""
    return _booking_page(
        s,
        form.blank_values(s.ctx),
        [],
        observer_id=default_observer,
        once=secrets.token_urlsafe(16),
    )


@router.post("/people/<person_id>/observations/new")
def book_observation(person_id: str) -> Response:
    s = _booker(person_id)
    body = form_body(router.current_event)
    require_csrf(s.who, body)
    entered = observation_forms()[PLAN_FORM].read(body, s.ctx).values
    observer_id = first(body, "observer")[:200]
    once = first(body, "_once")[:64] or secrets.token_urlsafe(16)
    try:
        booked = cases.book(
            services(),
            s.actor,
            s.reviewee,
            s.school,
            s.ctx,
            entered=entered,
            observer_id=observer_id,
            once=once,
        )
    except CyclePaused as paused:  # 3, 4.1: what was typed is kept
        refused = FieldError(key="", anchor="main", message=str(paused))
        return _booking_page(s, entered, [refused], observer_id=observer_id, once=once, status=409)
    except BookingInvalid as invalid:
        return _booking_page(
            s, entered, invalid.errors, observer_id=observer_id, once=once, status=422
        )
    return redirect(f"/observations/{booked.obs_id}")


# -- a person's observations ----------------------------------------------------------------------


@router.get("/people/<person_id>/observations")
def list_observations(person_id: str) -> Response:
    s = _subject(person_id)
    svc = services()
    seen = cases.allowance(svc, s.reviewee, s.school)
    return page(
        "observations/list.html",
        s.who,
        reviewee=s.reviewee,
        observations=seen.observations,
        cycle=seen.cycle,
        cap=seen.cap,
        used=seen.used,
        remaining=seen.remaining,
        rules=seen.rules,
        can_book=cases.may_book_for(svc, s.actor, s.reviewee),
        is_reviewee=s.actor.person_id == s.reviewee.person_id,
        day=long_day,
    )


# -- one observation ---------------------------------------------------------------------------------


def _view(
    f: Found, *, comment_text: str = "", comment_error: str | None = None, status: int = 200
) -> Response:
    svc = services()
    forms = observation_forms()
    seen = cases.detail(svc, f.observation)
    return page(
        "observations/view.html",
        f.who,
        http_status=status,
        observation=f.observation,
        reviewee=f.reviewee,
        observer=seen.observer,
        plan_form=forms[PLAN_FORM],
        record_form=forms[RECORD_FORM],
        ctx=f.ctx,
        rules=style_rules(f.school.policy_style),
        comments=seen.comments,
        authors={f.reviewee.person_id: f.reviewee},
        may_record=f.observation.may_record(f.actor),
        may_comment=f.observation.may_comment(f.actor),
        comment_text=comment_text,
        comment_error=comment_error,
        once=secrets.token_urlsafe(16),
        today=svc.clock.today(),
        day=long_day,
    )


@router.get("/observations/<obs_id>")
def show_observation(obs_id: str) -> Response:
    return _view(_observation(obs_id))


def _recorder(obs_id: str) -> Found:
    f = _observation(obs_id)
    if not f.observation.may_record(f.actor):
        raise NotFound("Only the observer writes the record of an observation.")
    return f


def _record_page(
    f: Found, values: dict[str, Any], errors: list[FieldError], version: int, **extra: Any
) -> Response:
    status = extra.pop("status", 200)
    return page(
        "observations/record.html",
        f.who,
        http_status=status,
        form=observation_forms()[RECORD_FORM],
        ctx=f.ctx,
        values=values,
        errors=errors,
        version=version,
        observation=f.observation,
        reviewee=f.reviewee,
        rules=style_rules(f.school.policy_style),
        day=long_day,
        not_yet=services().clock.today() < f.observation.day,
        message=extra.get("message"),
        action_url=f"/observations/{quote(f.observation.obs_id)}/record",
    )


@router.get("/observations/<obs_id>/record")
def record_form(obs_id: str) -> Response:
    f = _recorder(obs_id)
    form = observation_forms()[RECORD_FORM]
    values = f.observation.record or form.blank_values(f.ctx)
    return _record_page(f, dict(values), [], f.observation.version)


@router.post("/observations/<obs_id>/record")
def save_record(obs_id: str) -> Response:
    f = _recorder(obs_id)
    body = form_body(router.current_event)
    require_csrf(f.who, body)
    entered = observation_forms()[RECORD_FORM].read(body, f.ctx).values
    try:
        loaded = max(0, int(first(body, "_version") or 0))
    except ValueError:
        loaded = 0
    try:
        cases.record(
            services(),
            f.actor,
            f.observation,
            f.reviewee,
            f.school,
            f.ctx,
            entered=entered,
            loaded_version=loaded,
        )
    except CyclePaused as paused:  # the text is shown again, not saved
        return _record_page(f, entered, [], loaded, status=409, message=str(paused))
    except TooEarlyToRecord as early:
        raise RecordNotYet(
            f"The observation is on {long_day(early.day)}: write the record once it has "
            "taken place."
        ) from None
    except RecordInvalid as invalid:
        return _record_page(f, invalid.values, invalid.errors, loaded, status=422)
    except RecordChanged as changed:
        return _record_page(f, entered, [], changed.version, status=409, message=str(changed))
    return redirect(f"/observations/{quote(obs_id)}")


@router.post("/observations/<obs_id>/comments")
def add_comment(obs_id: str) -> Response:
    f = _observation(obs_id)
    body = form_body(router.current_event)
    require_csrf(f.who, body)
    if not f.observation.may_comment(f.actor):
        raise NotFound("Only the member of staff observed may add comments, once it is recorded.")
    text = first(body, "comment").strip()
    try:
        cases.comment(
            services(),
            f.actor,
            f.observation,
            f.reviewee,
            text=text,
            once=first(body, "_once")[:64],
        )
    except CyclePaused as paused:  # 3, 4.1: the text is kept
        return _view(f, comment_text=text, comment_error=str(paused), status=409)
    except CommentInvalid as invalid:
        return _view(f, comment_text=text, comment_error=str(invalid), status=422)
    return redirect(f"/observations/{quote(obs_id)}#comments")
