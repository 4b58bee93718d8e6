"""Signing in with an emailed link: the link opens a page; only its button (a POST) signs in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.event_handler import Response

from growthcycle.domain.tokens import TokenExpired, TokenInvalid
from growthcycle.observability import logger
from growthcycle.web import mail, ratelimit
from growthcycle.web.core import (
    SESSION_COOKIE,
    SESSION_HOURS,
    SIGN_IN_LINK_MINUTES,
    Visitor,
    app,
    page,
    require_csrf,
    session_cookie_for,
    visitor,
)
from growthcycle.web.http import cookie, first, form_body, redirect
from growthcycle.web.services import services

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
    # Counted before anything is looked up, whether or not the address is known.
    ratelimit.hit(ratelimit.SIGN_IN_BY_IP, ratelimit.client_ip(app.current_event))
    ratelimit.hit(ratelimit.SIGN_IN_BY_EMAIL, address.casefold())
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
    if not token.isascii():  # hmac.compare_digest raises TypeError on non-ASCII text
        raise TokenInvalid("malformed token")
    return svc.signer.verify("sign-in", token, now=svc.clock.now())


@app.get("/sign-in/<token>")
def confirm_sign_in(token: str) -> Response:
    who = visitor()
    try:
        _sign_in_token(token)
    except (TokenInvalid, TokenExpired):
        ratelimit.hit(ratelimit.TOKEN_GUESSES, ratelimit.client_ip(app.current_event))
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
        ratelimit.hit(ratelimit.TOKEN_GUESSES, ratelimit.client_ip(app.current_event))
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
