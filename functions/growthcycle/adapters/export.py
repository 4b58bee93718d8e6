"""Everything held about one person (a subject access request, UK GDPR Article 15; policy 7).

Read, never a Scan:
- their partition `pk = PERSON#<id>` (one paginated Query): profile, cycles, form submissions and
  every version, reflections, observations and comments, open items, audit entries about them;
- their statements (statements live under `STATEMENT#<id>`): one Query of BySchool
  (`gsi2pk = STATEMENTS#<school>`), kept only where they are the reviewee, then one Query per
  statement for its versions, events and views;
- training needs raised for them: one Query of the school's training partition;
- where they acted in colleagues' records: one Query per person of their school (BySchool), of
  `AUDIT#` items filtered on `actor_id`. Only their own action is exported, not whose record it was
  (that is the colleague's data), so neither the colleague's id nor the record's name is in it;
- the emails sent to them that the outbox still holds: one Query of ToPerson
  (`to_person_pk = PERSON#<id>`). Outbox items are transport copies and expire 90 days after they
  were queued (adapters/outbox.py), so older emails are gone; the export says so. Link tokens in
  the bodies are removed (a link still valid must not travel in a file).

The school's copies of a person's restarts and reviewer assignments (`SCHOOL#<id>`/`RESTART#...`,
`REVIEWER#<cycle>#<person>`, issue 14.1) repeat records exported from their partition (the
transfer, the assignment) and are not listed twice; they expire with those records (7).

What it cannot find without a Scan is said in `gaps`, in the export itself.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from growthcycle.adapters.outbox import OUTBOX_DAYS, to_person_pk
from growthcycle.adapters.statements import statement_pk
from growthcycle.adapters.store import Store, _to_item
from growthcycle.adapters.training import queue_pk

# Items under PERSON#<id> by their sort key, for those written without a `kind`.
_SK_KINDS = (
    ("PROFILE", "profile"),
    ("AUDIT#", "audit"),
    ("DUE#", "deadline"),
)

GAPS = (
    f"Emails sent to this person are listed only while the outbox still holds them: the outbox "
    f"keeps a transport copy of each email for {OUTBOX_DAYS} days after it was queued, then it "
    "is deleted. Each email was a notice about a record that IS in this export. Emails sent to "
    "several of their school records at once (one sign-in email with a link per school) are "
    "listed under the first of those records only.",
    "Only the audit entries of their own school's people were searched for actions they took; "
    "the records of people in other schools were not (there is no index by actor).",
    "Views of colleagues' statements by this person are recorded with those statements and are "
    "not included; views of their own statements are.",
)


def _plain(value: Any) -> Any:
    """DynamoDB values as JSON: numbers as int/float, sets as sorted lists, JSON text decoded."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _decoded(item: dict[str, Any]) -> dict[str, Any]:
    out = _plain(item)
    for key in ("values", "data"):
        text = out.get(key)
        if isinstance(text, str) and text[:1] in "{[":
            with contextlib.suppress(ValueError):  # not JSON after all: kept as the text it is
                out[key] = json.loads(text)
    return dict(out)


def _kind(item: dict[str, Any]) -> str:
    if item.get("kind"):
        kind = str(item["kind"])
        return "submission version" if kind == "submission" and "#V#" in item["sk"] else kind
    for prefix, kind in _SK_KINDS:
        if item["sk"].startswith(prefix):
            return kind
    if item["sk"].startswith("CYCLE#") and item["sk"].count("#") == 1:
        return "cycle"
    return "other"


@dataclass
class PersonExport:
    person_id: str
    generated_at: datetime
    table: str
    profile: dict[str, Any] | None = None
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    statements: list[dict[str, Any]] = field(default_factory=list)
    training_needs: list[dict[str, Any]] = field(default_factory=list)
    actions_in_colleagues_records: list[dict[str, Any]] = field(default_factory=list)
    emails: list[dict[str, Any]] = field(default_factory=list)
    gaps: tuple[str, ...] = GAPS
    queries: int = 0

    @property
    def found(self) -> bool:
        return self.profile is not None or bool(self.records)

    def counts(self) -> dict[str, int]:
        counted = {kind: len(items) for kind, items in sorted(self.records.items())}
        counted["statement"] = len(self.statements)
        counted["training need"] = len(self.training_needs)
        counted["action in a colleague's record"] = len(self.actions_in_colleagues_records)
        counted["email still held"] = len(self.emails)
        return counted

    def as_json(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "generated_at": self.generated_at.isoformat(),
            "source": f"DynamoDB table {self.table}",
            "profile": self.profile,
            "records_by_kind": self.records,
            "statements": self.statements,
            "training_needs": self.training_needs,
            "actions_in_colleagues_records": self.actions_in_colleagues_records,
            "emails_still_held": self.emails,
            "not_included": list(self.gaps),
            "counts": self.counts(),
        }


def _query(store: Store, export: PersonExport, **request: Any) -> list[dict[str, Any]]:
    export.queries += 1
    return list(store._query_all(**request))


# A link's token is a credential while it lasts: the export keeps the address, not the token.
_LINK_TOKEN = re.compile(r"(/(?:sign-in|statement-links)/)[A-Za-z0-9_.~%\-]+")
EMAIL_FIELDS = ("queued_at", "subject", "template", "status", "sent_at", "text")


def _email(item: dict[str, Any]) -> dict[str, Any]:
    found = {k: _plain(item.get(k)) for k in EMAIL_FIELDS if item.get(k) is not None}
    if isinstance(found.get("sent_at"), int):  # the mailer records epoch seconds
        found["sent_at"] = datetime.fromtimestamp(found["sent_at"], UTC).isoformat()
    if "text" in found:
        found["text"] = _LINK_TOKEN.sub(r"\1[link removed]", str(found["text"]))
    return found


def emails_to(store: Store, export: PersonExport) -> list[dict[str, Any]]:
    """The emails to the person the outbox still holds, oldest first (ToPerson: one Query)."""
    return [
        _email(item)
        for item in _query(
            store,
            export,
            IndexName="ToPerson",
            KeyConditionExpression="to_person_pk = :pk",
            ExpressionAttributeValues=_to_item({":pk": to_person_pk(export.person_id)}),
        )
    ]


def export_person(store: Store, person_id: str, now: datetime) -> PersonExport:
    export = PersonExport(person_id=person_id, generated_at=now, table=store.table_name)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in _query(
        store,
        export,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=_to_item({":pk": f"PERSON#{person_id}"}),
    ):
        kind = _kind(item)
        if kind in ("person", "profile"):
            export.profile = _decoded(item)
        else:
            grouped[kind].append(_decoded(item))
    export.records = dict(grouped)
    export.emails = emails_to(store, export)
    school_id = (export.profile or {}).get("gsi2pk", "").removeprefix("SCHOOL#")
    if not school_id:
        return export

    for statement in _query(
        store,
        export,
        IndexName="BySchool",
        KeyConditionExpression="gsi2pk = :pk",
        ExpressionAttributeValues=_to_item({":pk": f"STATEMENTS#{school_id}"}),
    ):
        if not str(statement.get("gsi2sk", "")).endswith(f"#{person_id}"):
            continue
        history = _query(
            store,
            export,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=_to_item(
                {":pk": statement_pk(_decoded(statement)["data"]["statement_id"])}
            ),
        )
        export.statements.append(
            {
                "statement": _decoded(statement),
                "history": [_decoded(i) for i in history if i["sk"] != "STATEMENT"],
            }
        )

    export.training_needs = [
        _decoded(item)
        for item in _query(
            store,
            export,
            KeyConditionExpression="pk = :pk",
            FilterExpression="person_id = :me",
            ExpressionAttributeValues=_to_item({":pk": queue_pk(school_id), ":me": person_id}),
        )
    ]

    export.queries += 1  # the school's people (BySchool)
    for colleague in store.people_in_school(school_id):
        if colleague.person_id == person_id:
            continue
        for entry in _query(
            store,
            export,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :audit)",
            FilterExpression="actor_id = :me",
            ExpressionAttributeValues=_to_item(
                {":pk": f"PERSON#{colleague.person_id}", ":audit": "AUDIT#", ":me": person_id}
            ),
        ):
            export.actions_in_colleagues_records.append(
                {k: entry.get(k) for k in ("at", "action", "channel")}
            )
    export.actions_in_colleagues_records.sort(key=lambda e: str(e["at"]))
    return export
