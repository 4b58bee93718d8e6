"""Reflections through the year, and the headteacher's view of mid-year reviews (table access).

Key patterns (docs/architecture.md):

| item | pk | sk |
|---|---|---|
| reflection | `PERSON#<person_id>` | `CYCLE#<cycle_id>#REFLECTION#<iso timestamp>#<rand>` |
| double-tap marker | `ONCE#reflection#<person_id>#<client token>` | `ONCE` (`expires_at`) |

A reflection, its single-use marker and its audit entry are written in one transaction: a
double-tap (the same client token twice) writes nothing the second time. The reflection, the
reset form and the audit entry expire with the cycle (`expires_at`, 7); the marker after
TOKEN_DAYS.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from botocore.exceptions import ClientError

from growthcycle.adapters.store import (
    Cancelled,
    Store,
    _to_item,
)
from growthcycle.domain.records import AuditEntry, Submission
from growthcycle.domain.reflections import Reflection

TOKEN_DAYS = 2  # long enough for any retry of the same page; the marker then expires


def reflection_prefix(cycle_id: str) -> str:
    return f"CYCLE#{cycle_id}#REFLECTION#"


def record_reflection(
    store: Store,
    reflection: Reflection,
    audit: AuditEntry,
    client_token: str,
    *,
    expires_at: int,
    reset: Submission | None = None,
) -> bool:
    """Store a reflection with its audit entry, once per client token; False for a repeat.

    `reset`, when given, is a new (empty) version of a form submission written in the same
    transaction (the reflection form hosted by the forms pages starts blank again).
    `expires_at`: the cycle's TTL (7) for everything but the double-tap marker.
    """
    stamp = reflection.recorded_at.astimezone(UTC).isoformat()
    sk = f"{reflection_prefix(reflection.cycle_id)}{stamp}#{secrets.token_hex(4)}"
    body = reflection.model_dump(mode="json", exclude={"sk"})
    marker_expires = int((reflection.recorded_at + timedelta(days=TOKEN_DAYS)).timestamp())
    marker = {
        "pk": f"ONCE#reflection#{reflection.person_id}#{client_token}",
        "sk": "ONCE",
        "expires_at": marker_expires,
    }
    item = {
        "pk": f"PERSON#{reflection.person_id}",
        "sk": sk,
        "kind": "reflection",
        **body,
        "expires_at": expires_at,  # 7
    }
    writes = [store.put(marker, only_new=True), store.put(item, only_new=True)]
    if reset is not None:
        writes += store.submission_puts(reset, expires_at=expires_at)
    try:
        store.transact(writes, expires_at=expires_at, audit=audit)
    except Cancelled as error:
        if error.failed(0):
            return False  # the same client token: recorded already
        raise
    return True


def reflections_for(store: Store, person_id: str, cycle_id: str) -> list[Reflection]:
    """A person's reflections in one cycle, newest first."""
    return [
        Reflection.model_validate({k: v for k, v in item.items() if k in Reflection.model_fields})
        for item in store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": f"PERSON#{person_id}"},
                ":prefix": {"S": reflection_prefix(cycle_id)},
            },
            ScanIndexForward=False,
        )
    ]


def close_reflection_nudges(store: Store, person_id: str, cycle_id: str, at: datetime) -> int:
    """A reflection recorded closes the daily check's open reflection nudges for this cycle."""
    closed = 0
    for item in store._query_all(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={
            ":pk": {"S": f"PERSON#{person_id}"},
            ":prefix": {"S": f"DUE#{cycle_id}#reflection"},
        },
        FilterExpression="attribute_exists(due_pk)",
    ):
        try:
            store.db.update_item(
                TableName=store.table_name,
                Key=_to_item({"pk": item["pk"], "sk": item["sk"]}),
                UpdateExpression="SET closed_at = :at REMOVE due_pk, due_sk",
                ConditionExpression="attribute_exists(due_pk)",
                ExpressionAttributeValues={":at": {"S": at.astimezone(UTC).isoformat()}},
            )
            closed += 1
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
    return closed


def current_submissions(
    store: Store, people_cycles: Iterable[tuple[str, str]], form_id: str
) -> dict[str, Submission]:
    """The current submission of `form_id` for each (person, cycle), by person id (BatchGet)."""
    found = store.get_submissions((p, c, form_id) for p, c in people_cycles)
    return {person_id: submission for (person_id, _, _), submission in found.items()}
