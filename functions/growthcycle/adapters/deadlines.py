"""Open items in the table, the DueIndex queries, and the daily check's reads and writes.

Key patterns (docs/architecture.md):

| item | pk | sk | notes |
|---|---|---|---|
| open item | `PERSON#<subject id>` | `DUE#<cycle id>#<event>[#<suffix>]` | `due_pk=OPEN#<school id>`, `due_sk=<due date>#<pk>#<sk>` while open |
| school | `SCHOOL#<school id>` | `SCHOOL` | `gsi2pk=SCHOOLS`, `gsi2sk=<school id>`: every school, one Query |
| headteacher | `SCHOOL#<school id>` | `HEADTEACHER` | `person_id`: who escalations go to |

The daily check never scans: one Query for the schools (BySchool, `gsi2pk = SCHOOLS`), one
paginated Query of DueIndex per school (`due_sk <= "<last day>~"`; on a day the school is closed,
up to today, for the cycles ending only; once more on a day cycles rolled), BatchGetItem for the people it writes about and to and
the headteachers, then one conditional PutItem per digest (the outbox). Its cost grows with the
items due, not with the staff.

How cycles open and roll (4.1; docs/operations.md "Deadlines"): every opener writes
domain/deadlines `cycle_deadlines` with `open_openings` (conditional puts: never twice, never
reopened). The staff import opens a new person's or new starter's cycle; a transfer restart
closes the old cycle's items and opens the new cycle's; each person's cycle-end item, due on the
cycle's last day, is found by the daily check in the same DueIndex Query, which then
(`roll_cycles`) reads the school's people (one Query of BySchool, only on a day a cycle ends),
opens the next cycle's items, closes the old cycle's reflection nudges and then the cycle-end
item itself. A rerun, or a run after one that died half-way, finds what is left and opens
nothing twice. A leaver's open items are closed by the import (`close_open_items`), the
cycle-end one included, so nothing rolls for them.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from growthcycle.adapters.outbox import Email
from growthcycle.adapters.store import Store, _from_item, _to_item, person_key
from growthcycle.domain.cycles import Cycle
from growthcycle.domain.deadlines import (
    CYCLE_END,
    PLANNING_REVIEW,
    REFLECTION,
    REMINDER_WORKING_DAYS,
    Digest,
    DigestLine,
    Opening,
    OpenItem,
    Restarts,
    about_people_appraised,
    about_people_in_post,
    assess,
    build_digests,
    cycle_deadlines,
    cycle_of,
    cycles_ending,
    escalated_schools,
    group_by_school,
    idempotency_key,
    later_reflections,
    next_cycle_start,
    reminder_window_end,
)
from growthcycle.domain.people import Person, headteacher_of, in_post
from growthcycle.domain.retention import MINIMUM_YEARS, expires_at
from growthcycle.domain.trust import School, TrustConfig

ALL_SCHOOLS = "SCHOOLS"
_BATCH_GET_LIMIT = 100  # DynamoDB's BatchGetItem limit
_BATCH_GET_ATTEMPTS = 8


# --- open items -----------------------------------------------------------------------------------


def deadline_item(item: OpenItem, *, expires_at: int | None) -> dict[str, Any]:
    """The table attributes of an open item (DueIndex attributes included). `expires_at`: its
    TTL, the cycle's (7; domain/retention.py), or None only for attributes never written whole
    (an UpdateItem keeps the item's own); closing or reopening an item leaves it as it was."""
    return {
        "pk": item.pk,
        "sk": item.sk,
        "kind": "deadline",
        "school_id": item.school_id,
        "subject_id": item.subject_id,
        "responsible_id": item.responsible_id,
        "event": item.event,
        "due_date": item.due_date.isoformat(),
        "link": item.link,
        "title": item.title,
        "due_pk": f"OPEN#{item.school_id}",
        "due_sk": item.due_sk,
        "expires_at": expires_at,
    }


def _open_item(data: Mapping[str, Any]) -> OpenItem:
    return OpenItem(
        pk=data["pk"],
        sk=data["sk"],
        school_id=data["school_id"],
        subject_id=data["subject_id"],
        responsible_id=data["responsible_id"],
        event=data["event"],
        due_date=date.fromisoformat(data["due_date"]),
        link=data["link"],
        title=data["title"],
    )


def open_deadline(store: Store, item: OpenItem, *, expires_at: int) -> bool:
    """Record an open item once; False when it exists already (open or closed: never reopened).
    `expires_at`: the TTL of the cycle it belongs to (7)."""
    return store.put_new(deadline_item(item, expires_at=expires_at))


def close_deadline(store: Store, pk: str, sk: str, closed_at: datetime | None = None) -> bool:
    """Close an open item: it leaves DueIndex. False when it was not open (missing or closed)."""
    stamp = (closed_at or datetime.now(UTC)).astimezone(UTC).isoformat()
    try:
        store.db.update_item(
            TableName=store.table_name,
            Key=_to_item({"pk": pk, "sk": sk}),
            UpdateExpression="SET closed_at = :at REMOVE due_pk, due_sk",
            ConditionExpression="attribute_exists(due_pk)",
            ExpressionAttributeValues=_to_item({":at": stamp}),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def due_items(store: Store, school_id: str, up_to: date) -> Iterator[OpenItem]:
    """The school's open items due on or before `up_to` (overdue ones included), oldest first."""
    for data in store._query_all(
        IndexName="DueIndex",
        KeyConditionExpression="due_pk = :school AND due_sk <= :last",
        ExpressionAttributeValues=_to_item(
            # "~" sorts after "#": every due_sk of that day is included.
            {":school": f"OPEN#{school_id}", ":last": f"{up_to.isoformat()}~"}
        ),
    ):
        yield _open_item(data)


def open_items_of(
    store: Store, person_id: str, cycle_id: str | None = None
) -> Iterator[dict[str, Any]]:
    """A person's open items (in one cycle, or all): one Query of their partition."""
    prefix = f"DUE#{cycle_id}#" if cycle_id is not None else "DUE#"
    yield from store._query_all(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        FilterExpression="attribute_exists(due_pk)",
        ExpressionAttributeValues=_to_item({":pk": f"PERSON#{person_id}", ":prefix": prefix}),
    )


def close_open_items(
    store: Store,
    person_id: str,
    *,
    cycle_id: str | None = None,
    events: Iterable[str] | None = None,
    closed_at: datetime | None = None,
) -> int:
    """Close a person's open items (of one cycle, of some events, or all): a leaver's, the old
    cycle's on a restart or when it rolls. How many were closed; safe to repeat."""
    wanted = set(events) if events is not None else None
    closed = 0
    for data in list(open_items_of(store, person_id, cycle_id)):
        if wanted is not None and data["event"] not in wanted:
            continue
        if close_deadline(store, data["pk"], data["sk"], closed_at):
            closed += 1
    return closed


def open_openings(store: Store, openings: Iterable[Opening], *, retention_years: int) -> Opened:
    """Record each opening once (conditional puts); each expires `retention_years` after its
    cycle ends (7)."""
    opened = already = 0
    for opening in openings:
        ttl = expires_at(opening.cycle_ends, retention_years)
        if open_deadline(store, opening.item, expires_at=ttl):
            opened += 1
        else:
            already += 1
    return Opened(opened, already)


def open_next_reflection(
    store: Store,
    school: School,
    person: Person,
    cycle: Cycle,
    today: date,
    *,
    retention_years: int,
) -> OpenItem | None:
    """Seed 003, "Staff regularly reflect": after a reflection is recorded, open the next
    prompt: the first after today in the cycle not prompted yet (one recorded early answers
    the prompt it came before, which closed with it, so that one is passed over). A conditional
    put each; the one opened, or None (the cycle has no more, or not a growth school)."""
    ttl = expires_at(cycle.ends, retention_years)  # 7
    for item in later_reflections(school, person, cycle, today):
        if open_deadline(store, item, expires_at=ttl):
            return item
    return None


# --- schools, headteachers, people ------------------------------------------------------------------


def put_school_index(store: Store, school_id: str) -> None:
    """Put an existing SCHOOL item in the all-schools index (`Store.put_school` now does it)."""
    store.db.update_item(
        TableName=store.table_name,
        Key=_to_item({"pk": f"SCHOOL#{school_id}", "sk": "SCHOOL"}),
        UpdateExpression="SET gsi2pk = :all, gsi2sk = :id",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues=_to_item({":all": ALL_SCHOOLS, ":id": school_id}),
    )


def schools(store: Store) -> list[School]:
    """Every school with a SCHOOL item, its configuration as the trust file set it."""
    return [
        School.model_validate_json(data["config"])
        for data in store._query_all(
            IndexName="BySchool",
            KeyConditionExpression="gsi2pk = :all",
            ExpressionAttributeValues=_to_item({":all": ALL_SCHOOLS}),
        )
    ]


def _headteacher_key(school_id: str) -> dict[str, str]:
    return {"pk": f"SCHOOL#{school_id}", "sk": "HEADTEACHER"}


def record_headteacher(store: Store, school_id: str, person_id: str | None) -> None:
    """Remember who a school's headteacher is, so escalations need not read the whole staff."""
    if person_id is None:
        store.db.delete_item(TableName=store.table_name, Key=_to_item(_headteacher_key(school_id)))
        return
    store.db.put_item(
        TableName=store.table_name,
        Item=_to_item({**_headteacher_key(school_id), "kind": "role", "person_id": person_id}),
    )


def _batch_get(store: Store, keys: Sequence[Mapping[str, str]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), _BATCH_GET_LIMIT):
        request: dict[str, Any] = {
            store.table_name: {
                "Keys": [_to_item(k) for k in keys[start : start + _BATCH_GET_LIMIT]]
            }
        }
        for attempt in range(_BATCH_GET_ATTEMPTS):
            answer = store.db.batch_get_item(RequestItems=request)
            found.extend(_from_item(i) for i in answer["Responses"].get(store.table_name, []))
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(min(0.05 * 2**attempt, 2.0))  # DynamoDB asks callers to back off
        else:
            raise RuntimeError("DynamoDB left keys unprocessed after repeated BatchGetItem")
    return found


def people_by_id(store: Store, person_ids: Iterable[str]) -> dict[str, Person]:
    keys = [person_key(p) for p in sorted(set(person_ids))]
    people = (Person.model_validate_json(item["data"]) for item in _batch_get(store, keys))
    return {p.person_id: p for p in people}


def headteachers(store: Store, school_ids: Iterable[str]) -> dict[str, str]:
    """School id -> the headteacher's person id, from the HEADTEACHER items; a school without
    one (never recorded) falls back to reading its staff."""
    wanted = sorted(set(school_ids))
    found = {
        item["pk"].removeprefix("SCHOOL#"): item["person_id"]
        for item in _batch_get(store, [_headteacher_key(s) for s in wanted])
    }
    for school_id in wanted:
        if school_id not in found:
            head = headteacher_of(store.people_in_school(school_id))
            if head is not None:
                found[school_id] = head.person_id
    return found


# --- what a cycle opens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    opened: int
    already_open: int


def open_cycle_deadlines(
    store: Store,
    trust: TrustConfig,
    people: Sequence[Person],
    today: date,
    *,
    retention_years: int,
) -> Opened:
    """For every school: record its headteacher, and open each member of staff's current cycle
    (domain/deadlines `cycle_deadlines`: the planning and review, 4.1; the next reflection in a
    growth school, seed 003; the cycle's end, which the daily check rolls). Safe to repeat: an
    item already there, open or closed, is left alone. Each item expires `retention_years`
    after its cycle ends (7). The demo seed's opener; a deployed trust's people are opened by
    the staff import (adapters/roster_sync.py)."""
    by_school = group_by_school(people)
    opened = already = 0
    for school in trust.schools:
        staff = by_school.get(school.id, [])
        head = headteacher_of(staff)
        record_headteacher(store, school.id, head.person_id if head else None)
        done = open_openings(
            store, cycle_deadlines(school, staff, today), retention_years=retention_years
        )
        opened += done.opened
        already += done.already_open
    return Opened(opened, already)


def restart_cycle_deadlines(
    store: Store,
    school: School,
    person: Person,
    staff: Sequence[Person],
    *,
    old_cycle_id: str,
    restarts: Restarts,
    today: date,
    retention_years: int,
    at: datetime | None = None,
) -> tuple[Opened, int]:
    """4.1: a cycle that begins again on a transfer: its items open (as of its first day, or
    today if later) and the old cycle's planning and review, reflection and cycle end close
    (nobody is asked to review a cycle that was replaced). Opens first, then closes, so a crash
    in between loses nothing; safe to repeat. (opened, closed)."""
    begun = max([today, *(c.starts for c in restarts.get(person.person_id, ()))])
    openings = cycle_deadlines(school, staff, begun, subjects={person.person_id}, restarts=restarts)
    opened = open_openings(store, openings, retention_years=retention_years)
    new_ids = {cycle_of(o.item) for o in openings}
    closed = 0
    if old_cycle_id not in new_ids:
        closed = close_open_items(
            store,
            person.person_id,
            cycle_id=old_cycle_id,
            events={PLANNING_REVIEW, REFLECTION, CYCLE_END},
            closed_at=at,
        )
    return opened, closed


def roll_cycles(
    store: Store,
    school: School,
    ending: Sequence[OpenItem],
    today: date,
    *,
    retention_years: int,
    at: datetime | None = None,
) -> int:
    """4.1: for each cycle-end item due (domain/deadlines `cycles_ending`), open the person's
    next cycle (as of the day after the last one), close the old cycle's reflection nudges (a
    reflection now belongs to the new cycle), then close the cycle-end item. Someone not in
    post on the next cycle's first day, or today, gets no next cycle (in_post). Idempotent: the
    openings are conditional puts and a closed item is never rolled again. One Query of the
    school's people (BySchool), only when a cycle ends. How many cycles were rolled."""
    staff = store.people_in_school(school.id)
    by_id = {p.person_id: p for p in staff}
    by_start: dict[date, list[OpenItem]] = defaultdict(list)
    for end in ending:
        by_start[next_cycle_start(end)].append(end)
    rolled = 0
    for starts, ends in sorted(by_start.items()):
        # One pass over the staff per first day (the reviewers are found among them), not one
        # per person: on 31 October every teacher's cycle ends.
        rolling = {
            e.subject_id
            for e in ends
            if e.subject_id in by_id and in_post(by_id[e.subject_id], today)
        }
        openings = cycle_deadlines(school, staff, starts, subjects=rolling)
        open_openings(store, openings, retention_years=retention_years)
        for end in ends:
            if end.subject_id in rolling and school.policy_style == "growth":
                close_open_items(
                    store,
                    end.subject_id,
                    cycle_id=cycle_of(end),
                    events={REFLECTION},
                    closed_at=at,
                )
            if close_deadline(store, end.pk, end.sk, at):
                rolled += 1
    return rolled


# --- the daily check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckOptions:
    escalation_working_days: int
    reminder_working_days: int = REMINDER_WORKING_DAYS
    retention_years: int = MINIMUM_YEARS  # 7: for the next cycle's items when a cycle rolls


@dataclass
class CheckResult:
    day: date
    schools: int = 0
    schools_closed: list[str] = field(default_factory=list)  # not a working day there today
    items: int = 0
    escalations: int = 0
    digests_queued: int = 0
    digests_already_queued: int = 0
    suppressed: int = 0
    no_recipient: int = 0
    not_in_post: int = 0  # lines about someone not in post today, dropped
    not_appraised: int = 0  # lines about someone not appraised today (3), dropped
    cycles_rolled: int = 0  # 4.1: cycles that ended, each person's next one opened
    no_headteacher: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        parts = [
            f"{self.day.isoformat()}: {self.items} item(s) due or overdue in "
            f"{self.schools - len(self.schools_closed)} of {self.schools} school(s)",
            f"{self.digests_queued} digest(s) queued",
        ]
        if self.digests_already_queued:
            parts.append(f"{self.digests_already_queued} already queued today")
        if self.escalations:
            parts.append(f"{self.escalations} escalation(s)")
        if self.suppressed:
            parts.append(f"{self.suppressed} not sent (address suppressed)")
        if self.no_recipient:
            parts.append(f"{self.no_recipient} with nobody to send to")
        if self.not_in_post:
            parts.append(f"{self.not_in_post} about someone no longer in post, not sent")
        if self.not_appraised:
            parts.append(f"{self.not_appraised} about someone not appraised (3), not sent")
        if self.cycles_rolled:
            parts.append(f"{self.cycles_rolled} cycle(s) ended and the next opened")
        if self.schools_closed:
            parts.append(f"not a working day at {', '.join(self.schools_closed)}")
        return "; ".join(parts) + "."

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "day": self.day.isoformat(),
            "schools": self.schools,
            "schools_closed": len(self.schools_closed),
            "items": self.items,
            "escalations": self.escalations,
            "digests_queued": self.digests_queued,
            "digests_already_queued": self.digests_already_queued,
            "suppressed": self.suppressed,
            "no_recipient": self.no_recipient,
            "not_in_post": self.not_in_post,
            "not_appraised": self.not_appraised,
            "cycles_rolled": self.cycles_rolled,
            "schools_without_headteacher": len(self.no_headteacher),
        }


# Renders one digest for its recipient; the mapping holds everyone named in it (by person id),
# so an escalation can say whose action it is waiting for.
ComposeDigest = Callable[[Digest, Person, Mapping[str, Person]], Email]


def _recipient_ok(person: Person | None, today: date) -> bool:
    return person is not None and in_post(person, today)


def run_daily_check(
    store: Store, today: date, options: CheckOptions, compose: ComposeDigest
) -> CheckResult:
    """Queue today's digests: one per person, everything due or overdue for them, and the
    escalations for each headteacher.

    First, each cycle that has ended rolls (4.1, `roll_cycles`), every day, working or not: its
    cycle-end item is in the same DueIndex Query.

    Safe to repeat and to die half-way: each digest goes to the outbox under the key
    `digest:<person id>:<day>`, so a rerun re-reads what is due, rebuilds the same digests and
    queues only those not queued yet. Nothing is marked on the items themselves, so nothing a
    crashed run touched is skipped by the next.
    """
    result = CheckResult(day=today)
    lines: list[DigestLine] = []
    for school in schools(store):
        result.schools += 1
        calendar = school.working_calendar()
        working = calendar.is_working_day(today)
        window_end = (
            reminder_window_end(calendar, today, options.reminder_working_days)
            if working
            else today
        )
        items = list(due_items(store, school.id, window_end))
        ending = cycles_ending(items, today)
        if ending:
            result.cycles_rolled += roll_cycles(
                store, school, ending, today, retention_years=options.retention_years
            )
            # What the new cycles opened may be due already: read again, so a rerun today
            # builds the very same digests.
            items = list(due_items(store, school.id, window_end))
        if not working:
            # No reminders at weekends or in the holidays; the working-day counts carry on.
            result.schools_closed.append(school.id)
            continue
        for item in items:
            line = assess(
                item,
                today,
                calendar,
                escalation_working_days=options.escalation_working_days,
                window_end=window_end,
            )
            if line is not None:
                lines.append(line)
    result.items = len(lines)
    if not lines:
        return result
    # 4.2: the reviewer's lines go to whoever reviews the subject this cycle (an assignment, or
    # the governors appointed for the headteacher), not whoever it was when the item opened.
    from growthcycle.adapters.review_of_record import explicit_reviewers
    from growthcycle.domain.deadlines import to_reviewers_of_record

    lines = to_reviewers_of_record(lines, explicit_reviewers(store, lines))
    # Defence in depth: nobody is reminded or escalated about someone not in post today.
    people = people_by_id(
        store, {i for line in lines for i in (line.item.subject_id, line.item.responsible_id)}
    )
    kept = about_people_in_post(lines, people, today)
    result.not_in_post = len(lines) - len(kept)
    # 3: nor about someone not appraised (in induction, a contract of less than two terms).
    appraised = about_people_appraised(kept, people, today)
    result.not_appraised = len(kept) - len(appraised)
    lines = appraised

    heads = headteachers(store, escalated_schools(lines))
    result.no_headteacher = sorted(escalated_schools(lines) - heads.keys())
    digests = build_digests(lines, heads, today)
    result.escalations = sum(len(d.escalations) for d in digests.values())
    missing = digests.keys() - people.keys()
    if missing:
        people = {**people, **people_by_id(store, missing)}
    for person_id in sorted(digests):
        digest = digests[person_id]
        person = people.get(person_id)
        if person is None or not _recipient_ok(person, today):
            result.no_recipient += 1
            continue
        if person.email_suppressed:
            result.suppressed += 1
            continue
        if store.queue_email(compose(digest, person, people), idempotency_key(person_id, today)):
            result.digests_queued += 1
        else:
            result.digests_already_queued += 1
    return result
