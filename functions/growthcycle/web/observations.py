"""Lesson observations (Appendix 3): book with a week's notice, record within 5 working days, and
the reviewee's appended comments.

Routes:
- GET/POST /people/<id>/observations/new: the reviewee's reviewer or the headteacher books one.
- GET /people/<id>/observations: the reviewee, their reviewer and the headteacher (404 otherwise).
- GET /observations/<obs_id>: the plan, the due dates, the record and the comments.
- GET/POST /observations/<obs_id>/record: the observer writes the record (App 3.13).
- POST /observations/<obs_id>/comments: the reviewee appends comments (App 3.13).

Every POST checks CSRF and is safe to repeat: a booking and a comment carry a one-time value from
the page that showed the form (their ids derive from it), and a record is a conditional write on
the version the observer loaded.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.adapters import observations as repo
from growthcycle.adapters.outbox import Email
from growthcycle.adapters.training import add_needs
from growthcycle.domain.deadlines import OpenItem
from growthcycle.domain.forms import (
    RESOURCES,
    FieldError,
    Form,
    FormContext,
    FormInvalid,
    format_date,
    load_forms,
)
from growthcycle.domain.observations import (
    FEEDBACK_EVENT,
    PLAN_FORM,
    RECORD_EVENT,
    RECORD_FORM,
    BookingRefused,
    Comment,
    Observation,
    Problem,
    cap_minutes,
    check_booking,
    copy_recipients,
    earliest_day,
    formal_development,
    may_book,
    may_see,
    minutes_booked,
    observer_problems,
    parse_time,
    plan_from_values,
    rule_problems,
    style_rules,
)
from growthcycle.domain.people import Person
from growthcycle.domain.records import AuditEntry, VersionConflict
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.training import distinct_needs, needs_from_text
from growthcycle.domain.trust import School
from growthcycle.observability import logger
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
from growthcycle.web.services import Services, services
from growthcycle.web.special_cases import paused_refusal, paused_since
from growthcycle.web.templating import render

router = Router()

MAX_COMMENT = 5000


class RecordNotYet(PageError):
    status = 409
    title = "Not yet"


def observation_forms() -> dict[str, Form]:
    """The plan and record forms (forms/observations/: not per-cycle forms, so not in forms/)."""
    registry = load_forms(RESOURCES / "forms" / "observations")
    return {PLAN_FORM: registry.get(PLAN_FORM), RECORD_FORM: registry.get(RECORD_FORM)}


def _day(d: date) -> str:
    return f"{d:%A} {format_date(d)}"


def _once_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def _audit(svc: Services, subject: Person, actor: Person, action: str, target: str) -> AuditEntry:
    return AuditEntry(
        subject_id=subject.person_id,
        actor_id=actor.person_id,
        action=action,
        target=target,
        channel="page",
        at=svc.clock.now(),
    )


def _email(svc: Services, template: str, to: Person, subject: str, **context: Any) -> Email:
    base = svc.settings.base_url.rstrip("/")
    context |= {"recipient": to, "trust_name": svc.settings.trust_name, "base_url": base}
    context["subject"] = subject
    return Email(
        to_address=to.email,
        to_person_id=to.person_id,
        subject=subject,
        html=render(f"email/{template}.html", **context),
        text=render(f"email/{template}.txt", **context),
    )


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
    reviewee = svc.store.get_person(person_id)
    # Another school's person, or someone whose observations you may not see, looks like nobody.
    if reviewee is None or not reviewee.is_staff or not may_see(actor, reviewee):
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
    observation = repo.get_observation(svc.store, obs_id) if len(obs_id) <= 64 else None
    reviewee = svc.store.get_person(observation.reviewee_id) if observation else None
    if observation is None or reviewee is None or not may_see(actor, reviewee, observation):
        raise NotFound("There is nothing at this address.")
    school = school_of(svc, reviewee)
    return Found(who, actor, observation, reviewee, school, form_context(school))


def _observers(svc: Services, reviewee: Person) -> list[Person]:
    """App 3.1: qualified teachers of the school (the reviewee aside)."""
    today = svc.clock.today()
    return [
        p
        for p in svc.store.people_in_school(reviewee.school_id)
        if p.is_staff
        and p.qualified_teacher
        and p.person_id != reviewee.person_id
        and (p.leaving_date is None or p.leaving_date >= today)
    ]


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
    cycle = svc.cycle(s.reviewee)
    booked = repo.observations_for(svc.store, s.reviewee.person_id, cycle.cycle_id)
    cap = cap_minutes(s.reviewee.fte, s.school.policy_style)
    used = minutes_booked(booked)
    calendar = s.school.working_calendar()
    return page(
        "observations/new.html",
        s.who,
        http_status=status,
        form=observation_forms()[PLAN_FORM],
        ctx=s.ctx,
        values=values,
        errors=errors,
        reviewee=s.reviewee,
        rules=style_rules(s.school.policy_style),
        observers=_observers(svc, s.reviewee),
        observer_id=observer_id,
        observer_error=next((e.message for e in errors if e.key == "observer"), None),
        once=once,
        cap=cap,
        used=used,
        remaining=max(0, cap - used),
        earliest=_day(earliest_day(svc.clock.today(), calendar, s.school.policy_style)),
        cycle=cycle,
        action_url=f"/people/{quote(s.reviewee.person_id)}/observations/new",
    )


def _booker(person_id: str) -> Subject:
    s = _subject(person_id)
    if not may_book(s.actor, s.reviewee):
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


def _errors(problems: list[Problem]) -> list[FieldError]:
    return [FieldError(key=p.key, anchor=f"f-{p.key}", message=p.message) for p in problems]


@router.post("/people/<person_id>/observations/new")
def book_observation(person_id: str) -> Response:
    s = _booker(person_id)
    body = form_body(router.current_event)
    require_csrf(s.who, body)
    svc = services()
    form = observation_forms()[PLAN_FORM]
    entered = form.read(body, s.ctx)
    observer_id = first(body, "observer")[:200]
    once = first(body, "_once")[:64] or secrets.token_urlsafe(16)

    def again(values: dict[str, Any], errors: list[FieldError]) -> Response:
        return _booking_page(s, values, errors, observer_id=observer_id, once=once, status=422)

    since = paused_since(svc, s.reviewee, svc.cycle(s.reviewee).cycle_id)
    if since is not None:  # 3, 4.1: a paused cycle books nothing; what was typed is kept
        refused = FieldError(key="", anchor="main", message=paused_refusal(since))
        return _booking_page(
            s, entered.values, [refused], observer_id=observer_id, once=once, status=409
        )

    cycle = svc.cycle(s.reviewee)
    booked = repo.observations_for(svc.store, s.reviewee.person_id, cycle.cycle_id)
    observer = svc.store.get_person(observer_id) if observer_id else None
    clean, errors = _readable(form, entered.values, s)
    # Every mistake at once, beside its field: the form's own checks, the observer, the time, and
    # the notice, cycle and limit rules for whichever of the date and length could be read.
    problems = observer_problems(observer, s.reviewee) if observer_id else [_no_observer()]
    wrong = {e.key for e in errors}
    at = parse_time(str(clean.get("time", "")))
    if "time" not in wrong and "time" in clean and at is None:
        problems.append(_time_unreadable())
    problems += rule_problems(
        day=date.fromisoformat(str(clean["date"])) if "date" in clean else None,
        duration_minutes=int(clean["duration_minutes"]) if "duration_minutes" in clean else None,
        revision_ref=str(clean.get("revision_ref", "")),
        reviewee=s.reviewee,
        style=s.school.policy_style,
        cycle=cycle,
        booked=booked,
        today=svc.clock.today(),
        calendar=s.school.working_calendar(),
    )
    if errors or problems:
        logger.info(
            "observation refused",
            reviewee_id=s.reviewee.person_id,
            codes=[p.code for p in problems],
            field_errors=len(errors),
        )
        return again(entered.values, _in_page_order(form, s, errors + _errors(problems)))
    plan = plan_from_values(clean, observer_id)
    if isinstance(plan, Problem):  # not reached: the time was read above
        return again(entered.values, _errors([plan]))
    try:
        booking = check_booking(
            plan,
            observer=observer,
            reviewee=s.reviewee,
            style=s.school.policy_style,
            cycle=cycle,
            booked=booked,
            today=svc.clock.today(),
            calendar=s.school.working_calendar(),
        )
    except BookingRefused as refused:  # not reached: the same rules passed above
        return again(entered.values, _errors(refused.problems))
    assert observer is not None  # check_booking refuses an unknown observer

    obs_id = _once_id(s.actor.person_id, s.reviewee.person_id, once)
    observation = Observation(
        obs_id=obs_id,
        school_id=s.school.id,
        cycle_id=cycle.cycle_id,
        style=s.school.policy_style,
        reviewee_id=s.reviewee.person_id,
        observer_id=observer.person_id,
        booked_by=s.actor.person_id,
        booked_at=svc.clock.now(),
        plan=clean,
        day=plan.day,
        at=plan.at.strftime("%H:%M"),
        duration_minutes=plan.duration_minutes,
        notice_by=booking.notice_by,
        feedback_due=booking.feedback_due,
        record_due=booking.record_due,
        revision_ref=plan.revision_ref.strip() if booking.beyond_cap else None,
    )
    link = f"/observations/{obs_id}"
    context = {
        "observation": observation,
        "observer": observer,
        "reviewee": s.reviewee,
        "rules": style_rules(s.school.policy_style),
        "link": link,
        "when": observation.when,
        "feedback_due": _day(booking.feedback_due),
        "record_due": _day(booking.record_due),
    }
    subject = f"Notice of a lesson observation on {observation.when}"
    # App 3.5: the member of staff is notified at least a week before.
    notice = _email(svc, "observation_notice", s.reviewee, subject, **context)
    emails = [(notice, f"observation-notice:{obs_id}:{s.reviewee.person_id}")]
    if observer.person_id != s.actor.person_id:
        told = _email(
            svc,
            "observation_notice",
            observer,
            f"You are observing on {observation.when}",
            **context,
        )
        emails.append((told, f"observation-notice:{obs_id}:{observer.person_id}"))
    deadlines = [
        OpenItem(
            pk=f"PERSON#{s.reviewee.person_id}",
            sk=repo.deadline_sk(cycle.cycle_id, event, obs_id),
            school_id=s.school.id,
            subject_id=s.reviewee.person_id,
            responsible_id=observer.person_id,
            event=event,
            due_date=due,
            link=link + ("/record" if event == RECORD_EVENT else ""),
            title=title,
        )
        for event, due, title in (
            (FEEDBACK_EVENT, booking.feedback_due, f"Observation feedback for {s.reviewee.name}"),
            (RECORD_EVENT, booking.record_due, f"Observation record for {s.reviewee.name}"),
        )
    ]
    audit = _audit(svc, s.reviewee, s.actor, "observation.booked", f"observation:{obs_id}")
    ttl = expires_at_for_cycle_id(svc.settings, observation.cycle_id)  # 7
    if repo.book(svc.store, observation, audit, emails, deadlines, expires_at=ttl):
        logger.info(
            "observation booked",
            obs_id=obs_id,
            minutes=plan.duration_minutes,
            minutes_after=booking.minutes_after,
            cap=booking.cap_minutes,
            beyond_cap=booking.beyond_cap,
        )
    return redirect(link)


def _readable(
    form: Form, values: dict[str, Any], s: Subject
) -> tuple[dict[str, Any], list[FieldError]]:
    """The clean values of every field that passed the form's checks, and the errors of the rest:
    the booking rules then run on what could be read, not only when everything could."""
    try:
        return form.validate(values, s.ctx), []
    except FormInvalid as invalid:
        errors = invalid.errors
    wrong = {e.key for e in errors}
    readable = {key: value for key, value in values.items() if key not in wrong}
    try:
        return form.validate(readable, s.ctx, partial=True), errors
    except FormInvalid:
        return {}, errors


def _in_page_order(form: Form, s: Subject, errors: list[FieldError]) -> list[FieldError]:
    """The error summary lists mistakes in the order the fields appear (observer first)."""
    order = ["observer"] + [f.key for f in form.fields_for(s.ctx.style)]
    return sorted(errors, key=lambda e: order.index(e.key) if e.key in order else len(order))


def _time_unreadable() -> Problem:
    return Problem(
        "time", "time-unreadable", "Enter the time on the 24-hour clock, like 09:15 or 13:40."
    )


def _no_observer() -> Problem:
    return Problem("observer", "observer-missing", "Choose who will observe.")


# -- a person's observations ----------------------------------------------------------------------


@router.get("/people/<person_id>/observations")
def list_observations(person_id: str) -> Response:
    s = _subject(person_id)
    svc = services()
    cycle = svc.cycle(s.reviewee)
    booked = repo.observations_for(svc.store, s.reviewee.person_id, cycle.cycle_id)
    cap = cap_minutes(s.reviewee.fte, s.school.policy_style)
    used = minutes_booked(booked)
    return page(
        "observations/list.html",
        s.who,
        reviewee=s.reviewee,
        observations=booked,
        cycle=cycle,
        cap=cap,
        used=used,
        remaining=max(0, cap - used),
        rules=style_rules(s.school.policy_style),
        can_book=may_book(s.actor, s.reviewee),
        is_reviewee=s.actor.person_id == s.reviewee.person_id,
        day=_day,
    )


# -- one observation ---------------------------------------------------------------------------------


def _view(
    f: Found, *, comment_text: str = "", comment_error: str | None = None, status: int = 200
) -> Response:
    svc = services()
    forms = observation_forms()
    observer = svc.store.get_person(f.observation.observer_id)
    comments = repo.comments_for(svc.store, f.observation)
    return page(
        "observations/view.html",
        f.who,
        http_status=status,
        observation=f.observation,
        reviewee=f.reviewee,
        observer=observer,
        plan_form=forms[PLAN_FORM],
        record_form=forms[RECORD_FORM],
        ctx=f.ctx,
        rules=style_rules(f.school.policy_style),
        comments=comments,
        authors={f.reviewee.person_id: f.reviewee},
        may_record=f.observation.may_record(f.actor),
        may_comment=f.observation.may_comment(f.actor),
        comment_text=comment_text,
        comment_error=comment_error,
        once=secrets.token_urlsafe(16),
        today=svc.clock.today(),
        day=_day,
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
        day=_day,
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
    svc = services()
    form = observation_forms()[RECORD_FORM]
    entered = form.read(body, f.ctx)
    try:
        loaded = max(0, int(first(body, "_version") or 0))
    except ValueError:
        loaded = 0
    since = paused_since(svc, f.reviewee, f.observation.cycle_id)
    if since is not None:  # 3, 4.1: nothing is saved in a paused cycle; the text is shown again
        return _record_page(
            f, entered.values, [], loaded, status=409, message=paused_refusal(since)
        )
    today = svc.clock.today()
    if today < f.observation.day:
        raise RecordNotYet(
            f"The observation is on {_day(f.observation.day)}: write the record once it has "
            "taken place."
        )
    try:
        clean = form.validate(entered.values, f.ctx)
    except FormInvalid as invalid:
        return _record_page(f, invalid.values, invalid.errors, loaded, status=422)
    met = date.fromisoformat(clean["feedback_meeting_on"])
    if met < f.observation.day or met > today:
        problem = FieldError(
            key="feedback_meeting_on",
            anchor="f-feedback_meeting_on",
            message=(
                f"The feedback meeting is on or after the lesson ({_day(f.observation.day)}) "
                "and not in the future."
            ),
        )
        return _record_page(f, entered.values, [problem], loaded, status=422)

    current = f.observation
    if current.version != loaded:
        if current.record == clean:
            _pass_on_development(svc, current)  # a retried request: finish what it began
            return redirect(f"/observations/{quote(obs_id)}")
        return _record_page(
            f,
            entered.values,
            [],
            loaded,
            status=409,
            message=(
                f"This record was saved elsewhere (version {current.version}) while you were "
                "writing. Your answers below are not saved yet: check them and send again."
            ),
        )
    first_record = current.status == "planned"
    updated = current.model_copy(
        update={
            "status": "recorded",
            "record": clean,
            "version": current.version + 1,
            "recorded_by": f.actor.person_id,
            "recorded_at": svc.clock.now(),
        }
    )
    emails: list[tuple[Email, str]] = []
    if first_record:
        # App 3.13: the member of staff receives a copy; App 3.14: so does the line manager.
        people = {p: svc.store.get_person(p) for p in copy_recipients(updated, f.reviewee)}
        for person_id, person in people.items():
            if person is None:
                continue
            email = _email(
                svc,
                "observation_record",
                person,
                f"Observation record: {updated.when}",
                observation=updated,
                reviewee=f.reviewee,
                observer=f.actor,
                form=form,
                ctx=f.ctx,
                rules=style_rules(f.school.policy_style),
                link=f"/observations/{obs_id}",
                is_reviewee=person_id == f.reviewee.person_id,
            )
            emails.append((email, f"observation-record:{obs_id}:{person_id}"))
    close = [
        (f"PERSON#{f.reviewee.person_id}", repo.deadline_sk(current.cycle_id, event, obs_id))
        for event in (FEEDBACK_EVENT, RECORD_EVENT)
    ]
    audit = _audit(svc, f.reviewee, f.actor, "observation.recorded", f"observation:{obs_id}")
    try:
        repo.save_record(
            svc.store,
            updated,
            audit,
            emails,
            close if first_record else [],
            expires_at=expires_at_for_cycle_id(svc.settings, updated.cycle_id),  # 7
        )
    except VersionConflict as conflict:
        return _record_page(
            f,
            entered.values,
            [],
            conflict.current_version,
            status=409,
            message=(
                "Someone saved this record at the same moment. Your answers below are not saved "
                "yet: check them and send again."
            ),
        )
    passed = _pass_on_development(svc, updated)
    logger.info(
        "observation recorded",
        obs_id=obs_id,
        version=updated.version,
        copies=len(emails),
        development_needs=passed,
        late=today > current.record_due,
    )
    return redirect(f"/observations/{quote(obs_id)}")


def _pass_on_development(svc: Services, observation: Observation) -> int:
    """App 3.15: agreed formal development reaches the CPD lead's queue (once per need;
    near-identical lines of one record once, as for the statement, 4.7)."""
    return add_needs(
        svc.store,
        distinct_needs(
            needs_from_text(
                formal_development(observation.record or {}),
                school_id=observation.school_id,
                person_id=observation.reviewee_id,
                cycle_id=observation.cycle_id,
                source="observation",
                source_ref=f"observation:{observation.obs_id}",
                now=svc.clock.now(),
            )
        ),
        expires_at=expires_at_for_cycle_id(svc.settings, observation.cycle_id),  # 7
    )


@router.post("/observations/<obs_id>/comments")
def add_comment(obs_id: str) -> Response:
    f = _observation(obs_id)
    body = form_body(router.current_event)
    require_csrf(f.who, body)
    if not f.observation.may_comment(f.actor):
        raise NotFound("Only the member of staff observed may add comments, once it is recorded.")
    svc = services()
    text = first(body, "comment").strip()
    once = first(body, "_once")[:64]
    since = paused_since(svc, f.reviewee, f.observation.cycle_id)
    if since is not None:  # 3, 4.1: nothing is added in a paused cycle; the text is kept
        return _view(f, comment_text=text, comment_error=paused_refusal(since), status=409)
    if not text or len(text) > MAX_COMMENT:
        message = (
            "Write your comments before sending them."
            if not text
            else f"Keep your comments to {MAX_COMMENT} characters or fewer."
        )
        return _view(f, comment_text=text, comment_error=message, status=422)
    comment = Comment(
        comment_id=_once_id(obs_id, f.actor.person_id, once or secrets.token_urlsafe(16)),
        obs_id=obs_id,
        author_id=f.actor.person_id,
        text=text,
        at=svc.clock.now(),
    )
    emails: list[tuple[Email, str]] = []
    observer = svc.store.get_person(f.observation.observer_id)
    if observer is not None:
        email = _email(
            svc,
            "observation_comment",
            observer,
            f"Comments added to the observation record of {f.observation.when}",
            observation=f.observation,
            reviewee=f.reviewee,
            link=f"/observations/{obs_id}",
        )
        emails.append((email, f"observation-comment:{comment.comment_id}"))
    audit = _audit(svc, f.reviewee, f.actor, "observation.commented", f"observation:{obs_id}")
    ttl = expires_at_for_cycle_id(svc.settings, f.observation.cycle_id)  # 7
    if repo.add_comment(svc.store, f.observation, comment, audit, emails, expires_at=ttl):
        logger.info("observation comment added", obs_id=obs_id, chars=len(text))
    return redirect(f"/observations/{quote(obs_id)}#comments")
