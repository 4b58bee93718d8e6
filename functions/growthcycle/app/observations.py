"""Lesson observations (Appendix 3), as use cases: `book` one with a week's notice, `record` it
within 5 working days, `comment` on the record; and what the pages show (`booking_view`,
`listing`, `detail`).

Who: the reviewee's reviewer of record (domain/reviewers.py `review_of_record`: an assigned
reviewer replaces the line manager, 4.2) or the headteacher books and sees them; the observer
writes the record; the reviewee appends comments (App 3.13, 3.14).

Named errors for the routes (domain/observations.py, domain/special_cases.py): CyclePaused,
BookingInvalid (every mistake beside its field), TooEarlyToRecord, RecordInvalid, RecordChanged,
CommentInvalid.

Every write is safe to repeat: a booking and a comment carry a one-time value from the page that
showed the form (their ids derive from it), and a record is a conditional write on the version
the observer loaded.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from growthcycle.adapters import observations as repo
from growthcycle.adapters.outbox import Email
from growthcycle.adapters.training import add_needs
from growthcycle.app.context import Services
from growthcycle.app.mail import rendered_email
from growthcycle.app.reviewers import review_of
from growthcycle.app.special_cases import refuse_if_paused
from growthcycle.domain.cycles import Cycle
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
    BookingInvalid,
    BookingRefused,
    Comment,
    CommentInvalid,
    Observation,
    Problem,
    RecordChanged,
    RecordInvalid,
    StyleRules,
    TooEarlyToRecord,
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
from growthcycle.domain.people import Person, in_post
from growthcycle.domain.records import AuditEntry, VersionConflict
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.training import distinct_needs, needs_from_text
from growthcycle.domain.trust import School
from growthcycle.observability import logger

MAX_COMMENT = 5000


def observation_forms() -> dict[str, Form]:
    """The plan and record forms (forms/observations/: not per-cycle forms, so not in forms/)."""
    registry = load_forms(RESOURCES / "forms" / "observations")
    return {PLAN_FORM: registry.get(PLAN_FORM), RECORD_FORM: registry.get(RECORD_FORM)}


def long_day(d: date) -> str:
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
    return rendered_email(
        template, to, subject, trust_name=svc.settings.trust_name, base_url=base, **context
    )


# -- who may ---------------------------------------------------------------------------------------


def visible_reviewee(svc: Services, actor: Person, person_id: str) -> Person | None:
    """The member of staff whose observations `actor` may see (7, App 3.14), else None: another
    school's person, or someone whose observations you may not see, looks like nobody."""
    reviewee = svc.store.get_person(person_id)
    if reviewee is None or not reviewee.is_staff:
        return None
    return reviewee if may_see(actor, reviewee, record=review_of(svc, reviewee)) else None


def may_book_for(svc: Services, actor: Person, reviewee: Person) -> bool:
    return may_book(actor, reviewee, review_of(svc, reviewee))


def visible_observation(
    svc: Services, actor: Person, obs_id: str
) -> tuple[Observation, Person] | None:
    """The observation and its reviewee, when `actor` may see it (the observer too), else None."""
    observation = repo.get_observation(svc.store, obs_id) if len(obs_id) <= 64 else None
    reviewee = svc.store.get_person(observation.reviewee_id) if observation else None
    if observation is None or reviewee is None:
        return None
    if not may_see(actor, reviewee, observation, review_of(svc, reviewee)):
        return None
    return observation, reviewee


def observers(svc: Services, reviewee: Person) -> list[Person]:
    """App 3.1: qualified teachers of the school (the reviewee aside)."""
    today = svc.clock.today()
    return [
        p
        for p in svc.store.people_in_school(reviewee.school_id)
        if p.is_staff
        and p.qualified_teacher
        and p.person_id != reviewee.person_id
        and in_post(p, today)
    ]


# -- what the pages show -------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    """A reviewee's cycle, their observations in it and the App 3.4 limit."""

    cycle: Cycle
    observations: list[Observation]
    cap: int
    used: int
    rules: StyleRules

    @property
    def remaining(self) -> int:
        return max(0, self.cap - self.used)


def allowance(svc: Services, reviewee: Person, school: School) -> Allowance:
    cycle = svc.cycle(reviewee)
    booked = repo.observations_for(svc.store, reviewee.person_id, cycle.cycle_id)
    return Allowance(
        cycle=cycle,
        observations=booked,
        cap=cap_minutes(reviewee.fte, school.policy_style),
        used=minutes_booked(booked),
        rules=style_rules(school.policy_style),
    )


def earliest(svc: Services, school: School) -> date:
    return earliest_day(svc.clock.today(), school.working_calendar(), school.policy_style)


@dataclass(frozen=True)
class Detail:
    observer: Person | None
    comments: list[Comment]


def detail(svc: Services, observation: Observation) -> Detail:
    return Detail(
        observer=svc.store.get_person(observation.observer_id),
        comments=repo.comments_for(svc.store, observation),
    )


# -- booking (App 3.3, 3.5) -------------------------------------------------------------------------


def _errors(problems: list[Problem]) -> list[FieldError]:
    return [FieldError(key=p.key, anchor=f"f-{p.key}", message=p.message) for p in problems]


def _readable(
    form: Form, values: dict[str, Any], ctx: FormContext
) -> tuple[dict[str, Any], list[FieldError]]:
    """The clean values of every field that passed the form's checks, and the errors of the rest:
    the booking rules then run on what could be read, not only when everything could."""
    try:
        return form.validate(values, ctx), []
    except FormInvalid as invalid:
        errors = invalid.errors
    wrong = {e.key for e in errors}
    readable = {key: value for key, value in values.items() if key not in wrong}
    try:
        return form.validate(readable, ctx, partial=True), errors
    except FormInvalid:
        return {}, errors


def _in_page_order(form: Form, ctx: FormContext, errors: list[FieldError]) -> list[FieldError]:
    """The error summary lists mistakes in the order the fields appear (observer first)."""
    order = ["observer"] + [f.key for f in form.fields_for(ctx.style)]
    return sorted(errors, key=lambda e: order.index(e.key) if e.key in order else len(order))


def _time_unreadable() -> Problem:
    return Problem(
        "time", "time-unreadable", "Enter the time on the 24-hour clock, like 09:15 or 13:40."
    )


def _no_observer() -> Problem:
    return Problem("observer", "observer-missing", "Choose who will observe.")


def book(
    svc: Services,
    actor: Person,
    reviewee: Person,
    school: School,
    ctx: FormContext,
    *,
    entered: dict[str, Any],
    observer_id: str,
    once: str,
) -> Observation:
    """Book an observation from the plan form's entered values: the notice to the reviewee (and
    the observer), the feedback and record due dates as open items, the audit entry, in one
    write; a second send of the same form (the same `once`) books nothing more.
    CyclePaused; BookingInvalid with every mistake beside its field."""
    cycle = svc.cycle(reviewee)
    refuse_if_paused(svc, reviewee, cycle.cycle_id)  # 3, 4.1: a paused cycle books nothing
    form = observation_forms()[PLAN_FORM]
    booked = repo.observations_for(svc.store, reviewee.person_id, cycle.cycle_id)
    observer = svc.store.get_person(observer_id) if observer_id else None
    clean, errors = _readable(form, entered, ctx)
    # Every mistake at once, beside its field: the form's own checks, the observer, the time, and
    # the notice, cycle and limit rules for whichever of the date and length could be read.
    problems = observer_problems(observer, reviewee) if observer_id else [_no_observer()]
    wrong = {e.key for e in errors}
    if "time" not in wrong and "time" in clean and parse_time(str(clean["time"])) is None:
        problems.append(_time_unreadable())
    today, calendar, style = svc.clock.today(), school.working_calendar(), school.policy_style
    problems += rule_problems(
        day=date.fromisoformat(str(clean["date"])) if "date" in clean else None,
        duration_minutes=int(clean["duration_minutes"]) if "duration_minutes" in clean else None,
        revision_ref=str(clean.get("revision_ref", "")),
        reviewee=reviewee,
        style=style,
        cycle=cycle,
        booked=booked,
        today=today,
        calendar=calendar,
    )
    if errors or problems:
        logger.info(
            "observation refused",
            reviewee_id=reviewee.person_id,
            codes=[p.code for p in problems],
            field_errors=len(errors),
        )
        raise BookingInvalid(_in_page_order(form, ctx, errors + _errors(problems)))
    plan = plan_from_values(clean, observer_id)
    if isinstance(plan, Problem):  # not reached: the time was read above
        raise BookingInvalid(_errors([plan]))
    try:
        booking = check_booking(
            plan,
            observer=observer,
            reviewee=reviewee,
            style=style,
            cycle=cycle,
            booked=booked,
            today=today,
            calendar=calendar,
        )
    except BookingRefused as refused:  # not reached: the same rules passed above
        raise BookingInvalid(_errors(refused.problems)) from None
    assert observer is not None  # check_booking refuses an unknown observer

    obs_id = _once_id(actor.person_id, reviewee.person_id, once or secrets.token_urlsafe(16))
    observation = Observation(
        obs_id=obs_id,
        school_id=school.id,
        cycle_id=cycle.cycle_id,
        style=style,
        reviewee_id=reviewee.person_id,
        observer_id=observer.person_id,
        booked_by=actor.person_id,
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
        "reviewee": reviewee,
        "rules": style_rules(style),
        "link": link,
        "when": observation.when,
        "feedback_due": long_day(booking.feedback_due),
        "record_due": long_day(booking.record_due),
    }
    subject = f"Notice of a lesson observation on {observation.when}"
    # App 3.5: the member of staff is notified at least a week before.
    notice = _email(svc, "observation_notice", reviewee, subject, **context)
    emails = [(notice, f"observation-notice:{obs_id}:{reviewee.person_id}")]
    if observer.person_id != actor.person_id:
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
            pk=f"PERSON#{reviewee.person_id}",
            sk=repo.deadline_sk(cycle.cycle_id, event, obs_id),
            school_id=school.id,
            subject_id=reviewee.person_id,
            responsible_id=observer.person_id,
            event=event,
            due_date=due,
            link=link + ("/record" if event == RECORD_EVENT else ""),
            title=title,
        )
        for event, due, title in (
            (FEEDBACK_EVENT, booking.feedback_due, f"Observation feedback for {reviewee.name}"),
            (RECORD_EVENT, booking.record_due, f"Observation record for {reviewee.name}"),
        )
    ]
    audit = _audit(svc, reviewee, actor, "observation.booked", f"observation:{obs_id}")
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
    return observation


# -- the record (App 3.13 to 3.15) --------------------------------------------------------------------


def record(
    svc: Services,
    actor: Person,
    current: Observation,
    reviewee: Person,
    school: School,
    ctx: FormContext,
    *,
    entered: dict[str, Any],
    loaded_version: int,
) -> Observation:
    """The observer writes (or changes) the record, on the version they loaded. The first record
    sends the copies (App 3.13, 3.14: the reviewee and their reviewer of record) and closes the
    feedback and record items; agreed formal development reaches the CPD lead (App 3.15).
    CyclePaused, TooEarlyToRecord, RecordInvalid, RecordChanged."""
    refuse_if_paused(svc, reviewee, current.cycle_id)  # 3, 4.1: nothing is saved in a paused cycle
    today = svc.clock.today()
    if today < current.day:
        raise TooEarlyToRecord(current.day)
    form = observation_forms()[RECORD_FORM]
    try:
        clean = form.validate(entered, ctx)
    except FormInvalid as invalid:
        raise RecordInvalid(invalid.values, invalid.errors) from None
    met = date.fromisoformat(clean["feedback_meeting_on"])
    if met < current.day or met > today:
        problem = FieldError(
            key="feedback_meeting_on",
            anchor="f-feedback_meeting_on",
            message=(
                f"The feedback meeting is on or after the lesson ({long_day(current.day)}) "
                "and not in the future."
            ),
        )
        raise RecordInvalid(entered, [problem])
    obs_id = current.obs_id
    if current.version != loaded_version:
        if current.record == clean:
            _pass_on_development(svc, current)  # a retried request: finish what it began
            return current
        raise RecordChanged(
            loaded_version,
            f"This record was saved elsewhere (version {current.version}) while you were "
            "writing. Your answers below are not saved yet: check them and send again.",
        )
    first_record = current.status == "planned"
    updated = current.model_copy(
        update={
            "status": "recorded",
            "record": clean,
            "version": current.version + 1,
            "recorded_by": actor.person_id,
            "recorded_at": svc.clock.now(),
        }
    )
    emails: list[tuple[Email, str]] = []
    if first_record:
        # App 3.13: the member of staff receives a copy; App 3.14: so does their reviewer.
        wanted = copy_recipients(updated, reviewee, review_of(svc, reviewee))
        for person_id in wanted:
            person = svc.store.get_person(person_id)
            if person is None:
                continue
            email = _email(
                svc,
                "observation_record",
                person,
                f"Observation record: {updated.when}",
                observation=updated,
                reviewee=reviewee,
                observer=actor,
                form=form,
                ctx=ctx,
                rules=style_rules(school.policy_style),
                link=f"/observations/{obs_id}",
                is_reviewee=person_id == reviewee.person_id,
            )
            emails.append((email, f"observation-record:{obs_id}:{person_id}"))
    close = [
        (f"PERSON#{reviewee.person_id}", repo.deadline_sk(current.cycle_id, event, obs_id))
        for event in (FEEDBACK_EVENT, RECORD_EVENT)
    ]
    audit = _audit(svc, reviewee, actor, "observation.recorded", f"observation:{obs_id}")
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
        raise RecordChanged(
            conflict.current_version,
            "Someone saved this record at the same moment. Your answers below are not saved "
            "yet: check them and send again.",
        ) from None
    passed = _pass_on_development(svc, updated)
    logger.info(
        "observation recorded",
        obs_id=obs_id,
        version=updated.version,
        copies=len(emails),
        development_needs=passed,
        late=today > current.record_due,
    )
    return updated


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


# -- the reviewee's comments (App 3.13) -----------------------------------------------------------------


def comment(
    svc: Services,
    actor: Person,
    observation: Observation,
    reviewee: Person,
    *,
    text: str,
    once: str,
) -> Comment:
    """The reviewee appends comments to the record; the observer is told. Once per `once` (a
    retry adds nothing). CyclePaused, CommentInvalid. The caller checks `may_comment`."""
    refuse_if_paused(svc, reviewee, observation.cycle_id)  # 3, 4.1: nothing added when paused
    text = text.strip()
    if not text:
        raise CommentInvalid("Write your comments before sending them.")
    if len(text) > MAX_COMMENT:
        raise CommentInvalid(f"Keep your comments to {MAX_COMMENT} characters or fewer.")
    obs_id = observation.obs_id
    added = Comment(
        comment_id=_once_id(obs_id, actor.person_id, once or secrets.token_urlsafe(16)),
        obs_id=obs_id,
        author_id=actor.person_id,
        text=text,
        at=svc.clock.now(),
    )
    emails: list[tuple[Email, str]] = []
    observer = svc.store.get_person(observation.observer_id)
    if observer is not None:
        email = _email(
            svc,
            "observation_comment",
            observer,
            f"Comments added to the observation record of {observation.when}",
            observation=observation,
            reviewee=reviewee,
            link=f"/observations/{obs_id}",
        )
        emails.append((email, f"observation-comment:{added.comment_id}"))
    audit = _audit(svc, reviewee, actor, "observation.commented", f"observation:{obs_id}")
    ttl = expires_at_for_cycle_id(svc.settings, observation.cycle_id)  # 7
    if repo.add_comment(svc.store, observation, added, audit, emails, expires_at=ttl):
        logger.info("observation comment added", obs_id=obs_id, chars=len(text))
    return added
