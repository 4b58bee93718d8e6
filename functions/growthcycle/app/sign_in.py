"""Sign-in links (web/sign_in.py emails them; app/single_sign_on.py offers one per school to a
person with records at several): a signed, single-use token bound to one person's record."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from growthcycle.adapters.clock import Clock
from growthcycle.domain.people import Person
from growthcycle.domain.tokens import Signer

SIGN_IN_LINK_MINUTES = 30


class _Signs(Protocol):
    @property
    def signer(self) -> Signer: ...

    @property
    def clock(self) -> Clock: ...


def sign_in_link_token(svc: _Signs, person: Person) -> str:
    """A sign-in link's token for one person's record: it works for 30 minutes, once."""
    return svc.signer.sign(
        "sign-in",
        {"p": person.person_id},
        now=svc.clock.now(),
        ttl=timedelta(minutes=SIGN_IN_LINK_MINUTES),
    )
