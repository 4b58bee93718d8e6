"""What every route shares: the resolver, who is asking, CSRF, pages and errors in one place.

Nothing changes on GET. Every POST carries a CSRF token bound to the session (or, before sign-in,
to an anonymous cookie; on an emailed link, to the link's token). Route modules (forms_pages,
sign_in, and those that follow) each have their own `Router`, included in web/app.py; this
module's `router` holds the error pages and the static and health routes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from growthcycle.app import sessions, single_sign_on
from growthcycle.domain.forms import Choice, FormContext, load_reference
from growthcycle.domain.people import Person
from growthcycle.domain.sessions import LIFETIME
from growthcycle.domain.trust import School
from growthcycle.observability import logger
from growthcycle.web.errors import CrossSiteRefused, CsrfRefused, NotFound, NotSignedIn, PageError
from growthcycle.web.http import SAFE_METHODS, cookie, cookies, first, from_another_site, html
from growthcycle.web.ratelimit import RateLimited
from growthcycle.web.request import current_event, request_cache
from growthcycle.web.services import Services, services
from growthcycle.web.static import static_file
from growthcycle.web.templating import render

router = Router()

SESSION_COOKIE = "gc_session"
ANON_COOKIE = "gc_anon"
SESSION_SECONDS = int(LIFETIME.total_seconds())  # the cookie lasts as long as the session can


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
    jar = cookies(current_event())
    token = jar.get(SESSION_COOKIE)
    if token:
        resumed = _session(token)
        if resumed is not None:
            return Visitor(person=resumed.person, csrf_binding=f"session:{resumed.nonce}")
    anon = jar.get(ANON_COOKIE)
    if anon and 16 <= len(anon) <= 64:
        return Visitor(person=None, csrf_binding=f"anon:{anon}")
    fresh = secrets.token_urlsafe(24)
    return Visitor(person=None, csrf_binding=f"anon:{fresh}", new_anon=fresh)


def _session(token: str) -> sessions.Resumed | None:
    """app/sessions.py `resume`, once a request (every route asks who is asking, some twice):
    sign-out, a leaver (leaving date before today), a new signing key, an hour unused or a school
    day since sign-in end it (domain/sessions.py)."""
    cache = request_cache()
    key = f"session:{token}"
    if key not in cache:
        svc = services()
        cache[key] = sessions.resume(svc, svc.signer, token)
    resumed: sessions.Resumed | None = cache[key]
    return resumed


def signed_in() -> tuple[Visitor, Person]:
    who = visitor()
    if who.person is None:
        raise NotSignedIn("Sign in with the link we email you to carry on.")
    return who, who.person


def require_csrf(who: Visitor, form: dict[str, list[str]]) -> None:
    token = first(form, "_csrf")
    # hmac.compare_digest raises TypeError on non-ASCII text: such a token is simply wrong.
    if not token.isascii() or not services().signer.check_csrf(who.csrf_binding, token):
        raise CsrfRefused(
            "This form had expired or came from somewhere else, so nothing was changed. "
            "Go back, reload the page and send it again."
        )


def same_site_only(app: Any, next_middleware: Any) -> Response:
    """Every state-changing request (every method but GET, HEAD and OPTIONS) that a browser says
    came from another site is refused before its route runs, whatever CSRF token it carries:
    a sign-in link posted from another site would sign the victim in as the attacker (issue 18,
    item 7). The CSRF token is then checked by the route (`require_csrf`) as before."""
    event = app.current_event
    if event.http_method.upper() not in SAFE_METHODS:
        host = event.headers.get("host") or event.request_context.domain_name or ""
        if from_another_site(event.headers or {}, host=host, base_url=services().settings.base_url):
            logger.warning("state-changing request from another site refused")
            raise CrossSiteRefused(
                "This form was sent from another website, so nothing was changed. If you meant "
                "to do this, open Growth Cycle yourself and do it from its own page."
            )
    response: Response = next_middleware(app)
    return response


def page(template: str, who: Visitor, http_status: int = 200, **context: Any) -> Response:
    body = render(template, person=who.person, csrf_token=who.csrf_token, **context)
    extra = []
    if who.new_anon:
        extra.append(cookie(ANON_COOKIE, who.new_anon, secure=services().settings.secure_cookies))
    return html(body, http_status, cookies=extra)


def sign_in_form(who: Visitor, *, message: str | None = None, http_status: int = 200) -> Response:
    """The sign-in page: the emailed link, and the trust's Microsoft or Google sign-in (issue 16),
    each of which comes back to the page that asked (a GET's address) once signed in."""
    event = current_event()
    back = "/"
    if event.http_method == "GET" and not event.path.startswith("/sign-in"):
        params = event.query_string_parameters or {}
        back = event.path + (f"?{urlencode(params)}" if params else "")
    return page(
        "pages/sign_in.html",
        who,
        http_status=http_status,
        message=message,
        sign_in_with=single_sign_on.options(services(), back),
    )


# -- errors, in one place ----------------------------------------------------------------------


@router.exception_handler(PageError)
def page_error(error: PageError) -> Response:
    who = Visitor(person=None, csrf_binding="error")
    if isinstance(error, NotSignedIn):
        who = visitor()
        return sign_in_form(who, http_status=error.status, message=error.message)
    return html(render("pages/error.html", title=error.title, message=error.message), error.status)


@router.exception_handler(RateLimited)
def rate_limited(error: RateLimited) -> Response:
    return html(
        render("pages/error.html", title=error.title, message=error.message),
        error.status,
        headers={"Retry-After": str(error.retry_after)},
    )


# AWS said "too busy" or "not now" after the SDK's own retries: say so plainly, never a raw 500.
BUSY_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "InternalServerError",
        "InternalFailure",
        "TransactionConflictException",
    }
)
BUSY_MESSAGE = (
    "Growth Cycle is very busy for a moment, so nothing was saved or sent. Your answers are not "
    "lost: use your browser's Back button, check they are still there, and send the page again "
    "in a minute."
)


def _busy_page() -> Response:
    logger.warning("aws busy: asked the person to try again")
    return html(
        render("pages/error.html", title="Please try again in a minute", message=BUSY_MESSAGE),
        503,
        headers={"Retry-After": "30"},
    )


@router.exception_handler(ClientError)
def aws_refused(error: ClientError) -> Response:
    if error.response.get("Error", {}).get("Code") not in BUSY_CODES:
        raise error
    return _busy_page()


@router.exception_handler([EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError])
def aws_unreachable(_: Exception) -> Response:
    return _busy_page()


def not_found(_: Exception) -> Response:
    return page_error(NotFound("There is nothing at this address. Check the link, or start again."))


# -- static and health -------------------------------------------------------------------------


@router.get("/static/<name>")
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


@router.get("/healthz")
def health() -> Response:
    return Response(status_code=200, content_type="text/plain", body="ok")


def school_of(svc: Services, person: Person) -> School:
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


def session_cookie_for(person_id: str) -> str:
    """A new session for a person (its item written): used by sign-in and the local stack's
    "act as" page."""
    svc = services()
    return sessions.start(svc, svc.signer, person_id)


def end_session() -> None:
    """Sign-out: the session ends for every copy of its cookie."""
    token = cookies(current_event()).get(SESSION_COOKIE)
    if token:
        svc = services()
        sessions.end(svc, svc.signer, token)
    request_cache().pop(f"session:{token}", None)
