"""How long a session lasts, and when it has ended (issue 18, item 6).

A session is a signed cookie (domain/tokens.py, purpose "session": the person and a random
nonce, expiring a school day after sign-in) and an item in the table under a hash of that nonce.
The cookie alone is never enough: the item must still be there (sign-out and a leaver delete it)
and used within the last hour. A new signing key ends every session (the cookie's signature no
longer checks). The hour is counted from the last time the item was touched, and it is touched
at most every five minutes, so checking a session is one small read and, now and then, a write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

LIFETIME = timedelta(hours=8)  # a school day after signing in, however much it is used
IDLE = timedelta(hours=1)  # unused for an hour: signed out (Back keeps what was typed)
TOUCH_EVERY = timedelta(minutes=5)  # the idle clock is restarted at most this often


@dataclass(frozen=True)
class Session:
    key: str  # a hash of the cookie's nonce: the table never holds what the cookie holds
    person_id: str
    idle_until: int  # epoch seconds: unused past this, it has ended
    ends_at: int  # epoch seconds: LIFETIME after sign-in (also the item's TTL)


def session_key(nonce: str) -> str:
    return hashlib.sha256(f"session.{nonce}".encode()).hexdigest()


def new_session(nonce: str, person_id: str, now: datetime) -> Session:
    return Session(
        key=session_key(nonce),
        person_id=person_id,
        idle_until=int((now + IDLE).timestamp()),
        ends_at=int((now + LIFETIME).timestamp()),
    )


def live(session: Session, person_id: str, now: datetime) -> bool:
    """Still the person's session: not idle for an hour, not past its school day."""
    at = now.timestamp()
    return session.person_id == person_id and at <= session.idle_until and at <= session.ends_at


def touch_due(session: Session, now: datetime) -> bool:
    """Time to restart the idle clock (at most every TOUCH_EVERY)."""
    return session.idle_until - now.timestamp() < (IDLE - TOUCH_EVERY).total_seconds()


def touched(session: Session, now: datetime) -> Session:
    idle_until = min(int((now + IDLE).timestamp()), session.ends_at)
    return Session(session.key, session.person_id, idle_until, session.ends_at)
