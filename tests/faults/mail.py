"""Shared by the email fault tests: queue an email, read its outbox item, count what SES took,
and build the stream record Lambda would hand the mailer."""

from __future__ import annotations

from typing import Any

SUBJECT = "Your self-review is due"


def queue_one(demo: Any, key: str = "fault-test", subject: str = SUBJECT) -> dict[str, str]:
    from growthcycle.adapters.outbox import Email, outbox_key

    person = demo.people["oakfield-primary.op004"]
    demo.store.queue_email(
        Email(
            to_address=person.email,
            to_person_id=person.person_id,
            subject=subject,
            html="<p>Due on Friday</p>",
            text="Due on Friday",
        ),
        idempotency_key=key,
    )
    return outbox_key(key)


def ses_messages() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-2"].sent_messages)


def ses_sent() -> int:
    return len(ses_messages())


def status(demo: Any, key: dict[str, str]) -> dict[str, Any]:
    from growthcycle.adapters.store import _from_item, _to_item

    found = demo.store.db.get_item(TableName=demo.store.table_name, Key=_to_item(key))
    return _from_item(found["Item"])


def stream_event(*keys: dict[str, str]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventID": str(n),
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "dynamodb": {
                    "Keys": {"pk": {"S": key["pk"]}, "sk": {"S": key["sk"]}},
                    "SequenceNumber": str(100 + n),
                    "StreamViewType": "KEYS_ONLY",
                },
            }
            for n, key in enumerate(keys, start=1)
        ]
    }
