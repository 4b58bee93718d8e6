"""The school's copies of restarts and reviewer assignments, for records written before them
(issue 14.1).

Since this version, recording a transfer that begins the cycle again writes the school's copy of
the restart (`SCHOOL#<id>`/`RESTART#<person>#<date>`, adapters/special_cases.py), and assigning a
reviewer writes the school's copy of the assignment (`SCHOOL#<id>`/`REVIEWER#<cycle>#<reviewee>`,
adapters/reviewers.py), each in the same transaction as the record. Pages read only the copies,
so a table written by an earlier version needs them once: `growthcycle backfill school-copies`.

For each school (one Query of BySchool), each of its people (one Query of BySchool): one Query
of their `TRANSFER#` items and one of their `REVIEWER#` items; each copy missing is put with a
condition that none exists yet, so running it again, or while people use the system, writes
nothing twice and never overwrites a copy a newer assignment wrote. A copy carries its record's
`expires_at` (7). Never a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from growthcycle.adapters.deadlines import schools
from growthcycle.adapters.reviewers import ASSIGNMENT_PREFIX, school_reviewer_item
from growthcycle.adapters.special_cases import school_restart_item
from growthcycle.adapters.store import Store, _to_item


@dataclass
class Backfilled:
    schools: int = 0
    people: int = 0
    restarts: int = 0  # copies written
    assignments: int = 0  # copies written
    present: int = 0  # copies that were there already


def _partition(store: Store, person_id: str, prefix: str) -> list[dict[str, object]]:
    return list(
        store._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=_to_item({":pk": f"PERSON#{person_id}", ":prefix": prefix}),
        )
    )


def backfill_school_copies(store: Store, school_ids: list[str] | None = None) -> Backfilled:
    """Write the missing school copies for `school_ids` (None: every school in the table)."""
    done = Backfilled()
    wanted = school_ids if school_ids is not None else [s.id for s in schools(store)]
    for school_id in wanted:
        done.schools += 1
        for person in store.people_in_school(school_id):
            done.people += 1
            for transfer in _partition(store, person.person_id, "TRANSFER#"):
                if not transfer.get("new_cycle_id"):
                    continue  # the cycle carried on: nothing began again
                if store.put_new(school_restart_item(school_id, dict(transfer))):
                    done.restarts += 1
                else:
                    done.present += 1
            for assignment in _partition(store, person.person_id, ASSIGNMENT_PREFIX):
                if store.put_new(school_reviewer_item(school_id, dict(assignment))):
                    done.assignments += 1
                else:
                    done.present += 1
    return done
