"""A school's staff roster: the CSV a school's MIS exports, one row a person.

The staff import reads these files, and the demo seeds itself from the same format
(`infra/trusts/demo-trust/staff-<school id>.csv`). Header row first; UTF-8, with or without a BOM.

Columns (canonical name, then the MIS export headers also accepted). Headers are matched ignoring
case, spaces, hyphens, underscores and dots; columns not listed here are ignored. Where a file has
more than one accepted header for a column, the first non-empty value in the order below wins
(so a preferred forename beats a legal one, which fills in when the preferred one is blank).

=================  =========================================================================
staff_id           Staff ID, Person ID, Staff code, Employee ID, Employee number,
                   Payroll number, UPN. Letters, digits, - and _ only; unique ignoring case.
first_name         First name, Preferred forename, Forename, Legal forename, Given name
last_name          Last name, Preferred surname, Surname, Legal surname, Family name
email              Email, Work email, Work email address, School email, Email address,
                   E-mail, Work e-mail; unique ignoring case.
roles              Roles, Role, Growth Cycle roles. Semicolon-separated, from: headteacher,
                   line-manager, teacher, support, cpd-lead, governor, pay-committee,
                   external-adviser. pay-committee marks a governor responsible for pay
                   decisions (7): only they see a final statement's overall assessment and
                   pay recommendation; it needs the governor role beside it.
job_title          Job title, Post, Post title, Position
line_manager_id    Line manager ID, Line manager staff ID, Line manager, Reports to,
                   Manager ID. Optional column; empty for no line manager. Must be the
                   staff_id of someone in the same file with the headteacher or line-manager
                   role; following line managers upwards must not come back round.
fte                FTE, Full-time equivalent, FTE ratio. A number above 0 and at most 1.
                   May be empty for governors and external advisers, who are not staff.
qualified_teacher  Qualified teacher, QTS, QTS status, Qualified teacher status, Has QTS.
                   yes/no (also y/n, true/false, 1/0).
start_date         Start date, Employment start, Employment start date, Contract start,
                   Date joined. YYYY-MM-DD (DD/MM/YYYY, as UK MIS exports write it, also
                   accepted).
leaving_date       Leaving date, Employment end, Employment end date, End date, Date left.
                   Optional column and value; not before start_date.
contract_type      Contract type, Contract basis, Employment type, Contract. Optional:
                   permanent, fixed-term (also fixed term, temporary); empty: permanent.
contract_end_date  Contract end date, Contract end, Fixed term end date, Fixed term end.
                   Optional; required for a fixed-term contract, none for a permanent one;
                   not before start_date. A contract of less than two terms (26 weeks,
                   start_date to this date) is not appraised (3); one of under a year has a
                   cycle that ends on this date (3).
induction_start    Induction start, Induction start date, ECT induction start, NQT
                   induction start. Optional: an early career teacher's statutory induction.
induction_end      Induction end, Induction end date, ECT induction end, NQT induction end.
                   Optional; not before induction_start. While in induction (from
                   induction_start, or start_date, up to induction_end) a teacher is not
                   appraised (3) and is shown as such.
=================  =========================================================================

`parse_roster` checks the whole file and raises `RosterInvalid` listing every problem, each with
the row number a spreadsheet shows (the header is row 1) and the column's canonical name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from growthcycle.domain.text import has_control_characters

Role = Literal[
    "headteacher",
    "line-manager",
    "teacher",
    "support",
    "cpd-lead",
    "governor",
    "pay-committee",
    "external-adviser",
]
ROLES: tuple[Role, ...] = typing.get_args(Role)
# 3 and 4.2: governors and external advisers take part (the headteacher's reviewers) but are
# not themselves reviewed.
NON_STAFF_ROLES: frozenset[Role] = frozenset({"governor", "pay-committee", "external-adviser"})
MANAGING_ROLES: frozenset[Role] = frozenset({"headteacher", "line-manager"})

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "staff_id": (
        "staff id",
        "person id",
        "staff code",
        "employee id",
        "employee number",
        "payroll number",
        "upn",
    ),
    "first_name": ("first name", "preferred forename", "forename", "legal forename", "given name"),
    "last_name": ("last name", "preferred surname", "surname", "legal surname", "family name"),
    "email": (
        "email",
        "work email",
        "work email address",
        "school email",
        "email address",
        "e-mail",
        "work e-mail",
    ),
    "roles": ("roles", "role", "growth cycle roles"),
    "job_title": ("job title", "post", "post title", "position"),
    "line_manager_id": (
        "line manager id",
        "line manager staff id",
        "line manager",
        "reports to",
        "manager id",
    ),
    "fte": ("fte", "full time equivalent", "fte ratio"),
    "qualified_teacher": (
        "qualified teacher",
        "qts",
        "qts status",
        "qualified teacher status",
        "has qts",
    ),
    "start_date": (
        "start date",
        "employment start",
        "employment start date",
        "contract start",
        "date joined",
    ),
    "leaving_date": (
        "leaving date",
        "employment end",
        "employment end date",
        "end date",
        "date left",
    ),
    # 3: what decides who the policy covers. Optional columns (older files and MIS exports
    # without them still import; Wonde's sync fills them when it can).
    "contract_type": (
        "contract type",
        "contract basis",
        "employment type",
        "contract",
    ),
    "contract_end_date": (
        "contract end date",
        "contract end",
        "fixed term end date",
        "fixed term end",
    ),
    "induction_start": (
        "induction start",
        "induction start date",
        "ect induction start",
        "nqt induction start",
    ),
    "induction_end": (
        "induction end",
        "induction end date",
        "ect induction end",
        "nqt induction end",
    ),
}
COLUMNS: tuple[str, ...] = tuple(COLUMN_ALIASES)
OPTIONAL_COLUMNS: frozenset[str] = frozenset(
    {
        "line_manager_id",
        "leaving_date",
        "contract_type",
        "contract_end_date",
        "induction_start",
        "induction_end",
    }
)
ContractType = Literal["permanent", "fixed-term"]
# How MIS exports spell a contract type, normalised (case, spaces, hyphens ignored).
CONTRACT_TYPES: dict[str, ContractType] = {
    "permanent": "permanent",
    "fixed term": "fixed-term",
    "fixedterm": "fixed-term",
    "temporary": "fixed-term",
}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)

_STAFF_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


# --- errors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One problem: `row` as a spreadsheet numbers it (header = 1), `column` its canonical name."""

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.problem}"


class RosterInvalid(ValueError):
    """A roster that cannot be imported; `problems` lists every one."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UnknownStaffMember(LookupError):
    def __init__(self, staff_id: str) -> None:
        self.staff_id = staff_id
        super().__init__(f"no staff_id {staff_id!r} in this roster")


# --- the roster -----------------------------------------------------------------------------------


def person_id_for(school_id: str, staff_id: str) -> str:
    """The stable person id: the same school and staff_id give the same person every import."""
    return f"{school_id}.{staff_id}".lower()


class StaffMember(BaseModel):
    """One row of a roster. Field names match `growthcycle.domain.people.Person`."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    school_id: str
    staff_id: str
    first_name: str
    last_name: str
    email: str  # lowercased
    roles: tuple[Role, ...]
    job_title: str
    line_manager_id: str | None  # a staff_id in the same roster
    fte: float | None  # None only for governors and external advisers
    qualified_teacher: bool
    start_date: dt.date
    leaving_date: dt.date | None = None
    # 3: who the policy covers (domain/people.py `appraisal_exclusion` decides from these).
    contract_type: ContractType | None = None  # None: not given (treated as permanent)
    contract_end_date: dt.date | None = None  # the end of a fixed-term contract
    induction_start: dt.date | None = None  # an early career teacher's statutory induction
    induction_end: dt.date | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name}".casefold()

    @property
    def line_manager_person_id(self) -> str | None:
        if self.line_manager_id is None:
            return None
        return person_id_for(self.school_id, self.line_manager_id)

    @property
    def is_staff(self) -> bool:
        """Governors and external advisers are not reviewed (3: who the policy covers)."""
        return not set(self.roles) <= NON_STAFF_ROLES

    def has_role(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Roster:
    """A school's people, in the file's order."""

    school_id: str
    members: tuple[StaffMember, ...]

    def __iter__(self) -> Iterator[StaffMember]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    def member(self, staff_id: str) -> StaffMember:
        wanted = staff_id.casefold()
        for member in self.members:
            if member.staff_id.casefold() == wanted:
                return member
        raise UnknownStaffMember(staff_id)

    def with_role(self, role: Role) -> tuple[StaffMember, ...]:
        return tuple(m for m in self.members if role in m.roles)

    def line_reports(self, staff_id: str) -> tuple[StaffMember, ...]:
        manager = self.member(staff_id).staff_id
        return tuple(m for m in self.members if m.line_manager_id == manager)


# --- parsing --------------------------------------------------------------------------------------


def _normalise(header: str) -> str:
    return " ".join(re.sub(r"[_\-.]+", " ", header.replace("\ufeff", "")).casefold().split())


_ALIAS_TO_COLUMN = {
    _normalise(alias): column for column, aliases in COLUMN_ALIASES.items() for alias in aliases
}
_ALIAS_TO_COLUMN.update({_normalise(column): column for column in COLUMNS})


def _display(column: str) -> str:
    return ", ".join(a.capitalize() for a in COLUMN_ALIASES[column])


def _column_sources(header: list[str]) -> tuple[dict[str, list[int]], list[RowProblem]]:
    """For each canonical column, the header positions that give it, most preferred first."""
    problems: list[RowProblem] = []
    found: dict[str, list[tuple[int, int]]] = {}  # column -> [(preference, position)]
    seen: dict[str, int] = {}
    for position, raw in enumerate(header):
        name = _normalise(raw)
        if not name:
            continue
        if name in seen:
            problems.append(
                RowProblem(1, _ALIAS_TO_COLUMN.get(name, raw), f"the header {raw!r} appears twice")
            )
            continue
        seen[name] = position
        column = _ALIAS_TO_COLUMN.get(name)
        if column is None:
            continue
        aliases = [_normalise(a) for a in COLUMN_ALIASES[column]]
        preference = aliases.index(name) if name in aliases else -1  # canonical name first
        found.setdefault(column, []).append((preference, position))
    for column in REQUIRED_COLUMNS:
        if column not in found:
            problems.append(
                RowProblem(1, column, f"missing column (headed {column} or {_display(column)})")
            )
    sources = {column: [p for _, p in sorted(places)] for column, places in found.items()}
    return sources, problems


def _value(record: list[str], positions: list[int]) -> str:
    for position in positions:
        if position < len(record) and record[position].strip():
            return record[position].strip()
    return ""


def _parse_date(text: str) -> dt.date:
    uk = _UK_DATE.match(text)
    if uk:
        return dt.date(int(uk[3]), int(uk[2]), int(uk[1]))
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


@dataclass
class _Row:
    """One data row's cleaned values, and its problems, before the whole-file checks."""

    number: int
    values: dict[str, object]
    problems: list[RowProblem]

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.number, column, message))


def _parse_row(number: int, raw: dict[str, str]) -> _Row:
    row = _Row(number, {}, [])
    values = row.values
    # A line break, tab or NUL inside a cell (a quoted CSV value may hold one) would reach email
    # subjects and pages: refused here, whatever the column, so the school fixes it at source.
    for column in COLUMNS:
        if has_control_characters(raw[column]):
            row.problem(
                column,
                "contains a control character (a line break, tab or NUL): remove it in the "
                "school's system and export again",
            )
            raw = {**raw, column: ""}

    staff_id = raw["staff_id"]
    if not staff_id:
        row.problem("staff_id", "is required")
    elif not _STAFF_ID.match(staff_id):
        row.problem("staff_id", f"{staff_id!r}: use letters, digits, - and _ only")
    values["staff_id"] = staff_id

    for column in ("first_name", "last_name", "job_title"):
        if not raw[column]:
            row.problem(column, "is required")
        values[column] = raw[column]

    email = raw["email"].lower()
    if not email:
        row.problem("email", "is required")
    elif not _EMAIL.match(email):
        row.problem("email", f"{raw['email']!r} is not an email address")
    values["email"] = email

    roles: list[Role] = []
    for part in raw["roles"].split(";"):
        name = "-".join(part.strip().lower().split())
        if not name:
            continue
        if name not in ROLES:
            row.problem("roles", f"unknown role {part.strip()!r}; use {', '.join(ROLES)}")
        elif name not in roles:
            roles.append(typing.cast(Role, name))
    if not raw["roles"].strip(" ;"):
        row.problem("roles", f"is required: one or more of {', '.join(ROLES)}, separated by ;")
    if "pay-committee" in roles and "governor" not in roles:
        # 7: "governors responsible for pay decisions": the pay committee is of governors.
        row.problem("roles", "pay-committee is for a governor: add governor beside it")
    values["roles"] = tuple(roles)
    not_staff = bool(roles) and set(roles) <= NON_STAFF_ROLES

    fte_text = raw["fte"]
    values["fte"] = None
    if not fte_text:
        if not not_staff:
            row.problem("fte", "is required for staff: a number above 0 and at most 1, such as 0.6")
    else:
        try:
            fte = float(fte_text)
        except ValueError:
            fte = float("nan")
        if not 0 < fte <= 1:  # also refuses nan
            row.problem("fte", f"{fte_text!r}: must be above 0 and at most 1, such as 0.6")
        values["fte"] = fte

    qualified = raw["qualified_teacher"].lower()
    if qualified in _YES | _NO:
        values["qualified_teacher"] = qualified in _YES
    else:
        row.problem("qualified_teacher", "must be yes or no")

    for column, required in (("start_date", True), ("leaving_date", False)):
        text = raw[column]
        values[column] = None
        if not text:
            if required:
                row.problem(column, "is required: a date such as 2021-09-01")
            continue
        try:
            values[column] = _parse_date(text)
        except ValueError:
            row.problem(column, f"{text!r} is not a real date: use YYYY-MM-DD, such as 2021-09-01")
    start, leaving = values["start_date"], values["leaving_date"]
    if isinstance(start, dt.date) and isinstance(leaving, dt.date) and leaving < start:
        row.problem("leaving_date", "must not be before start_date")

    values["line_manager_id"] = raw["line_manager_id"] or None
    _parse_contract(row, raw)
    return row


def _parse_contract(row: _Row, raw: dict[str, str]) -> None:
    """3: the contract and induction columns, all optional."""
    values = row.values
    kind = raw["contract_type"]
    values["contract_type"] = None
    if kind:
        found = CONTRACT_TYPES.get(" ".join(re.sub(r"[_\-]+", " ", kind).casefold().split()))
        if found is None:
            row.problem("contract_type", f"{kind!r}: use permanent, fixed-term or temporary")
        values["contract_type"] = found
    for column in ("contract_end_date", "induction_start", "induction_end"):
        text = raw[column]
        values[column] = None
        if not text:
            continue
        try:
            values[column] = _parse_date(text)
        except ValueError:
            row.problem(column, f"{text!r} is not a real date: use YYYY-MM-DD, such as 2021-09-01")
    start, ends = values["start_date"], values["contract_end_date"]
    if isinstance(start, dt.date) and isinstance(ends, dt.date) and ends < start:
        row.problem("contract_end_date", "must not be before start_date")
    if values["contract_type"] == "fixed-term" and not raw["contract_end_date"]:
        row.problem("contract_end_date", "is required for a fixed-term contract")
    if values["contract_type"] == "permanent" and isinstance(ends, dt.date):
        row.problem("contract_end_date", "a permanent contract has no end date")
    begins, finishes = values["induction_start"], values["induction_end"]
    if isinstance(begins, dt.date) and isinstance(finishes, dt.date) and finishes < begins:
        row.problem("induction_end", "must not be before induction_start")


def _check_whole_file(rows: list[_Row]) -> None:
    """Duplicates and line managers: the checks that need every row."""
    by_staff_id: dict[str, _Row] = {}
    by_email: dict[str, _Row] = {}
    for row in rows:
        staff_id = str(row.values["staff_id"])
        if staff_id:
            first = by_staff_id.setdefault(staff_id.casefold(), row)
            if first is not row:
                row.problem(
                    "staff_id", f"duplicate staff_id {staff_id!r} (also row {first.number})"
                )
        email = str(row.values["email"])
        if email:
            first = by_email.setdefault(email, row)
            if first is not row:
                row.problem("email", f"duplicate email {email!r} (also row {first.number})")
    for row in rows:
        manager_id = row.values["line_manager_id"]
        if not isinstance(manager_id, str):
            continue
        manager = by_staff_id.get(manager_id.casefold())
        if manager is None:
            row.problem("line_manager_id", f"no staff_id {manager_id!r} in this file")
        elif manager is row:
            row.problem("line_manager_id", "cannot be the person's own staff_id")
        else:
            # Store the manager's staff_id as spelt on their own row.
            row.values["line_manager_id"] = manager.values["staff_id"]
            manager_roles = typing.cast(tuple[Role, ...], manager.values["roles"])
            if not MANAGING_ROLES & set(manager_roles):
                row.problem(
                    "line_manager_id",
                    f"{manager_id!r} (row {manager.number}) is not a headteacher or line-manager",
                )
    _check_no_loops(rows, by_staff_id)


def _check_no_loops(rows: list[_Row], by_staff_id: dict[str, _Row]) -> None:
    """Following line managers upwards must end (at the headteacher), never come back round."""
    for row in rows:
        chain = [row]
        while True:
            manager_id = chain[-1].values["line_manager_id"]
            manager = (
                by_staff_id.get(manager_id.casefold()) if isinstance(manager_id, str) else None
            )
            if manager is None or manager is chain[-1]:
                break
            if manager is row:
                loop = " -> ".join(str(r.values["staff_id"]) for r in [*chain, row])
                row.problem("line_manager_id", f"line managers go round in a loop: {loop}")
                break
            if manager in chain:
                break  # a loop further up, reported on its own rows
            chain.append(manager)


def parse_roster(text: str, school_id: str) -> Roster:
    """Validate a whole roster CSV; raise `RosterInvalid` listing every problem in it."""
    text = text.removeprefix("\ufeff")
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records or not any(cell.strip() for cell in records[0]):
        raise RosterInvalid([RowProblem(1, "", "the file has no header row")])
    sources, problems = _column_sources(records[0])
    if problems:
        raise RosterInvalid(problems)

    numbered: list[tuple[int, dict[str, str]]] = []
    width = len(records[0])
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank row, as spreadsheets leave at the end
        if any(cell.strip() for cell in record[width:]):
            problems.append(
                RowProblem(number, "", f"has {len(record)} values but the header has {width}")
            )
        numbered.append(
            (number, {column: _value(record, sources.get(column, [])) for column in COLUMNS})
        )
    if not numbered:
        raise RosterInvalid([RowProblem(2, "", "the file lists nobody")])
    return _roster_from(numbered, school_id, problems)


def parse_records(records: list[dict[str, str]], school_id: str) -> Roster:
    """Validate a roster given as one text value per column a person (another source than a CSV,
    such as the MIS through Wonde): the same checks as a file, numbered as rows 2, 3, ... in order."""
    if not records:
        raise RosterInvalid([RowProblem(2, "", "the roster lists nobody")])
    numbered = [
        (number, {column: record.get(column, "").strip() for column in COLUMNS})
        for number, record in enumerate(records, start=2)
    ]
    return _roster_from(numbered, school_id, [])


def _roster_from(
    numbered: list[tuple[int, dict[str, str]]], school_id: str, problems: list[RowProblem]
) -> Roster:
    rows = [_parse_row(number, raw) for number, raw in numbered]
    _check_whole_file(rows)
    problems += [p for row in rows for p in row.problems]
    if problems:
        problems.sort(key=lambda p: (p.row, COLUMNS.index(p.column) if p.column else -1))
        raise RosterInvalid(problems)

    members = tuple(
        StaffMember(
            person_id=person_id_for(school_id, str(row.values["staff_id"])),
            school_id=school_id,
            **row.values,
        )
        for row in rows
    )
    return Roster(school_id=school_id, members=members)


def load_roster(path: str | Path, school_id: str) -> Roster:
    """Read a roster file (UTF-8, with or without a BOM) and parse it."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterInvalid(
            [RowProblem(1, "", "the file is not UTF-8: export it as CSV UTF-8")]
        ) from None
    return parse_roster(text, school_id)
