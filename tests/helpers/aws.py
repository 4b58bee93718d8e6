"""Helpers for tests against moto's DynamoDB (use with the `aws` fixture in tests/conftest.py).

- `DynamoCalls`: counts the DynamoDB operations a piece of code makes (asserts "no Scan", "no more
  calls with twice the data").
- `captured_items` and `batch_write`: build items with the app's own writers (so their format is
  the real one), then load thousands of them fast with BatchWriteItem.
- `new_table`: another table from template.yaml in the same moto account.
- `outbox_email`: read a queued email back by its idempotency key.
- `set_today`: the day the code under test sees (the local clock file the `aws` fixture names).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from growthcycle.adapters.outbox import outbox_key
from growthcycle.adapters.store import Store, _from_item, _to_item
from growthcycle.local.table import create_table


class DynamoCalls:
    """Counts DynamoDB operations made through one botocore client, by operation name."""

    def __init__(self) -> None:
        self.by_operation: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.by_operation[model.name] += 1

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    def __getitem__(self, operation: str) -> int:
        return self.by_operation[operation]

    def reset(self) -> None:
        self.by_operation.clear()


@contextmanager
def counting_dynamodb_calls(dynamodb: Any) -> Iterator[DynamoCalls]:
    """Count every DynamoDB call `dynamodb` (a boto3 client) makes inside the block."""
    calls = DynamoCalls()
    dynamodb.meta.events.register("before-call.dynamodb.*", calls)
    try:
        yield calls
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.*", calls)


class _CapturingDynamoDB:
    """Stands in for the DynamoDB client: keeps each item put, sends nothing."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.items.append(request["Item"])
        return {}


def captured_items(write: Callable[[Store], Any]) -> list[dict[str, Any]]:
    """The items (DynamoDB JSON) `write(store)` would put, in the app's own format.

    Example: ``captured_items(lambda s: [s.put_person(p) for p in people])``.
    """
    fake = _CapturingDynamoDB()
    write(Store("captured", dynamodb=fake))
    return fake.items


def batch_write(dynamodb: Any, table: str, items: Iterable[dict[str, Any]]) -> int:
    """Write DynamoDB-JSON items 25 at a time (BatchWriteItem); how many were written."""
    batch: list[dict[str, Any]] = []
    written = 0

    def flush() -> None:
        request: dict[str, Any] = {table: [{"PutRequest": {"Item": i}} for i in batch]}
        while request:
            request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    for item in items:
        batch.append(item)
        if len(batch) == 25:
            flush()
            written += len(batch)
            batch = []
    if batch:
        flush()
        written += len(batch)
    return written


def new_table(dynamodb: Any, name: str) -> str:
    """Another table, as template.yaml defines it, in the current moto account."""
    create_table(dynamodb, name)
    return name


def outbox_email(dynamodb: Any, table: str, idempotency_key: str) -> dict[str, Any] | None:
    """The outbox item queued under `idempotency_key`, or None."""
    found = dynamodb.get_item(
        TableName=table, Key=_to_item(outbox_key(idempotency_key)), ConsistentRead=True
    )
    return _from_item(found["Item"]) if "Item" in found else None


def set_today(day: date) -> None:
    """Make `day` today for the code under test (the local clock file, as /_local/clock does)."""
    Path(os.environ["GROWTHCYCLE_LOCAL_CLOCK_FILE"]).write_text(day.isoformat())
