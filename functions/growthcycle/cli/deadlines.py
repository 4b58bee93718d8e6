"""`growthcycle deadlines explain`: print a due date and the reasoning behind it.

The first line is `due: YYYY-MM-DD`; for meeting-notice and observation-notice it is the last day
notice may be given. Bad input is one line on stderr and exit status 2, never a traceback.

`growthcycle deadlines open --trust FILE --school ID --table NAME`: open the current cycle's
deadlines (4.1; adapters/deadlines.open_cycle_deadlines) of every member of the school's staff in
post, for people loaded before the staff import opened them. One Query of BySchool, then a
conditional put per item: an item already there, open or closed, is left alone, so it is safe to
run again. From then on the daily check rolls each cycle into the next.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from growthcycle.domain.calendar import (
    ClosureDays,
    ClosuresFileInvalid,
    NoWorkingDayFound,
    UnknownNation,
    WorkingCalendar,
    parse_closures,
)
from growthcycle.domain.clocks import UnknownEvent, due_date

BAD_INPUT = 2


class _BadInput(Exception):
    pass


def _parse_date(text: str) -> date:
    try:
        # fromisoformat also accepts 20261223 and week dates; the CLI promises YYYY-MM-DD only.
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _BadInput(f"--date {text!r} is not a real date in the form YYYY-MM-DD") from None


def _read_closures(path: str | None) -> ClosureDays:
    if path is None:
        return ClosureDays()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise _BadInput(f"cannot read closures file {path}: {reason}") from None
    try:
        return parse_closures(text)
    except ClosuresFileInvalid as error:
        raise _BadInput(f"{path}: {error}") from None


def explain(args: argparse.Namespace) -> list[str]:
    start = _parse_date(args.date)
    try:
        calendar = WorkingCalendar(args.nation, _read_closures(args.closures))
        explanation = due_date(args.event, start, calendar)
    except (UnknownNation, UnknownEvent, NoWorkingDayFound) as error:
        raise _BadInput(str(error)) from None
    return [f"due: {explanation.due.isoformat()}", *explanation.lines]


def open_for_school(args: argparse.Namespace) -> int:
    from growthcycle.adapters.deadlines import open_cycle_deadlines
    from growthcycle.cli.target import TargetUnknown, target_from_args
    from growthcycle.domain.retention import MINIMUM_YEARS
    from growthcycle.domain.trust import TrustConfigInvalid, UnknownSchool, load_trust

    try:
        trust = load_trust(args.trust)
        school = trust.school(args.school)
        target = target_from_args(args)
    except TrustConfigInvalid as invalid:
        for problem in invalid.problems:
            print(f"{args.trust}: {problem}", file=sys.stderr)
        return BAD_INPUT
    except (UnknownSchool, TargetUnknown) as error:
        print(f"growthcycle deadlines open: {error}", file=sys.stderr)
        return BAD_INPUT
    today = target.clock.today()
    people = target.store.people_in_school(school.id)
    done = open_cycle_deadlines(
        target.store,
        trust.model_copy(update={"schools": [school]}),  # this school's items only
        people,
        today,
        retention_years=max(trust.trust.retention_years, MINIMUM_YEARS),  # 7
    )
    print(
        f"{school.name} ({school.id}), today {today.isoformat()}: {done.opened} open items "
        f"opened, {done.already_open} already there."
    )
    return 0


def run(args: argparse.Namespace) -> int:
    if args.deadlines_command == "open":
        return open_for_school(args)
    try:
        lines = explain(args)
    except _BadInput as error:
        print(f"growthcycle deadlines: error: {error}", file=sys.stderr)
        return BAD_INPUT
    print("\n".join(lines))
    return 0
