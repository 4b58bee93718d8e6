"""Action links in statement emails, built on domain/tokens.Signer.

A link's token is an HMAC-signed payload binding ONE person (`p`), ONE statement (`s`), ONE
version of its text (`v`) and ONE action (`a`); the Signer adds 128 bits of randomness (`n`) and
the expiry (`exp`, the trust's `link_expiry_days`). The nonce names the link's single-use marker
(`ONCE#statement-link#<n>`), written in the same transaction as the move it carries.

A genuine but expired token still tells us whose it was, so that person (and only that person)
can be emailed a fresh link; a tampered one tells us nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from growthcycle.domain.tokens import Signer, TokenExpired, TokenInvalid

PURPOSE = "statement-link"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class LinkInvalid(Exception):
    """Tampered, truncated, or made with another key: nothing can be trusted in it."""


@dataclass(frozen=True)
class ActionLink:
    person_id: str
    statement_id: str
    statement_version: int
    action: str
    nonce: str
    expires_at: int
    expired: bool

    @property
    def marker(self) -> str:
        return f"statement-link#{self.nonce}"


def make_link(
    signer: Signer,
    *,
    person_id: str,
    statement_id: str,
    statement_version: int,
    action: str,
    now: datetime,
    days: int,
) -> str:
    payload = {"p": person_id, "s": statement_id, "v": statement_version, "a": action}
    return signer.sign(PURPOSE, payload, now=now, ttl=timedelta(days=days))


def read_link(signer: Signer, token: str, *, now: datetime) -> ActionLink:
    """The link's binding; `expired` set when it is genuine but too old. LinkInvalid otherwise."""
    try:
        # Checked against the epoch so a genuine expired token still yields whose it was.
        payload = signer.verify(PURPOSE, token, now=_EPOCH)
    except (TokenInvalid, TokenExpired) as error:
        raise LinkInvalid(str(error)) from error
    try:
        link = ActionLink(
            person_id=str(payload["p"]),
            statement_id=str(payload["s"]),
            statement_version=int(payload["v"]),
            action=str(payload["a"]),
            nonce=str(payload["n"]),
            expires_at=int(payload["exp"]),
            expired=int(payload["exp"]) < now.timestamp(),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LinkInvalid("incomplete payload") from error
    return link
