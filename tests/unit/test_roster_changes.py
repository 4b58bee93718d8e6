"""The roster diff (domain/roster_changes.py): who is added, updated, left or unchanged. No AWS."""

from __future__ import annotations

from datetime import date

import pytest

from growthcycle.domain.people import Person
from growthcycle.domain.roster_changes import RosterChanges, diff_roster
from growthcycle.domain.staff import Roster, parse_roster
from growthcycle.domain.trust import CycleSettings

SCHOOL = "test-school"
TODAY = date(2026, 11, 20)  # in the teachers' 2026-27 cycle (1 Nov 2026 - 31 Oct 2027, 4.1)
SETTINGS = CycleSettings()
HEADER = (
    "staff_id,first_name,last_name,email,roles,job_title,line_manager_id,fte,"
    "qualified_teacher,start_date,leaving_date"
)
HEAD = "H1,Helen,Whitaker,h.whitaker@school.example,headteacher,Headteacher,,1,yes,2018-09-01,"
DEPUTY = "L1,David,Okafor,d.okafor@school.example,line-manager;teacher,Deputy,H1,1,yes,2015-09-01,"
TEACHER = "T1,Emma,Clarke,e.clarke@school.example,teacher,Year 2 Teacher,H1,1,yes,2019-09-02,"
GOVERNOR = "G1,Michael,Turner,m.turner@school.example,governor,Chair of Governors,,,no,2022-09-01,"
BASE = (HEAD, DEPUTY, TEACHER, GOVERNOR)


def roster(*rows: str) -> Roster:
    return parse_roster("\n".join([HEADER, *rows]) + "\n", school_id=SCHOOL)


def held(*rows: str) -> list[Person]:
    return [Person.from_member(m) for m in roster(*rows)]


def diff(before: tuple[str, ...], after: tuple[str, ...]) -> RosterChanges:
    return diff_roster(held(*before), roster(*after), today=TODAY, settings=SETTINGS)


def test_the_same_roster_again_changes_nothing() -> None:
    changes = diff(BASE, BASE)
    assert not changes.changed
    assert len(changes.unchanged) == 4
    assert changes.people_to_write == ()


# One row per rule: what the new roster says, and which group each person falls in.
CASES = [
    pytest.param(
        (*BASE, "T2,Lucy,Patel,l.patel@school.example,teacher,Year 6,L1,1,yes,2027-01-04,"),
        {"added": ["test-school.t2"]},
        id="new starter is added",
    ),
    pytest.param(
        (HEAD, DEPUTY, GOVERNOR),
        {"left": ["test-school.t1"]},
        id="someone missing from the roster has left",
    ),
    pytest.param(
        (HEAD, DEPUTY, TEACHER.removesuffix(",") + ",2027-03-31", GOVERNOR),
        {"left": ["test-school.t1"]},
        id="a leaving date makes a leaver",
    ),
    pytest.param(
        (HEAD, DEPUTY, TEACHER.replace("e.clarke@", "emma.clarke@"), GOVERNOR),
        {"updated": [("test-school.t1", ("email",))]},
        id="changed email is an update of the same person",
    ),
    pytest.param(
        (HEAD, DEPUTY, TEACHER.replace(",H1,1,yes", ",L1,1,yes"), GOVERNOR),
        {"updated": [("test-school.t1", ("line_manager_id",))]},
        id="changed line manager is an update",
    ),
    pytest.param(
        (HEAD, DEPUTY, TEACHER.replace("Year 2 Teacher,H1,1,", "Year 3 Teacher,H1,0.6,"), GOVERNOR),
        {"updated": [("test-school.t1", ("job_title", "fte"))]},
        id="every changed field is named",
    ),
    pytest.param(BASE, {}, id="unchanged"),
]


@pytest.mark.parametrize(("after", "expected"), CASES)
def test_each_person_falls_in_exactly_one_group(
    after: tuple[str, ...], expected: dict[str, list[object]]
) -> None:
    changes = diff(BASE, after)
    assert [a.person.person_id for a in changes.added] == expected.get("added", [])
    assert [(u.after.person_id, u.fields) for u in changes.updated] == expected.get("updated", [])
    assert [left.after.person_id for left in changes.left] == expected.get("left", [])
    changed = len(changes.added) + len(changes.updated) + len(changes.left)
    everyone = {m.person_id for m in roster(*after)} | {p.person_id for p in held(*BASE)}
    assert changed + len(changes.unchanged) == len(everyone)


def test_new_starter_first_cycle_is_shortened_to_end_with_everyone_elses_4_1() -> None:
    starter = "T2,Lucy,Patel,l.patel@school.example,teacher,Year 6,L1,1,yes,2027-01-04,"
    (added,) = diff(BASE, (*BASE, starter)).added
    assert added.cycle is not None
    assert (added.cycle.cycle_id, added.cycle.starts, added.cycle.ends) == (
        "2026-27",
        date(2027, 1, 4),
        date(2027, 10, 31),
    )


def test_someone_new_to_growth_cycle_but_not_to_the_school_gets_the_current_cycle_4_1() -> None:
    changes = diff_roster([], roster(*BASE), today=TODAY, settings=SETTINGS)
    cycles = {a.person.staff_id: a.cycle for a in changes.added}
    teacher = cycles["T1"]
    assert teacher is not None
    assert (teacher.starts, teacher.ends) == (date(2026, 11, 1), date(2027, 10, 31))
    head = cycles["H1"]
    assert head is not None and head.cycle_id == "2026"  # 4.1: the headteacher's by 31 December


def test_governors_are_added_without_a_cycle_3() -> None:
    changes = diff_roster([], roster(*BASE), today=TODAY, settings=SETTINGS)
    assert {a.person.staff_id: a.cycle for a in changes.added}["G1"] is None


def test_a_school_that_moves_its_review_date_shortens_new_starters_to_that_date_4_1() -> None:
    settings = CycleSettings(teachers_due="10-15")
    starter = "T2,Lucy,Patel,l.patel@school.example,teacher,Year 6,L1,1,yes,2027-01-04,"
    (added,) = diff_roster(
        held(*BASE), roster(*BASE, starter), today=TODAY, settings=settings
    ).added
    assert added.cycle is not None and added.cycle.ends == date(2027, 10, 15)


def test_leaver_missing_from_roster_is_kept_with_cycle_closed_on_the_import_day_7() -> None:
    (left,) = diff(BASE, (HEAD, DEPUTY, GOVERNOR)).left
    assert left.missing
    assert left.after.leaving_date == TODAY
    assert left.after.email == left.before.email  # kept, never deleted (7)
    assert left.cycle is not None
    assert (left.cycle.ends, left.cycle.closed_early) == (TODAY, "left the school")


def test_leaving_date_in_roster_closes_the_cycle_on_that_day() -> None:
    changes = diff(BASE, (HEAD, DEPUTY, TEACHER.removesuffix(",") + ",2027-03-31", GOVERNOR))
    (left,) = changes.left
    assert not left.missing
    assert left.cycle is not None and left.cycle.ends == date(2027, 3, 31)
    assert left.cycle.starts == date(2026, 11, 1)


def test_a_leaver_already_recorded_is_not_a_leaver_again() -> None:
    first = diff(BASE, (HEAD, DEPUTY, GOVERNOR))
    kept = [*first.unchanged, *(left.after for left in first.left)]
    again = diff_roster(kept, roster(HEAD, DEPUTY, GOVERNOR), today=TODAY, settings=SETTINGS)
    assert not again.changed


def test_a_bounced_address_stays_suppressed_until_the_address_changes() -> None:
    before = [p.model_copy(update={"email_suppressed": True}) for p in held(*BASE)]
    same = diff_roster(before, roster(*BASE), today=TODAY, settings=SETTINGS)
    assert not same.changed
    new_address = TEACHER.replace("e.clarke@", "emma.clarke@")
    changed = diff_roster(
        before, roster(HEAD, DEPUTY, new_address, GOVERNOR), today=TODAY, settings=SETTINGS
    )
    (updated,) = changed.updated
    assert updated.after.email_suppressed is False


def test_people_of_another_school_are_never_touched() -> None:
    other = [p.model_copy(update={"school_id": "other-school"}) for p in held(*BASE)]
    changes = diff_roster(other, roster(*BASE), today=TODAY, settings=SETTINGS)
    assert changes.left == ()
    assert len(changes.added) == 4
