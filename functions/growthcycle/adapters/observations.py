"""Observations in the table (Appendix 3). Every state change is one TransactWriteItems with its
audit entry, its emails (the outbox) and its open items, so nothing is half done.

| item | pk | sk | notes |
|---|---|---|---|
| observation | `PERSON#<reviewee id>` | `CYCLE#<cycle id>#OBS#<obs id>` | part of the cycle's monitoring plan (App 3.3); `version` for conditional writes |
| observation pointer | `OBSERVATION#<obs id>` | `OBSERVATION` | `person_id`, `cycle_id`: find one by id with two GetItems |
| appended comment | `PERSON#<reviewee id>` | `CYCLE#<cycle id>#OBS#<obs id>#COMMENT#<comment id>` | App 3.13; written once |
| open items | `PERSON#<reviewee id>` | `DUE#<cycle id>#observation-feedback#<obs id>` and `...#observation-record#<obs id>` | App 3.11, 3.13: in DueIndex until the record is written |

A person's observations in a cycle are one Query (`begins_with(sk, "CYCLE#<cycle>#OBS#")`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any

from botocore.exceptions import ClientError

from growthcycle.adapters.deadlines import deadline_item
from growthcycle.adapters.outbox import Email, outbox_put
from growthcycle.adapters.store import Store, _from_item, _to_item
from growthcycle.domain.deadlines import OpenItem
from growthcycle.domain.observations import Comment, Observation
from growthcycle.domain.records import AuditEntry, VersionConflict


def observation_key(person_id: str, cycle_id: str, obs_id: str) -> dict[str, str]:
    return {"pk": f"PERSON#{person_id}", "sk": f"CYCLE#{cycle_id}#OBS#{obs_id}"}


def pointer_key(obs_id: str) -> dict[str, str]:
    return {"pk": f"OBSERVATION#{obs_id}", "sk": "OBSERVATION"}


def deadline_sk(cycle_id: str, event: str, obs_id: str) -> str:
    return f"DUE#{cycle_id}#{event}#{obs_id}"


def _observation_item(observation: Observation) -> dict[str, Any]:
    return {
        **observation_key(observation.reviewee_id, observation.cycle_id, observation.obs_id),
        "kind": "observation",
        "obs_id": observation.obs_id,
        "school_id": observation.school_id,
        "status": observation.status,
        "version": observation.version,
        "data": observation.model_dump_json(),
    }


def _observation(item: dict[str, Any]) -> Observation:
    return Observation.model_validate_json(item["data"])


def _email_puts(store: Store, emails: Iterable[tuple[Email, str]]) -> list[dict[str, Any]]:
    return [{"Put": outbox_put(store.table_name, email, key)} for email, key in emails]


def _cancelled(error: ClientError) -> list[str]:
    if error.response["Error"]["Code"] != "TransactionCanceledException":
        raise error
    return [r.get("Code", "") for r in error.response.get("CancellationReasons", [])]


def book(
    store: Store,
    observation: Observation,
    audit: AuditEntry,
    emails: Sequence[tuple[Email, str]],
    deadlines: Sequence[OpenItem],
) -> bool:
    """Record a booking, its notice email and its open items; False when it was booked before
    (the same form sent twice: the pointer exists)."""
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": store.table_name,
                "Item": _to_item(
                    {
                        **pointer_key(observation.obs_id),
                        "kind": "observation-pointer",
                        "person_id": observation.reviewee_id,
                        "cycle_id": observation.cycle_id,
                    }
                ),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        {
            "Put": {
                "TableName": store.table_name,
                "Item": _to_item(_observation_item(observation)),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        {"Put": store._audit_put(audit)},
        *_email_puts(store, emails),
        *(
            {
                "Put": {
                    "TableName": store.table_name,
                    "Item": _to_item(deadline_item(item)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for item in deadlines
        ),
    ]
    try:
        store.db.transact_write_items(TransactItems=items)
    except ClientError as error:
        reasons = _cancelled(error)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            return False
        raise
    return True


def get_observation(store: Store, obs_id: str) -> Observation | None:
    found = store.db.get_item(
        TableName=store.table_name, Key=_to_item(pointer_key(obs_id)), ConsistentRead=True
    )
    if "Item" not in found:
        return None
    pointer = _from_item(found["Item"])
    item = store.db.get_item(
        TableName=store.table_name,
        Key=_to_item(observation_key(pointer["person_id"], pointer["cycle_id"], obs_id)),
        ConsistentRead=True,
    )
    return _observation(_from_item(item["Item"])) if "Item" in item else None


def observations_for(store: Store, person_id: str, cycle_id: str) -> list[Observation]:
    """A person's observations in a cycle, soonest first (one Query)."""
    found = [
        _observation(item)
        for item in store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=_to_item(
                {":pk": f"PERSON#{person_id}", ":prefix": f"CYCLE#{cycle_id}#OBS#"}
            ),
            ConsistentRead=True,
        )
        if item.get("kind") == "observation"
    ]
    return sorted(found, key=lambda o: (o.day, o.at, o.obs_id))


def save_record(
    store: Store,
    updated: Observation,
    audit: AuditEntry,
    emails: Sequence[tuple[Email, str]],
    close: Sequence[tuple[str, str]],
) -> None:
    """Store the record (conditional on the version the observer loaded), its audit entry, the
    copies (first record only) and close the open items; VersionConflict if someone saved first."""
    now = audit.at.astimezone(UTC).isoformat()
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": store.table_name,
                "Item": _to_item(_observation_item(updated)),
                "ConditionExpression": "version = :previous",
                "ExpressionAttributeValues": _to_item({":previous": updated.version - 1}),
            }
        },
        {"Put": store._audit_put(audit)},
        *_email_puts(store, emails),
        *(
            {
                "Update": {
                    "TableName": store.table_name,
                    "Key": _to_item({"pk": pk, "sk": sk}),
                    "UpdateExpression": "SET closed_at = if_not_exists(closed_at, :at) "
                    "REMOVE due_pk, due_sk",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": _to_item({":at": now}),
                }
            }
            for pk, sk in close
        ),
    ]
    try:
        store.db.transact_write_items(TransactItems=items)
    except ClientError as error:
        _cancelled(error)
        current = get_observation(store, updated.obs_id)
        raise VersionConflict(current.version if current else 0) from error


def _comment_key(observation: Observation, comment_id: str) -> dict[str, str]:
    key = observation_key(observation.reviewee_id, observation.cycle_id, observation.obs_id)
    return {"pk": key["pk"], "sk": f"{key['sk']}#COMMENT#{comment_id}"}


def add_comment(
    store: Store,
    observation: Observation,
    comment: Comment,
    audit: AuditEntry,
    emails: Sequence[tuple[Email, str]],
) -> bool:
    """Append the reviewee's comment once; False when this comment was added before (a retry)."""
    item = {
        **_comment_key(observation, comment.comment_id),
        "kind": "observation-comment",
        "data": comment.model_dump_json(),
    }
    try:
        store.db.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": store.table_name,
                        "Item": _to_item(item),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Put": store._audit_put(audit)},
                *_email_puts(store, emails),
            ]
        )
    except ClientError as error:
        reasons = _cancelled(error)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            return False
        raise
    return True


def comments_for(store: Store, observation: Observation) -> list[Comment]:
    prefix = _comment_key(observation, "")["sk"]
    found = [
        Comment.model_validate(json.loads(item["data"]))
        for item in store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=_to_item(
                {":pk": f"PERSON#{observation.reviewee_id}", ":prefix": prefix}
            ),
            ConsistentRead=True,
        )
    ]
    return sorted(found, key=lambda c: (c.at, c.comment_id))
