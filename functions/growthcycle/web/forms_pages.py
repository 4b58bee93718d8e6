"""Home and the hosted forms: show, validate, save (with versions), and show what was saved.

- A form is filled by its `filled_by` party; a field another party writes (per-field `filled_by`,
  such as the reviewee's comments on the planning and review statement) is shown read-only and
  what is posted for it is ignored (4.9).
- A reviewee's form, once submitted, may be read (never changed) by their reviewer of record and
  the headteacher (7); a draft stays the reviewee's alone. The reviewer's forms link to it.
- Guidance notes (web/hooks.py checkers) are shown on every render of a form; on Submit a blocking
  note refuses, and advice a checker asks to confirm is shown with a second Submit to send as is.
- The reflection form lives at /reflections (web/reflections.py): its hosted URL redirects there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.domain.access import is_reviewer_of, may_fill, may_view
from growthcycle.domain.forms import Form, FormContext, FormInvalid, UnknownForm
from growthcycle.domain.people import Person, appraisal_exclusion
from growthcycle.domain.records import AuditEntry, Submission, VersionConflict
from growthcycle.domain.retention import expires_at_for
from growthcycle.domain.statements import STATEMENT_FORM, statement_id_for
from growthcycle.domain.trust import School
from growthcycle.observability import logger
from growthcycle.web import hooks
from growthcycle.web.core import (
    Visitor,
    form_context,
    page,
    require_csrf,
    school_of,
    sign_in_form,
    signed_in,
    visitor,
)
from growthcycle.web.errors import NotFound
from growthcycle.web.http import first, form_body, redirect
from growthcycle.web.paging import page_of
from growthcycle.web.reflections import FORM_ID as REFLECTION_FORM
from growthcycle.web.reflections import NEW_URL as NEW_REFLECTION_URL
from growthcycle.web.reflections import timeline_url
from growthcycle.web.reviewers import review_inputs, review_inputs_of
from growthcycle.web.services import Services, services
from growthcycle.web.special_cases import paused_refusal, paused_since
from growthcycle.web.statement_content import load_statement, show

router = Router()

# -- home --------------------------------------------------------------------------------------


@router.get("/")
def home() -> Response:
    who = visitor()
    if who.person is None:
        return sign_in_form(who, message=None)
    svc = services()
    me = who.person
    school = school_of(svc, me)
    cycle = svc.cycle(me)
    excluded = appraisal_exclusion(me, svc.clock.today())  # 3: shown, not silently dropped
    style = school.policy_style
    forms = svc.forms(school.id)
    # Reflections are recorded at /reflections/new (the "Record a reflection" card), not here.
    own_forms = [
        form
        for form in forms
        if form.filled_by == "reviewee"
        and form.id != REFLECTION_FORM
        and form.applies_to(style)
        and form.is_for(me.roles)
        and me.is_staff
    ]
    reviewer_forms = [f for f in forms if f.filled_by == "reviewer" and f.applies_to(style)]

    def reviewer_forms_for(subject: Person) -> list[Form]:
        return [f for f in reviewer_forms if f.is_for(subject.roles)]

    people = svc.store.people_in_school(me.school_id)
    # 4.2: who reviews whom this cycle (assignments; the headteacher's appointed governors).
    reviewing = review_inputs_of(svc, people)
    mine = [
        other
        for other in people
        if other.is_staff and is_reviewer_of(me, other, reviewing.get(other.person_id))
    ]
    # issue 14.1: the people you review a page at a time; their forms read for this page only,
    # with one BatchGetItem (at most 100 keys: 20 people, four or five forms each).
    listed = page_of(mine, "/")
    cycles = {p.person_id: svc.cycle(p).cycle_id for p in listed.items}
    keys = [(me.person_id, cycle.cycle_id, f.id) for f in own_forms] + [
        (p.person_id, cycles[p.person_id], f.id)
        for p in listed.items
        for f in (*reviewer_forms_for(p), *shared_form_defs(svc, school, p))
    ]
    saved = svc.store.get_submissions(keys)

    def row(subject: Person, form: Form, cycle_id: str) -> dict[str, Any]:
        return _form_row(subject, form, saved.get((subject.person_id, cycle_id, form.id)))

    reviewees = [
        {
            "person": other,
            "forms": [
                row(other, form, cycles[other.person_id]) for form in reviewer_forms_for(other)
            ],
            # 7: what the reviewee has submitted, to read; their drafts stay theirs.
            "theirs": _shared_forms(svc, other, school, cycles[other.person_id], saved),
            "excluded": appraisal_exclusion(other, svc.clock.today()),  # 3: shown as such
        }
        for other in listed.items
    ]
    return page(
        "pages/home.html",
        who,
        school=school,
        cycle=cycle,
        excluded=excluded,
        own=[row(me, form, cycle.cycle_id) for form in own_forms],
        reviewees=reviewees,
        listed=listed,
    )


def _form_row(subject: Person, form: Form, saved: Submission | None) -> dict[str, Any]:
    return {
        "form": form,
        "url": f"/people/{quote(subject.person_id)}/forms/{quote(form.id)}",
        "status": saved.status if saved else "not started",
        "version": saved.version if saved else 0,
    }


def latest_submitted(
    svc: Services, subject: Person, cycle_id: str, form_id: str
) -> Submission | None:
    """The reviewee's latest submitted version (7: what they have shared), never a draft."""
    current = svc.store.get_submission(subject.person_id, cycle_id, form_id)
    return latest_shared(svc, subject, cycle_id, form_id, current)


def latest_shared(
    svc: Services, subject: Person, cycle_id: str, form_id: str, current: Submission | None
) -> Submission | None:
    """As `latest_submitted`, given the current submission read already (None: there is none):
    a draft over a submitted version costs one Query of the versions."""
    if current is None or current.status == "submitted":
        return current
    if current.version <= 1:
        return None
    shared = [
        v
        for v in svc.store.submission_versions(subject.person_id, cycle_id, form_id)
        if v.status == "submitted"
    ]
    return max(shared, key=lambda v: v.version) if shared else None


def shared_form_defs(svc: Services, school: School, subject: Person) -> list[Form]:
    """The subject's forms (self-review, ...) that their reviewer may read once submitted (7)."""
    return [
        form
        for form in svc.forms(school.id)
        if form.filled_by == "reviewee"
        and form.id != REFLECTION_FORM
        and form.applies_to(school.policy_style)
        and form.is_for(subject.roles)
    ]


def _shared_forms(
    svc: Services,
    subject: Person,
    school: School,
    cycle_id: str | None = None,
    saved: Mapping[tuple[str, str, str], Submission] | None = None,
) -> list[dict[str, Any]]:
    """The reviewee's submitted forms (self-review, ...) that their reviewer may read (7).
    `saved`: current submissions read already (Store.get_submissions), by (person, cycle, form)."""
    cycle_id = cycle_id or svc.cycle(subject).cycle_id
    found: list[dict[str, Any]] = []
    for form in shared_form_defs(svc, school, subject):
        key = (subject.person_id, cycle_id, form.id)
        if saved is None:
            shared = latest_submitted(svc, subject, cycle_id, form.id)
        else:
            shared = latest_shared(svc, subject, cycle_id, form.id, saved.get(key))
        if shared is not None:
            found.append(
                {
                    "form": form,
                    "title": _plain_title(form),
                    "url": f"/people/{quote(subject.person_id)}/forms/{quote(form.id)}",
                    "version": shared.version,
                    "saved_at": shared.saved_at,
                }
            )
    return found


def _plain_title(form: Form) -> str:
    """'Your self-review' as a reader sees it: 'Self-review'."""
    title = form.title
    return title[5:6].upper() + title[6:] if title.startswith("Your ") else title


# -- forms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormTarget:
    who: Visitor
    actor: Person
    subject: Person
    form: Form
    ctx: FormContext
    school: School
    cycle_id: str
    url: str
    mode: Literal["fill", "read"] = "fill"

    @property
    def role(self) -> str:
        """The party the actor fills this form as (its `filled_by`)."""
        return self.form.filled_by

    def event(self, values: dict[str, Any], *, partial: bool) -> hooks.FormEvent:
        return hooks.FormEvent(
            svc=services(),
            actor=self.actor,
            subject=self.subject,
            form=self.form,
            ctx=self.ctx,
            school=self.school,
            cycle_id=self.cycle_id,
            values=values,
            partial=partial,
        )


def _target(person_id: str, form_id: str, *, reading: bool = False) -> FormTarget:
    """Who may fill the form; with `reading`, also who may read a reviewee's form once it is
    submitted: their reviewer of record and the headteacher (7). Anyone else: a 404."""
    who, actor = signed_in()
    svc = services()
    subject = svc.store.get_person(person_id)
    # Another school's person, or someone you do not review, looks exactly like nobody (7).
    mode: Literal["fill", "read"] = "fill"
    if subject is None:
        raise NotFound("There is no such form for you to fill in.")
    # The subject's school's forms: shipped, then the trust's and the school's own (form_layers).
    try:
        form = svc.forms(subject.school_id).get(form_id)
    except UnknownForm as error:
        raise NotFound("There is no such form.") from error
    inputs = review_inputs(svc, subject)
    if not may_fill(actor, subject, form.filled_by, inputs):
        if not (
            reading
            and form.filled_by == "reviewee"
            and subject.is_staff
            and may_view(actor, subject, inputs)
        ):
            raise NotFound("There is no such form for you to fill in.")
        mode = "read"
    school = school_of(svc, subject)
    if not form.applies_to(school.policy_style) or not form.is_for(subject.roles):
        raise NotFound("Your school does not use this form.")
    return FormTarget(
        who=who,
        actor=actor,
        subject=subject,
        form=form,
        ctx=form_context(school),
        school=school,
        cycle_id=svc.cycle(subject).cycle_id,
        url=f"/people/{quote(subject.person_id)}/forms/{quote(form.id)}",
        mode=mode,
    )


@router.get("/forms/<form_id>")
def my_form(form_id: str) -> Response:
    _, me = signed_in()
    return redirect(f"/people/{quote(me.person_id)}/forms/{quote(form_id)}")


def _reflection_elsewhere(target: FormTarget) -> Response:
    """One way to record a reflection: /reflections/new and its timeline (seed 003, point 2)."""
    if target.actor.person_id == target.subject.person_id:
        return redirect(NEW_REFLECTION_URL)
    return redirect(timeline_url(target.subject.person_id))


@router.get("/people/<person_id>/forms/<form_id>")
def show_form(person_id: str, form_id: str) -> Response:
    target = _target(person_id, form_id, reading=True)
    if target.form.id == REFLECTION_FORM:
        return _reflection_elsewhere(target)
    if target.mode == "read":
        return _read_page(target)
    saved = services().store.get_submission(
        target.subject.person_id, target.cycle_id, target.form.id
    )
    values = saved.values if saved else target.form.blank_values(target.ctx)
    return _form_page(target, values, [], saved.version if saved else 0, saved=None)


def _read_page(target: FormTarget) -> Response:
    """7: the reviewee's submitted form, read-only, for their reviewer and the headteacher."""
    shared = latest_submitted(services(), target.subject, target.cycle_id, target.form.id)
    if shared is None:
        # A draft is the reviewee's alone: it looks exactly like nothing (7).
        raise NotFound("There is no such form for you to fill in.")
    return _render(
        target,
        "forms/saved_page.html",
        where="the read-only page",
        form=target.form,
        ctx=target.ctx,
        values=shared.values,
        version=shared.version,
        status=shared.status,
        edit_url=None,
        subject=target.subject,
        reader=True,
        title=_plain_title(target.form),
        saved_at=shared.saved_at,
    )


def _render(
    target: FormTarget, template: str, *, where: str, http_status: int = 200, **context: Any
) -> Response:
    """A form's page. The planning and review form of a reviewee whose statement has been issued
    is that statement's text, so it is shown through web/statement_content.py `show`: the
    statement page's audience, and a line in the reviewee's "who has seen it" (7)."""
    if target.form.id == STATEMENT_FORM:
        statement_id = statement_id_for(target.subject.person_id, target.cycle_id)
        loaded = load_statement(services(), statement_id)
        if loaded is not None:
            title = _plain_title(target.form).lower()
            return show(
                target.who,
                target.actor,
                loaded,
                where=f"{title}, {where}",
                template=template,
                http_status=http_status,
                **context,
            )
    return page(template, target.who, http_status=http_status, **context)


def _notes_for(target: FormTarget, values: dict[str, Any], *, partial: bool) -> hooks.CheckResult:
    """Guidance on every render (4.6): the saved, the entered and the re-shown values alike."""
    return hooks.run_checks(target.event(values, partial=partial))


def _confirmation(clean: dict[str, Any]) -> str:
    """What a second press of Submit carries: a digest of exactly the text that was advised on,
    so a changed answer is checked (and advised on) again."""
    text = json.dumps(clean, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _form_page(
    target: FormTarget,
    values: dict[str, Any],
    errors: list[Any],
    version: int,
    *,
    saved: str | None,
    status: int = 200,
    notes: hooks.CheckResult | None = None,
    banner: str | None = None,
    confirm: str | None = None,
    partial: bool = True,
) -> Response:
    if notes is None:
        notes = _notes_for(target, values, partial=partial)
    svc = services()
    shared = _shared_forms(svc, target.subject, target.school) if target.role == "reviewer" else []
    return _render(
        target,
        "forms/form_page.html",
        where="the form page",
        http_status=status,
        form=target.form,
        ctx=target.ctx,
        values=values,
        errors=errors,
        action_url=target.url,
        saved=saved,
        version=version,
        subject=target.subject,
        notes=notes.by_key(),
        banner=banner,
        role=target.role,
        confirm=confirm,
        advice_count=sum(1 for n in notes.notes if n.severity == "advise" and n.confirm),
        shared=shared,
    )


@router.post("/people/<person_id>/forms/<form_id>")
def submit_form(person_id: str, form_id: str) -> Response:
    target = _target(person_id, form_id)
    body = form_body(router.current_event)
    require_csrf(target.who, body)
    svc = services()
    entered = target.form.read(body, target.ctx)
    try:
        loaded_version = max(0, int(first(body, "_version") or 0))
    except ValueError:
        loaded_version = 0
    current = svc.store.get_submission(target.subject.person_id, target.cycle_id, target.form.id)
    # 4.9: a field the other party writes is never taken from this POST; theirs is kept.
    entered.values = target.form.keep_theirs(
        entered.values, current.values if current else {}, target.ctx.style, target.role
    )

    if entered.action.startswith(("add:", "remove:")):
        return _form_page(target, entered.values, [], loaded_version, saved=None)

    partial = entered.action == "save"
    try:
        clean = target.form.validate(entered.values, target.ctx, partial=partial)
    except FormInvalid as invalid:
        return _form_page(
            target,
            invalid.values,
            invalid.errors,
            loaded_version,
            saved=None,
            status=422,
            partial=partial,
        )

    since = paused_since(svc, target.subject, target.cycle_id)
    if since is not None:
        # 4.1: the cycle is paused under the capability procedure: nothing is saved, and what
        # was typed is shown again so nothing is lost.
        return _form_page(
            target,
            entered.values,
            [],
            loaded_version,
            saved=None,
            status=409,
            banner=paused_refusal(since),
        )

    checked = hooks.run_checks(target.event(clean, partial=partial))
    if checked.blocking and not partial:
        return _form_page(
            target,
            entered.values,
            checked.blocking,
            loaded_version,
            saved=None,
            status=422,
            notes=checked,
            partial=False,
        )
    advice = [n for n in checked.notes if n.severity == "advise" and n.confirm]
    if advice and not partial:
        # 4.6: advice is shown before anything is sent; a second Submit of the same answers
        # (carrying their digest) sends them as they are.
        digest = _confirmation(clean)
        if first(body, "_confirmed") != digest:
            logger.info("form advice shown", form_id=target.form.id, notes=len(advice))
            return _form_page(
                target,
                entered.values,
                [],
                loaded_version,
                saved=None,
                notes=checked,
                confirm=digest,
                partial=False,
            )

    status = "draft" if partial else "submitted"
    if current is not None and current.version != loaded_version:
        if current.values == clean and current.status == status:
            # A double-tap, or a retry after a timeout that struck between the save and the steps
            # that follow it: the answers are stored; run the (idempotent) after-save steps again
            # so none of their work is lost, and show what was saved.
            followed = hooks.run_after_save(target.event(clean, partial=partial), current)
            return followed or redirect(f"{target.url}/saved")
        return _form_page(
            target,
            entered.values,
            [],
            loaded_version,
            saved=(
                f"This form was saved elsewhere (version {current.version}) while you were "
                "editing. Your answers below are not saved yet: check them and send again to "
                "replace that version."
            ),
            status=409,
        )
    submission = Submission(
        person_id=target.subject.person_id,
        cycle_id=target.cycle_id,
        form_id=target.form.id,
        version=(current.version + 1) if current else 1,
        status=status,
        values=clean,
        saved_by=target.actor.person_id,
        saved_at=svc.clock.now(),
    )
    audit = AuditEntry(
        subject_id=target.subject.person_id,
        actor_id=target.actor.person_id,
        action=f"form.{status}",
        target=f"{target.form.id}@{submission.version}",
        channel="page",
        at=svc.clock.now(),
    )
    try:
        svc.store.save_submission(
            submission, audit, expires_at=expires_at_for(svc.settings, svc.cycle(target.subject))
        )
    except VersionConflict as conflict:
        return _form_page(
            target,
            entered.values,
            [],
            conflict.current_version,
            saved=(
                "Someone saved this form at the same moment. Your answers below are not saved "
                "yet: check them and send again."
            ),
            status=409,
        )
    logger.info("form saved", form_id=target.form.id, version=submission.version, status=status)
    followed = hooks.run_after_save(target.event(clean, partial=partial), submission)
    return followed or redirect(f"{target.url}/saved")


@router.get("/people/<person_id>/forms/<form_id>/saved")
def saved_form(person_id: str, form_id: str) -> Response:
    target = _target(person_id, form_id, reading=True)
    if target.form.id == REFLECTION_FORM:
        return _reflection_elsewhere(target)
    if target.mode == "read":
        return _read_page(target)
    saved = services().store.get_submission(
        target.subject.person_id, target.cycle_id, target.form.id
    )
    if saved is None:
        return redirect(target.url)
    return _render(
        target,
        "forms/saved_page.html",
        where="the saved form page",
        form=target.form,
        ctx=target.ctx,
        values=saved.values,
        version=saved.version,
        status=saved.status,
        edit_url=target.url,
        subject=target.subject,
    )
