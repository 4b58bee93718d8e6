"""Issue 18, item 9: the local stack lost acknowledged saves on `kill -9`.

A real local stack in a child process (moto in server mode, the table from template.yaml, the
saver running as the demo runs it after each write); this test writes to it over HTTP as the API
workers do, each write acknowledged, then kills the child outright (SIGKILL), starts another on
the same data folder, and reads everything back. Bounded: every wait polls with a deadline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
TABLE = "growthcycle-local"

# The child: start the stack (restoring what the folder holds), say where it listens, and ask for
# a save after every write as the demo's HTTP server does (coalesced by the stack), until killed.
CHILD = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from growthcycle.local.stack import LocalStack

    stack = LocalStack(Path(sys.argv[1]))
    stack.start()
    restored = stack.restore() if stack.has_saved_records() else 0
    ready = Path(sys.argv[1]) / "ready"
    ready.write_text(f"{stack.endpoint} {restored}")
    while True:
        stack.save_soon()
        threading.Event().wait(0.02)
    """
)


def _start(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    ready = data / "ready"
    ready.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(child.stderr.read().decode() if child.stderr else "exited")
        if ready.exists() and ready.read_text().strip():
            return child, ready.read_text().split()[0]
        time.sleep(0.05)
    child.kill()
    raise RuntimeError("the local stack did not start within 60 s")


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for child in started:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)


def _client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="eu-west-2",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _item(pk: str, sk: str, **values: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in values.items()}}


def test_every_acknowledged_write_survives_a_kill_9(
    tmp_path: Path, children: list[subprocess.Popen[bytes]]
) -> None:
    data = tmp_path / "data"
    first, endpoint = _start(data)
    children.append(first)
    db = _client(endpoint)

    # Given writes of every kind the app makes, each acknowledged by the stack
    for i in range(60):
        db.put_item(TableName=TABLE, Item=_item(f"SAVE#{i}", "V", text=f"saved {i}"))
    for i in range(0, 60, 3):
        db.update_item(
            TableName=TABLE,
            Key={"pk": {"S": f"SAVE#{i}"}, "sk": {"S": "V"}},
            UpdateExpression="SET #t = :t",
            ExpressionAttributeNames={"#t": "text"},
            ExpressionAttributeValues={":t": {"S": f"updated {i}"}},
        )
    db.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _item("MOVE#1", "STATEMENT", state="agreed")}},
            {"Put": {"TableName": TABLE, "Item": _item("MOVE#1", "AUDIT#1", what="agreed")}},
            {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "SAVE#1"}, "sk": {"S": "V"}}}},
        ]
    )
    db.batch_write_item(
        RequestItems={
            TABLE: [{"PutRequest": {"Item": _item(f"BATCH#{i}", "V", text="b")}} for i in range(30)]
        }
    )
    db.delete_item(TableName=TABLE, Key={"pk": {"S": "SAVE#2"}, "sk": {"S": "V"}})
    with pytest.raises(db.exceptions.ConditionalCheckFailedException):
        db.put_item(
            TableName=TABLE,
            Item=_item("SAVE#0", "V", text="must not replace"),
            ConditionExpression="attribute_not_exists(pk)",
        )
    expected = {
        (item["pk"]["S"], item["sk"]["S"]): item
        for page in db.get_paginator("scan").paginate(TableName=TABLE)
        for item in page["Items"]
    }

    # When the stack is killed outright, at once
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    # Then a stack started on the same folder holds every one of them, as acknowledged
    second, endpoint = _start(data)
    children.append(second)
    db = _client(endpoint)
    found = {
        (item["pk"]["S"], item["sk"]["S"]): item
        for page in db.get_paginator("scan").paginate(TableName=TABLE)
        for item in page["Items"]
    }
    assert len(expected) == 60 - 2 + 2 + 30
    missing = sorted(set(expected) - set(found))
    assert not missing, f"{len(missing)} of {len(expected)} acknowledged writes lost"
    assert found == expected
    assert ("SAVE#1", "V") not in found and ("SAVE#2", "V") not in found
    assert found[("SAVE#3", "V")]["text"]["S"] == "updated 3"
    assert found[("SAVE#0", "V")]["text"]["S"] == "updated 0"
