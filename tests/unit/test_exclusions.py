"""Section 3: who the policy covers. Teachers in their induction and staff on contracts of less
than two terms get no appraisal cycle and no reminders, and are shown as not appraised; a
fixed-term contract of under a year has a cycle set by its length. No AWS."""

from __future__ import annotations

from datetime import date

import pytest

from growthcycle.domain.deadlines import (
    CYCLE_END,
    EXCLUDED,
    PLANNING_REVIEW,
    REFLECTION,
    DigestLine,
    DueStatus,
    OpenItem,
    about_people_appraised,
    cycle_deadlines,
    deadline_key,
)
from growthcycle.domain.people import (
    IN_INDUCTION,
    SHORT_CONTRACT,
    Person,
    appraisal_exclusion,
)
from growthcycle.domain.roster_changes import diff_roster
from growthcycle.domain.staff import RosterInvalid, parse_roster
from growthcycle.domain.trust import CycleSettings, School
from tests.unit.test_deadlines import person

HEADER = (
    "Staff ID,Forename,Surname,Work email,Roles,Post,Reports to,FTE,QTS,Start date,Date left,"
    "Contract Type,Contract End Date,ECT Induction Start,ECT Induction End"
)
HEAD = "H1,Helen,Whitaker,h@s.example,headteacher,Headteacher,,1,yes,2018-09-01,,Permanent,,,"
ECT = "T1,Emma,Clarke,e@s.example,teacher,Year 2 Teacher,H1,1,yes,2026-09-01,,,,01/09/2026,"
SHORT = "T2,Sam,Lee,s@s.example,teacher,Cover Teacher,H1,1,yes,2026-09-01,,Temporary,2026-12-18,,"
LONG = "T3,Ana,Roy,a@s.example,teacher,Year 4 Teacher,H1,1,yes,2019-09-01,,permanent,,,"


def csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def school(**overrides: object) -> School:
    settings = {"id": "oakfield", "name": "Oakfield", "nation": "england"}
    return School.model_validate({"policy_style": "growth", **settings, **overrides})


# --- the roster carries what decides it -------------------------------------------------------------


def test_roster_reads_contract_and_induction_columns_under_mis_headers_section_3() -> None:
    roster = parse_roster(csv(HEAD, ECT, SHORT, LONG), school_id="oakfield")
    ect, short, long_serving = roster.member("T1"), roster.member("T2"), roster.member("T3")
    assert ect.induction_start == date(2026, 9, 1) and ect.induction_end is None
    assert short.contract_type == "fixed-term"  # "Temporary", as SIMS exports it
    assert short.contract_end_date == date(2026, 12, 18)
    assert long_serving.contract_type == "permanent" and long_serving.contract_end_date is None


def test_roster_without_the_new_columns_still_imports_section_3() -> None:
    old = (
        "staff_id,first_name,last_name,email,roles,job_title,line_manager_id,fte,"
        "qualified_teacher,start_date,leaving_date\n"
        "H1,Helen,Whitaker,h@s.example,headteacher,Headteacher,,1,yes,2018-09-01,\n"
    )
    member = parse_roster(old, school_id="oakfield").member("H1")
    assert member.contract_type is None and member.induction_start is None


def test_roster_refuses_contract_columns_that_cannot_decide_section_3() -> None:
    fixed_no_end = "T4,Jo,Ng,j@s.example,teacher,Teacher,H1,1,yes,2026-09-01,,fixed term,,,"
    permanent_end = (
        "T5,Al,Oz,al@s.example,teacher,Teacher,H1,1,yes,2026-09-01,,Permanent,2027-07-01,,"
    )
    unknown = "T6,Bo,Po,b@s.example,teacher,Teacher,H1,1,yes,2026-09-01,,zero hours,,,"
    backwards = "T7,Cy,Qu,c@s.example,teacher,Teacher,H1,1,yes,2026-09-01,,,,2026-09-01,2026-08-01"
    with pytest.raises(RosterInvalid) as raised:
        parse_roster(csv(HEAD, fixed_no_end, permanent_end, unknown, backwards), "oakfield")
    found = {(p.row, p.column) for p in raised.value.problems}
    assert found == {
        (3, "contract_end_date"),
        (4, "contract_end_date"),
        (5, "contract_type"),
        (6, "induction_end"),
    }


# --- the one rule -------------------------------------------------------------------------------------


def test_teacher_in_induction_is_not_appraised_until_it_ends_section_3() -> None:
    ect = person(
        "ect", ("teacher",), induction_start=date(2026, 9, 1), induction_end=date(2027, 7, 21)
    )
    excluded = appraisal_exclusion(ect, date(2026, 11, 2))
    assert excluded is not None and excluded.reason == IN_INDUCTION
    assert excluded.until == date(2027, 7, 21)
    assert excluded.shown == "Not appraised this year: in induction (section 3)"
    assert appraisal_exclusion(ect, date(2027, 7, 22)) is None  # induction completed


def test_contract_of_less_than_two_terms_is_not_appraised_section_3() -> None:
    autumn_only = person(
        "cover", ("support",), contract_type="fixed-term", contract_end_date=date(2026, 12, 18)
    )
    autumn_only = autumn_only.model_copy(update={"start_date": date(2026, 9, 1)})
    excluded = appraisal_exclusion(autumn_only, date(2026, 10, 1))
    assert excluded is not None and excluded.reason == SHORT_CONTRACT
    # January to July is two terms: appraised (with a cycle set by its length, below).
    spring_summer = autumn_only.model_copy(
        update={"start_date": date(2027, 1, 4), "contract_end_date": date(2027, 7, 21)}
    )
    assert appraisal_exclusion(spring_summer, date(2027, 2, 1)) is None


def test_governors_and_permanent_staff_are_not_excluded_section_3() -> None:
    assert appraisal_exclusion(person("gov", ("governor",)), date(2026, 11, 2)) is None
    assert appraisal_exclusion(person("amy", ("teacher",)), date(2026, 11, 2)) is None


# --- no cycle, no reminders ------------------------------------------------------------------------


def test_excluded_staff_open_no_planning_review_or_reflection_section_3() -> None:
    ect = person("ect", ("teacher",), "head", induction_start=date(2026, 9, 1))
    staff = [person("head", ("headteacher",)), ect, person("gov", ("governor",))]
    openings = cycle_deadlines(school(reflection_rhythm="monthly"), staff, date(2026, 11, 2))
    events = {(o.item.subject_id, o.item.event, o.item.sk) for o in openings}
    ects = {e for e in events if e[0] == ect.person_id}
    # Only the item that has the daily check ask again when the cycle (or induction) ends.
    assert ects == {
        (ect.person_id, CYCLE_END, deadline_key(ect.person_id, "2026-27", CYCLE_END, EXCLUDED)[1])
    }
    assert any(e[1] == PLANNING_REVIEW for e in events if e[0] == "oakfield.head")
    assert not any(e[1] == REFLECTION for e in ects)


def test_induction_ending_part_way_rolls_into_a_first_cycle_the_next_day_section_3() -> None:
    ect = person(
        "ect",
        ("teacher",),
        "head",
        induction_start=date(2025, 9, 1),
        induction_end=date(2027, 1, 29),
    )
    staff = [person("head", ("headteacher",)), ect]
    [end] = [
        o.item
        for o in cycle_deadlines(school(), staff, date(2026, 11, 2), subjects={ect.person_id})
    ]
    assert end.event == CYCLE_END and end.due_date == date(2027, 1, 29)
    after = cycle_deadlines(school(), staff, date(2027, 1, 30), subjects={ect.person_id})
    assert {o.item.event for o in after} == {PLANNING_REVIEW, REFLECTION, CYCLE_END}


def test_no_reminder_about_someone_not_appraised_section_3() -> None:
    ect = person("ect", ("teacher",), induction_start=date(2026, 9, 1))
    pk, sk = deadline_key(ect.person_id, "2026-27", PLANNING_REVIEW)
    item = OpenItem(
        pk,
        sk,
        "oakfield",
        ect.person_id,
        "oakfield.head",
        PLANNING_REVIEW,
        date(2026, 11, 3),
        "/",
        "Planning and review meeting",
    )
    lines = [DigestLine(item, DueStatus.DUE)]
    assert about_people_appraised(lines, {ect.person_id: ect}, date(2026, 11, 2)) == []


def test_staff_import_gives_the_excluded_no_cycle_and_says_why_section_3() -> None:
    roster = parse_roster(csv(HEAD, ECT, SHORT, LONG), school_id="oakfield")
    changes = diff_roster([], roster, today=date(2026, 10, 5), settings=CycleSettings())
    by_staff = {a.person.staff_id: a for a in changes.added}
    assert by_staff["T1"].cycle is None and by_staff["T1"].excluded is not None
    assert by_staff["T1"].excluded.reason == IN_INDUCTION
    assert by_staff["T2"].cycle is None and by_staff["T2"].excluded is not None
    assert by_staff["T2"].excluded.reason == SHORT_CONTRACT
    assert by_staff["T3"].cycle is not None and by_staff["T3"].excluded is None
    assert isinstance(by_staff["T1"].person, Person)


# --- fixed-term contracts of under a year (3) -------------------------------------------------------


def test_fixed_term_contract_of_under_a_year_has_a_cycle_set_by_its_length_section_3() -> None:
    from growthcycle.domain.cycles import current_cycle, fixed_term_of

    jan_to_july = person(
        "temp",
        ("teacher",),
        "head",
        contract_type="fixed-term",
        contract_end_date=date(2027, 7, 21),
    ).model_copy(update={"start_date": date(2027, 1, 4)})
    cycle = current_cycle(
        jan_to_july.roles, date(2027, 2, 1), None, fixed_term=fixed_term_of(jan_to_july)
    )
    assert (cycle.starts, cycle.ends, cycle.cycle_id) == (
        date(2027, 1, 4),
        date(2027, 7, 21),
        "2026-27",
    )
    staff = [person("head", ("headteacher",)), jan_to_july]
    due = {
        o.item.event: o.item.due_date
        for o in cycle_deadlines(
            school(), staff, date(2027, 1, 4), subjects={jan_to_july.person_id}
        )
    }
    # The review is due by the day the contract ends, never after (was 29 October 2027).
    assert due[PLANNING_REVIEW] == date(2027, 7, 21) and due[CYCLE_END] == date(2027, 7, 21)
    assert all(d <= date(2027, 7, 21) for d in due.values())


def test_contract_of_a_year_or_more_keeps_the_regular_cycle_section_3() -> None:
    from growthcycle.domain.cycles import current_cycle, fixed_term_of

    two_years = person(
        "temp", ("teacher",), contract_type="fixed-term", contract_end_date=date(2028, 7, 21)
    )
    assert fixed_term_of(two_years) is None
    assert current_cycle(two_years.roles, date(2027, 2, 1), None).ends == date(2027, 10, 31)


def test_staff_import_records_a_fixed_term_cycle_ending_with_the_contract_section_3() -> None:
    temp = "T8,Kit,Fox,k@s.example,teacher,Teacher,H1,1,yes,2027-01-04,,Fixed term,2027-07-21,,"
    roster = parse_roster(csv(HEAD, temp), school_id="oakfield")
    changes = diff_roster([], roster, today=date(2026, 12, 14), settings=CycleSettings())
    [added] = [a for a in changes.added if a.person.staff_id == "T8"]
    assert added.cycle is not None
    assert (added.cycle.starts, added.cycle.ends) == (date(2027, 1, 4), date(2027, 7, 21))
