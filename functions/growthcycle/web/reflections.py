"""Reflections through the year: record one from a phone in under a minute, and see the timeline.

Seed 001, risk 1: objectives nobody looks at until the last minute; seed 003, point 2: staff
regularly reflect on, and record, how they have engaged. Seed 001, risk 4: an approach that did not
work must be safe to record, so nothing here is ever scored.

Routes:
- `GET /forms/reflection` (the daily check's nudge links here) -> `/reflections/new`. A static
  route: Powertools matches static routes before dynamic ones (`/forms/<form_id>`), whatever the
  order they were registered in.
- `GET/POST /reflections/new`: the form (forms/reflection.yaml) plus which objective/commitment it
  is about, from the person's current planning and review statement, or "general".
- `GET /people/<id>/reflections`: the timeline, for the person, their reviewer and the
  headteacher (7); anyone else gets a 404 that looks like nothing exists.

The same form reached through the hosted forms pages (`/people/<me>/forms/reflection`) becomes a
timeline entry too (an after-save hook), and that form starts blank again. The use cases are in
app/reflections.py.
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.app import reflections as cases
from growthcycle.app.reflections import FORM_ID, NEW_URL, about_choices, timeline_url
from growthcycle.domain.forms import Control, FieldError, Form, Option
from growthcycle.domain.people import Person
from growthcycle.domain.records import Submission
from growthcycle.domain.reflections import GENERAL, About, ReflectionInvalid
from growthcycle.domain.special_cases import CyclePaused
from growthcycle.domain.trust import School
from growthcycle.web import hooks
from growthcycle.web.core import (
    Visitor,
    form_context,
    page,
    require_csrf,
    school_of,
    signed_in,
)
from growthcycle.web.errors import NotFound
from growthcycle.web.http import first, form_body, redirect
from growthcycle.web.request import request_cache
from growthcycle.web.services import Services, services

router = Router()

# What the hosted forms pages link to (until they ask app/reflections.py themselves).
__all__ = ["FORM_ID", "NEW_URL", "timeline_url"]

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _about_control(choices: list[About], chosen: str, error: str | None) -> Control:
    return Control(
        type="single_choice",
        key="about",
        name="about",
        id="f-about",
        label="What is this reflection about?",
        hint="",
        optional=False,
        error=error,
        options=[
            Option("f-about" if i == 0 else f"f-about-{i + 1}", c.value, c.label, c.value == chosen)
            for i, c in enumerate(choices)
        ],
    )


def _me() -> tuple[Visitor, Person, School, Services]:
    who, me = signed_in()
    if not me.is_staff:
        raise NotFound("There is nothing at this address.")
    svc = services()
    return who, me, school_of(svc, me), svc


def _new_page(
    who: Visitor,
    form: Form,
    school: School,
    choices: list[About],
    values: dict[str, Any],
    about: str,
    token: str,
    errors: list[FieldError],
    status: int = 200,
    banner: str | None = None,
) -> Response:
    about_error = next((e.message for e in errors if e.key == "about"), None)
    return page(
        "reflections/new.html",
        who,
        http_status=status,
        form=form,
        ctx=form_context(school),
        values=values,
        errors=errors,
        about=_about_control(choices, about, about_error),
        token=token,
        timeline=timeline_url(who.person.person_id if who.person else ""),
        banner=banner,
    )


@router.get("/forms/reflection")
def reflection_nudge() -> Response:
    signed_in()
    return redirect(NEW_URL)


@router.get(NEW_URL)
def new_reflection() -> Response:
    who, me, school, svc = _me()
    form = svc.forms(school.id).get(FORM_ID)
    choices = about_choices(svc, me, school, svc.cycle(me).cycle_id)
    return _new_page(who, form, school, choices, {}, GENERAL, secrets.token_urlsafe(18), [])


@router.post(NEW_URL)
def save_reflection() -> Response:
    who, me, school, svc = _me()
    body = form_body(router.current_event)
    require_csrf(who, body)
    form = svc.forms(school.id).get(FORM_ID)
    ctx = form_context(school)
    choices = about_choices(svc, me, school, svc.cycle(me).cycle_id)
    entered = form.read(body, ctx).values
    about = first(body, "about") or GENERAL
    token = first(body, "_token")
    if not _TOKEN.match(token):
        token = secrets.token_urlsafe(18)  # a hand-made request: still saved, just once
    try:
        cases.record(svc, me, form, ctx, choices=choices, entered=entered, about=about)
    except ReflectionInvalid as invalid:
        values = dict(invalid.values)
        return _new_page(who, form, school, choices, values, about, token, invalid.errors, 422)
    except CyclePaused as paused:
        # 3, 4.1: a paused cycle records nothing; what was typed is shown again, not lost.
        return _new_page(who, form, school, choices, entered, about, token, [], 409, str(paused))
    return redirect(timeline_url(me.person_id) + "?recorded=1")


def reflection_from_hosted_form(event: hooks.FormEvent, submission: Submission) -> Response | None:
    """The reflection form sent through the forms pages: a timeline entry, then a blank form."""
    if event.form.id != FORM_ID or submission.status != "submitted":
        return None
    cases.record_from_hosted_form(event.svc, event.actor, submission)
    return redirect(timeline_url(submission.person_id) + "?recorded=1")


# -- the timeline ------------------------------------------------------------------------------


@router.get("/people/<person_id>/reflections")
def timeline(person_id: str) -> Response:
    who, me = signed_in()
    svc = services()
    memo = request_cache()
    subject = cases.viewable_subject(svc, me, person_id, memo=memo)
    if subject is None:
        raise NotFound("There is nothing at this address.")
    school = school_of(svc, subject)
    recorded = (router.current_event.query_string_parameters or {}).get("recorded") == "1"
    return page(
        "reflections/timeline.html",
        who,
        subject=subject,
        own=subject.person_id == me.person_id,
        reviewer=cases.reviews(svc, me, subject, memo=memo),
        school=school,
        cycle=svc.cycle(subject),
        entries=cases.timeline_entries(svc, subject),
        recorded=recorded and subject.person_id == me.person_id,
        new_url=NEW_URL,
        mid_year_url=f"/people/{quote(subject.person_id)}/forms/mid-year-review",
    )
