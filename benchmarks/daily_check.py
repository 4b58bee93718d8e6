"""The daily check at scale: 10,000 open cycles in one school, 1% of them due or overdue.

Counts the DynamoDB calls the check makes (by operation; never a Scan) and the capacity moto
reports as consumed (each request is sent with ReturnConsumedCapacity=TOTAL). Reuses the
deadlines engineer's builders from tests/integration/test_deadline_check.py and tests/helpers/aws.py.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections import Counter
from datetime import timedelta
from functools import partial
from typing import Any

OPEN = 10_000
DUE_SHARE = 0.01
TTL = 2_000_000_000  # 7: open items carry expires_at; any value serves the benchmark


def main() -> list[str]:
    from moto import mock_aws

    tmp = tempfile.mkdtemp(prefix="bench-daily-")
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-2",
            "AWS_REGION": "eu-west-2",
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "GROWTHCYCLE_LOCAL_CLOCK_FILE": os.path.join(tmp, "today"),
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        return _measure()


def _measure() -> list[str]:
    from tests.helpers.aws import batch_write, captured_items
    from tests.integration.test_deadline_check import SCALE_SCHOOL, SCALE_TODAY, scale_people

    from growthcycle.adapters.aws import client, reset_clients
    from growthcycle.adapters.deadlines import (
        CheckOptions,
        open_deadline,
        record_headteacher,
        run_daily_check,
    )
    from growthcycle.adapters.store import Store
    from growthcycle.domain.deadlines import planning_review_deadlines
    from growthcycle.handlers.deadline_check import digest_email
    from growthcycle.local.table import create_table

    reset_clients()
    table = "growthcycle-bench"
    dynamodb = client("dynamodb")
    create_table(dynamodb, table)
    store = Store(table)
    store.put_school(SCALE_SCHOOL.id, {"config": SCALE_SCHOOL.model_dump_json()})
    record_headteacher(store, SCALE_SCHOOL.id, "scale-school.s00000")

    people = scale_people(OPEN + 1)  # the governor has no planning and review
    items = planning_review_deadlines(SCALE_SCHOOL, people, SCALE_TODAY)[:OPEN]
    due = int(len(items) * DUE_SHARE)
    offsets = (-5, -1, 0)  # escalated, overdue, due today
    items[-due:] = [
        dataclasses.replace(it, due_date=SCALE_TODAY + timedelta(days=offsets[i % 3]))
        for i, it in enumerate(items[-due:])
    ]
    batch_write(dynamodb, table, captured_items(lambda s: [s.put_person(p) for p in people]))
    batch_write(
        dynamodb,
        table,
        captured_items(lambda s: [open_deadline(s, i, expires_at=TTL) for i in items]),
    )

    calls: Counter[str] = Counter()
    capacity: Counter[str] = Counter()

    def ask_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls[model.name] += 1
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params["ReturnConsumedCapacity"] = "TOTAL"

    def add_capacity(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        found = parsed.get("ConsumedCapacity")
        for entry in found if isinstance(found, list) else [found] if found else []:
            capacity[model.name] += float(entry.get("CapacityUnits", 0))

    events = dynamodb.meta.events
    events.register("provide-client-params.dynamodb.*", ask_capacity)
    events.register("after-call.dynamodb.*", add_capacity)
    try:
        result = run_daily_check(
            store,
            SCALE_TODAY,
            CheckOptions(escalation_working_days=5),
            partial(digest_email, base_url="https://bench.example.org", trust_name="Bench"),
        )
    finally:
        events.unregister("provide-client-params.dynamodb.*", ask_capacity)
        events.unregister("after-call.dynamodb.*", add_capacity)
    counts = result.as_dict()
    lines = [
        f"## The daily check: {len(items):,} open cycles, {due} due or overdue ({DUE_SHARE:.0%})",
        "",
        f"Items handled: {counts.get('items')}; digests queued: {counts.get('digests_queued')}. "
        f"Scans: {calls.get('Scan', 0)}.",
        "",
        "| DynamoDB operation | calls | capacity units (as moto reports them) |",
        "|---|---|---|",
    ]
    for name in sorted(calls):
        lines.append(f"| {name} | {calls[name]} | {capacity.get(name, 0):g} |")
    lines.append(f"| total | {sum(calls.values())} | {sum(capacity.values()):g} |")
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
