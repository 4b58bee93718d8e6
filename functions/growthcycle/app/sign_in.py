"""Sign-in links (web/sign_in.py emails them; app/single_sign_on.py offers one per school to a
person with records at several): a signed, single-use token bound to one person's record."""

from __future__ import annotations

from datetime import timedelta

from growthcycle.app.context import SigningServices
from growthcycle.domain.people import Person

SIGN_IN_LINK_MINUTES = 30


def sign_in_link_token(svc: SigningServices, person: Person) -> str:
    """A sign-in link's token for one person's record: it works for 30 minutes, once."""
    return svc.signer.sign(
        "sign-in",
        {"p": person.person_id},
        now=svc.clock.now(),
        ttl=timedelta(minutes=SIGN_IN_LINK_MINUTES),
    )
