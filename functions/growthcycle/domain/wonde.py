"""A school's roster from its MIS through Wonde: employees mapped to the roster's columns
(domain/staff.py), so a sync is checked, compared and written exactly as a CSV import is.

What Wonde gives (REST API v1.0, `employees?include=employment_details,contact_details`), and the
column each fills:

===================  ====================================================================
staff_id             the employee field the school's `wonde.staff_id_from` names (default
                     `employee_code`, the MIS staff code, as the CSV's Staff code column)
first_name           `forename` (else `legal_forename`)
last_name            `surname` (else `legal_surname`)
email                `contact_details.data.emails.work` (else `.email`, else `.primary`)
job_title            `employment_details.data.job_title` (else `.post`, `.role`)
fte                  `employment_details.data.fte` (else `.full_time_equivalent`) when given
qualified_teacher    `employment_details.data.qualified_teacher_status` when given
start_date           `employment_details.data.employment_start_date.date`
leaving_date         `employment_details.data.employment_end_date.date`
===================  ====================================================================

What Wonde does not know is kept as Growth Cycle holds it (docs/operations.md, "Which field
wins"): the Growth Cycle roles, the line manager, the contract and induction columns that
decide who is not appraised (3), and the FTE and qualified teacher status when
Wonde leaves them out. Someone new to Growth Cycle gets the role `teacher` if Wonde says they are
teaching staff, else `support`, no line manager, and qualified teacher status as teaching staff;
a new member of staff with no FTE from Wonde is a problem (the roster requires it), fixed by
importing them once from the CSV. A kept line manager who is no longer in the roster, or no
longer manages, is dropped (the change is reported as an update of the line manager).

Governors and external advisers are not MIS employees: they are kept as held, never made
leavers by a sync (3: they take part but are not reviewed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from growthcycle.domain.people import Person
from growthcycle.domain.staff import (
    COLUMNS,
    MANAGING_ROLES,
    Roster,
    RosterInvalid,
    parse_records,
    person_id_for,
)
from growthcycle.domain.trust import WondeStaffIdFrom as StaffIdFrom


@dataclass(frozen=True)
class EmployeeProblem:
    """A problem with one Wonde employee, named by Wonde's own id (never their name or email)."""

    employee_id: str
    column: str
    problem: str

    def __str__(self) -> str:
        where = f"employee {self.employee_id}"
        return (
            f"{where}, {self.column}: {self.problem}" if self.column else f"{where}: {self.problem}"
        )


class WondeRosterInvalid(ValueError):
    """Employees that cannot make a roster; `problems` lists every one. Nothing is applied."""

    def __init__(self, problems: list[EmployeeProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _data(value: Any) -> dict[str, Any]:
    """Wonde wraps an included object as {"data": {...}}."""
    if isinstance(value, Mapping):
        inner = value.get("data", value)
        if isinstance(inner, Mapping):
            return dict(inner)
    return {}


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _first(record: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        text = _text(record.get(key))
        if text:
            return text
    return ""


def _date(value: Any) -> str:
    """Wonde's dates are {"date": "2021-09-01 00:00:00.000000", "timezone": ...}."""
    if isinstance(value, Mapping):
        value = value.get("date")
    return _text(value)[:10]


def _fte(employment: Mapping[str, Any]) -> str:
    return _first(employment, "fte", "full_time_equivalent")


def employee_record(employee: Mapping[str, Any], staff_id_from: StaffIdFrom) -> dict[str, str]:
    """The roster columns Wonde fills for one employee; the rest are left empty."""
    employment = _data(employee.get("employment_details"))
    emails = _data(_data(employee.get("contact_details")).get("emails"))
    record = dict.fromkeys(COLUMNS, "")
    record |= {
        "staff_id": _text(employee.get(staff_id_from)),
        "first_name": _first(employee, "forename", "legal_forename"),
        "last_name": _first(employee, "surname", "legal_surname"),
        "email": _first(emails, "work", "email", "primary"),
        "job_title": _first(employment, "job_title", "post", "role"),
        "fte": _fte(employment),
        "qualified_teacher": _text(employment.get("qualified_teacher_status")),
        "start_date": _date(employment.get("employment_start_date")),
        "leaving_date": _date(employment.get("employment_end_date")),
    }
    return record


def _teaching(employee: Mapping[str, Any]) -> bool:
    return bool(_data(employee.get("employment_details")).get("teaching_staff"))


def roster_from_employees(
    employees: Sequence[Mapping[str, Any]],
    held: Sequence[Person],
    *,
    school_id: str,
    staff_id_from: StaffIdFrom = "employee_code",
) -> Roster:
    """The school's roster as of Wonde's employees, with the fields Wonde lacks kept from the
    people held (see the module docstring). Raises `WondeRosterInvalid` naming each employee."""
    held_by_id = {p.person_id: p for p in held if p.school_id == school_id}
    records: list[dict[str, str]] = []
    employee_ids: list[str] = []
    for employee in employees:
        record = employee_record(employee, staff_id_from)
        kept = (
            held_by_id.get(person_id_for(school_id, record["staff_id"]))
            if record["staff_id"]
            else None
        )
        if kept is not None:
            record["roles"] = ";".join(kept.roles)
            record["line_manager_id"] = kept.line_manager_id or ""
            if not record["fte"] and kept.fte is not None:
                record["fte"] = str(kept.fte)
            if not record["qualified_teacher"]:
                record["qualified_teacher"] = "yes" if kept.qualified_teacher else "no"
            record |= _exclusion_columns(kept)
        else:
            teaching = _teaching(employee)
            record["roles"] = "teacher" if teaching else "support"
            if not record["qualified_teacher"]:
                record["qualified_teacher"] = "yes" if teaching else "no"
        records.append(record)
        employee_ids.append(_text(employee.get("id")) or "(no id)")

    in_wonde = {person_id_for(school_id, r["staff_id"]) for r in records if r["staff_id"]}
    for person in held_by_id.values():
        if person.person_id not in in_wonde and not person.is_staff:
            records.append(_held_record(person))  # governors, external advisers: kept (3)
            employee_ids.append(f"(held {person.staff_id})")
    _drop_lost_line_managers(records)

    try:
        return parse_records(records, school_id)
    except RosterInvalid as invalid:
        raise WondeRosterInvalid(
            [
                EmployeeProblem(
                    employee_ids[p.row - 2] if 2 <= p.row < len(records) + 2 else "",
                    p.column,
                    _explained(p.column, p.problem),
                )
                for p in invalid.problems
            ]
        ) from None


def _explained(column: str, problem: str) -> str:
    if column == "fte" and "required" in problem:
        return f"{problem}; Wonde gives none: import this person once from the CSV"
    return problem


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def _exclusion_columns(person: Person) -> dict[str, str]:
    """Section 3's contract and induction columns: Wonde does not give them; kept as held."""
    return {
        "contract_type": person.contract_type or "",
        "contract_end_date": _day(person.contract_end_date),
        "induction_start": _day(person.induction_start),
        "induction_end": _day(person.induction_end),
    }


def _held_record(person: Person) -> dict[str, str]:
    return _exclusion_columns(person) | {
        "staff_id": person.staff_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "roles": ";".join(person.roles),
        "job_title": person.job_title,
        "line_manager_id": person.line_manager_id or "",
        "fte": "" if person.fte is None else str(person.fte),
        "qualified_teacher": "yes" if person.qualified_teacher else "no",
        "start_date": person.start_date.isoformat(),
        "leaving_date": _day(person.leaving_date),
    }


def _drop_lost_line_managers(records: list[dict[str, str]]) -> None:
    """A kept line manager must still be in the roster and still manage; otherwise none."""
    managers = {
        r["staff_id"].casefold()
        for r in records
        if r["staff_id"] and MANAGING_ROLES & set(r["roles"].split(";"))
    }
    for record in records:
        manager = record["line_manager_id"]
        if manager and manager.casefold() not in managers:
            record["line_manager_id"] = ""
