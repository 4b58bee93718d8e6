"""The HTTP API's routes. Each route reads the request, calls the domain and renders a page.

Nothing changes on GET. Every POST carries a CSRF token bound to the session (or, before sign-in,
to an anonymous cookie; on an emailed link, to the link's token).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from growthcycle.domain.access import is_reviewer_of, may_fill
from growthcycle.domain.forms import (
    Choice,
    Form,
    FormContext,
    FormInvalid,
    UnknownForm,
    load_forms,
    load_reference,
)
from growthcycle.domain.people import Person
from growthcycle.domain.records import AuditEntry, Submission, VersionConflict
from growthcycle.domain.tokens import TokenExpired, TokenInvalid
from growthcycle.domain.trust import School
from growthcycle.observability import logger
from growthcycle.web import mail
from growthcycle.web.errors import (
    CsrfRefused,
    NotFound,
    NotSignedIn,
    PageError,
)
from growthcycle.web.http import cookie, cookies, first, form_body, html, redirect
from growthcycle.web.services import Services, services
from growthcycle.web.static import static_file
from growthcycle.web.templating import render

app = APIGatewayHttpResolver()

SESSION_COOKIE = "gc_session"
ANON_COOKIE = "gc_anon"
SESSION_HOURS = 12
SIGN_IN_LINK_MINUTES = 30


# -- who is asking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Visitor:
    person: Person | None
    csrf_binding: str
    new_anon: str | None = None  # an anonymous cookie to set on this response

    @property
    def csrf_token(self) -> str:
        return services().signer.csrf_for(self.csrf_binding)


def visitor() -> Visitor:
    svc = services()
    jar = cookies(app.current_event)
    token = jar.get(SESSION_COOKIE)
    if token:
        try:
            payload = svc.signer.verify("session", token, now=svc.clock.now())
        except (TokenInvalid, TokenExpired):
            payload = None
        if payload:
            person = svc.store.get_person(str(payload["p"]))
            if person is not None:
                return Visitor(person=person, csrf_binding=f"session:{payload['n']}")
    anon = jar.get(ANON_COOKIE)
    if anon and 16 <= len(anon) <= 64:
        return Visitor(person=None, csrf_binding=f"anon:{anon}")
    fresh = secrets.token_urlsafe(24)
    return Visitor(person=None, csrf_binding=f"anon:{fresh}", new_anon=fresh)


def signed_in() -> tuple[Visitor, Person]:
    who = visitor()
    if who.person is None:
        raise NotSignedIn("Sign in with the link we email you to carry on.")
    return who, who.person


def require_csrf(who: Visitor, form: dict[str, list[str]]) -> None:
    if not services().signer.check_csrf(who.csrf_binding, first(form, "_csrf")):
        raise CsrfRefused(
            "This form had expired or came from somewhere else, so nothing was changed. "
            "Go back, reload the page and send it again."
        )


def page(template: str, who: Visitor, http_status: int = 200, **context: Any) -> Response:
    body = render(template, person=who.person, csrf_token=who.csrf_token, **context)
    extra = []
    if who.new_anon:
        extra.append(cookie(ANON_COOKIE, who.new_anon, secure=services().settings.secure_cookies))
    return html(body, http_status, cookies=extra)


# -- errors, in one place ----------------------------------------------------------------------


@app.exception_handler(PageError)
def page_error(error: PageError) -> Response:
    who = Visitor(person=None, csrf_binding="error")
    if isinstance(error, NotSignedIn):
        who = visitor()
        return page("pages/sign_in.html", who, http_status=error.status, message=error.message)
    return html(render("pages/error.html", title=error.title, message=error.message), error.status)


@app.not_found
def not_found(_: Exception) -> Response:
    return page_error(NotFound("There is nothing at this address. Check the link, or start again."))


# -- static and health -------------------------------------------------------------------------


@app.get("/static/<name>")
def static(name: str) -> Response:
    found = static_file(name)
    if found is None:
        raise NotFound("There is nothing at this address.")
    content_type, body = found
    return Response(
        status_code=200,
        content_type=content_type,
        body=body,
        headers={"Cache-Control": "public, max-age=3600"},
    )


@app.get("/healthz")
def health() -> Response:
    return Response(status_code=200, content_type="text/plain", body="ok")


# -- home --------------------------------------------------------------------------------------


@app.get("/")
def home() -> Response:
    who = visitor()
    if who.person is None:
        return page("pages/sign_in.html", who, message=None)
    svc = services()
    me = who.person
    school = _school(svc, me)
    cycle = svc.cycle(me)
    forms = load_forms()
    own = [
        _form_row(svc, me, form, cycle.cycle_id)
        for form in forms
        if form.filled_by == "reviewee" and form.applies_to(school.policy_style) and me.is_staff
    ]
    reviewees = [
        {
            "person": other,
            "forms": [
                _form_row(svc, other, form, svc.cycle(other).cycle_id)
                for form in forms
                if form.filled_by == "reviewer" and form.applies_to(school.policy_style)
            ],
        }
        for other in svc.store.people_in_school(me.school_id)
        if other.is_staff and is_reviewer_of(me, other)
    ]
    return page(
        "pages/home.html",
        who,
        school=school,
        cycle=cycle,
        own=own,
        reviewees=reviewees,
    )


def _form_row(svc: Services, subject: Person, form: Form, cycle_id: str) -> dict[str, Any]:
    saved = svc.store.get_submission(subject.person_id, cycle_id, form.id)
    return {
        "form": form,
        "url": f"/people/{quote(subject.person_id)}/forms/{quote(form.id)}",
        "status": saved.status if saved else "not started",
        "version": saved.version if saved else 0,
    }


# -- forms -------------------------------------------------------------------------------------


def _school(svc: Services, person: Person) -> School:
    school = svc.school(person.school_id)
    if school is None:
        raise NotFound("Your school is not set up in Growth Cycle yet. Ask your trust's team.")
    return school


def form_context(school: School) -> FormContext:
    return FormContext(
        style=school.policy_style,
        references={
            "teachers_standards": load_reference("teachers_standards"),
            "school_priorities": [Choice(value=p.id, label=p.title) for p in school.priorities],
        },
    )


@dataclass(frozen=True)
class FormTarget:
    who: Visitor
    actor: Person
    subject: Person
    form: Form
    ctx: FormContext
    cycle_id: str
    url: str


def _target(person_id: str, form_id: str) -> FormTarget:
    who, actor = signed_in()
    svc = services()
    try:
        form = load_forms().get(form_id)
    except UnknownForm as error:
        raise NotFound("There is no such form.") from error
    subject = svc.store.get_person(person_id)
    # Another school's person, or someone you do not review, looks exactly like nobody (7).
    if subject is None or not may_fill(actor, subject, form.filled_by):
        raise NotFound("There is no such form for you to fill in.")
    school = _school(svc, subject)
    if not form.applies_to(school.policy_style):
        raise NotFound("Your school does not use this form.")
    return FormTarget(
        who=who,
        actor=actor,
        subject=subject,
        form=form,
        ctx=form_context(school),
        cycle_id=svc.cycle(subject).cycle_id,
        url=f"/people/{quote(subject.person_id)}/forms/{quote(form.id)}",
    )


@app.get("/forms/<form_id>")
def my_form(form_id: str) -> Response:
    _, me = signed_in()
    return redirect(f"/people/{quote(me.person_id)}/forms/{quote(form_id)}")


@app.get("/people/<person_id>/forms/<form_id>")
def show_form(person_id: str, form_id: str) -> Response:
    target = _target(person_id, form_id)
    saved = services().store.get_submission(
        target.subject.person_id, target.cycle_id, target.form.id
    )
    values = saved.values if saved else target.form.blank_values(target.ctx)
    return _form_page(target, values, [], saved.version if saved else 0, saved=None)


def _form_page(
    target: FormTarget,
    values: dict[str, Any],
    errors: list[Any],
    version: int,
    *,
    saved: str | None,
    status: int = 200,
) -> Response:
    return page(
        "forms/form_page.html",
        target.who,
        http_status=status,
        form=target.form,
        ctx=target.ctx,
        values=values,
        errors=errors,
        action_url=target.url,
        saved=saved,
        version=version,
        subject=target.subject,
    )


@app.post("/people/<person_id>/forms/<form_id>")
def submit_form(person_id: str, form_id: str) -> Response:
    target = _target(person_id, form_id)
    body = form_body(app.current_event)
    require_csrf(target.who, body)
    svc = services()
    entered = target.form.read(body, target.ctx)
    try:
        loaded_version = max(0, int(first(body, "_version") or 0))
    except ValueError:
        loaded_version = 0

    if entered.action.startswith(("add:", "remove:")):
        return _form_page(target, entered.values, [], loaded_version, saved=None)

    partial = entered.action == "save"
    try:
        clean = target.form.validate(entered.values, target.ctx, partial=partial)
    except FormInvalid as invalid:
        return _form_page(
            target, invalid.values, invalid.errors, loaded_version, saved=None, status=422
        )

    current = svc.store.get_submission(target.subject.person_id, target.cycle_id, target.form.id)
    status = "draft" if partial else "submitted"
    if current is not None and current.version != loaded_version:
        if current.values == clean and current.status == status:
            # A double-tap or a retried request: already saved, nothing more to do.
            return redirect(f"{target.url}/saved")
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
        svc.store.save_submission(submission, audit)
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
    return redirect(f"{target.url}/saved")


@app.get("/people/<person_id>/forms/<form_id>/saved")
def saved_form(person_id: str, form_id: str) -> Response:
    target = _target(person_id, form_id)
    saved = services().store.get_submission(
        target.subject.person_id, target.cycle_id, target.form.id
    )
    if saved is None:
        return redirect(target.url)
    return page(
        "forms/saved_page.html",
        target.who,
        form=target.form,
        ctx=target.ctx,
        values=saved.values,
        version=saved.version,
        status=saved.status,
        edit_url=target.url,
        subject=target.subject,
    )


# -- signing in with an emailed link -----------------------------------------------------------


@app.get("/sign-in")
def sign_in_page() -> Response:
    return page("pages/sign_in.html", visitor(), message=None)


@app.post("/sign-in")
def request_sign_in_link() -> Response:
    who = visitor()
    body = form_body(app.current_event)
    require_csrf(who, body)
    address = first(body, "email").strip()[:320]
    svc = services()
    person = svc.store.person_by_email(address) if "@" in address else None
    if person is not None and not person.email_suppressed:
        now = svc.clock.now()
        token = svc.signer.sign(
            "sign-in",
            {"p": person.person_id},
            now=now,
            ttl=timedelta(minutes=SIGN_IN_LINK_MINUTES),
        )
        mail.send_sign_in_link(svc, person, token)
        logger.info("sign-in link queued")
    # Never reveal whether an address exists: the same page either way.
    return page("pages/sign_in_sent.html", who)


def _sign_in_token(token: str) -> dict[str, Any]:
    svc = services()
    return svc.signer.verify("sign-in", token, now=svc.clock.now())


@app.get("/sign-in/<token>")
def confirm_sign_in(token: str) -> Response:
    who = visitor()
    try:
        _sign_in_token(token)
    except (TokenInvalid, TokenExpired):
        return page("pages/sign_in.html", who, http_status=400, message=_LINK_PROBLEM)
    link_visitor = Visitor(person=who.person, csrf_binding=f"link:{token}", new_anon=who.new_anon)
    return page("pages/sign_in_confirm.html", link_visitor, token=token)


_LINK_PROBLEM = (
    "That sign-in link has expired, was already used, or is not complete. "
    "Nothing has changed. Ask for a fresh link below."
)


@app.post("/sign-in/<token>")
def use_sign_in_link(token: str) -> Response:
    svc = services()
    body = form_body(app.current_event)
    require_csrf(Visitor(person=None, csrf_binding=f"link:{token}"), body)
    who = visitor()
    try:
        payload = _sign_in_token(token)
    except (TokenInvalid, TokenExpired):
        return page("pages/sign_in.html", who, http_status=400, message=_LINK_PROBLEM)
    # Single use: the first POST wins; a replay is refused.
    if not svc.store.claim_once(
        f"sign-in#{payload['n']}", expires_at=int(payload["exp"]) + 86400, used="sign-in"
    ):
        return page("pages/sign_in.html", who, http_status=400, message=_LINK_PROBLEM)
    session = session_cookie_for(str(payload["p"]))
    return redirect(
        "/",
        cookies=[
            cookie(
                SESSION_COOKIE,
                session,
                secure=svc.settings.secure_cookies,
                max_age=SESSION_HOURS * 3600,
            )
        ],
    )


@app.post("/sign-out")
def sign_out() -> Response:
    who = visitor()
    body = form_body(app.current_event)
    require_csrf(who, body)
    return redirect(
        "/",
        cookies=[cookie(SESSION_COOKIE, "", secure=services().settings.secure_cookies, max_age=0)],
    )


def session_cookie_for(person_id: str) -> str:
    """A session for a person: used by sign-in above and the local stack's "act as" page."""
    svc = services()
    return svc.signer.sign(
        "session", {"p": person_id}, now=svc.clock.now(), ttl=timedelta(hours=SESSION_HOURS)
    )
