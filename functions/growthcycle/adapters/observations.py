"""Observations in the table (Appendix 3). Every state change is one TransactWriteItems with its
audit entry, its emails (the outbox) and its open items, so nothing is half done.

| item | pk | sk | notes |
|---|---|---|---|
| observation | `PERSON#<reviewee id>` | `CYCLE#<cycle id>#OBS#<obs id>` | part of the cycle's monitoring plan (App 3.3); `version` for conditional writes |
| observation pointer | `OBSERVATION#<obs id>` | `OBSERVATION` | `person_id`, `cycle_id`: find one by id with two GetItems |
| appended comment | `PERSON#<reviewee id>` | `CYCLE#<cycle id>#OBS#<obs id>#COMMENT#<comment id>` | App 3.13; written once |
| open items | `PERSON#<reviewee id>` | `DUE#<cycle id>#observation-feedback#<obs id>` and `...#observation-record#<obs id>` | App 3.11, 3.13: in DueIndex until the record is written |

A person's observations in a cycle are one Query (`begins_with(sk, "CYCLE#<cycle>#OBS#")`).

Every item here (the pointer too) and every audit entry carries `expires_at` (7): at least six
years after the cycle ends, computed by the caller (domain/retention.py `expires_at_for`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from growthcycle.adapters.deadlines import deadline_item
from growthcycle.adapters.outbox import Email
from growthcycle.adapters.store import Cancelled, Store, _from_item, _to_item
from growthcycle.domain.deadlines import OpenItem
from growthcycle.domain.observations import Comment, Observation
from growthcycle.domain.records import AuditEntry, VersionConflict


def observation_key(person_id: str, cycle_id: str, obs_id: str) -> dict[str, str]:
    return {"pk": f"PERSON#{person_id}", "sk": f"CYCLE#{cycle_id}#OBS#{obs_id}"}


def pointer_key(obs_id: str) -> dict[str, str]:
    return {"pk": f"OBSERVATION#{obs_id}", "sk": "OBSERVATION"}


def deadline_sk(cycle_id: str, event: str, obs_id: str) -> str:
    return f"DUE#{cycle_id}#{event}#{obs_id}"


def _observation_item(observation: Observation, expires_at: int) -> dict[str, Any]:
    return {
        **observation_key(observation.reviewee_id, observation.cycle_id, observation.obs_id),
        "kind": "observation",
        "obs_id": observation.obs_id,
        "school_id": observation.school_id,
        "status": observation.status,
        "version": observation.version,
        "data": observation.model_dump_json(),
        "expires_at": expires_at,  # 7
    }


def _observation(item: dict[str, Any]) -> Observation:
    return Observation.model_validate_json(item["data"])


def book(
    store: Store,
    observation: Observation,
    audit: AuditEntry,
    emails: Sequence[tuple[Email, str]],
    deadlines: Sequence[OpenItem],
    *,
    expires_at: int,
) -> bool:
    """Record a booking, its notice email and its open items; False when it was booked before
    (the same form sent twice: the pointer exists)."""
    pointer = {
        **pointer_key(observation.obs_id),
        "kind": "observation-pointer",
        "person_id": observation.reviewee_id,
        "cycle_id": observation.cycle_id,
        "expires_at": expires_at,
    }
    writes = [
        store.put(pointer, only_new=True),
        store.put(_observation_item(observation, expires_at), only_new=True),
        *(
            store.put(deadline_item(item, expires_at=expires_at), only_new=True)
            for item in deadlines
        ),
    ]
    try:
        store.transact(writes, expires_at=expires_at, audit=audit, emails=emails)
    except Cancelled as error:
        if error.failed(0):
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
    *,
    expires_at: int,
) -> None:
    """Store the record (conditional on the version the observer loaded), its audit entry, the
    copies (first record only) and close the open items; VersionConflict if someone saved first."""
    now = audit.at.astimezone(UTC).isoformat()
    writes: list[dict[str, Any]] = [
        store.put(
            _observation_item(updated, expires_at),
            condition="version = :previous",
            values={":previous": updated.version - 1},
        ),
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
        store.transact(writes, expires_at=expires_at, audit=audit, emails=emails)
    except Cancelled as error:
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
    *,
    expires_at: int,
) -> bool:
    """Append the reviewee's comment once; False when this comment was added before (a retry)."""
    item = {
        **_comment_key(observation, comment.comment_id),
        "kind": "observation-comment",
        "data": comment.model_dump_json(),
        "expires_at": expires_at,  # 7
    }
    try:
        store.transact(
            [store.put(item, only_new=True)], expires_at=expires_at, audit=audit, emails=emails
        )
    except Cancelled as error:
        if error.failed(0):
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
