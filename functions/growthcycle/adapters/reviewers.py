"""Reviewer assignments, requests for a different reviewer, and the headteacher's reviewers (4.2, 5)
in the table.

| item | pk | sk | notes |
|---|---|---|---|
| reviewer assignment | `PERSON#<reviewee id>` | `REVIEWER#<cycle id>` | `reviewer_id`; keyed by cycle: a change keeps the cycle (4.2) |
| reviewer assignment, the school's copy | `SCHOOL#<school id>` | `REVIEWER#<cycle id>#<reviewee id>` | the same attributes; written with the assignment |
| reviewer change request | `PERSON#<reviewee id>` | `REVIEWER-REQUEST#<cycle id>#<iso time>` | BySchool `gsi2pk=SCHOOL#<school id>`, `gsi2sk=REVIEWER-REQUEST#<status>#<iso time>#<reviewee id>` |
| headteacher's reviewers | `SCHOOL#<school id>` | `HEADTEACHER-REVIEWERS#<cycle id>` | governors, foundation governors, adviser, quality assurance (5) |

Every change is written in one transaction with its audit entry and its emails (the outbox).
An assignment is written twice in that transaction: under the reviewee, and as the school's copy,
so a page about many people reads the school's assignments with one Query of its partition per
cycle id (`assigned_reviewers_in_school`) instead of a read per person (issue 14.1); never a Scan.
Assignments recorded before the copy existed get theirs from `growthcycle backfill
school-copies` (adapters/backfill.py). All three
items and their audit entries are records of their cycle: `expires_at` (7), given by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from growthcycle.adapters.outbox import Email
from growthcycle.adapters.store import Cancelled, Store, _from_item, _to_item
from growthcycle.domain.records import AuditEntry
from growthcycle.domain.reviewers import HeadteacherReviewers
from growthcycle.domain.trust import School

RequestStatus = Literal["pending", "approved", "declined"]


class ReviewerConflict(Exception):
    """Someone else changed this record first (a double-tap, or two people at once)."""


ASSIGNMENT_PREFIX = "REVIEWER#"


def reviewer_key(reviewee_id: str, cycle_id: str) -> dict[str, str]:
    return {"pk": f"PERSON#{reviewee_id}", "sk": f"{ASSIGNMENT_PREFIX}{cycle_id}"}


def school_reviewer_key(school_id: str, cycle_id: str, reviewee_id: str) -> dict[str, str]:
    """The school's copy of an assignment (see the module docstring)."""
    return {"pk": f"SCHOOL#{school_id}", "sk": f"{ASSIGNMENT_PREFIX}{cycle_id}#{reviewee_id}"}


def school_reviewer_item(school_id: str, assignment: dict[str, Any]) -> dict[str, Any]:
    """The school's copy of an assignment item (plain values)."""
    copy = {k: v for k, v in assignment.items() if k not in ("pk", "sk")}
    return {
        **school_reviewer_key(school_id, assignment["cycle_id"], assignment["reviewee_id"]),
        **copy,
        "kind": "school-reviewer",
        "school_id": school_id,
        "person_id": assignment["reviewee_id"],  # whose record it is (7: export, retention)
    }


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _transact(
    store: Store,
    writes: list[dict[str, Any]],
    *,
    audit: AuditEntry,
    expires_at: int,
    emails: Sequence[tuple[Email, str]] = (),
) -> None:
    try:
        store.transact(writes, expires_at=expires_at, audit=audit, emails=emails)
    except Cancelled as error:
        if error.conflict:
            raise ReviewerConflict() from error
        raise


# --- assignments ------------------------------------------------------------------------------


def assigned_reviewer(store: Store, reviewee_id: str, cycle_id: str) -> str | None:
    found = store.db.get_item(
        TableName=store.table_name,
        Key=_to_item(reviewer_key(reviewee_id, cycle_id)),
        ConsistentRead=True,
    )
    return str(_from_item(found["Item"])["reviewer_id"]) if "Item" in found else None


def _cycle_prefixes(cycle_ids: Iterable[str]) -> list[str]:
    """The fewest sort-key prefixes that cover every cycle id: a cycle that began again on a
    transfer (`2026-27-from-2027-01-18`) is covered by its regular cycle's (`2026-27`), and so
    is any id another one begins with."""
    regular = sorted({c.split("-from-")[0] for c in cycle_ids})
    kept: list[str] = []
    for cycle_id in regular:
        if not any(cycle_id.startswith(k) for k in kept):
            kept.append(cycle_id)
    return kept


def assigned_reviewers_in_school(
    store: Store, school_id: str, cycles: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """Reviewee id -> assigned reviewer id, for (reviewee id, cycle id) pairs of one school: one
    Query of the school's copies per staff group's cycle id (two or three, whatever the number
    of staff), never a read per person."""
    wanted = set(cycles)
    found: dict[str, str] = {}
    for prefix in _cycle_prefixes(c for _, c in wanted):
        for item in store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=_to_item(
                {":pk": f"SCHOOL#{school_id}", ":prefix": f"{ASSIGNMENT_PREFIX}{prefix}"}
            ),
        ):
            if (item["reviewee_id"], item["cycle_id"]) in wanted:
                found[item["reviewee_id"]] = item["reviewer_id"]
    return found


def assigned_reviewers(store: Store, cycles: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Reviewee id -> assigned reviewer id, for (reviewee id, cycle id) pairs; BatchGetItem.
    For many people of one school, `assigned_reviewers_in_school` reads less."""
    keys = [reviewer_key(p, c) for p, c in sorted(set(cycles))]
    return {
        item["pk"].removeprefix("PERSON#"): item["reviewer_id"] for item in store.batch_get(keys)
    }


def _assignment_puts(
    store: Store,
    school_id: str,
    reviewee_id: str,
    cycle_id: str,
    reviewer_id: str,
    actor_id: str,
    at: datetime,
    why: str,
    expires_at: int,
) -> list[dict[str, Any]]:
    """The assignment and the school's copy of it, for one transaction."""
    item = {
        **reviewer_key(reviewee_id, cycle_id),
        "kind": "reviewer",
        "reviewee_id": reviewee_id,
        "cycle_id": cycle_id,
        "reviewer_id": reviewer_id,
        "assigned_by": actor_id,
        "assigned_at": _stamp(at),
        "why": why,
        "expires_at": expires_at,  # 7
    }
    return [store.put(item), store.put(school_reviewer_item(school_id, item))]


def assign_reviewer(
    store: Store,
    *,
    school_id: str,
    reviewee_id: str,
    cycle_id: str,
    reviewer_id: str,
    actor_id: str,
    at: datetime,
    why: str,
    expires_at: int,
    emails: Sequence[tuple[Email, str]] = (),
) -> None:
    """Record `reviewer_id` as the reviewee's reviewer for `cycle_id`, audited (4.2);
    `expires_at`: the cycle's TTL (7)."""
    audit = AuditEntry(
        subject_id=reviewee_id,
        actor_id=actor_id,
        action="reviewer.assigned",
        target=f"{cycle_id}:{reviewer_id}:{why}",
        channel="page",
        at=at,
    )
    assignment = _assignment_puts(
        store, school_id, reviewee_id, cycle_id, reviewer_id, actor_id, at, why, expires_at
    )
    _transact(store, assignment, audit=audit, expires_at=expires_at, emails=emails)


# --- requests for a different reviewer (4.2) ----------------------------------------------------


@dataclass(frozen=True)
class ChangeRequest:
    reviewee_id: str
    school_id: str
    cycle_id: str
    requested_at: datetime
    reasons: str
    reviewer_id: str | None  # the reviewer the reviewee asked to replace
    status: RequestStatus = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reasons: str | None = None
    replacement_id: str | None = None

    @property
    def request_id(self) -> str:
        return f"{self.cycle_id}#{_stamp(self.requested_at)}"

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"PERSON#{self.reviewee_id}", "sk": f"REVIEWER-REQUEST#{self.request_id}"}


def _request_item(request: ChangeRequest, expires_at: int) -> dict[str, Any]:
    data = asdict(request)
    data["requested_at"] = _stamp(request.requested_at)
    data["decided_at"] = _stamp(request.decided_at) if request.decided_at else None
    return {
        **request.key,
        "kind": "reviewer-request",
        "gsi2pk": f"SCHOOL#{request.school_id}",
        "gsi2sk": f"REVIEWER-REQUEST#{request.status}#{data['requested_at']}#{request.reviewee_id}",
        "data": json.dumps(data, ensure_ascii=False),
        "status": request.status,
        "expires_at": expires_at,  # 7
    }


def _request(item: dict[str, Any]) -> ChangeRequest:
    data = json.loads(item["data"])
    data["requested_at"] = datetime.fromisoformat(data["requested_at"])
    if data.get("decided_at"):
        data["decided_at"] = datetime.fromisoformat(data["decided_at"])
    return ChangeRequest(**data)


def requests_of(store: Store, reviewee_id: str, cycle_id: str) -> list[ChangeRequest]:
    """The reviewee's requests in the cycle, newest first."""
    return [
        _request(item)
        for item in store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=_to_item(
                {":pk": f"PERSON#{reviewee_id}", ":prefix": f"REVIEWER-REQUEST#{cycle_id}#"}
            ),
            ScanIndexForward=False,
        )
    ]


def pending_requests(store: Store, school_id: str) -> list[ChangeRequest]:
    """The school's undecided requests, oldest first (one Query of BySchool)."""
    return [
        _request(item)
        for item in store._query_all(
            IndexName="BySchool",
            KeyConditionExpression="gsi2pk = :s AND begins_with(gsi2sk, :p)",
            ExpressionAttributeValues=_to_item(
                {":s": f"SCHOOL#{school_id}", ":p": "REVIEWER-REQUEST#pending#"}
            ),
        )
    ]


def get_request(store: Store, reviewee_id: str, request_id: str) -> ChangeRequest | None:
    found = store.db.get_item(
        TableName=store.table_name,
        Key=_to_item({"pk": f"PERSON#{reviewee_id}", "sk": f"REVIEWER-REQUEST#{request_id}"}),
        ConsistentRead=True,
    )
    return _request(_from_item(found["Item"])) if "Item" in found else None


def create_request(
    store: Store,
    request: ChangeRequest,
    emails: Sequence[tuple[Email, str]],
    *,
    expires_at: int,
) -> None:
    audit = AuditEntry(
        subject_id=request.reviewee_id,
        actor_id=request.reviewee_id,
        action="reviewer.change-requested",
        target=request.request_id,
        channel="page",
        at=request.requested_at,
    )
    _transact(
        store,
        [store.put(_request_item(request, expires_at), only_new=True)],
        audit=audit,
        expires_at=expires_at,
        emails=emails,
    )


def decide_request(
    store: Store,
    request: ChangeRequest,
    *,
    decision: Literal["approved", "declined"],
    actor_id: str,
    at: datetime,
    reasons: str | None,
    replacement_id: str | None,
    emails: Sequence[tuple[Email, str]],
    expires_at: int,
) -> ChangeRequest:
    """The headteacher's decision (4.2), with the new assignment when approved; only once."""
    decided = replace(
        request,
        status=decision,
        decided_by=actor_id,
        decided_at=at,
        decision_reasons=reasons,
        replacement_id=replacement_id,
    )
    audit = AuditEntry(
        subject_id=request.reviewee_id,
        actor_id=actor_id,
        action=f"reviewer.change-{decision}",
        target=f"{request.request_id}:{replacement_id or '-'}",
        channel="page",
        at=at,
    )
    writes = [
        store.put(
            _request_item(decided, expires_at),
            condition="#s = :pending",
            names={"#s": "status"},
            values={":pending": "pending"},
        )
    ]
    if decision == "approved" and replacement_id:
        writes.extend(
            _assignment_puts(
                store,
                request.school_id,
                request.reviewee_id,
                request.cycle_id,
                replacement_id,
                actor_id,
                at,
                "request",
                expires_at,
            )
        )
    _transact(store, writes, audit=audit, expires_at=expires_at, emails=emails)
    return decided


# --- the headteacher's reviewers (4.2) and quality assurance (5) -------------------------------


def _appointment_key(school_id: str, cycle_id: str) -> dict[str, str]:
    return {"pk": f"SCHOOL#{school_id}", "sk": f"HEADTEACHER-REVIEWERS#{cycle_id}"}


def _appointment(item: dict[str, Any]) -> HeadteacherReviewers:
    data = json.loads(item["data"])
    return HeadteacherReviewers(
        cycle_id=data["cycle_id"],
        governor_ids=tuple(data["governor_ids"]),
        foundation_ids=tuple(data["foundation_ids"]),
        adviser_id=data["adviser_id"],
        adviser_kind=data["adviser_kind"],
        qa_ids=tuple(data["qa_ids"]),
    )


def headteacher_reviewers(
    store: Store, school_id: str, cycle_id: str | None = None
) -> HeadteacherReviewers | None:
    """The appointment for `cycle_id`, or (None) the latest recorded for any cycle."""
    if cycle_id is not None:
        found = store.db.get_item(
            TableName=store.table_name,
            Key=_to_item(_appointment_key(school_id, cycle_id)),
            ConsistentRead=True,
        )
        return _appointment(_from_item(found["Item"])) if "Item" in found else None
    answer = store.db.query(
        TableName=store.table_name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues=_to_item(
            {":pk": f"SCHOOL#{school_id}", ":prefix": "HEADTEACHER-REVIEWERS#"}
        ),
        ScanIndexForward=False,
        Limit=1,
        ConsistentRead=True,
    )
    items = answer.get("Items", [])
    return _appointment(_from_item(items[0])) if items else None


def record_headteacher_reviewers(
    store: Store,
    school_id: str,
    appointment: HeadteacherReviewers,
    *,
    headteacher_id: str,
    actor_id: str,
    at: datetime,
    expires_at: int,
) -> None:
    """Store the governing body's appointment (4.2), audited on the headteacher's record;
    `expires_at`: the TTL of the headteacher's cycle it is for (7)."""
    item = {
        **_appointment_key(school_id, appointment.cycle_id),
        "kind": "headteacher-reviewers",
        "data": json.dumps(asdict(appointment)),
        "recorded_by": actor_id,
        "recorded_at": _stamp(at),
        "expires_at": expires_at,  # 7
    }
    audit = AuditEntry(
        subject_id=headteacher_id,
        actor_id=actor_id,
        action="headteacher-reviewers.appointed",
        target=f"{appointment.cycle_id}:{','.join(appointment.governor_ids)}",
        channel="page",
        at=at,
    )
    _transact(store, [store.put(item)], audit=audit, expires_at=expires_at)


def headteacher_statement_qa(store: Store, school: School) -> list[str]:
    """5: the person ids who quality-assure the headteacher's planning statement: the chair, the
    named governors, or nobody, as the school chose and as the governing body recorded. With
    nothing recorded yet and `chair`, the governor whose job title names them chair."""
    mode = school.moderation.headteacher_statement_qa
    if mode == "none":
        return []
    recorded = headteacher_reviewers(store, school.id)
    if recorded is not None:
        return list(recorded.qa_ids)
    if mode == "chair":
        chairs = sorted(
            p.person_id
            for p in store.people_in_school(school.id)
            if p.has_role("governor") and "chair" in p.job_title.casefold()
        )
        return chairs[:1]
    return []
