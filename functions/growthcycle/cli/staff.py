"""`growthcycle staff import --trust FILE --school ID CSV [--dry-run]`: load a school's roster.

1. The trust file and the school are checked, then the whole roster (domain/staff.py). Any bad
   row: every problem is listed (row, column, problem), nothing is imported, exit 1.
2. The school's people are read (one Query of BySchool) and compared with the roster
   (domain/roster_changes.py): added, updated (which fields), left, unchanged.
3. The counts and one line per change are printed (names and staff ids, never email addresses).
   With --dry-run that is all. Otherwise the changes are written in batches (adapters/roster_sync.py),
   with progress on stderr for large files: the people added get their cycle's open items (4.1:
   the planning and review, the next reflection, the cycle's end that the daily check rolls into
   the next cycle), and the leavers' open items are closed.

Exit codes: 0 done (or nothing to do), 1 the roster is invalid or the writes failed, 2 the trust
file, school or table could not be used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from growthcycle.domain.retention import MINIMUM_YEARS
from growthcycle.domain.roster_changes import RosterChanges
from growthcycle.domain.staff import RosterInvalid, StaffMember, load_roster
from growthcycle.domain.trust import TrustConfigInvalid, UnknownSchool, load_trust

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
    if args.staff_command != "import":
        raise ValueError(args.staff_command)
    return import_roster(args)


def import_roster(args: argparse.Namespace) -> int:
    csv_path = Path(args.csv)
    try:
        trust = load_trust(args.trust)
        school = trust.school(args.school)
    except TrustConfigInvalid as invalid:
        for problem in invalid.problems:
            print(f"{args.trust}: {problem}", file=sys.stderr)
        return 2
    except UnknownSchool:
        known = ", ".join(s.id for s in trust.schools)
        print(f"{args.trust}: no school {args.school!r} (schools: {known})", file=sys.stderr)
        return 2

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

    from growthcycle.adapters.roster_sync import ImportIncomplete, apply_import, plan_import
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
        print(f"growthcycle staff import: {error}", file=sys.stderr)
        return 1
    print(
        f"imported: {written.items:,} items in {written.batches:,} batch writes "
        f"({written.retries} retried), {written.cycles_closed} cycles closed; "
        f"{written.deadlines_opened} open items opened, {written.deadlines_closed} closed."
    )
    return 0
