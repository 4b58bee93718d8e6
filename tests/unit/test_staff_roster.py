"""Staff rosters: MIS headers are understood, and every bad row is reported with row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from growthcycle.domain.staff import (
    REQUIRED_COLUMNS,
    RosterInvalid,
    RowProblem,
    UnknownStaffMember,
    load_roster,
    parse_roster,
)
from growthcycle.domain.trust import load_trust

ROOT = Path(__file__).resolve().parents[2]
DEMO_TRUST = ROOT / "infra" / "trusts" / "demo-trust.yaml"
DEMO_ROSTERS = ROOT / "infra" / "trusts" / "demo-trust"

HEADER = (
    "staff_id,first_name,last_name,email,roles,job_title,line_manager_id,fte,"
    "qualified_teacher,start_date,leaving_date"
)
HEAD = "H1,Helen,Whitaker,h.whitaker@school.example,headteacher,Headteacher,,1,yes,2018-09-01,"
TEACHER = "T1,Emma,Clarke,e.clarke@school.example,teacher,Year 2 Teacher,H1,0.6,yes,2019-09-02,"


def csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def problems_in(text: str) -> list[RowProblem]:
    with pytest.raises(RosterInvalid) as raised:
        parse_roster(text, school_id="test-school")
    return raised.value.problems


# --- good files -----------------------------------------------------------------------------


def test_a_row_becomes_a_staff_member_with_a_stable_person_id() -> None:
    roster = parse_roster(csv(HEAD, TEACHER), school_id="test-school")

    teacher = roster.member("T1")
    assert teacher.person_id == "test-school.t1"
    assert teacher.name == "Emma Clarke"
    assert teacher.roles == ("teacher",)
    assert teacher.fte == 0.6
    assert teacher.qualified_teacher is True
    assert teacher.start_date == date(2019, 9, 2)
    assert teacher.leaving_date is None
    assert teacher.line_manager_id == "H1"
    assert teacher.line_manager_person_id == "test-school.h1"
    assert roster.line_reports("H1") == (teacher,)


def test_the_same_row_gives_the_same_person_id_every_import() -> None:
    first = parse_roster(csv(HEAD), school_id="test-school")
    second = parse_roster(csv(HEAD), school_id="test-school")

    assert first.member("h1").person_id == second.member("H1").person_id == "test-school.h1"


def test_mis_export_headers_are_understood() -> None:
    header = (
        "Person ID, Legal forename ,Preferred forename,LEGAL SURNAME,Work e-mail,Email address,"
        "Roles,Post,Reports to,Full-time equivalent,QTS,Employment start,Employment end,"
        "Ethnicity"
    )
    text = csv(
        "H1,Helen,,Whitaker,,h.whitaker@school.example,Headteacher,Headteacher,,1,Y,"
        "01/09/2018,,White British",
        "T1,Emily,Emma,Clarke,,e.clarke@school.example,Teacher,Teacher,H1,0.6,N,"
        "2019-09-02,31/08/2027,",
        header=header,
    )

    roster = parse_roster(text, school_id="test-school")

    head, teacher = roster.members
    assert (head.first_name, head.start_date) == ("Helen", date(2018, 9, 1))
    assert teacher.first_name == "Emma"  # the preferred forename, when given
    assert teacher.email == "e.clarke@school.example"
    assert teacher.qualified_teacher is False
    assert teacher.leaving_date == date(2027, 8, 31)


def test_a_utf8_bom_is_ignored() -> None:
    roster = parse_roster("\ufeff" + csv(HEAD), school_id="test-school")

    assert roster.member("H1").first_name == "Helen"


def test_load_roster_reads_a_file_saved_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(csv(HEAD.replace("Helen", "Siân")).encode("utf-8-sig"))

    assert load_roster(path, "test-school").member("H1").first_name == "Siân"


def test_roles_are_separated_by_semicolons_in_any_case() -> None:
    row = HEAD.replace(",headteacher,", ", Headteacher ; Line Manager;cpd-lead;,")

    roster = parse_roster(csv(row), school_id="test-school")

    assert roster.member("H1").roles == ("headteacher", "line-manager", "cpd-lead")


def test_governors_need_no_fte_and_are_not_staff() -> None:
    governor = (
        "G1,Michael,Turner,m.turner@school.example,governor,Chair of Governors,,,no,2022-09-01,"
    )

    roster = parse_roster(csv(HEAD, governor), school_id="test-school")

    assert roster.member("G1").fte is None
    assert not roster.member("G1").is_staff
    assert roster.member("H1").is_staff


def test_the_pay_committee_is_of_governors_7() -> None:
    # 7: "governors who are responsible for making pay decisions" are recorded as pay-committee.
    member = "G1,Ann,Lee,a.lee@school.example,governor;pay-committee,Governor,,,no,2022-09-01,"
    roster = parse_roster(csv(HEAD, member), school_id="test-school")
    assert roster.member("G1").roles == ("governor", "pay-committee")
    assert not roster.member("G1").is_staff

    teacher = "T9,Tom,Lee,t.lee@school.example,teacher;pay-committee,Teacher,,1,yes,2022-09-01,"
    assert problems_in(csv(HEAD, teacher)) == [
        RowProblem(3, "roles", "pay-committee is for a governor: add governor beside it")
    ]


def test_blank_lines_are_skipped_but_still_counted() -> None:
    problems = problems_in(csv(HEAD, "", TEACHER.replace("0.6", "6")))

    assert problems == [RowProblem(4, "fte", "'6': must be above 0 and at most 1, such as 0.6")]


# --- bad files: every problem, with row and column ----------------------------------------------


def test_every_bad_row_is_reported_with_row_and_column() -> None:
    text = csv(
        HEAD,
        TEACHER,
        "T2,Tom,Bennett,not-an-email,teacher,Year 6 Teacher,X9,1.5,maybe,2024-02-30,",
        "T1,James,Hughes,E.CLARKE@school.example,teacher;wizard,Year 5 Teacher,T2,0,yes,,",
        "T3,,Doyle,k.doyle@school.example,,,,abc,no,2020-09-01,2019-01-01",
    )

    assert [(p.row, p.column) for p in problems_in(text)] == [
        (4, "email"),
        (4, "line_manager_id"),
        (4, "fte"),
        (4, "qualified_teacher"),
        (4, "start_date"),
        (5, "staff_id"),
        (5, "email"),
        (5, "roles"),
        (5, "line_manager_id"),
        (5, "fte"),
        (5, "start_date"),
        (6, "first_name"),
        (6, "roles"),
        (6, "job_title"),
        (6, "fte"),
        (6, "leaving_date"),
    ]


def test_problem_messages_say_what_is_wrong() -> None:
    text = csv(
        HEAD,
        TEACHER,
        "T1,James,Hughes,E.CLARKE@school.example,teacher;wizard,Year 5 Teacher,X9,1,yes,2024-13-01,",
    )

    assert [str(p) for p in problems_in(text)] == [
        "row 4, staff_id: duplicate staff_id 'T1' (also row 3)",
        "row 4, email: duplicate email 'e.clarke@school.example' (also row 3)",
        "row 4, roles: unknown role 'wizard'; use headteacher, line-manager, teacher, support, "
        "cpd-lead, governor, pay-committee, external-adviser",
        "row 4, line_manager_id: no staff_id 'X9' in this file",
        "row 4, start_date: '2024-13-01' is not a real date: use YYYY-MM-DD, such as 2021-09-01",
    ]


def test_line_manager_must_manage() -> None:
    text = csv(
        HEAD,
        TEACHER,
        "T2,Tom,Bennett,t.bennett@school.example,teacher,Teacher,T1,1,yes,2024-09-02,",
    )

    assert problems_in(text) == [
        RowProblem(4, "line_manager_id", "'T1' (row 3) is not a headteacher or line-manager")
    ]


def test_line_managers_cannot_manage_each_other_in_a_loop() -> None:
    text = csv(
        HEAD,
        "L1,David,Okafor,d.okafor@school.example,line-manager,Deputy,L2,1,yes,2015-09-01,",
        "L2,Sarah,Pritchard,s.pritchard@school.example,line-manager,Assistant,L1,1,yes,2016-01-04,",
        "T1,Emma,Clarke,e.clarke@school.example,teacher,Teacher,L1,1,yes,2019-09-02,",
    )

    assert problems_in(text) == [
        RowProblem(3, "line_manager_id", "line managers go round in a loop: L1 -> L2 -> L1"),
        RowProblem(4, "line_manager_id", "line managers go round in a loop: L2 -> L1 -> L2"),
    ]


def test_nobody_is_their_own_line_manager() -> None:
    assert problems_in(csv(HEAD.replace(",,1,", ",H1,1,"))) == [
        RowProblem(2, "line_manager_id", "cannot be the person's own staff_id")
    ]


def test_staff_id_must_be_safe_in_a_key() -> None:
    assert problems_in(csv(HEAD.replace("H1,", "H#1,", 1))) == [
        RowProblem(2, "staff_id", "'H#1': use letters, digits, - and _ only")
    ]


def test_staff_need_an_fte() -> None:
    assert problems_in(csv(HEAD.replace(",,1,", ",,,"))) == [
        RowProblem(2, "fte", "is required for staff: a number above 0 and at most 1, such as 0.6")
    ]


def test_extra_values_beyond_the_header_are_a_problem() -> None:
    assert problems_in(csv(HEAD + ",surprise")) == [
        RowProblem(2, "", "has 12 values but the header has 11")
    ]


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_a_missing_required_column_is_reported_on_the_header_row(column: str) -> None:
    names = HEADER.split(",")
    index = names.index(column)
    header = ",".join(n for i, n in enumerate(names) if i != index)
    row = ",".join(v for i, v in enumerate(HEAD.split(",")) if i != index)

    [problem] = problems_in(csv(row, header=header))

    assert (problem.row, problem.column) == (1, column)
    assert problem.problem.startswith("missing column")


def test_a_header_given_twice_is_a_problem() -> None:
    [problem] = problems_in(csv(HEAD + ",x@school.example", header=HEADER + ",Email"))

    assert problem == RowProblem(1, "email", "the header 'Email' appears twice")


def test_an_empty_file_is_a_problem() -> None:
    assert problems_in("") == [RowProblem(1, "", "the file has no header row")]


def test_a_header_with_nobody_is_a_problem() -> None:
    assert problems_in(csv()) == [RowProblem(2, "", "the file lists nobody")]


def test_unknown_staff_id_lookup_is_an_error() -> None:
    with pytest.raises(UnknownStaffMember):
        parse_roster(csv(HEAD), school_id="test-school").member("nobody")


# --- the demo rosters ---------------------------------------------------------------------------


@pytest.mark.parametrize("school_id", ["oakfield-primary", "riverside-academy"])
def test_demo_roster_parses_with_everyone_the_demo_needs(school_id: str) -> None:
    roster = load_roster(DEMO_ROSTERS / f"staff-{school_id}.csv", school_id)

    assert len(roster) >= 8
    assert len(roster.with_role("headteacher")) == 1
    assert 1 <= len(roster.with_role("line-manager")) <= 2
    assert len(roster.with_role("cpd-lead")) == 1
    assert 2 <= len(roster.with_role("governor")) <= 3
    assert any(m.fte == 0.6 for m in roster.with_role("teacher"))
    assert len(roster.with_role("support")) >= 2
    for governor in roster.with_role("governor"):
        assert governor.line_manager_id is None
    for member in roster:
        assert member.person_id.startswith(f"{school_id}.")
        assert member.is_staff == (
            member.line_manager_id is not None or member.has_role("headteacher")
        )


def test_every_demo_school_has_a_roster_and_one_has_an_external_adviser() -> None:
    schools = [s.id for s in load_trust(DEMO_TRUST).schools]
    rosters = [load_roster(DEMO_ROSTERS / f"staff-{s}.csv", s) for s in schools]

    assert sum(len(r) for r in rosters) >= 16
    assert [len(r.with_role("external-adviser")) for r in rosters] == [1, 0]
