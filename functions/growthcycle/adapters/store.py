"""The DynamoDB repository: the one table, its key patterns (docs/architecture.md), nothing else."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from growthcycle.adapters.aws import client
from growthcycle.adapters.outbox import Email, outbox_put
from growthcycle.domain.people import Person
from growthcycle.domain.records import AuditEntry, Submission, VersionConflict

BATCH_GET_KEYS = 100  # BatchGetItem's limit
BATCH_GET_ATTEMPTS = 8

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_item(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in data.items() if v is not None}


def _from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


class Cancelled(Exception):
    """A TransactWriteItems was cancelled: `reasons` holds one code per item, in the order the
    items were given ("None" for an item that was fine, "ConditionalCheckFailed" for one whose
    condition failed)."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("transaction cancelled: " + ", ".join(reasons))
        self.reasons = list(reasons)

    def failed(self, index: int) -> bool:
        """The item at `index` failed its condition."""
        return len(self.reasons) > index and self.reasons[index] == "ConditionalCheckFailed"

    @property
    def conflict(self) -> bool:
        """Some item failed its condition (someone else wrote first, or a retry)."""
        return "ConditionalCheckFailed" in self.reasons


def person_key(person_id: str) -> dict[str, str]:
    return {"pk": f"PERSON#{person_id}", "sk": "PROFILE"}


def submission_key(person_id: str, cycle_id: str, form_id: str) -> dict[str, str]:
    return {"pk": f"PERSON#{person_id}", "sk": f"CYCLE#{cycle_id}#FORM#{form_id}"}


class Store:
    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb

    @property
    def db(self) -> Any:
        return self._dynamodb or client("dynamodb")

    # -- people and schools -------------------------------------------------------------------

    def put_school(self, school_id: str, attributes: Mapping[str, Any]) -> None:
        item = {"pk": f"SCHOOL#{school_id}", "sk": "SCHOOL", "school_id": school_id, **attributes}
        item |= {"gsi2pk": "SCHOOLS", "gsi2sk": school_id}  # BySchool: every school, one Query
        self.db.put_item(TableName=self.table_name, Item=_to_item(item))

    def get_school(self, school_id: str) -> dict[str, Any] | None:
        found = self.db.get_item(
            TableName=self.table_name, Key=_to_item({"pk": f"SCHOOL#{school_id}", "sk": "SCHOOL"})
        )
        return _from_item(found["Item"]) if "Item" in found else None

    def put_person(self, person: Person) -> None:
        data = person.model_dump(mode="json")
        item = {
            **person_key(person.person_id),
            "kind": "person",
            "gsi1pk": f"EMAIL#{person.email.casefold()}",
            "gsi1sk": "PERSON",
            "gsi2pk": f"SCHOOL#{person.school_id}",
            "gsi2sk": f"PERSON#{person.sort_name}#{person.person_id}",
            "data": json.dumps(data),
        }
        self.db.put_item(TableName=self.table_name, Item=_to_item(item))

    def get_person(self, person_id: str) -> Person | None:
        found = self.db.get_item(
            TableName=self.table_name, Key=_to_item(person_key(person_id)), ConsistentRead=True
        )
        if "Item" not in found:
            return None
        return Person.model_validate_json(_from_item(found["Item"])["data"])

    def person_by_email(self, email: str) -> Person | None:
        found = self.db.query(
            TableName=self.table_name,
            IndexName="ByEmail",
            KeyConditionExpression="gsi1pk = :e",
            ExpressionAttributeValues={":e": {"S": f"EMAIL#{email.strip().casefold()}"}},
            Limit=2,
        )
        items = found.get("Items", [])
        return Person.model_validate_json(_from_item(items[0])["data"]) if items else None

    def people_in_school(self, school_id: str) -> list[Person]:
        return [
            Person.model_validate_json(item["data"])
            for item in self._query_all(
                IndexName="BySchool",
                KeyConditionExpression="gsi2pk = :s AND begins_with(gsi2sk, :p)",
                ExpressionAttributeValues={
                    ":s": {"S": f"SCHOOL#{school_id}"},
                    ":p": {"S": "PERSON#"},
                },
            )
        ]

    # -- form submissions ---------------------------------------------------------------------

    def get_submission(self, person_id: str, cycle_id: str, form_id: str) -> Submission | None:
        found = self.db.get_item(
            TableName=self.table_name,
            Key=_to_item(submission_key(person_id, cycle_id, form_id)),
            ConsistentRead=True,
        )
        if "Item" not in found:
            return None
        return _submission(_from_item(found["Item"]))

    def get_submissions(
        self, keys: Iterable[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], Submission]:
        """The current submission of each (person id, cycle id, form id) there is one of: one
        BatchGetItem per 100 keys (`batch_get`), however the keys are spread over people."""
        wanted = sorted(set(keys))
        found: dict[tuple[str, str, str], Submission] = {}
        for item in self.batch_get([submission_key(*k) for k in wanted], consistent=True):
            submission = _submission(item)
            found[(submission.person_id, submission.cycle_id, submission.form_id)] = submission
        return found

    def save_submission(
        self, submission: Submission, audit: AuditEntry, *, expires_at: int
    ) -> Submission:
        """Store a new version, its immutable copy and an audit entry, all or nothing.

        The write is conditional on the version: if someone saved in between, VersionConflict.
        `expires_at` (epoch seconds, domain/retention.py) is the TTL of all three items (7).
        """
        try:
            self.transact(
                self.submission_puts(submission, expires_at=expires_at),
                expires_at=expires_at,
                audit=audit,
            )
        except Cancelled as error:
            found = self.get_submission(
                submission.person_id, submission.cycle_id, submission.form_id
            )
            raise VersionConflict(found.version if found else 0) from error
        return submission

    def submission_puts(self, submission: Submission, *, expires_at: int) -> list[dict[str, Any]]:
        """The two `Put`s of a new version: the current item (conditional on the version before)
        and its immutable copy (written once); both expire with the cycle (7)."""
        key = submission_key(submission.person_id, submission.cycle_id, submission.form_id)
        body = {
            "kind": "submission",
            "person_id": submission.person_id,
            "cycle_id": submission.cycle_id,
            "form_id": submission.form_id,
            "version": submission.version,
            "status": submission.status,
            "values": json.dumps(submission.values, ensure_ascii=False),
            "saved_by": submission.saved_by,
            "saved_at": submission.saved_at.isoformat(),
            "expires_at": expires_at,
        }
        current = self.put({**key, **body}, only_new=submission.version == 1)
        current["Put"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        if submission.version > 1:
            current["Put"] |= {
                "ConditionExpression": "version = :previous",
                "ExpressionAttributeValues": {":previous": {"N": str(submission.version - 1)}},
            }
        copy_key = {"pk": key["pk"], "sk": f"{key['sk']}#V#{submission.version:06d}"}
        return [current, self.put({**copy_key, **body}, only_new=True)]

    def submission_versions(self, person_id: str, cycle_id: str, form_id: str) -> list[Submission]:
        prefix = f"CYCLE#{cycle_id}#FORM#{form_id}#V#"
        return [
            _submission(item)
            for item in self._query_all(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={
                    ":pk": {"S": f"PERSON#{person_id}"},
                    ":prefix": {"S": prefix},
                },
            )
        ]

    # -- audit ----------------------------------------------------------------------------------

    def _audit_put(self, audit: AuditEntry, *, expires_at: int) -> dict[str, Any]:
        stamp = audit.at.astimezone(UTC).isoformat()
        item = {
            "pk": f"PERSON#{audit.subject_id}",
            "sk": f"AUDIT#{stamp}#{secrets.token_hex(6)}",
            "kind": "audit",
            **audit.model_dump(mode="json"),
            "expires_at": expires_at,  # 7: kept at least six years after the cycle ends
        }
        return {"TableName": self.table_name, "Item": _to_item(item)}

    def record_audit(self, audit: AuditEntry, *, expires_at: int) -> None:
        """Record an audit entry on its own; `expires_at` as for the cycle it is about (7)."""
        self.db.put_item(**self._audit_put(audit, expires_at=expires_at))

    def audit_entries(self, subject_id: str) -> list[AuditEntry]:
        return [
            AuditEntry.model_validate(
                {k: v for k, v in item.items() if k in AuditEntry.model_fields}
            )
            for item in self._query_all(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={
                    ":pk": {"S": f"PERSON#{subject_id}"},
                    ":prefix": {"S": "AUDIT#"},
                },
                ScanIndexForward=False,
            )
        ]

    # -- email outbox and single-use markers ----------------------------------------------------

    def queue_email(self, email: Email, idempotency_key: str) -> bool:
        """Record an email to send; False when the same key was queued before (a retry)."""
        try:
            self.db.put_item(**outbox_put(self.table_name, email, idempotency_key))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def claim_once(self, marker: str, *, expires_at: int, **attributes: Any) -> bool:
        """Record a marker that may exist only once (a used link, a digest sent today)."""
        item = {"pk": f"ONCE#{marker}", "sk": "ONCE", "expires_at": expires_at, **attributes}
        return self.put_new(item)

    def put_new(self, item: Mapping[str, Any]) -> bool:
        """Put `item` only if no item has its key; False when one has (a retry, or done before)."""
        try:
            self.db.put_item(
                TableName=self.table_name,
                Item=_to_item(item),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- transactions ---------------------------------------------------------------------------

    def put(
        self,
        item: Mapping[str, Any],
        *,
        only_new: bool = False,
        condition: str | None = None,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """A TransactWriteItems `Put` of `item` (plain values; None attributes are left out).
        `only_new`: written only if no item has its key (written once)."""
        put: dict[str, Any] = {"TableName": self.table_name, "Item": _to_item(item)}
        if only_new:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        if condition is not None:
            put["ConditionExpression"] = condition
        if values:
            put["ExpressionAttributeValues"] = _to_item(values)
        if names:
            put["ExpressionAttributeNames"] = dict(names)
        return {"Put": put}

    def transact(
        self,
        writes: Sequence[Mapping[str, Any]],
        *,
        expires_at: int,
        audit: AuditEntry | None = None,
        emails: Sequence[tuple[Email, str]] = (),
    ) -> None:
        """One TransactWriteItems, all or nothing: `writes` (in order: `Cancelled.reasons[i]` is
        `writes[i]`), then the audit entry, then the outbox emails (each under its idempotency
        key). `expires_at` is the audit entry's TTL, the cycle's (7); the writes carry their own.
        Raises Cancelled when a condition failed (a conflict or a retry)."""
        items = [dict(w) for w in writes]
        if audit is not None:
            items.append({"Put": self._audit_put(audit, expires_at=expires_at)})
        items += [{"Put": outbox_put(self.table_name, email, key)} for email, key in emails]
        try:
            self.db.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "") for r in error.response.get("CancellationReasons", [])]
            raise Cancelled(reasons) from error

    # -- plumbing -------------------------------------------------------------------------------

    def batch_get(
        self, keys: Sequence[Mapping[str, str]], *, consistent: bool = False
    ) -> list[dict[str, Any]]:
        """The items with these keys (plain values; missing ones left out): BatchGetItem, 100
        keys a call, the keys DynamoDB hands back unprocessed asked again after a backoff."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH_GET_KEYS):
            request: dict[str, Any] = {
                self.table_name: {
                    "Keys": [_to_item(k) for k in keys[start : start + BATCH_GET_KEYS]],
                    "ConsistentRead": consistent,
                }
            }
            for attempt in range(BATCH_GET_ATTEMPTS):
                if attempt:
                    time.sleep(min(0.05 * 2**attempt, 2.0))  # DynamoDB asks callers to back off
                answer = self.db.batch_get_item(RequestItems=request)
                found += [_from_item(i) for i in answer["Responses"].get(self.table_name, [])]
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError("DynamoDB left keys unprocessed after repeated BatchGetItem")
        return found

    def _query_all(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        paginator = self.db.get_paginator("query")
        for page in paginator.paginate(TableName=self.table_name, **kwargs):
            for item in page.get("Items", []):
                yield _from_item(item)


def _submission(item: Mapping[str, Any]) -> Submission:
    return Submission(
        person_id=item["person_id"],
        cycle_id=item["cycle_id"],
        form_id=item["form_id"],
        version=int(item["version"]),
        status=item["status"],
        values=json.loads(item["values"]),
        saved_by=item["saved_by"],
        saved_at=datetime.fromisoformat(item["saved_at"]),
    )
