"""Statements in the table. Every move is ONE TransactWriteItems: the statement item (conditional
on its `version` attribute), the move's event, any new version of the text, the audit entry, the
outbox emails it sends and, for an emailed link, the link's single-use marker. So a statement is
never signed without its copies, and two people acting at once cannot both succeed.

| item | pk | sk | notes |
|---|---|---|---|
| statement | `STATEMENT#<statement id>` | `STATEMENT` | `version` (N) for conditional writes, `state`; BySchool `gsi2pk=STATEMENTS#<school id>`, `gsi2sk=<cycle id>#<reviewee id>` |
| version of the text | `STATEMENT#<statement id>` | `V#<000001>` | immutable (written once) |
| event (a move) | `STATEMENT#<statement id>` | `EVENT#<000001>` | numbered by the record version it made; written once |
| view (7) | `STATEMENT#<statement id>` | `VIEW#<iso time>#<random>` | who saw it, why, which page |
| used link | `ONCE#statement-link#<nonce>` | `ONCE` | `expires_at` (TTL) |

The statement, its versions, events, views and audit entries carry `expires_at` (7): at least six
years after the cycle ends, computed by the caller (domain/retention.py `expires_at_for`). Each
move re-puts the statement with the value the caller gives, so it never moves sooner.

A school's statements are one Query on BySchool; one statement's history is one Query on its pk.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from growthcycle.adapters.outbox import Email
from growthcycle.adapters.store import Cancelled, Store, _from_item, _to_item
from growthcycle.domain.records import AuditEntry
from growthcycle.domain.statements import Statement, StatementEvent, StatementVersion, View


class StatementConflict(Exception):
    """Someone changed the statement first; `current` is what it is now."""

    def __init__(self, current: Statement | None) -> None:
        super().__init__("the statement changed first")
        self.current = current


class LinkAlreadyUsed(Exception):
    """The emailed link's single-use marker exists: it was used before."""


def statement_pk(statement_id: str) -> str:
    return f"STATEMENT#{statement_id}"


def _statement_item(statement: Statement, expires_at: int) -> dict[str, Any]:
    return {
        "pk": statement_pk(statement.statement_id),
        "sk": "STATEMENT",
        "kind": "statement",
        "gsi2pk": f"STATEMENTS#{statement.school_id}",
        "gsi2sk": f"{statement.cycle_id}#{statement.reviewee_id}",
        "state": statement.state.value,
        "version": statement.version,
        "data": statement.model_dump_json(),
        "expires_at": expires_at,  # 7
    }


def get_statement(store: Store, statement_id: str) -> Statement | None:
    found = store.db.get_item(
        TableName=store.table_name,
        Key=_to_item({"pk": statement_pk(statement_id), "sk": "STATEMENT"}),
        ConsistentRead=True,
    )
    if "Item" not in found:
        return None
    return Statement.model_validate_json(_from_item(found["Item"])["data"])


def statements_in_school(store: Store, school_id: str) -> list[Statement]:
    return [
        Statement.model_validate_json(item["data"])
        for item in store._query_all(
            IndexName="BySchool",
            KeyConditionExpression="gsi2pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"STATEMENTS#{school_id}"}},
        )
    ]


def _history(store: Store, statement_id: str, prefix: str) -> list[dict[str, Any]]:
    return list(
        store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": statement_pk(statement_id)},
                ":prefix": {"S": prefix},
            },
            ConsistentRead=True,
        )
    )


def versions(store: Store, statement_id: str) -> list[StatementVersion]:
    return [
        StatementVersion.model_validate_json(i["data"]) for i in _history(store, statement_id, "V#")
    ]


def events(store: Store, statement_id: str) -> list[StatementEvent]:
    return [
        StatementEvent.model_validate_json(i["data"])
        for i in _history(store, statement_id, "EVENT#")
    ]


def views(store: Store, statement_id: str) -> list[View]:
    return [View.model_validate_json(i["data"]) for i in _history(store, statement_id, "VIEW#")]


def record_view(store: Store, view: View, *, expires_at: int) -> None:
    stamp = view.at.astimezone(UTC).isoformat()
    item = {
        "pk": statement_pk(view.statement_id),
        "sk": f"VIEW#{stamp}#{secrets.token_hex(6)}",
        "kind": "statement-view",
        "data": view.model_dump_json(),
        "expires_at": expires_at,  # 7: the view log is part of the record
    }
    store.db.put_item(TableName=store.table_name, Item=_to_item(item))


def commit(
    store: Store,
    statement: Statement,
    *,
    expected_version: int | None,
    event: StatementEvent | None,
    audit: AuditEntry,
    emails: Sequence[tuple[Email, str]],
    expires_at: int,
    new_version: StatementVersion | None = None,
    link_marker: tuple[str, int] | None = None,
) -> Statement:
    """Store one move, all or nothing. `expected_version` None: the statement is new.
    `expires_at`: the TTL of the statement, the event, the new version and the audit entry (7);
    the link marker keeps its own short one."""
    pk = statement_pk(statement.statement_id)
    item = _statement_item(statement, expires_at)
    writes = [
        store.put(item, only_new=True)
        if expected_version is None
        else store.put(
            item, condition="version = :expected", values={":expected": expected_version}
        )
    ]
    if event is not None:
        event_item: dict[str, Any] = {"pk": pk, "sk": f"EVENT#{event.seq:06d}"}
        event_item["kind"] = "statement-event"
        event_item |= {"data": event.model_dump_json(), "expires_at": expires_at}
        writes.append(store.put(event_item, only_new=True))
    if new_version is not None:
        version_item = {
            "pk": pk,
            "sk": f"V#{new_version.statement_version:06d}",
            "kind": "statement-version",
            "data": new_version.model_dump_json(),
            "values": json.dumps(new_version.values, ensure_ascii=False),
            "expires_at": expires_at,
        }
        writes.append(store.put(version_item, only_new=True))
    marker_index = None
    if link_marker is not None:
        marker, link_expires = link_marker
        marker_index = len(writes)
        marker_item = {"pk": f"ONCE#{marker}", "sk": "ONCE", "expires_at": link_expires}
        marker_item["used"] = "statement-link"
        writes.append(store.put(marker_item, only_new=True))
    try:
        store.transact(writes, expires_at=expires_at, audit=audit, emails=emails)
    except Cancelled as error:
        if marker_index is not None and error.failed(marker_index):
            raise LinkAlreadyUsed() from error
        if error.conflict:
            raise StatementConflict(get_statement(store, statement.statement_id)) from error
        raise
    return statement
