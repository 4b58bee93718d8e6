"""Local stack only: TransactWriteItems without moto's copy of the whole table.

moto 5 makes a deep copy of the whole table for every item of a TransactWriteItems, to roll back
if one fails. The cost grows with the table: in the load test (benchmarks/load.py) it was more
than half of the stack's time and requests timed out. DynamoDB itself does nothing of the kind.

Here a transaction instead checks every item's condition first and writes nothing unless all
hold (as DynamoDB does: all or nothing), then lets moto apply it with the copy skipped. A
transaction that fails its conditions is refused with moto's own TransactionCanceledException and
the same reasons, so the code under test sees what DynamoDB would send. Transactions run one at a
time. Not deployed: the functions talk to DynamoDB.
"""

from __future__ import annotations

import threading
import types
from typing import Any

_LOCK = threading.Lock()
_original: Any = None


def _precheck(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    """Raise moto's TransactionCanceledException when any condition fails; write nothing."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import TransactionCanceledException

    reasons: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        expression = op.get("ConditionExpression")
        if expression is None or op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            reasons.append((None, None, None))
            continue
        table = backend.get_table(op["TableName"])
        if op_type == "Put":
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op["Key"]
        current = backend.get_item(op["TableName"], key)
        condition = get_filter_expression(
            expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if condition.expr(current):
            reasons.append((None, None, None))
            continue
        old = None
        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
            old = current.to_json()["Attributes"]
        reasons.append(("ConditionalCheckFailed", "The conditional request failed", old))
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)


def install() -> None:
    """Patch moto's DynamoDB backend in this process (idempotent)."""
    global _original
    if _original is not None:
        return
    import moto.dynamodb.models as models

    original = _original = models.DynamoDBBackend.transact_write_items
    no_copy = types.SimpleNamespace(deepcopy=lambda value: value)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _LOCK:
            _precheck(self, transact_items)
            real_copy = models.copy
            models.copy = no_copy  # type: ignore[assignment]
            try:
                original(self, transact_items)
            finally:
                models.copy = real_copy

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def uninstall() -> None:
    """Put moto's own TransactWriteItems back (for tests)."""
    global _original
    if _original is None:
        return
    import moto.dynamodb.models as models

    models.DynamoDBBackend.transact_write_items = _original  # type: ignore[method-assign]
    _original = None
