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
timeline entry too (an after-save hook), and that form starts blank again.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.adapters.clock import LONDON
from growthcycle.adapters.reflections import (
    GENERAL,
    Reflection,
    close_reflection_nudges,
    record_reflection,
    reflections_for,
)
from growthcycle.domain.access import is_reviewer_of, may_view
from growthcycle.domain.commitments import rules_for
from growthcycle.domain.forms import Control, FieldError, Form, FormInvalid, Option, load_forms
from growthcycle.domain.people import Person
from growthcycle.domain.records import AuditEntry, Submission
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.trust import School
from growthcycle.observability import logger
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
from growthcycle.web.reviewers import review_inputs
from growthcycle.web.services import Services, services
from growthcycle.web.special_cases import paused_refusal, paused_since

router = Router()

FORM_ID = "reflection"
PLANNING_REVIEW = "planning-review"
NEW_URL = "/reflections/new"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class About:
    value: str
    label: str
    title: str


def timeline_url(person_id: str) -> str:
    return f"/people/{quote(person_id)}/reflections"


def about_choices(svc: Services, person: Person, school: School, cycle_id: str) -> list[About]:
    """ "General", then each objective/commitment of the person's current planning and review."""
    rules = rules_for(school.policy_style)
    saved = svc.store.get_submission(person.person_id, cycle_id, PLANNING_REVIEW)
    raw = saved.values.get(rules.items_key) if saved else None
    choices = [About(GENERAL, "The year in general", "")]
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        title = str(item.get("title") or "").strip() if isinstance(item, dict) else ""
        if title:
            noun = rules.item_noun.capitalize()
            choices.append(
                About(f"{rules.items_key}.{index}", f"{noun} {index + 1}: {title}", title)
            )
    return choices


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
    form = load_forms().get(FORM_ID)
    choices = about_choices(svc, me, school, svc.cycle(me).cycle_id)
    return _new_page(who, form, school, choices, {}, GENERAL, secrets.token_urlsafe(18), [])


@router.post(NEW_URL)
def save_reflection() -> Response:
    who, me, school, svc = _me()
    body = form_body(router.current_event)
    require_csrf(who, body)
    form = load_forms().get(FORM_ID)
    ctx = form_context(school)
    cycle_id = svc.cycle(me).cycle_id
    choices = about_choices(svc, me, school, cycle_id)
    entered = form.read(body, ctx).values
    about = first(body, "about") or GENERAL
    token = first(body, "_token")
    if not _TOKEN.match(token):
        token = secrets.token_urlsafe(18)  # a hand-made request: still saved, just once
    chosen = next((c for c in choices if c.value == about), None)
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    try:
        clean = form.validate(entered, ctx)
    except FormInvalid as invalid:
        errors, entered = invalid.errors, invalid.values
    if chosen is None:
        errors.insert(
            0,
            FieldError(
                "about",
                "f-about",
                "Choose what this reflection is about: one of the listed items, or the year in "
                "general.",
            ),
        )
    if errors or chosen is None:
        return _new_page(who, form, school, choices, entered, about, token, errors, status=422)
    since = paused_since(svc, me, cycle_id)
    if since is not None:
        # 3, 4.1: a paused cycle records nothing; what was typed is shown again, not lost.
        return _new_page(
            who, form, school, choices, entered, about, token, [], 409, paused_refusal(since)
        )

    now = svc.clock.now()
    reflection = Reflection(
        person_id=me.person_id,
        cycle_id=cycle_id,
        recorded_at=now,
        recorded_by=me.person_id,
        about=chosen.value,
        about_title=chosen.title,
        tried=str(clean.get("tried", "")),
        happened=str(clean.get("happened", "")),
        next_step=str(clean.get("next_step", "")),
    )
    _record(svc, reflection, me, token)
    return redirect(timeline_url(me.person_id) + "?recorded=1")


def _record(
    svc: Services,
    reflection: Reflection,
    actor: Person,
    token: str,
    reset: Submission | None = None,
) -> bool:
    audit = AuditEntry(
        subject_id=reflection.person_id,
        actor_id=actor.person_id,
        action="reflection.recorded",
        target=f"{FORM_ID}@{reflection.cycle_id}",
        channel="page",
        at=reflection.recorded_at,
    )
    ttl = expires_at_for_cycle_id(svc.settings, reflection.cycle_id)  # 7
    stored = record_reflection(svc.store, reflection, audit, token, expires_at=ttl, reset=reset)
    if stored:
        closed = close_reflection_nudges(
            svc.store, reflection.person_id, reflection.cycle_id, reflection.recorded_at
        )
        logger.info(
            "reflection recorded",
            person_id=reflection.person_id,
            cycle_id=reflection.cycle_id,
            general=reflection.about == GENERAL,
            nudges_closed=closed,
        )
    else:
        logger.info("reflection repeat ignored", person_id=reflection.person_id)
    return stored


def reflection_from_hosted_form(event: hooks.FormEvent, submission: Submission) -> Response | None:
    """The reflection form sent through the forms pages: a timeline entry, then a blank form."""
    if event.form.id != FORM_ID or submission.status != "submitted":
        return None
    svc = event.svc
    reflection = Reflection(
        person_id=submission.person_id,
        cycle_id=submission.cycle_id,
        recorded_at=submission.saved_at,
        recorded_by=event.actor.person_id,
        tried=str(submission.values.get("tried", "")),
        happened=str(submission.values.get("happened", "")),
        next_step=str(submission.values.get("next_step", "")),
    )
    blank = submission.model_copy(
        update={
            "version": submission.version + 1,
            "status": "draft",
            "values": {},
            "saved_at": svc.clock.now(),
        }
    )
    _record(svc, reflection, event.actor, f"form-{submission.version:06d}", reset=blank)
    return redirect(timeline_url(submission.person_id) + "?recorded=1")


# -- the timeline ------------------------------------------------------------------------------


def timeline_entries(svc: Services, subject: Person) -> list[dict[str, Any]]:
    """The subject's reflections this cycle, newest first, ready for a template."""
    cycle_id = svc.cycle(subject).cycle_id
    return [
        {
            "reflection": r,
            "when": r.recorded_at.astimezone(LONDON).strftime("%-d %B %Y, %H:%M"),
            "iso": r.recorded_at.isoformat(),
            "about": r.about_title or "The year in general",
        }
        for r in reflections_for(svc.store, subject.person_id, cycle_id)
    ]


def viewable_subject(actor: Person, person_id: str) -> Person:
    """7: the person, their reviewer and the headteacher; anyone else sees nothing (404)."""
    svc = services()
    subject = svc.store.get_person(person_id)
    if (
        subject is None
        or not subject.is_staff
        or not may_view(actor, subject, review_inputs(svc, subject))
    ):
        raise NotFound("There is nothing at this address.")
    return subject


@router.get("/people/<person_id>/reflections")
def timeline(person_id: str) -> Response:
    who, me = signed_in()
    subject = viewable_subject(me, person_id)
    svc = services()
    school = school_of(svc, subject)
    recorded = (router.current_event.query_string_parameters or {}).get("recorded") == "1"
    return page(
        "reflections/timeline.html",
        who,
        subject=subject,
        own=subject.person_id == me.person_id,
        reviewer=is_reviewer_of(me, subject, review_inputs(svc, subject)),
        school=school,
        cycle=svc.cycle(subject),
        entries=timeline_entries(svc, subject),
        recorded=recorded and subject.person_id == me.person_id,
        new_url=NEW_URL,
        mid_year_url=f"/people/{quote(subject.person_id)}/forms/mid-year-review",
    )
