"""The CPD lead's queue of training and development needs (4.7, App 3.15, 10) in the table.

| item | pk | sk | notes |
|---|---|---|---|
| need (in the queue) | `SCHOOL#<school id>#TRAINING` | `<status>#<created, UTC ISO>#<need id>` | one partition per school: open needs are one Query (`begins_with(sk, "open#")`) |
| need pointer | `TRAINING#<need id>` | `NEED` | `queue_sk`: where the need sits now; written once, so the same need is never queued twice |

A change of status moves the need within its partition (delete and put, with the pointer updated
on the condition that it still points at the old place) in one transaction with the audit entry.
The weekly digest reads: one Query for the schools, one for each school's people (its CPD leads),
one for its open needs; never a Scan. A need and its pointer are records of the cycle the need
came from: `expires_at` (7), given by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from growthcycle.adapters.deadlines import schools
from growthcycle.adapters.outbox import Email
from growthcycle.adapters.store import Cancelled, Store, _from_item, _to_item
from growthcycle.domain.people import Person, in_post
from growthcycle.domain.records import AuditEntry, VersionConflict
from growthcycle.domain.training import (
    Status,
    TrainingDigest,
    TrainingNeed,
    build_digest,
    digest_key,
)


def queue_pk(school_id: str) -> str:
    return f"SCHOOL#{school_id}#TRAINING"


def queue_sk(need: TrainingNeed) -> str:
    return f"{need.status}#{need.created_at.isoformat()}#{need.need_id}"


def pointer_key(need_id: str) -> dict[str, str]:
    return {"pk": f"TRAINING#{need_id}", "sk": "NEED"}


def _need_item(need: TrainingNeed, expires_at: int) -> dict[str, Any]:
    return {
        "pk": queue_pk(need.school_id),
        "sk": queue_sk(need),
        "kind": "training-need",
        "need_id": need.need_id,
        "person_id": need.person_id,
        "cycle_id": need.cycle_id,
        "theme": need.theme,
        "status": need.status,
        "data": need.model_dump_json(),
        "expires_at": expires_at,  # 7
    }


def _need(item: dict[str, Any]) -> TrainingNeed:
    return TrainingNeed.model_validate_json(item["data"])


def add_needs(store: Store, needs: Iterable[TrainingNeed], *, expires_at: int) -> int:
    """Queue each need once (whatever the retries and re-saves); how many were new.
    `expires_at`: the TTL of the cycle the needs came from (7)."""
    added = 0
    for need in needs:
        pointer = {
            **pointer_key(need.need_id),
            "kind": "training-pointer",
            "school_id": need.school_id,
            "queue_sk": queue_sk(need),
            "expires_at": expires_at,
        }
        try:
            store.transact(
                [store.put(pointer, only_new=True), store.put(_need_item(need, expires_at))],
                expires_at=expires_at,
            )
        except Cancelled:
            continue  # queued before
        added += 1
    return added


def get_need(store: Store, need_id: str) -> TrainingNeed | None:
    found = store.db.get_item(
        TableName=store.table_name, Key=_to_item(pointer_key(need_id)), ConsistentRead=True
    )
    if "Item" not in found:
        return None
    pointer = _from_item(found["Item"])
    item = store.db.get_item(
        TableName=store.table_name,
        Key=_to_item({"pk": queue_pk(pointer["school_id"]), "sk": pointer["queue_sk"]}),
        ConsistentRead=True,
    )
    return _need(_from_item(item["Item"])) if "Item" in item else None


def record_outcome(
    store: Store, before: TrainingNeed, after: TrainingNeed, audit: AuditEntry, *, expires_at: int
) -> None:
    """Move a need to its new status (10: provided, or could not be); VersionConflict when
    someone else recorded an outcome first. `expires_at`: as when it was queued, or later (7)."""
    old_sk, new_sk = queue_sk(before), queue_sk(after)
    writes: list[dict[str, Any]] = [
        {
            "Update": {
                "TableName": store.table_name,
                "Key": _to_item(pointer_key(before.need_id)),
                "UpdateExpression": "SET queue_sk = :new, expires_at = :expires",
                "ConditionExpression": "queue_sk = :old",
                "ExpressionAttributeValues": _to_item(
                    {":new": new_sk, ":old": old_sk, ":expires": expires_at}
                ),
            }
        },
    ]
    if old_sk == new_sk:
        writes.append(
            store.put(
                _need_item(after, expires_at),
                condition="version = :previous",
                values={":previous": before.version},
            )
        )
    else:
        writes.append(
            {
                "Delete": {
                    "TableName": store.table_name,
                    "Key": _to_item({"pk": queue_pk(before.school_id), "sk": old_sk}),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            }
        )
        writes.append(store.put(_need_item(after, expires_at)))
    try:
        store.transact(writes, expires_at=expires_at, audit=audit)
    except Cancelled as error:
        current = get_need(store, before.need_id)
        raise VersionConflict(current.version if current else 0) from error


def needs_with_status(store: Store, school_id: str, status: Status) -> list[TrainingNeed]:
    """A school's needs with one status, oldest first (one Query)."""
    return [
        _need(item)
        for item in store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :status)",
            ExpressionAttributeValues=_to_item(
                {":pk": queue_pk(school_id), ":status": f"{status}#"}
            ),
        )
    ]


def training_needs(store: Store, school_id: str, cycle_id: str | None = None) -> list[TrainingNeed]:
    """Every need of a school (every status), optionally of one cycle: for the governors' report
    (10: training and development needs, and support that could not be provided). Group them
    with `domain.training.by_theme`. One Query of the school's partition."""
    request: dict[str, Any] = {
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": _to_item({":pk": queue_pk(school_id)}),
    }
    if cycle_id is not None:
        request["FilterExpression"] = "cycle_id = :cycle"
        request["ExpressionAttributeValues"] |= _to_item({":cycle": cycle_id})
    found = [_need(item) for item in store._query_all(**request)]
    return sorted(found, key=lambda n: (n.created_at, n.need_id))


def cpd_leads(store: Store, school_id: str) -> list[Person]:
    """The school's training and development coordinators (role `cpd-lead`, 4.7)."""
    return [p for p in store.people_in_school(school_id) if p.has_role("cpd-lead") and p.is_staff]


# --- the weekly digest ----------------------------------------------------------------------------

ComposeTrainingDigest = Callable[[TrainingDigest, Person, dict[str, Person]], Email]


@dataclass
class DigestRun:
    day: date
    schools: int = 0
    open_needs: int = 0
    queued: int = 0
    already_queued: int = 0
    no_lead: list[str] = field(default_factory=list)  # school ids with open needs, no CPD lead
    suppressed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "schools": self.schools,
            "open_needs": self.open_needs,
            "queued": self.queued,
            "already_queued": self.already_queued,
            "schools_without_lead": len(self.no_lead),
            "suppressed": self.suppressed,
        }


def run_weekly_digest(store: Store, today: date, compose: ComposeTrainingDigest) -> DigestRun:
    """Queue each CPD lead's digest of new and open needs. Safe to repeat: the outbox key is
    per lead per ISO week, so a rerun (or a retried invocation) queues nothing twice."""
    run = DigestRun(day=today)
    for school in schools(store):
        run.schools += 1
        open_needs = needs_with_status(store, school.id, "open")
        if not open_needs:
            continue
        run.open_needs += len(open_needs)
        staff = {p.person_id: p for p in store.people_in_school(school.id)}
        leads = [p for p in staff.values() if p.has_role("cpd-lead") and in_post(p, today)]
        if not leads:
            run.no_lead.append(school.id)
            continue
        for lead in leads:
            if lead.email_suppressed:
                run.suppressed += 1
                continue
            digest = build_digest(lead.person_id, open_needs, today)
            email = compose(digest, lead, staff)
            if store.queue_email(email, digest_key(lead.person_id, today)):
                run.queued += 1
            else:
                run.already_queued += 1
    return run
