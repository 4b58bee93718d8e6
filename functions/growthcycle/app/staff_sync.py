"""Roster sync from the MIS through Wonde: the use case `growthcycle staff sync` and the nightly
sync share. It reads every page of the school's employees first, then the people held, and hands
back the same `RosterChanges` a CSV import makes (domain/roster_changes.py), so new starters,
leavers, line managers and governors follow one set of rules; writing them is the import's own
`apply_import` (adapters/roster_sync.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from growthcycle.adapters.deadlines import schools
from growthcycle.adapters.roster_sync import apply_import, held_people
from growthcycle.adapters.store import Store
from growthcycle.adapters.wonde import WondeClient, WondeError
from growthcycle.domain.roster_changes import (
    RosterChanges,
    TooManyLeavers,
    check_leavers,
    diff_roster,
)
from growthcycle.domain.trust import School
from growthcycle.domain.wonde import WondeRosterInvalid, roster_from_employees


class SchoolNotSynced(LookupError):
    def __init__(self, school_id: str) -> None:
        self.school_id = school_id
        super().__init__(
            f"school {school_id!r} has no wonde settings in the trust file (school_id, "
            "token_secret_arn): it is imported from CSV only"
        )


def plan_sync(store: Store, wonde: WondeClient, school: School, *, today: date) -> RosterChanges:
    """What a sync would change. Raises `WondeError` (nothing read), `WondeRosterInvalid` (an
    employee that cannot be a roster row, named by their Wonde id): either way nothing is written."""
    if school.wonde is None:
        raise SchoolNotSynced(school.id)
    employees = wonde.employees(school.wonde.school_id)
    held = held_people(store, school.id)
    roster = roster_from_employees(
        employees, held, school_id=school.id, staff_id_from=school.wonde.staff_id_from
    )
    return diff_roster(held, roster, today=today, settings=school.cycle)


@dataclass
class NightlySync:
    """What the nightly sync did, per school id (no names: these go to the logs)."""

    synced: dict[str, dict[str, int]] = field(default_factory=dict)  # school -> counts
    stopped: dict[str, str] = field(default_factory=dict)  # the leavers guard: for a person
    failed: dict[str, str] = field(default_factory=dict)  # Wonde, the token or a roster problem

    def as_dict(self) -> dict[str, Any]:
        return {
            "synced": len(self.synced),
            "stopped": len(self.stopped),
            "failed": len(self.failed),
        }


def sync_schools(
    store: Store,
    *,
    today: date,
    retention_years: int,
    wonde_for: Callable[[str], WondeClient],
) -> NightlySync:
    """The nightly sync: every school whose configuration (as deployed) has wonde settings. A
    school whose sync the leavers guard stops is left for a person to look at (`staff sync
    --dry-run`, then `--allow-leavers`); one that fails does not stop the others."""
    run = NightlySync()
    for school in schools(store):
        if school.wonde is None:
            continue
        try:
            wonde = wonde_for(school.wonde.token_secret_arn)
            changes = plan_sync(store, wonde, school, today=today)
            check_leavers(changes, school.wonde.max_leavers_percent)
        except TooManyLeavers as stopped:
            run.stopped[school.id] = str(stopped)
            continue
        except WondeRosterInvalid as invalid:
            run.failed[school.id] = f"{len(invalid.problems)} employees cannot be roster rows"
            continue
        except WondeError as error:
            run.failed[school.id] = str(error)
            continue
        written = (
            apply_import(
                store, changes, school=school, today=today, retention_years=retention_years
            )
            if changes.changed
            else None
        )
        run.synced[school.id] = {
            "added": len(changes.added),
            "updated": len(changes.updated),
            "left": len(changes.left),
            "items": written.items if written else 0,
        }
    return run
