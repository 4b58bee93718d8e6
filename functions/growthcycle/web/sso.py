"""Signing in with Microsoft 365 or Google Workspace (issue 16, part 1): the routes of
app/single_sign_on.py's authorization code flow (PKCE, state, nonce).

- GET /sign-in/with/<provider>?next=/path: the flow's state, nonce and PKCE verifier go in a
  short signed cookie (10 minutes, HttpOnly, SameSite=Lax so that the provider's redirect back
  brings it) and the browser goes to the provider.
- GET /sign-in/with/<provider>/callback?code=&state=: the way back. One record in post with the
  verified email signs in and goes back to `next` (the page that asked, an emailed action link's
  say); several schools get a choice, each a sign-in link bound to that school's record; a leaver
  and an unknown address get the same page as each other; any bad token, state or cookie gets one
  plain page. Nothing is signed in on any of those.
"""

from __future__ import annotations

from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.app import single_sign_on as cases
from growthcycle.app.sign_in import sign_in_link_token
from growthcycle.domain.sign_in_providers import SignInRefused
from growthcycle.domain.tokens import TokenExpired, TokenInvalid
from growthcycle.observability import logger
from growthcycle.web import ratelimit
from growthcycle.web.core import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    page,
    session_cookie_for,
    sign_in_form,
    visitor,
)
from growthcycle.web.errors import NotFound
from growthcycle.web.http import cookie, cookies, redirect
from growthcycle.web.services import services

router = Router()

FLOW_COOKIE = "gc_oidc"
REFUSED = (
    "We could not sign you in with that account, so nothing has changed. Try again, or ask for "
    "an emailed sign-in link below."
)
NOBODY = (
    "That account is not one that can sign in to Growth Cycle here. Use your school account, "
    "or ask for an emailed sign-in link below."
)


@router.get("/sign-in/with/<provider_id>")
def start(provider_id: str) -> Response:
    svc = services()
    try:
        begun = cases.begin(svc, provider_id, router.current_event.get_query_string_value("next"))
    except cases.UnknownProvider as error:
        raise NotFound("There is no such way to sign in.") from error
    except (SignInRefused, *cases.UNREACHABLE) as error:
        logger.warning("single sign-on unavailable", provider=provider_id, error=str(error))
        return sign_in_form(visitor(), http_status=503, message=REFUSED)
    flow = cookie(
        FLOW_COOKIE, begun.flow, secure=svc.settings.secure_cookies, max_age=cases.FLOW_MINUTES * 60
    )
    return redirect(begun.authorize_url, cookies=[flow])


@router.get("/sign-in/with/<provider_id>/callback")
def callback(provider_id: str) -> Response:
    svc = services()
    who = visitor()
    event = router.current_event
    forget = cookie(FLOW_COOKIE, "", secure=svc.settings.secure_cookies, max_age=0)

    def refused(message: str, reason: str, status: int = 400) -> Response:
        logger.info("single sign-on refused", provider=provider_id, reason=reason)
        answer = sign_in_form(who, http_status=status, message=message)
        answer.cookies.append(forget)
        return answer

    try:
        finished = cases.finish(
            svc,
            provider_id,
            cookies(event).get(FLOW_COOKIE, ""),
            event.query_string_parameters or {},
        )
    except cases.UnknownProvider as error:
        raise NotFound("There is no such way to sign in.") from error
    except (TokenInvalid, TokenExpired):
        ratelimit.hit(ratelimit.TOKEN_GUESSES, ratelimit.client_ip(event))
        return refused(REFUSED, "flow cookie missing, expired or tampered")
    except SignInRefused as problem:
        ratelimit.hit(ratelimit.TOKEN_GUESSES, ratelimit.client_ip(event))
        return refused(REFUSED, problem.reason)
    except cases.UNREACHABLE as error:
        return refused(REFUSED, f"provider unreachable or answered badly: {error}", 503)

    if not finished.people:
        # A leaver and an unknown address see the same page: it never says which (as the link).
        return refused(NOBODY, "no one in post with that email", 403)
    if len(finished.people) > 1:
        choices = []
        for person in finished.people:
            school = svc.school(person.school_id)
            choices.append(
                {
                    "name": school.name if school else person.school_id,
                    "url": f"/sign-in/{quote(sign_in_link_token(svc, person))}",
                }
            )
        answer = page("pages/sign_in_choose.html", who, choices=choices)
        answer.cookies.append(forget)
        return answer
    logger.info("signed in", provider=provider_id, via="single sign-on")
    session = session_cookie_for(finished.people[0].person_id)
    return redirect(
        finished.next_path,
        cookies=[
            forget,
            cookie(
                SESSION_COOKIE, session, secure=svc.settings.secure_cookies, max_age=SESSION_SECONDS
            ),
        ],
    )
