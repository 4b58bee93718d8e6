"""Signing in with an emailed link: the link opens a page; only its button (a POST) signs in.

Who may sign in: a person whose address matches and who has not left (`leaving_date` before today
is a leaver: no link is sent, a link already sent no longer works, and their session ends, in
web/core.py `visitor`). The page after asking looks the same whether or not a link was sent, so it
never tells anyone whether an address is known.

One address may belong to several people: a member of staff employed by two schools of the trust
has a record at each. They get one email with one link per school; each link signs in to that
school's record only, so the two schools' records are never mixed in one session.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.adapters.outbox import Email
from growthcycle.adapters.sign_in import people_with_email
from growthcycle.app.sign_in import sign_in_link_token
from growthcycle.domain.people import Person, in_post
from growthcycle.domain.tokens import TokenExpired, TokenInvalid
from growthcycle.observability import logger
from growthcycle.web import mail, ratelimit
from growthcycle.web.core import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    Visitor,
    end_session,
    page,
    require_csrf,
    session_cookie_for,
    sign_in_form,
    visitor,
)
from growthcycle.web.http import cookie, first, form_body, redirect
from growthcycle.web.services import Services, services
from growthcycle.web.templating import render

router = Router()

# -- signing in with an emailed link -----------------------------------------------------------


@router.get("/sign-in")
def sign_in_page() -> Response:
    return sign_in_form(visitor())  # web/core.py: the providers


@router.post("/sign-in")
def request_sign_in_link() -> Response:
    who = visitor()
    body = form_body(router.current_event)
    require_csrf(who, body)
    address = first(body, "email").strip()[:320]
    # Counted before anything is looked up, whether or not the address is known.
    ratelimit.hit(ratelimit.SIGN_IN_BY_IP, ratelimit.client_ip(router.current_event))
    ratelimit.hit(ratelimit.SIGN_IN_BY_EMAIL, address.casefold())
    svc = services()
    today = svc.clock.today()
    found = people_with_email(svc.store, address) if "@" in address else []
    people = [p for p in found if in_post(p, today) and not p.email_suppressed]
    if len(people) == 1:
        mail.send_sign_in_link(svc, people[0], sign_in_link_token(svc, people[0]))
    elif people:
        _send_school_links(svc, people)
    logger.info("sign-in asked", matched=len(found), links=len(people))
    # Never reveal whether an address exists, or has left: the same page either way.
    return page("pages/sign_in_sent.html", who)


def _send_school_links(svc: Services, people: list[Person]) -> None:
    """One email, one link per school, each bound to that school's record of the person."""
    base = svc.settings.base_url.rstrip("/")
    links = []
    for person in people:
        school = svc.school(person.school_id)
        token = sign_in_link_token(svc, person)
        links.append(
            {
                "name": school.name if school else person.school_id,
                "link": f"{base}/sign-in/{quote(token)}",
                "token": token,
            }
        )
    first_record = people[0]
    context = {"recipient": first_record, "links": links, "trust_name": svc.settings.trust_name}
    email = Email(
        to_address=first_record.email,
        # The outbox item is filed under the first record (by person id); every link in it is
        # bound to its own school's record.
        to_person_id=first_record.person_id,
        subject="Your Growth Cycle sign-in links",
        html=render("email/sign_in_schools.html", **context),
        text=render("email/sign_in_schools.txt", **context),
        template="sign_in_schools",
    )
    svc.store.queue_email(email, idempotency_key=f"sign-in:{links[0]['token']}")


def _sign_in_token(token: str) -> dict[str, Any]:
    svc = services()
    if not token.isascii():  # hmac.compare_digest raises TypeError on non-ASCII text
        raise TokenInvalid("malformed token")
    return svc.signer.verify("sign-in", token, now=svc.clock.now())


@router.get("/sign-in/<token>")
def confirm_sign_in(token: str) -> Response:
    who = visitor()
    try:
        person = _link_person(token)
    except (TokenInvalid, TokenExpired):
        ratelimit.hit(ratelimit.TOKEN_GUESSES, ratelimit.client_ip(router.current_event))
        return sign_in_form(who, http_status=400, message=_LINK_PROBLEM)
    link_visitor = Visitor(person=who.person, csrf_binding=f"link:{token}", new_anon=who.new_anon)
    school = services().school(person.school_id)
    return page(
        "pages/sign_in_confirm.html",
        link_visitor,
        token=token,
        school_name=school.name if school else None,
    )


def _link_person(token: str) -> Person:
    """The person a sign-in link is for; a leaver's link (or a removed person's) is as good as
    a broken one, said in the same words."""
    svc = services()
    payload = _sign_in_token(token)
    person = svc.store.get_person(str(payload["p"]))
    if person is None or not in_post(person, svc.clock.today()):
        raise TokenInvalid("not a person who may sign in")
    return person


_LINK_PROBLEM = (
    "That sign-in link has expired, was already used, or is not complete. "
    "Nothing has changed. Ask for a fresh link below."
)


@router.post("/sign-in/<token>")
def use_sign_in_link(token: str) -> Response:
    svc = services()
    body = form_body(router.current_event)
    require_csrf(Visitor(person=None, csrf_binding=f"link:{token}"), body)
    who = visitor()
    try:
        payload = _sign_in_token(token)
        _link_person(token)
    except (TokenInvalid, TokenExpired):
        ratelimit.hit(ratelimit.TOKEN_GUESSES, ratelimit.client_ip(router.current_event))
        return sign_in_form(who, http_status=400, message=_LINK_PROBLEM)
    # Single use: the first POST wins; a replay is refused.
    if not svc.store.claim_once(
        f"sign-in#{payload['n']}", expires_at=int(payload["exp"]) + 86400, used="sign-in"
    ):
        return sign_in_form(who, http_status=400, message=_LINK_PROBLEM)
    session = session_cookie_for(str(payload["p"]))
    return redirect(
        "/",
        cookies=[
            cookie(
                SESSION_COOKIE,
                session,
                secure=svc.settings.secure_cookies,
                max_age=SESSION_SECONDS,
            )
        ],
    )


@router.post("/sign-out")
def sign_out() -> Response:
    who = visitor()
    body = form_body(router.current_event)
    require_csrf(who, body)
    end_session()  # every copy of the cookie stops working, not only this browser's
    return redirect(
        "/",
        cookies=[cookie(SESSION_COOKIE, "", secure=services().settings.secure_cookies, max_age=0)],
    )
