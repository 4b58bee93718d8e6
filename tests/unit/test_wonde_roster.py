"""Wonde's employees as a roster (domain/wonde.py) and the leavers guard
(domain/roster_changes.check_leavers). No network, no AWS."""

from __future__ import annotations

from datetime import date

import pytest

from growthcycle.domain.roster_changes import TooManyLeavers, check_leavers, diff_roster
from growthcycle.domain.trust import CycleSettings, TrustConfigInvalid, parse_trust
from growthcycle.domain.wonde import WondeRosterInvalid, roster_from_employees
from tests.helpers.wonde import employee
from tests.unit.test_roster_changes import BASE, DEPUTY, GOVERNOR, HEAD, SCHOOL, TEACHER, held
from tests.unit.test_trust_config import MINIMAL

TODAY = date(2026, 11, 20)

HEAD_E = employee(
    wonde_id="A1",
    staff_code="H1",
    forename="Helen",
    surname="Whitaker",
    email="h.whitaker@school.example",
    job_title="Headteacher",
    start="2018-09-01",
)
DEPUTY_E = employee(
    wonde_id="A2",
    staff_code="L1",
    forename="David",
    surname="Okafor",
    email="d.okafor@school.example",
    job_title="Deputy",
    start="2015-09-01",
)
TEACHER_E = employee(
    wonde_id="A3",
    staff_code="T1",
    forename="Emma",
    surname="Clarke",
    email="e.clarke@school.example",
    job_title="Year 2 Teacher",
    start="2019-09-02",
)


def test_held_roles_line_managers_fte_and_governors_are_kept() -> None:
    people = held(*BASE)
    roster = roster_from_employees([HEAD_E, DEPUTY_E, TEACHER_E], people, school_id=SCHOOL)
    changes = diff_roster(people, roster, today=TODAY, settings=CycleSettings())
    assert not changes.changed
    assert roster.member("G1").roles == ("governor",)  # not in Wonde, not a leaver (3)


def test_someone_new_gets_a_role_from_teaching_staff_and_no_line_manager() -> None:
    support = employee(
        wonde_id="A9",
        staff_code="S9",
        forename="Ann",
        surname="Lee",
        email="a.lee@school.example",
        job_title="Office Manager",
        start="2020-01-06",
        teaching=False,
        fte=0.5,
    )
    roster = roster_from_employees([HEAD_E, support], held(HEAD), school_id=SCHOOL)
    member = roster.member("S9")
    assert (member.roles, member.line_manager_id, member.fte, member.qualified_teacher) == (
        ("support",),
        None,
        0.5,
        False,
    )


def test_a_kept_line_manager_who_is_gone_from_wonde_is_dropped() -> None:
    # T1's held line manager is H1; H1 is no longer listed by Wonde.
    roster = roster_from_employees([DEPUTY_E, TEACHER_E], held(*BASE), school_id=SCHOOL)
    assert roster.member("T1").line_manager_id is None


def test_an_employee_without_a_staff_code_is_named_by_wonde_id() -> None:
    nameless = {**TEACHER_E, "id": "A77", "employee_code": None}
    with pytest.raises(WondeRosterInvalid) as raised:
        roster_from_employees([HEAD_E, nameless], held(HEAD), school_id=SCHOOL)
    assert str(raised.value.problems[0]) == "employee A77, staff_id: is required"


def test_staff_id_can_come_from_another_wonde_field() -> None:
    head = {
        **HEAD_E,
        "employment_details": {"data": {**HEAD_E["employment_details"]["data"], "fte": 1}},
    }
    roster = roster_from_employees([head], [], school_id=SCHOOL, staff_id_from="mis_id")
    assert roster.members[0].staff_id == "1"


def test_leavers_guard_weighs_staff_in_post_not_governors() -> None:
    people = held(HEAD, DEPUTY, TEACHER, GOVERNOR)
    roster = roster_from_employees([HEAD_E, DEPUTY_E], people, school_id=SCHOOL)
    changes = diff_roster(people, roster, today=TODAY, settings=CycleSettings())
    assert changes.leaving_share() == (1, 3)
    check_leavers(changes, 34)  # 1 of 3 is 33%
    with pytest.raises(TooManyLeavers, match="1 of the school's 3 staff would become leavers"):
        check_leavers(changes, 33)


def _with_wonde(settings: str) -> str:
    return MINIMAL + "    wonde:\n" + "".join(f"      {line}\n" for line in settings.splitlines())


def test_trust_file_wonde_settings_default_to_twenty_percent() -> None:
    arn = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:growthcycle/oak-valley/wonde/first-school-AbCdEf"
    config = parse_trust(_with_wonde(f"school_id: A1930499544\ntoken_secret_arn: {arn}"))
    wonde = config.schools[0].wonde
    assert wonde is not None
    assert (wonde.max_leavers_percent, wonde.staff_id_from) == (20, "employee_code")


def test_trust_file_wonde_token_must_be_a_secret_arn() -> None:
    with pytest.raises(TrustConfigInvalid) as raised:
        parse_trust(_with_wonde("school_id: A1930499544\ntoken_secret_arn: my-token"))
    assert any(
        "schools[0].wonde.token_secret_arn" in p and "Secrets Manager secret ARN" in p
        for p in raised.value.problems
    ), raised.value.problems


def test_section_three_contract_and_induction_columns_are_kept_as_held() -> None:
    # Wonde gives no induction dates: a sync must not start appraising a teacher in induction.
    in_induction = held(HEAD, DEPUTY, TEACHER)
    teacher = in_induction[2].model_copy(
        update={"induction_start": date(2026, 9, 1), "induction_end": date(2027, 7, 20)}
    )
    people = [*in_induction[:2], teacher]
    roster = roster_from_employees([HEAD_E, DEPUTY_E, TEACHER_E], people, school_id=SCHOOL)
    assert roster.member("T1").induction_end == date(2027, 7, 20)
    assert not diff_roster(people, roster, today=TODAY, settings=CycleSettings()).changed
