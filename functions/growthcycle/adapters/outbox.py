"""The email outbox: an email to send is an item in the table, written with the state change it
belongs to (or on its own). The table's stream hands new outbox items to the mailer, so an email is
never lost between "recorded" and "sent". A key chosen by the caller makes retries harmless.

An email with a recipient person id is also in the sparse ToPerson index (`to_person_pk`,
`queued_at`), so the emails still held for a person are one Query (adapters/export.py).

An email not yet sent is also in the sparse Unsent index (`unsent_pk`, `queued_at`): `UNSENT` while
pending or being sent, `FAILED` once the mailer gave up (adapters/delivery.py). The outbox sweep
and `growthcycle outbox list` read it, never a Scan; sending or suppressing an email removes it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from growthcycle.domain.text import header_text

_serializer = TypeSerializer()

OUTBOX_DAYS = 90

UNSENT_INDEX = "Unsent"
UNSENT = "OUTBOX#UNSENT"  # unsent_pk of a pending email, or one being sent
FAILED = "OUTBOX#FAILED"  # unsent_pk of an email the mailer gave up on (an alarm fires)


@dataclass(frozen=True)
class Email:
    to_address: str
    subject: str
    html: str
    text: str
    to_person_id: str | None = None
    attachments: tuple[tuple[str, str, str], ...] = ()  # (filename, content type, text)
    template: str | None = None  # which templates/email/<template> rendered it, when known

    def __post_init__(self) -> None:
        # Every email is built here: a name holding a line break must not split the subject
        # header (a stored name imported before rosters refused them, or any other text).
        object.__setattr__(self, "subject", header_text(self.subject))
        object.__setattr__(self, "to_address", header_text(self.to_address))


def to_person_pk(person_id: str) -> str:
    """The ToPerson index's key: an outbox email addressed to this person (sparse: only emails
    with a recipient person id carry it)."""
    return f"PERSON#{person_id}"


def outbox_key(idempotency_key: str) -> dict[str, str]:
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return {"pk": f"OUTBOX#{digest}", "sk": "EMAIL"}


def outbox_item_key(outbox_id: str) -> dict[str, str]:
    """The key of the outbox email `growthcycle outbox list` shows as `outbox_id` (its pk, with
    or without the OUTBOX# prefix)."""
    return {"pk": "OUTBOX#" + outbox_id.removeprefix("OUTBOX#"), "sk": "EMAIL"}


def outbox_put(table_name: str, email: Email, idempotency_key: str) -> dict[str, Any]:
    """A TransactWriteItems `Put` that records the email once, whatever the retries."""
    item = {
        **outbox_key(idempotency_key),
        "kind": "email",
        "status": "pending",
        "to_address": email.to_address,
        "to_person_id": email.to_person_id,
        "subject": email.subject,
        "html": email.html,
        "text": email.text,
        "attachments": [list(a) for a in email.attachments] or None,
        "template": email.template,
        "queued_at": datetime.now(UTC).isoformat(),
        # Unsent (template.yaml): the sweep finds an email the stream did not get out.
        "unsent_pk": UNSENT,
        # ToPerson (template.yaml): a subject access export finds the emails held for a person.
        "to_person_pk": to_person_pk(email.to_person_id) if email.to_person_id else None,
        # The outbox is a transport copy, not the record (the statement, its versions and the
        # audit entries are, kept at least six years: 7): it expires after OUTBOX_DAYS.
        "expires_at": int(datetime.now(UTC).timestamp()) + OUTBOX_DAYS * 86400,
    }
    return {
        "TableName": table_name,
        "Item": {k: _serializer.serialize(v) for k, v in item.items() if v is not None},
        "ConditionExpression": "attribute_not_exists(pk)",
    }
