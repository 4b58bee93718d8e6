"""`growthcycle backfill school-copies [--school ID ...]`: once, after deploying the version that
reads the school's copies of restarts and reviewer assignments (issue 14.1; adapters/backfill.py).

Safe to run again (it writes only copies that are missing) and while the system is in use.
Exit codes: 0 done, 2 the table could not be used.
"""

from __future__ import annotations

import argparse
import sys

from growthcycle.adapters.backfill import backfill_school_copies
from growthcycle.cli.target import TargetUnknown, target_from_args


def run(args: argparse.Namespace) -> int:
    if args.backfill_command != "school-copies":
        raise ValueError(args.backfill_command)
    try:
        target = target_from_args(args)
    except TargetUnknown as problem:
        print(f"growthcycle backfill: {problem}", file=sys.stderr)
        return 2
    done = backfill_school_copies(target.store, args.school or None)
    print(
        f"{target.description}: {done.schools} school(s), {done.people} people; written "
        f"{done.restarts} restart copies and {done.assignments} reviewer assignment copies; "
        f"{done.present} were there already."
    )
    return 0
