"""`growthcycle staff import --trust FILE --school ID CSV [--dry-run]`: load a school's roster.
`growthcycle staff sync --trust FILE --school ID [--dry-run] [--allow-leavers]`: the same from the
school's MIS through Wonde (app/staff_sync.py), after every page of employees has been read.

1. The trust file and the school are checked, then the whole roster (domain/staff.py). Any bad
   row: every problem is listed (row, column, problem), nothing is imported, exit 1.
2. The school's people are read (one Query of BySchool) and compared with the roster
   (domain/roster_changes.py): added, updated (which fields), left, unchanged.
3. The counts and one line per change are printed (names and staff ids, never email addresses).
   With --dry-run that is all. Otherwise the changes are written in batches (adapters/roster_sync.py),
   with progress on stderr for large files: the people added get their cycle's open items (4.1:
   the planning and review, the next reflection, the cycle's end that the daily check rolls into
   the next cycle), and the leavers' open items are closed.

A sync that would make more than the school's `wonde.max_leavers_percent` (default 20%) of its
staff leavers stops before writing anything, says so, and exits 3: an MIS or Wonde outage must not
turn every teacher into a leaver. Check the list, then run again with --allow-leavers.

Exit codes: 0 done (or nothing to do), 1 the roster is invalid, Wonde could not be read or the
writes failed, 2 the trust file, school, secret or table could not be used, 3 a sync stopped by
the leavers guard.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from growthcycle.domain.retention import MINIMUM_YEARS
from growthcycle.domain.roster_changes import RosterChanges, TooManyLeavers, check_leavers
from growthcycle.domain.staff import RosterInvalid, StaffMember, load_roster
from growthcycle.domain.trust import (
    School,
    TrustConfig,
    TrustConfigInvalid,
    UnknownSchool,
    load_trust,
)

if TYPE_CHECKING:
    from growthcycle.cli.target import Target

PROGRESS_EVERY = 500  # items; smaller imports finish before progress would help

FIELD_NAMES = {
    "staff_id": "staff id",
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "roles": "roles",
    "job_title": "job title",
    "line_manager_id": "line manager",
    "fte": "FTE",
    "qualified_teacher": "qualified teacher",
    "start_date": "start date",
    "leaving_date": "leaving date",
    "contract_type": "contract type",
    "contract_end_date": "contract end date",
    "induction_start": "induction start",
    "induction_end": "induction end",
}


def _who(person: StaffMember) -> str:
    return f"{person.staff_id} {person.name}"


def describe(changes: RosterChanges) -> list[str]:
    """The operator's summary: counts, then a line per change. No email addresses."""
    lines = [
        f"added {len(changes.added)}, updated {len(changes.updated)}, "
        f"left {len(changes.left)}, unchanged {len(changes.unchanged)}"
    ]
    for added in changes.added:
        roles = ", ".join(added.person.roles)
        if added.excluded is not None:
            cycle = f"no cycle: {added.excluded.shown}"
        elif added.cycle is None:
            cycle = "no cycle (not reviewed)"
        else:
            c = added.cycle
            cycle = f"cycle {c.cycle_id} from {c.starts.isoformat()} to {c.ends.isoformat()}"
        lines.append(f"  added    {_who(added.person)} ({roles}): {cycle}")
    for updated in changes.updated:
        fields = ", ".join(FIELD_NAMES[f] for f in updated.fields)
        lines.append(f"  updated  {_who(updated.after)}: {fields}")
    for left in changes.left:
        why = "not in the roster" if left.missing else "leaving date in the roster"
        if left.cycle is None:
            closed = "no cycle to close"
        else:
            closed = f"cycle {left.cycle.cycle_id} closed on {left.leaving_date.isoformat()}"
        others = [FIELD_NAMES[f] for f in left.fields if f != "leaving_date"]
        also = f"; also updated: {', '.join(others)}" if others else ""
        lines.append(f"  left     {_who(left.after)}: {why}; {closed}{also}")
    return lines


def _progress_printer() -> Callable[[int, int], None]:
    shown = 0

    def show(written: int, total: int) -> None:
        nonlocal shown
        if total < PROGRESS_EVERY:
            return
        if written - shown >= PROGRESS_EVERY or written == total:
            shown = written
            print(f"written {written:,} of {total:,} items", file=sys.stderr, flush=True)

    return show


def run(args: argparse.Namespace) -> int:
    if args.staff_command == "import":
        return import_roster(args)
    if args.staff_command == "sync":
        return sync_roster(args)
    raise ValueError(args.staff_command)


def _trust_and_school(args: argparse.Namespace) -> tuple[TrustConfig, School] | int:
    try:
        trust = load_trust(args.trust)
        return trust, trust.school(args.school)
    except TrustConfigInvalid as invalid:
        for problem in invalid.problems:
            print(f"{args.trust}: {problem}", file=sys.stderr)
        return 2
    except UnknownSchool:
        known = ", ".join(s.id for s in trust.schools)
        print(f"{args.trust}: no school {args.school!r} (schools: {known})", file=sys.stderr)
        return 2


def import_roster(args: argparse.Namespace) -> int:
    csv_path = Path(args.csv)
    loaded = _trust_and_school(args)
    if isinstance(loaded, int):
        return loaded
    trust, school = loaded

    if not csv_path.is_file():
        print(f"{csv_path}: no such file", file=sys.stderr)
        return 2
    try:
        roster = load_roster(csv_path, school.id)
    except RosterInvalid as invalid:
        count = len(invalid.problems)
        print(
            f"{csv_path}: {count} problem{'' if count == 1 else 's'}; nothing was imported.",
            file=sys.stderr,
        )
        for row_problem in invalid.problems:
            print(f"{csv_path}: {row_problem}", file=sys.stderr)
        return 1

    from growthcycle.adapters.roster_sync import plan_import
    from growthcycle.cli.target import TargetUnknown, target_from_args

    try:
        target = target_from_args(args)
    except TargetUnknown as error:
        print(f"growthcycle staff import: {error}", file=sys.stderr)
        return 2

    today = target.clock.today()
    print(f"{school.name} ({school.id}): {len(roster)} people in {csv_path.name}")
    print(f"{target.description}, today {today.isoformat()}")
    changes = plan_import(target.store, roster, today=today, settings=school.cycle)
    for line in describe(changes):
        print(line)
    if args.dry_run:
        print("dry run: nothing was changed.")
        return 0
    return _apply(trust, school, target, changes, today, command="import")


def sync_roster(args: argparse.Namespace) -> int:
    loaded = _trust_and_school(args)
    if isinstance(loaded, int):
        return loaded
    trust, school = loaded
    command = "growthcycle staff sync"
    if school.wonde is None:
        print(
            f"{args.trust}: school {school.id!r} has no wonde settings (school_id, "
            "token_secret_arn); import its roster from CSV instead",
            file=sys.stderr,
        )
        return 2

    from botocore.exceptions import BotoCoreError, ClientError

    from growthcycle.adapters.wonde import API, WondeClient, WondeError, wonde_token
    from growthcycle.app.staff_sync import plan_sync
    from growthcycle.cli.target import TargetUnknown, target_from_args
    from growthcycle.domain.wonde import WondeRosterInvalid

    try:
        target = target_from_args(args)
    except TargetUnknown as error:
        print(f"{command}: {error}", file=sys.stderr)
        return 2
    try:
        token = wonde_token(school.wonde.token_secret_arn, target.secrets)
    except (ClientError, BotoCoreError, WondeError) as error:
        print(f"{command}: the school's Wonde token could not be read: {error}", file=sys.stderr)
        return 2

    today = target.clock.today()
    wonde = WondeClient(token, base_url=args.wonde_url or API)
    try:
        changes = plan_sync(target.store, wonde, school, today=today)
    except WondeError as error:
        print(f"{command}: {error}; nothing was changed.", file=sys.stderr)
        return 1
    except WondeRosterInvalid as invalid:
        count = len(invalid.problems)
        print(
            f"{command}: {count} problem{'' if count == 1 else 's'} in Wonde's employees of "
            f"{school.id}; nothing was changed.",
            file=sys.stderr,
        )
        for problem in invalid.problems:
            print(f"{command}: {problem}", file=sys.stderr)
        return 1

    print(f"{school.name} ({school.id}): from Wonde school {school.wonde.school_id}")
    print(f"{target.description}, today {today.isoformat()}")
    for line in describe(changes):
        print(line)
    try:
        check_leavers(changes, school.wonde.max_leavers_percent)
        guard = None
    except TooManyLeavers as stopped:
        guard = stopped
    if args.dry_run:
        if guard:
            print(f"a sync would stop here: {guard}.")
        print("dry run: nothing was changed.")
        return 0
    if guard and not args.allow_leavers:
        print(
            f"{command}: stopped, nothing was changed: {guard}. If they really have left, "
            "run again with --allow-leavers.",
            file=sys.stderr,
        )
        return 3
    return _apply(trust, school, target, changes, today, command="sync")


def _apply(
    trust: TrustConfig,
    school: School,
    target: Target,
    changes: RosterChanges,
    today: date,
    *,
    command: str,
) -> int:
    from growthcycle.adapters.roster_sync import ImportIncomplete, apply_import

    if not changes.changed:
        print("nothing to change.")
        return 0
    try:
        # 7: records of a cycle are kept the trust's retention_years (at least six) after it ends:
        # the trust file is the one the stack was deployed with (`deploy` checks they agree).
        years = trust.trust.retention_years
        written = apply_import(
            target.store,
            changes,
            school=school,
            today=today,
            retention_years=max(years, MINIMUM_YEARS),
            progress=_progress_printer(),
        )
    except ImportIncomplete as error:
        print(f"growthcycle staff {command}: {error}", file=sys.stderr)
        return 1
    done = "imported" if command == "import" else "synced"
    print(
        f"{done}: {written.items:,} items in {written.batches:,} batch writes "
        f"({written.retries} retried), {written.cycles_closed} cycles closed; "
        f"{written.deadlines_opened} open items opened, {written.deadlines_closed} closed."
    )
    return 0
