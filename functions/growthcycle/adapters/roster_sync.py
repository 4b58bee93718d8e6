"""Staff import against the table: read the school's people, work out the changes, write them.

Reads: one paginated Query of the `BySchool` index (`gsi2pk = SCHOOL#<school id>`, `gsi2sk`
beginning `PERSON#`), never a Scan.

Writes, for the people added, updated or left:
- person items, exactly as `Store.put_person` writes them (`person_item` asks `put_person` itself
  for the item, so there is one source of truth), with BatchWriteItem in batches of 25;
- an audit entry per person changed (channel `import`; the action names the fields, never values);
- a new starter's cycle (`PERSON#<id>` / `CYCLE#<cycle id>`: starts, ends), in the same batches;
- a leaver's closed cycle with UpdateItem, one per leaver, so anything else already recorded on
  that cycle item is kept: `ends` becomes the leaving date and `closed_early` says why;
- a new person's or new starter's open items (4.1, domain/deadlines `cycle_deadlines`: the
  planning and review, the next reflection in a growth school, the cycle's end, which the daily
  check rolls into the next cycle), put in the same batches, before the person items: a run
  that dies half-way leaves the person "added" for the next run, which writes them again (the
  same keys, the same attributes). Someone added with a leaving date gets none;
- a leaver's open items closed (one Query of their partition, an UpdateItem each, the cycle-end
  item included, so nothing rolls for them): nobody is reminded or escalated about them after
  the import says they leave;
- for someone updated in what decides whether they are appraised (3: induction, contract), their
  current cycle's items, with conditional puts after the batches (never a closed one reopened):
  a correction takes effect at once, not when their cycle or exclusion next ends;
- the school's HEADTEACHER item (who escalations go to) when the headteacher changes.

BatchWriteItem may hand back `UnprocessedItems` (throttling): they are retried with exponential
backoff and jitter, and the import fails loudly if some are still unwritten after the last try.
Every write is a full put of the new state, so running the same import again is safe.

Retention (7): a cycle item and the audit entries about a cycle carry `expires_at`, the deployment's
`retention_years` after the cycle ends (an audit entry with no cycle at hand: after the latest day
the current cycle can end). A person item is standing data and has no `expires_at` while they are
staff; when a leaver's cycle is closed, their person item gets the `expires_at` of that last
cycle (from the latest day its id allows, so never before any record of it). Someone back in the
roster later is written again by `put_person`, without it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from growthcycle.adapters.deadlines import (
    close_open_items,
    deadline_item,
    open_openings,
    record_headteacher,
)
from growthcycle.adapters.store import Store, _to_item
from growthcycle.domain.cycles import Cycle
from growthcycle.domain.deadlines import Opening, cycle_deadlines
from growthcycle.domain.people import Person, headteacher_of, in_post
from growthcycle.domain.records import AuditEntry
from growthcycle.domain.retention import cycle_end_at_latest, expires_at, latest_end
from growthcycle.domain.roster_changes import SECTION_3_FIELDS, RosterChanges, diff_roster
from growthcycle.domain.staff import Roster
from growthcycle.domain.trust import CycleSettings, School

BATCH_SIZE = 25  # BatchWriteItem's limit
MAX_ATTEMPTS = 8
IMPORT_ACTOR = "staff-import"

Progress = Callable[[int, int], None]  # (items written so far, items to write)


class ImportIncomplete(RuntimeError):
    """Some items were still unprocessed after every retry; the import can be run again."""

    def __init__(self, unwritten: int) -> None:
        self.unwritten = unwritten
        super().__init__(
            f"{unwritten} items were not written after {MAX_ATTEMPTS} tries (DynamoDB throttling); "
            "run the same import again: it only writes what still differs"
        )


class _Capture:
    """Stands in for the DynamoDB client so `Store.put_person` hands over its item unsent."""

    def __init__(self) -> None:
        self.item: dict[str, Any] = {}

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        self.item = kwargs["Item"]
        return {}


def person_item(person: Person) -> dict[str, Any]:
    """The person item (DynamoDB JSON) exactly as `Store.put_person` writes it."""
    capture = _Capture()
    Store("", capture).put_person(person)
    return capture.item


def cycle_key(person_id: str, cycle_id: str) -> dict[str, str]:
    return {"pk": f"PERSON#{person_id}", "sk": f"CYCLE#{cycle_id}"}


def cycle_item(person: Person, cycle: Cycle, *, expires_at: int) -> dict[str, Any]:
    return _to_item(
        {
            **cycle_key(person.person_id, cycle.cycle_id),
            "kind": "cycle",
            "person_id": person.person_id,
            "school_id": person.school_id,
            "cycle_id": cycle.cycle_id,
            "group": str(cycle.group),
            "starts": cycle.starts.isoformat(),
            "ends": cycle.ends.isoformat(),
            "closed_early": cycle.closed_early,
            "expires_at": expires_at,  # 7
        }
    )


def held_people(store: Store, school_id: str) -> list[Person]:
    """The school's people as held (a Query of BySchool; never a Scan)."""
    return store.people_in_school(school_id)


def plan_import(
    store: Store, roster: Roster, *, today: date, settings: CycleSettings
) -> RosterChanges:
    return diff_roster(held_people(store, roster.school_id), roster, today=today, settings=settings)


@dataclass(frozen=True)
class ImportWritten:
    items: int  # put by BatchWriteItem
    batches: int  # BatchWriteItem calls, retries included
    retries: int  # BatchWriteItem calls that re-sent unprocessed items
    cycles_closed: int  # UpdateItem calls
    deadlines_opened: int = 0  # 4.1: open items put for the people added
    deadlines_closed: int = 0  # the leavers' open items closed


def staff_after(changes: RosterChanges) -> list[Person]:
    """The school's people as the import leaves them (reviewers are found among them)."""
    return [*changes.unchanged, *changes.people_to_write]


def openings_for_added(changes: RosterChanges, school: School, today: date) -> list[Opening]:
    """4.1: each added member of staff's cycle, opened as of today or their first day if later
    (a new starter's first cycle, shortened to end with everyone else's). Not for someone added
    with a leaving date, nor for governors and external advisers (3)."""
    staff = staff_after(changes)
    by_day: dict[date, set[str]] = {}
    for added in changes.added:
        person = added.person
        # The excluded (3) get their cycle-end item only (cycle_deadlines): it has the daily
        # check ask again when the exclusion ends.
        if not person.is_staff or person.leaving_date is not None:
            continue
        by_day.setdefault(max(today, person.start_date), set()).add(person.person_id)
    # One pass over the staff per opening day (the reviewers are found among them), not one per
    # person: a first import adds everyone.
    openings: list[Opening] = []
    for day, subjects in sorted(by_day.items()):
        openings += cycle_deadlines(school, staff, day, subjects=subjects)
    return openings


def section_3_changed(changes: RosterChanges, today: date) -> list[Person]:
    """The people updated in what decides whether they are appraised (3: induction, contract),
    still staff and in post: their current cycle's items are opened again (conditional puts, so
    only what is missing). A person now excluded keeps what was open (the daily check reminds
    nobody about them while it lasts, and it is there again when their induction ends)."""
    return [
        u.after
        for u in changes.updated
        if SECTION_3_FIELDS & set(u.fields) and u.after.is_staff and in_post(u.after, today)
    ]


def openings_for_updated(changes: RosterChanges, school: School, today: date) -> list[Opening]:
    """3: an induction or contract corrected on the roster takes effect now, not when the
    person's cycle (or exclusion) next ends."""
    subjects = {p.person_id for p in section_3_changed(changes, today)}
    if not subjects:
        return []
    return cycle_deadlines(school, staff_after(changes), today, subjects=subjects)


def _in_post_head(people: Sequence[Person], today: date) -> str | None:
    head = headteacher_of(p for p in people if in_post(p, today))
    return head.person_id if head else None


def _audit_item(store: Store, subject_id: str, action: str, expires: int) -> dict[str, Any]:
    audit = AuditEntry(
        subject_id=subject_id,
        actor_id=IMPORT_ACTOR,
        action=action,
        target="roster",
        channel="import",
    )
    item: dict[str, Any] = store._audit_put(audit, expires_at=expires)["Item"]
    return item


def _items_to_put(
    store: Store,
    changes: RosterChanges,
    openings: Sequence[Opening],
    *,
    today: date,
    retention_years: int,
) -> list[dict[str, Any]]:
    # 7: the cycle an entry is about when it is known, else the latest the current one can end.
    current = expires_at(cycle_end_at_latest(today), retention_years)
    # The open items first: see the module docstring.
    items: list[dict[str, Any]] = [
        _to_item(deadline_item(o.item, expires_at=expires_at(o.cycle_ends, retention_years)))
        for o in openings
    ]
    items += [person_item(p) for p in changes.people_to_write]
    for added in changes.added:
        if added.cycle is None:
            items.append(
                _audit_item(store, added.person.person_id, "added from the roster", current)
            )
            continue
        cycle_expires = expires_at(added.cycle.ends, retention_years)
        audit_expires = max(cycle_expires, current)
        items.append(
            _audit_item(store, added.person.person_id, "added from the roster", audit_expires)
        )
        items.append(cycle_item(added.person, added.cycle, expires_at=cycle_expires))
    for updated in changes.updated:
        action = "updated from the roster: " + ", ".join(updated.fields)
        items.append(_audit_item(store, updated.after.person_id, action, current))
    for left in changes.left:
        why = "not in the roster" if left.missing else "leaving date in the roster"
        items.append(_audit_item(store, left.after.person_id, f"left ({why})", current))
    return items


def batch_write(
    store: Store,
    items: Sequence[dict[str, Any]],
    *,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, int]:
    """Put `items` with BatchWriteItem, 25 at a time, retrying unprocessed ones with backoff.

    Returns (BatchWriteItem calls, of which retries)."""
    calls = retries = 0
    written = 0
    for start in range(0, len(items), BATCH_SIZE):
        requests: list[dict[str, Any]] = [
            {"PutRequest": {"Item": item}} for item in items[start : start + BATCH_SIZE]
        ]
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                retries += 1
                # Exponential backoff with full jitter: 50 ms, 100 ms, ... capped at 5 s.
                sleep(random.uniform(0, min(5.0, 0.05 * 2**attempt)))  # noqa: S311 - not crypto
            calls += 1
            answer = store.db.batch_write_item(RequestItems={store.table_name: requests})
            unprocessed = answer.get("UnprocessedItems", {}).get(store.table_name, [])
            written += len(requests) - len(unprocessed)
            requests = unprocessed
            if not requests:
                break
        if requests:
            not_tried = max(0, len(items) - start - BATCH_SIZE)
            raise ImportIncomplete(len(requests) + not_tried)
        if progress:
            progress(written, len(items))
    return calls, retries


def close_cycle(store: Store, person: Person, cycle: Cycle, *, retention_years: int) -> None:
    """Record a leaver's cycle as closed, keeping whatever else the cycle item holds. The cycle
    item, and the leaver's person item, expire `retention_years` after it ends (7)."""
    cycle_expires = expires_at(cycle.ends, retention_years)
    store.db.update_item(
        TableName=store.table_name,
        Key=_to_item(cycle_key(person.person_id, cycle.cycle_id)),
        UpdateExpression=(
            "SET #kind = :kind, person_id = :person, school_id = :school, cycle_id = :cycle, "
            "#group = if_not_exists(#group, :group), starts = if_not_exists(starts, :starts), "
            "ends = :ends, closed_early = :why, expires_at = :expires"
        ),
        ExpressionAttributeNames={"#kind": "kind", "#group": "group"},
        ExpressionAttributeValues=_to_item(
            {
                ":kind": "cycle",
                ":person": person.person_id,
                ":school": person.school_id,
                ":cycle": cycle.cycle_id,
                ":group": str(cycle.group),
                ":starts": cycle.starts.isoformat(),
                ":ends": cycle.ends.isoformat(),
                ":why": cycle.closed_early or "left the school",
                ":expires": cycle_expires,
            }
        ),
    )
    # 7: the person item goes with the last cycle's records, never before any of them.
    person_expires = expires_at(latest_end(cycle.cycle_id), retention_years)
    store.db.update_item(
        TableName=store.table_name,
        Key=_to_item({"pk": f"PERSON#{person.person_id}", "sk": "PROFILE"}),
        UpdateExpression="SET expires_at = :expires",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues=_to_item({":expires": max(person_expires, cycle_expires)}),
    )


def apply_import(
    store: Store,
    changes: RosterChanges,
    *,
    school: School,
    today: date,
    retention_years: int,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ImportWritten:
    """Write the changes (see the module docstring). Nothing is ever deleted (7): leavers'
    records expire `retention_years` after their last cycle ends, through the table's TTL."""
    openings = openings_for_added(changes, school, today)
    items = _items_to_put(store, changes, openings, today=today, retention_years=retention_years)
    calls, retries = batch_write(store, items, progress=progress, sleep=sleep)
    closed = items_closed = 0
    for left in changes.left:
        if left.cycle is not None:
            close_cycle(store, left.after, left.cycle, retention_years=retention_years)
            closed += 1
        items_closed += close_open_items(store, left.after.person_id)
    # 3: conditional puts (never a closed item reopened), after the person items are written.
    reopened = open_openings(
        store, openings_for_updated(changes, school, today), retention_years=retention_years
    )
    head = _in_post_head(staff_after(changes), today)
    if head != _in_post_head([*changes.unchanged, *_held_before(changes)], today):
        record_headteacher(store, changes.school_id, head)
    return ImportWritten(
        items=len(items),
        batches=calls,
        retries=retries,
        cycles_closed=closed,
        deadlines_opened=len(openings) + reopened.opened,
        deadlines_closed=items_closed,
    )


def _held_before(changes: RosterChanges) -> list[Person]:
    """The people changed, as they were held before the import (the added were not held)."""
    return [*(u.before for u in changes.updated), *(left.before for left in changes.left)]
