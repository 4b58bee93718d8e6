"""Starting, resuming and ending a session (domain/sessions.py; issue 18, item 6)."""

from __future__ import annotations

from dataclasses import dataclass

from growthcycle.adapters import sessions as repo
from growthcycle.app.context import Services
from growthcycle.domain.people import Person, in_post
from growthcycle.domain.sessions import LIFETIME, live, new_session, session_key, touch_due, touched
from growthcycle.domain.tokens import Signer, TokenExpired, TokenInvalid


@dataclass(frozen=True)
class Resumed:
    person: Person
    nonce: str  # what the session's CSRF tokens are bound to


def start(svc: Services, signer: Signer, person_id: str) -> str:
    """A new session for `person_id`: its item written, its cookie's value returned."""
    now = svc.clock.now()
    token = signer.sign("session", {"p": person_id}, now=now, ttl=LIFETIME)
    nonce = str(signer.verify("session", token, now=now)["n"])
    repo.put(svc.store, new_session(nonce, person_id, now))
    return token


def _payload(signer: Signer, svc: Services, token: str) -> dict[str, object] | None:
    if not token or not token.isascii():  # compare_digest raises on non-ASCII text
        return None
    try:
        return signer.verify("session", token, now=svc.clock.now())
    except (TokenInvalid, TokenExpired):
        return None


def resume(svc: Services, signer: Signer, token: str) -> Resumed | None:
    """The cookie's session if it is still live and its person in post; None otherwise. One
    read of the session item (and, at most every few minutes, a write restarting its idle clock)
    beside the person's own read. A leaver's session is ended, not merely refused."""
    payload = _payload(signer, svc, token)
    if payload is None:
        return None
    now = svc.clock.now()
    nonce, person_id = str(payload["n"]), str(payload["p"])
    session = repo.get(svc.store, session_key(nonce))
    if session is None or not live(session, person_id, now):
        return None
    person = svc.store.get_person(person_id)
    if person is None or not in_post(person, svc.clock.today()):
        repo.end(svc.store, session.key)
        return None
    if touch_due(session, now):
        repo.touch(svc.store, touched(session, now))
    return Resumed(person=person, nonce=nonce)


def end(svc: Services, signer: Signer, token: str) -> None:
    """Sign-out: the session's item is deleted, so every copy of its cookie stops working."""
    payload = _payload(signer, svc, token)
    if payload is not None:
        repo.end(svc.store, session_key(str(payload["n"])))
