"""Reflections through the year, as use cases: `record` one (from its own page, or the same form
sent through the hosted forms pages: `record_from_hosted_form`), and the timeline its author,
their reviewer and the headteacher read (7).

Named errors for the routes: ReflectionInvalid (the form's mistakes, and an "about" that is not
offered), CyclePaused (3, 4.1: a paused cycle records nothing).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from growthcycle.adapters.clock import LONDON
from growthcycle.adapters.deadlines import open_next_reflection
from growthcycle.adapters.reflections import (
    close_reflection_nudges,
    record_reflection,
    reflections_for,
)
from growthcycle.app.context import Memo, Services
from growthcycle.app.reviewers import review_inputs
from growthcycle.app.special_cases import refuse_if_paused
from growthcycle.domain.access import is_reviewer_of, may_view
from growthcycle.domain.commitments import rules_for
from growthcycle.domain.forms import FieldError, Form, FormContext, FormInvalid
from growthcycle.domain.people import Person
from growthcycle.domain.records import AuditEntry, Submission
from growthcycle.domain.reflections import GENERAL, About, Reflection, ReflectionInvalid
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.trust import School
from growthcycle.observability import logger

FORM_ID = "reflection"
PLANNING_REVIEW = "planning-review"
NEW_URL = "/reflections/new"


def timeline_url(person_id: str) -> str:
    return f"/people/{quote(person_id)}/reflections"


def about_choices(svc: Services, person: Person, school: School, cycle_id: str) -> list[About]:
    """ "General", then each objective/commitment of the person's current planning and review."""
    rules = rules_for(school.policy_style)
    forms = svc.forms(school.id)
    form = forms.get(PLANNING_REVIEW) if PLANNING_REVIEW in forms else None
    items_key = form.role_key(rules.items_role, school.policy_style) if form else None
    saved = svc.store.get_submission(person.person_id, cycle_id, PLANNING_REVIEW)
    raw = saved.values.get(items_key) if saved and items_key else None
    choices = [About(GENERAL, "The year in general", "")]
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        title = str(item.get("title") or "").strip() if isinstance(item, dict) else ""
        if title:
            noun = rules.item_noun.capitalize()
            choices.append(About(f"{items_key}.{index}", f"{noun} {index + 1}: {title}", title))
    return choices


def record(
    svc: Services,
    me: Person,
    form: Form,
    ctx: FormContext,
    *,
    choices: list[About],
    entered: dict[str, Any],
    about: str,
) -> Reflection:
    """Record a reflection of mine in my current cycle, once (a double tap, or Back then Save
    again, records one: see `_same_words`).
    ReflectionInvalid, then CyclePaused."""
    cycle_id = svc.cycle(me).cycle_id
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
        raise ReflectionInvalid(entered, errors)
    refuse_if_paused(svc, me, cycle_id)  # 3, 4.1: what was typed is shown again, not lost
    reflection = Reflection(
        person_id=me.person_id,
        cycle_id=cycle_id,
        recorded_at=svc.clock.now(),
        recorded_by=me.person_id,
        about=chosen.value,
        about_title=chosen.title,
        tried=str(clean.get("tried", "")),
        happened=str(clean.get("happened", "")),
        next_step=str(clean.get("next_step", "")),
    )
    _store(svc, reflection, me, _same_words(reflection))
    return reflection


def _same_words(reflection: Reflection) -> str:
    """The single-use value a reflection is recorded once under: its words, not the page's
    one-time token, so Back then Save again (a reloaded page, a new token) is the same as a
    double tap: one reflection (issue 17.4). The same words again within the marker's two days
    are the same reflection."""
    words = (reflection.about, reflection.tried, reflection.happened, reflection.next_step)
    return "words-" + hashlib.sha256("\x1f".join(words).encode()).hexdigest()[:40]


def _store(
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
        # Seed 003: regular reflection through the year: the next prompt opens.
        school = svc.school(actor.school_id)
        cycle = svc.cycle(actor)
        following = (
            open_next_reflection(
                svc.store,
                school,
                actor,
                cycle,
                svc.clock.today(),
                retention_years=svc.settings.retention_years,
            )
            if school is not None
            and actor.person_id == reflection.person_id
            and cycle.cycle_id == reflection.cycle_id
            else None
        )
        logger.info(
            "reflection recorded",
            person_id=reflection.person_id,
            cycle_id=reflection.cycle_id,
            general=reflection.about == GENERAL,
            nudges_closed=closed,
            next_prompt=following.due_date.isoformat() if following else None,
        )
    else:
        logger.info("reflection repeat ignored", person_id=reflection.person_id)
    return stored


def record_from_hosted_form(svc: Services, actor: Person, submission: Submission) -> bool:
    """The reflection form sent through the forms pages: a timeline entry, and the form starts
    blank again (a new empty version, in the same write)."""
    reflection = Reflection(
        person_id=submission.person_id,
        cycle_id=submission.cycle_id,
        recorded_at=submission.saved_at,
        recorded_by=actor.person_id,
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
    return _store(svc, reflection, actor, f"form-{submission.version:06d}", reset=blank)


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


def may_read(svc: Services, viewer: Person, subject: Person, *, memo: Memo = None) -> bool:
    """7: the person, their reviewer and the headteacher."""
    return subject.is_staff and may_view(viewer, subject, review_inputs(svc, subject, memo=memo))


def viewable_subject(
    svc: Services, actor: Person, person_id: str, *, memo: Memo = None
) -> Person | None:
    """The person whose timeline `actor` may read (7), else None (shown as nothing there)."""
    subject = svc.store.get_person(person_id)
    if subject is None or not may_read(svc, actor, subject, memo=memo):
        return None
    return subject


def reviews(svc: Services, actor: Person, subject: Person, *, memo: Memo = None) -> bool:
    return is_reviewer_of(actor, subject, review_inputs(svc, subject, memo=memo))
