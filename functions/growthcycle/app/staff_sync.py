"""Roster sync from the MIS through Wonde: the use case `growthcycle staff sync` and the nightly
sync share. It reads every page of the school's employees first, then the people held, and hands
back the same `RosterChanges` a CSV import makes (domain/roster_changes.py), so new starters,
leavers, line managers and governors follow one set of rules; writing them is the import's own
`apply_import` (adapters/roster_sync.py).
"""

from __future__ import annotations

from datetime import date

from growthcycle.adapters.roster_sync import held_people
from growthcycle.adapters.store import Store
from growthcycle.adapters.wonde import WondeClient
from growthcycle.domain.roster_changes import RosterChanges, diff_roster
from growthcycle.domain.trust import School
from growthcycle.domain.wonde import roster_from_employees


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
