"""The statement's open clock in the table: open the one the state runs, close the rest.

Key patterns (docs/architecture.md, "open item"): `PERSON#<reviewee id>` /
`DUE#<cycle id>#statement-<clock>#<round>[#<person id>]`, with `due_pk`/`due_sk` while open (the
DueIndex), and `expires_at` (TTL, 7). The person id is added only when the move is owed by more
than one person (the governors quality-assuring the headteacher's statement, 5), one item each.

`sync_statement_clock` converges: it reads the reviewee's open statement items for the cycle (one
Query on the base table, within one partition), closes any the state no longer runs and opens the
ones it does (one, or for a draft two: the reviewee's answer and the reviewer's signature, 4.9),
each write conditional. Running it twice, or after a retried request, changes
nothing more; an item that was once closed is never reopened (a new round has a new key).

It runs right after the statement's own transaction (adapters/statements.py `commit`), not
inside it: if the process dies between the two, the next move's sync puts things right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import quote

from growthcycle.adapters.clock import Clock
from growthcycle.adapters.deadlines import close_deadline, deadline_item
from growthcycle.adapters.statements import events, get_statement
from growthcycle.adapters.store import Store, _to_item
from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.cycles import Cycle
from growthcycle.domain.deadlines import OpenItem
from growthcycle.domain.people import Person
from growthcycle.domain.retention import expires_at_for
from growthcycle.domain.statement_clocks import (
    PREFIX,
    StatementClock,
    draft_clock,
    in_revision,
    open_clocks,
)
from growthcycle.domain.statements import STATEMENT_FORM, Statement, statement_id_for


@dataclass(frozen=True)
class Synced:
    opened: int = 0
    already_open: int = 0
    closed: int = 0


def open_statement_items(store: Store, subject_id: str, cycle_id: str) -> list[dict[str, Any]]:
    """The reviewee's statement items of the cycle that are still open (in DueIndex)."""
    return [
        item
        for item in store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=_to_item(
                {":pk": f"PERSON#{subject_id}", ":prefix": f"DUE#{cycle_id}#{PREFIX}"}
            ),
            ConsistentRead=True,
        )
        if "due_pk" in item
    ]


def _put_once(store: Store, item: OpenItem, expires_at: int) -> bool:
    # 7: kept no sooner than six years after the cycle ends
    return store.put_new(deadline_item(item, expires_at=expires_at))


@dataclass(frozen=True)
class Owed:
    """One running clock, the people who owe it and what their digest calls it."""

    clock: StatementClock
    responsible_ids: Sequence[str]
    title: str


def sync_statement_clock(
    store: Store,
    *,
    school_id: str,
    subject_id: str,
    cycle_id: str,
    owed: Sequence[Owed],
    link: str,
    expires_at: int,
    now: datetime,
) -> Synced:
    """Make the `owed` clocks the statement's only open items (none: close them all)."""
    wanted: list[OpenItem] = []
    for each in owed:
        pk, sk = each.clock.key(subject_id, cycle_id)
        several = len(set(each.responsible_ids)) > 1
        for person_id in sorted(set(each.responsible_ids)):
            wanted.append(
                OpenItem(
                    pk=pk,
                    sk=f"{sk}#{person_id}" if several else sk,
                    school_id=school_id,
                    subject_id=subject_id,
                    responsible_id=person_id,
                    event=each.clock.event,
                    due_date=each.clock.due,
                    link=link,
                    title=each.title,
                )
            )
    keep = {(i.pk, i.sk) for i in wanted}
    closed = 0
    for found in open_statement_items(store, subject_id, cycle_id):
        if (found["pk"], found["sk"]) not in keep:
            closed += close_deadline(store, found["pk"], found["sk"], closed_at=now)
    opened = sum(_put_once(store, item, expires_at) for item in wanted)
    return Synced(opened=opened, already_open=len(wanted) - opened, closed=closed)


# -- the calls the statement pages make, one per move ---------------------------------------------


class _Retention(Protocol):
    @property
    def retention_years(self) -> int: ...


class Services(Protocol):
    """What the web layer's Services gives (web/services.py); adapters do not import the web."""

    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def settings(self) -> _Retention: ...

    def cycle(self, person: Person) -> Cycle: ...


PeopleOf = Callable[[str], Sequence[Person]]  # party -> the people acting as it


def parties(reviewee: Person, reviewer: Person) -> PeopleOf:
    """`PeopleOf` for a statement with just its reviewee and reviewer at hand."""
    return lambda party: {"reviewee": [reviewee], "reviewer": [reviewer]}.get(party, [])


def statement_moved(
    svc: Services,
    statement: Statement,
    reviewee: Person,
    people_of: PeopleOf,
    *,
    reviewer_name: str = "your reviewer",
) -> Synced:
    """After a statement move is stored: open the clock its new state runs for whoever owes the
    next move, and close the one just answered (4.9, 5). Reads the statement's moves (one Query)
    to tell a revision round under 6, which runs no clock."""
    moves = [e.action for e in events(svc.store, statement.statement_id)]
    running = open_clocks(
        statement, headteachers_own=reviewee.is_headteacher, revision=in_revision(moves)
    )
    owed = [
        Owed(clock, ids, clock.title(reviewee.name, reviewer_name))
        for clock in running
        if (ids := [p.person_id for p in people_of(clock.owed_by)])
    ]
    return sync_statement_clock(
        svc.store,
        school_id=statement.school_id,
        subject_id=reviewee.person_id,
        cycle_id=statement.cycle_id,
        owed=owed,
        link=f"/statements/{quote(statement.statement_id)}",
        expires_at=expires_at_for(svc.settings, svc.cycle(reviewee)),
        now=svc.clock.now(),
    )


def meeting_booked(
    svc: Services,
    reviewee: Person,
    reviewer: Person,
    cycle_id: str,
    meeting: date,
    calendar: WorkingCalendar,
) -> Synced | None:
    """4.9: a booked meeting starts the reviewer's draft clock; once a statement exists its own
    clocks run instead (None: nothing written)."""
    if get_statement(svc.store, statement_id_for(reviewee.person_id, cycle_id)) is not None:
        return None
    clock = draft_clock(meeting, calendar)
    return sync_statement_clock(
        svc.store,
        school_id=reviewee.school_id,
        subject_id=reviewee.person_id,
        cycle_id=cycle_id,
        owed=[Owed(clock, [reviewer.person_id], clock.title(reviewee.name, reviewer.name))],
        link=f"/people/{quote(reviewee.person_id)}/forms/{STATEMENT_FORM}",
        expires_at=expires_at_for(svc.settings, svc.cycle(reviewee)),
        now=svc.clock.now(),
    )
