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

A school's statements are one Query on BySchool; one statement's history is one Query on its pk.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from botocore.exceptions import ClientError

from growthcycle.adapters.outbox import Email, outbox_put
from growthcycle.adapters.store import Store, _from_item, _to_item
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


def _statement_item(statement: Statement) -> dict[str, Any]:
    return {
        "pk": statement_pk(statement.statement_id),
        "sk": "STATEMENT",
        "kind": "statement",
        "gsi2pk": f"STATEMENTS#{statement.school_id}",
        "gsi2sk": f"{statement.cycle_id}#{statement.reviewee_id}",
        "state": statement.state.value,
        "version": statement.version,
        "data": statement.model_dump_json(),
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


def record_view(store: Store, view: View) -> None:
    stamp = view.at.astimezone(UTC).isoformat()
    item = {
        "pk": statement_pk(view.statement_id),
        "sk": f"VIEW#{stamp}#{secrets.token_hex(6)}",
        "kind": "statement-view",
        "data": view.model_dump_json(),
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
    new_version: StatementVersion | None = None,
    link_marker: tuple[str, int] | None = None,
) -> Statement:
    """Store one move, all or nothing. `expected_version` None: the statement is new."""
    condition: dict[str, Any]
    if expected_version is None:
        condition = {"ConditionExpression": "attribute_not_exists(pk)"}
    else:
        condition = {
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
        }
    pk = statement_pk(statement.statement_id)
    once = {"ConditionExpression": "attribute_not_exists(pk)"}
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": store.table_name,
                "Item": _to_item(_statement_item(statement)),
                **condition,
            }
        },
        {"Put": store._audit_put(audit)},
        *({"Put": outbox_put(store.table_name, email, key)} for email, key in emails),
    ]
    if event is not None:
        event_item = {"pk": pk, "sk": f"EVENT#{event.seq:06d}", "kind": "statement-event"}
        event_item["data"] = event.model_dump_json()
        items.append({"Put": {"TableName": store.table_name, "Item": _to_item(event_item), **once}})
    if new_version is not None:
        version_item = {
            "pk": pk,
            "sk": f"V#{new_version.statement_version:06d}",
            "kind": "statement-version",
            "data": new_version.model_dump_json(),
            "values": json.dumps(new_version.values, ensure_ascii=False),
        }
        items.append(
            {"Put": {"TableName": store.table_name, "Item": _to_item(version_item), **once}}
        )
    marker_index = None
    if link_marker is not None:
        marker, expires_at = link_marker
        marker_index = len(items)
        marker_item = {"pk": f"ONCE#{marker}", "sk": "ONCE", "expires_at": expires_at}
        marker_item["used"] = "statement-link"
        items.append(
            {"Put": {"TableName": store.table_name, "Item": _to_item(marker_item), **once}}
        )
    try:
        store.db.transact_write_items(TransactItems=items)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        reasons = [r.get("Code", "") for r in error.response.get("CancellationReasons", [])]
        used = marker_index is not None and len(reasons) > marker_index
        if used and reasons[marker_index or 0] == "ConditionalCheckFailed":
            raise LinkAlreadyUsed() from error
        if "ConditionalCheckFailed" in reasons:
            raise StatementConflict(get_statement(store, statement.statement_id)) from error
        raise
    return statement
