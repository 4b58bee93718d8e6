"""Capability suspensions and transfers (3, 4.1) in the table.

| item | pk | sk | notes |
|---|---|---|---|
| capability record | `PERSON#<person id>` | `CAPABILITY#<cycle id>` | `periods` (JSON), `paused` (sk -> due date of the open items it closed), `version` (N) |
| transfer | `PERSON#<person id>` | `TRANSFER#<transfer date>` | the headteacher's choice; `new_cycle_*` when the cycle begins again |
| restart, the school's copy | `SCHOOL#<school id>` | `RESTART#<person id>#<transfer date>` | a cycle that began again: `person_id`, `new_cycle_*`; written with the transfer |

The school's copy of each restart lets a page that asks many people's current cycle (the
headteacher's home, a reviewer's list) read the whole school's restarts with one Query
(`restarts_in_school`) instead of one Query per person (issue 14.1). It is written in the same
transaction as the transfer and expires with it (7). Transfers recorded before the copy existed
get theirs from `growthcycle backfill school-copies` (adapters/backfill.py).

Suspending closes the person's open items of the cycle (they leave DueIndex, so the daily check
says nothing about them) with `adapters/deadlines.close_deadline`; resuming puts them back in
DueIndex with their due dates pushed by the suspended working days. The deadlines adapter has no
"reopen" (its `open_deadline` never reopens a closed item), so `_reopen` below does it, guarded so
that a retry never pushes a date twice.

Order, so that a crash half-way loses nothing: suspend writes the record (with the items it is
about to close) first and closes them after; resume reopens the items first and writes the record
after. Both are safe to repeat.

Both items and their audit entries are records of the cycle (7): `expires_at`, given by the caller
for a capability record; for a transfer, the later of the old cycle's and the new cycle's.
Closing and reopening an open item are UpdateItems: the item keeps its own `expires_at`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from growthcycle.adapters.deadlines import close_deadline, deadline_item
from growthcycle.adapters.store import Cancelled, Store, _from_item, _to_item
from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.cycles import Cycle, StaffGroup, Suspension
from growthcycle.domain.deadlines import CYCLE_END, OpenItem
from growthcycle.domain.records import AuditEntry
from growthcycle.domain.retention import expires_at as retention_expiry
from growthcycle.domain.retention import latest_end
from growthcycle.domain.special_cases import (
    CapabilityConflict,
    CapabilityRecord,
    Transfer,
    pushed_due_dates,
)


def _capability_key(person_id: str, cycle_id: str) -> dict[str, str]:
    return {"pk": f"PERSON#{person_id}", "sk": f"CAPABILITY#{cycle_id}"}


def capability_record(
    store: Store, person_id: str, cycle_id: str
) -> tuple[CapabilityRecord, dict[str, date], int]:
    """The record, the due dates it paused (sk -> date) and its version (0: none yet)."""
    found = store.db.get_item(
        TableName=store.table_name,
        Key=_to_item(_capability_key(person_id, cycle_id)),
        ConsistentRead=True,
    )
    if "Item" not in found:
        return CapabilityRecord(person_id, cycle_id), {}, 0
    item = _from_item(found["Item"])
    periods = tuple(
        Suspension(
            starts=date.fromisoformat(p["starts"]),
            ends=date.fromisoformat(p["ends"]) if p.get("ends") else None,
        )
        for p in json.loads(item["periods"])
    )
    paused = {sk: date.fromisoformat(d) for sk, d in json.loads(item.get("paused", "{}")).items()}
    return CapabilityRecord(person_id, cycle_id, periods), paused, int(item["version"])


def is_suspended(store: Store, person_id: str, cycle_id: str) -> bool:
    record, _, _ = capability_record(store, person_id, cycle_id)
    return record.suspended


def _write_record(
    store: Store,
    record: CapabilityRecord,
    paused: Mapping[str, date],
    version: int,
    audit: AuditEntry,
    expires_at: int,
) -> None:
    item = {
        **_capability_key(record.person_id, record.cycle_id),
        "kind": "capability",
        "periods": json.dumps(
            [
                {"starts": p.starts.isoformat(), "ends": p.ends.isoformat() if p.ends else None}
                for p in record.periods
            ]
        ),
        "paused": json.dumps({sk: d.isoformat() for sk, d in paused.items()}),
        "suspended": record.suspended,
        "version": version + 1,
        "expires_at": expires_at,  # 7
    }
    put = (
        store.put(item, only_new=True)
        if version == 0
        else store.put(item, condition="version = :v", values={":v": version})
    )
    try:
        store.transact([put], expires_at=expires_at, audit=audit)
    except Cancelled as error:
        raise CapabilityConflict() from error


def open_items(store: Store, person_id: str, cycle_id: str) -> dict[str, date]:
    """The person's open items in the cycle that a suspension pauses: sk -> due date (one Query
    of their partition). Not the cycle's end: it is not moved (domain/cycles.py), and the daily
    check still opens the next cycle on time."""
    return {
        item["sk"]: date.fromisoformat(item["due_date"])
        for item in store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            FilterExpression="attribute_exists(due_pk)",
            ExpressionAttributeValues=_to_item(
                {":pk": f"PERSON#{person_id}", ":prefix": f"DUE#{cycle_id}#"}
            ),
        )
        if item.get("event") != CYCLE_END
    }


def suspend_cycle(
    store: Store,
    person_id: str,
    cycle_id: str,
    *,
    today: date,
    actor_id: str,
    at: datetime,
    expires_at: int,
) -> int:
    """3, 4.1: pause the cycle for the capability procedure from `today`; its open items leave
    DueIndex. Returns how many items were paused. Already paused: closes any listed item still
    open (finishing a run that died half-way) and changes nothing else. `expires_at`: the cycle's
    TTL (7)."""
    record, paused, version = capability_record(store, person_id, cycle_id)
    if not record.suspended:
        paused = open_items(store, person_id, cycle_id)
        audit = AuditEntry(
            subject_id=person_id,
            actor_id=actor_id,
            action="cycle.suspended",
            target=f"{cycle_id}:{len(paused)} open item(s)",
            channel="page",
            at=at,
        )
        _write_record(store, record.suspend(today), paused, version, audit, expires_at)
    pk = f"PERSON#{person_id}"
    for sk in paused:
        close_deadline(store, pk, sk, closed_at=at)
    return len(paused)


def _reopen(store: Store, pk: str, sk: str, due: date) -> bool:
    """Put a closed item back in DueIndex with a new due date; False if it is open already."""
    found = store.db.get_item(
        TableName=store.table_name, Key=_to_item({"pk": pk, "sk": sk}), ConsistentRead=True
    )
    if "Item" not in found:
        return False
    data = _from_item(found["Item"])
    item = OpenItem(
        pk=pk,
        sk=sk,
        school_id=data["school_id"],
        subject_id=data["subject_id"],
        responsible_id=data["responsible_id"],
        event=data["event"],
        due_date=due,
        link=data["link"],
        title=data["title"],
    )
    attributes = deadline_item(item, expires_at=None)  # an update: the item keeps its own
    try:
        store.db.update_item(
            TableName=store.table_name,
            Key=_to_item({"pk": pk, "sk": sk}),
            UpdateExpression="SET due_date = :d, due_pk = :p, due_sk = :s, paused_from = :was "
            "REMOVE closed_at",
            ConditionExpression="attribute_not_exists(due_pk)",
            ExpressionAttributeValues=_to_item(
                {
                    ":d": attributes["due_date"],
                    ":p": attributes["due_pk"],
                    ":s": attributes["due_sk"],
                    ":was": data["due_date"],
                }
            ),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def resume_cycle(
    store: Store,
    person_id: str,
    cycle_id: str,
    *,
    today: date,
    calendar: WorkingCalendar,
    actor_id: str,
    at: datetime,
    expires_at: int,
) -> dict[str, date]:
    """3, 4.1: restart the clocks on `today`: the paused items go back in DueIndex, each due date
    pushed by the working days the suspension covered. Returns sk -> new due date.
    `expires_at`: the cycle's TTL (7)."""
    record, paused, version = capability_record(store, person_id, cycle_id)
    resumed = record.resume(today)  # NotSuspended when there is nothing to resume
    ended = resumed.periods[-1]
    pushed = pushed_due_dates(paused, ended, calendar)
    pk = f"PERSON#{person_id}"
    for sk, due in pushed.items():
        _reopen(store, pk, sk, due)
    audit = AuditEntry(
        subject_id=person_id,
        actor_id=actor_id,
        action="cycle.resumed",
        target=f"{cycle_id}:{len(pushed)} item(s) reopened",
        channel="page",
        at=at,
    )
    _write_record(store, resumed, {}, version, audit, expires_at)
    return pushed


# --- transfers (4.1) -------------------------------------------------------------------------


def _transfer_key(person_id: str, transfer_date: date) -> dict[str, str]:
    return {"pk": f"PERSON#{person_id}", "sk": f"TRANSFER#{transfer_date.isoformat()}"}


RESTART_PREFIX = "RESTART#"


def school_restart_key(school_id: str, person_id: str, transfer_date: date) -> dict[str, str]:
    """The school's copy of a restart (see the module docstring)."""
    return {
        "pk": f"SCHOOL#{school_id}",
        "sk": f"{RESTART_PREFIX}{person_id}#{transfer_date.isoformat()}",
    }


def school_restart_item(school_id: str, transfer: dict[str, Any]) -> dict[str, Any]:
    """The school's copy of a transfer item (plain values) that began the cycle again."""
    copied = ("person_id", "transfer_date", "old_cycle_id", "expires_at")
    return {
        **school_restart_key(
            school_id, transfer["person_id"], date.fromisoformat(transfer["transfer_date"])
        ),
        "kind": "school-restart",
        "school_id": school_id,
        **{k: transfer[k] for k in copied},
        **{k: v for k, v in transfer.items() if k.startswith("new_cycle_")},
    }


def record_transfer(
    store: Store,
    transfer: Transfer,
    *,
    school_id: str,
    actor_id: str,
    at: datetime,
    retention_years: int,
) -> None:
    """Store the headteacher's decision on a transfer (4.1), audited; a cycle that begins again
    is also written as the person's cycle item (`CYCLE#<new cycle id>`) and as the school's copy
    of the restart (`SCHOOL#<school id>`/`RESTART#...`), in the same transaction. Everything
    expires `retention_years` after the later of the old cycle's end and the new one's (7)."""
    new = transfer.new_cycle
    ends = max([latest_end(transfer.old_cycle_id), *([new.ends] if new is not None else [])])
    expires_at = retention_expiry(ends, retention_years)
    item: dict[str, Any] = {
        **_transfer_key(transfer.person_id, transfer.transfer_date),
        "kind": "transfer",
        "person_id": transfer.person_id,
        "transfer_date": transfer.transfer_date.isoformat(),
        "choice": transfer.choice,
        "old_cycle_id": transfer.old_cycle_id,
        "decided_by": actor_id,
        "decided_at": at.astimezone(UTC).isoformat(),
        "expires_at": expires_at,  # 7
    }
    writes: list[dict[str, Any]] = []
    if new is not None:
        item |= {
            "new_cycle_id": new.cycle_id,
            "new_cycle_group": str(new.group),
            "new_cycle_starts": new.starts.isoformat(),
            "new_cycle_ends": new.ends.isoformat(),
        }
        cycle_item = {
            "pk": f"PERSON#{transfer.person_id}",
            "sk": f"CYCLE#{new.cycle_id}",
            "kind": "cycle",
            "person_id": transfer.person_id,
            "cycle_id": new.cycle_id,
            "group": str(new.group),
            "starts": new.starts.isoformat(),
            "ends": new.ends.isoformat(),
            "restarted_from": transfer.old_cycle_id,
            "expires_at": expires_at,  # 7
        }
        writes.append(store.put(cycle_item))
        writes.append(store.put(school_restart_item(school_id, item)))
    audit = AuditEntry(
        subject_id=transfer.person_id,
        actor_id=actor_id,
        action=f"cycle.transfer-{transfer.choice}",
        target=new.cycle_id if new is not None else transfer.old_cycle_id,
        channel="page",
        at=at,
    )
    writes.append(store.put(item))
    store.transact(writes, expires_at=expires_at, audit=audit)


def _restarted(item: Mapping[str, Any]) -> Cycle:
    return Cycle(
        group=StaffGroup(item["new_cycle_group"]),
        starts=date.fromisoformat(item["new_cycle_starts"]),
        ends=date.fromisoformat(item["new_cycle_ends"]),
        cycle_id=item["new_cycle_id"],
    )


def restarts_in_school(store: Store, school_id: str) -> dict[str, list[Cycle]]:
    """Person id -> the cycles that began again on a transfer (4.1), oldest first, for the whole
    school: one Query of the school's copies (paginated), whatever the number of staff."""
    found: dict[str, list[Cycle]] = {}
    for item in store._query_all(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues=_to_item(
            {":pk": f"SCHOOL#{school_id}", ":prefix": RESTART_PREFIX}
        ),
    ):
        found.setdefault(item["person_id"], []).append(_restarted(item))
    return found


def restarts(store: Store, person_id: str) -> list[Cycle]:
    """The cycles that began again on a transfer (4.1), oldest first: one Query of the
    person's partition (for one person; many people: `restarts_in_school`)."""
    return [
        _restarted(item)
        for item in store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=_to_item(
                {":pk": f"PERSON#{person_id}", ":prefix": "TRANSFER#"}
            ),
        )
        if item.get("new_cycle_id")
    ]
