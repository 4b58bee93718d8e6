"""The governors' annual report (10): how the process operated, appeals and their outcomes,
training and development needs by theme, and support that could not be provided, with nobody
identifiable. Plain records in, tables of shown or withheld numbers out; nothing here reads the
table.

Suppression (10: "no individual may be identifiable"):

1. Primary: a count from 1 to `threshold - 1` is shown as "fewer than 5" (the threshold, default 5).
2. A small group: when a row's total is withheld, every number in the row is withheld, zeros too
   ("0 late" in a group of three says all three were on time).
3. A group with a single member (the headteacher) is never shown as a row; it counts in the totals
   only, and its numbers are treated as withheld when protecting the totals.
4. Complementary: every row and every column is a sum with its total. Wherever exactly one number of
   a sum is withheld and the rest are shown, it could be worked out by subtraction, so another is
   withheld too: the smallest non-zero shown number of that sum (a zero would give the first away),
   or else the total. Repeated until nothing changes (a withheld number can force another in its
   column, and so on).
5. A percentage is shown only when the counts it is made of are shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

from growthcycle.domain.cycles import (
    CYCLE_ENDS,
    Cycle,
    MonthDay,
    StaffGroup,
    regular_cycle,
    role_group,
)
from growthcycle.domain.training import STATUSES, THEME_IDS, THEME_LABELS

THRESHOLD = 5

Reason = Literal["", "small", "complementary", "group"]

Timing = Literal["on time", "late", "not yet due"]
ON_TIME: Final = "on time"
LATE: Final = "late"
NOT_YET_DUE: Final = "not yet due"
TIMING_COLUMNS: tuple[Timing, ...] = (ON_TIME, LATE, NOT_YET_DUE)


class YearInvalid(ValueError):
    """The report year is not a cycle name such as 2026-27 or 2027."""

    def __init__(self, text: str) -> None:
        super().__init__(f"{text!r} is not a cycle: use a name like 2026-27 (or 2027)")
        self.text = text


# -- which cycle of each person the report covers ------------------------------------------------

_YEAR = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def end_year(year: str) -> int:
    """The calendar year the named cycle ends in: `2026-27` -> 2027, `2027` -> 2027."""
    found = _YEAR.match(year.strip())
    if not found:
        raise YearInvalid(year)
    first = int(found.group(1))
    if found.group(2) is None:
        return first
    if int(found.group(2)) != (first + 1) % 100:
        raise YearInvalid(year)
    return first + 1


def cycle_in_year(
    roles: Iterable[str],
    year: str,
    *,
    support_staff_cycle: str = "academic-year",
    ends: Mapping[StaffGroup, MonthDay] | None = None,
) -> Cycle:
    """The person's cycle that ENDS in the report year's final calendar year (4.1): for `2026-27`
    a teacher's 2026-27 (to 31 October 2027), support staff's 2026-27 (to 31 August 2027, or 31 March
    2027) and the headteacher's 2027 (to 31 December 2027)."""
    group = role_group(roles, support_staff_cycle)
    month_day = {**CYCLE_ENDS, **(ends or {})}[group]
    return regular_cycle(group, date(end_year(year), *month_day), ends)


# -- the records the report is made from ----------------------------------------------------------

GroupName = Literal["teachers", "support", "headteacher"]
GROUP_LABELS: Mapping[str, str] = {
    "teachers": "Teachers and leaders",
    "support": "Support staff",
    "headteacher": "Headteacher",
}


def group_name(group: StaffGroup) -> GroupName:
    if group == StaffGroup.HEADTEACHER:
        return "headteacher"
    if group == StaffGroup.TEACHER:
        return "teachers"
    return "support"


@dataclass(frozen=True)
class PlanningReview:
    """One member of staff's planning and review in the year (4.1)."""

    group: GroupName
    due: date
    submitted_on: date | None  # the first submitted version's day (Europe/London)


@dataclass(frozen=True)
class StatementRecord:
    """One statement's stages (4.9, 5) and appeals (8). A stage without a due date did not apply."""

    draft_due: date | None = None
    draft_done: date | None = None
    final_due: date | None = None
    final_done: date | None = None
    moderation_due: date | None = None  # only statements chosen for moderation (5)
    moderation_done: date | None = None
    revised_due: date | None = None  # only after a revision instruction (5)
    revised_done: date | None = None
    appeals: tuple[str | None, ...] = ()  # each appeal's outcome; None: not decided yet (8)


@dataclass(frozen=True)
class NeedRecord:
    theme: str
    status: str  # open / provided / not-provided (domain/training.py)


@dataclass(frozen=True)
class ReportInput:
    school_name: str
    year: str
    as_of: date
    planning_reviews: Sequence[PlanningReview]
    statements: Sequence[StatementRecord]
    needs: Sequence[NeedRecord]
    statements_available: bool = True  # False: this deployment records no statements


def timing(due: date, done: date | None, today: date) -> Timing:
    """On time: done by the due date. Late: done after it, or not done and the date has passed."""
    if done is not None:
        return ON_TIME if done <= due else LATE
    return LATE if today > due else NOT_YET_DUE


# -- tables and suppression -----------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    value: int
    reason: Reason = ""

    @property
    def shown(self) -> bool:
        return not self.reason

    def text(self, threshold: int = THRESHOLD) -> str:
        if self.reason == "small":
            return f"fewer than {threshold}"
        if self.reason:
            return "withheld"
        return str(self.value)


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Shown, ...]
    total: Shown
    percent: str | None = None  # "78%", or None when not shown


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    source: str  # policy section
    row_heading: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    totals: Row | None  # the column totals ("All ..."), when the rows are a partition
    percent_heading: str | None = None
    notes: tuple[str, ...] = ()

    def withheld(self) -> bool:
        rows = [*self.rows, *([self.totals] if self.totals else [])]
        return any(not c.shown for r in rows for c in (*r.cells, r.total))


@dataclass
class _Grid:
    """Counts with their margins: rows x columns, a totals column and (optionally) a totals row."""

    values: list[list[int]]
    withheld: list[list[Reason]]
    with_total_row: bool

    @property
    def width(self) -> int:
        return len(self.values[0])

    def lines(self) -> list[list[tuple[int, int]]]:
        """Every sum as (row, column) positions, its total last."""
        rows, cols = len(self.values), self.width
        body_rows = rows - 1 if self.with_total_row else rows
        found = [[(r, c) for c in range(cols)] for r in range(rows)]
        if self.with_total_row:
            found += [[(r, c) for r in range(body_rows + 1)] for c in range(cols)]
        return found


def _protect(grid: _Grid) -> None:
    """Rule 4: no sum with exactly one withheld number; repeated to a fixed point."""
    changed = True
    while changed:
        changed = False
        for line in grid.lines():
            hidden = [p for p in line if grid.withheld[p[0]][p[1]]]
            if len(hidden) != 1:
                continue
            parts = [p for p in line[:-1] if not grid.withheld[p[0]][p[1]]]
            candidates = [p for p in parts if grid.values[p[0]][p[1]] > 0]
            if candidates:
                r, c = min(candidates, key=lambda p: (grid.values[p[0]][p[1]], p))
            else:
                r, c = line[-1]
                if grid.withheld[r][c]:
                    continue  # the total itself is the one withheld: nothing to derive
            grid.withheld[r][c] = "complementary"
            changed = True


def suppress(
    rows: Sequence[tuple[str, Sequence[int], int | None]],
    *,
    threshold: int = THRESHOLD,
    with_total_row: bool,
) -> tuple[list[tuple[str, list[Shown], Shown]], tuple[list[Shown], Shown] | None]:
    """Apply rules 1-4 to `rows` of (label, counts, group size or None).

    A group size of 1 is a single-member group (rule 3): never shown, but counted in the totals.
    Returns the shown rows (label, cells, total) and the totals row when asked for.
    """
    width = len(rows[0][1]) if rows else 0
    values = [[*counts, sum(counts)] for _, counts, _ in rows]
    if with_total_row:
        values.append([sum(v[c] for v in values) for c in range(width + 1)])
    withheld: list[list[Reason]] = [["" for _ in v] for v in values]
    single = {i for i, (_, _, size) in enumerate(rows) if size == 1}
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            if 0 < value < threshold:
                withheld[r][c] = "small"  # rule 1
        if r in single:
            withheld[r] = ["group"] * len(row)  # rule 3
        elif withheld[r][-1]:
            withheld[r] = [w or "small" for w in withheld[r]]  # rule 2
    grid = _Grid(values, withheld, with_total_row)
    if values:
        _protect(grid)

    def shown(r: int) -> tuple[list[Shown], Shown]:
        cells = [Shown(values[r][c], withheld[r][c]) for c in range(width + 1)]
        return cells[:-1], cells[-1]

    out = [(label, *shown(r)) for r, (label, _, _) in enumerate(rows) if r not in single]
    totals = shown(len(values) - 1) if with_total_row else None
    return out, totals


def _percent(on_time: Shown, late: Shown, threshold: int) -> str | None:
    """Rule 5: the share on time of those due, only from shown counts and a big enough base."""
    if not (on_time.shown and late.shown):
        return None
    due = on_time.value + late.value
    if due < threshold:
        return None
    return f"{round(100 * on_time.value / due)}%"


def _table(
    key: str,
    title: str,
    source: str,
    row_heading: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int], int | None]],
    *,
    threshold: int,
    totals_label: str | None = None,
    percent: bool = False,
    notes: Sequence[str] = (),
) -> Table:
    shown_rows, totals = suppress(
        rows, threshold=threshold, with_total_row=totals_label is not None
    )

    def row(label: str, cells: list[Shown], total: Shown) -> Row:
        pct = _percent(cells[0], cells[1], threshold) if percent else None
        return Row(label, tuple(cells), total, pct)

    return Table(
        key=key,
        title=title,
        source=source,
        row_heading=row_heading,
        columns=tuple(columns),
        rows=tuple(row(*r) for r in shown_rows),
        totals=row(totals_label or "", *totals) if totals is not None else None,
        percent_heading="% on time, of those due" if percent else None,
        notes=tuple(notes),
    )


# -- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    school_name: str
    year: str
    as_of: date
    threshold: int
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def any_withheld(self) -> bool:
        return any(t.withheld() for t in self.tables)


def _timing_counts(pairs: Iterable[tuple[date, date | None]], today: date) -> list[int]:
    counts = dict.fromkeys(TIMING_COLUMNS, 0)
    for due, done in pairs:
        counts[timing(due, done, today)] += 1
    return [counts[c] for c in TIMING_COLUMNS]


STAGES: tuple[tuple[str, str, str], ...] = (
    ("draft", "Draft statement to the reviewee within 5 working days of the meeting", "4.9"),
    ("final", "Final statement signed within 10 working days of the meeting", "4.9"),
    ("moderation", "Moderation within 10 working days of the meeting", "5"),
    ("revised", "Revised statement within 10 working days of the instruction", "5"),
)

APPEAL_COLUMNS: tuple[tuple[str | None, str], ...] = (
    ("upheld", "upheld"),
    ("partly-upheld", "partly upheld"),
    ("not-upheld", "not upheld"),
    (None, "awaiting a decision"),
)
STATUS_LABELS: Mapping[str, str] = {
    "open": "still open",
    "provided": "provided",
    "not-provided": "could not be provided",
}


def build_report(data: ReportInput, *, threshold: int = THRESHOLD) -> Report:
    """Every table of the report, suppressed (see the module docstring)."""
    today = data.as_of
    tables: list[Table] = []

    # 4.1: planning and review completed by the due date, by staff group.
    by_group: dict[str, list[PlanningReview]] = {g: [] for g in GROUP_LABELS}
    for review in data.planning_reviews:
        by_group[review.group].append(review)
    tables.append(
        _table(
            "planning-review",
            "Planning and review completed by the due date",
            "4.1",
            "Staff group",
            TIMING_COLUMNS,
            [
                (
                    GROUP_LABELS[g],
                    _timing_counts(((r.due, r.submitted_on) for r in reviews), today),
                    len(reviews),
                )
                for g, reviews in by_group.items()
                if reviews
            ],
            threshold=threshold,
            totals_label="All staff",
            percent=True,
            notes=(
                "Late includes planning and reviews not yet completed after their due date.",
                "A group with one member is not shown on its own; it is counted in All staff.",
            ),
        )
    )

    if data.statements_available:
        stage_rows = []
        for key, label, _ in STAGES:
            pairs = [
                (getattr(s, f"{key}_due"), getattr(s, f"{key}_done"))
                for s in data.statements
                if getattr(s, f"{key}_due") is not None
            ]
            stage_rows.append((label, _timing_counts(pairs, today), None))
        tables.append(
            _table(
                "statements",
                "Statements completed on time, at each stage",
                "4.9, 5",
                "Stage",
                TIMING_COLUMNS,
                stage_rows,
                threshold=threshold,
                percent=True,
                notes=("Moderation counts only the statements chosen for moderation (5).",),
            )
        )

        outcomes = [o for s in data.statements for o in s.appeals]
        tables.append(
            _table(
                "appeals",
                "Appeals and their outcomes",
                "8",
                "Appeals",
                [label for _, label in APPEAL_COLUMNS],
                [("Appeals made", [outcomes.count(o) for o, _ in APPEAL_COLUMNS], None)],
                threshold=threshold,
            )
        )

    themes = [t for t in THEME_IDS if any(n.theme == t for n in data.needs)]
    tables.append(
        _table(
            "training",
            "Training and development needs, by theme",
            "4.7, 10",
            "Theme",
            [STATUS_LABELS[s] for s in STATUSES],
            [
                (
                    THEME_LABELS[t],
                    [
                        sum(1 for n in data.needs if n.theme == t and n.status == s)
                        for s in STATUSES
                    ],
                    None,
                )
                for t in themes
            ],
            threshold=threshold,
            totals_label="All needs",
            notes=(
                "Counts are needs, not people: one person may have several.",
                "The column 'could not be provided' is the support that could not be provided "
                "(10). Its reasons are not in this report because they could identify someone; "
                "the training and development coordinator holds them.",
            ),
        )
    )

    notes = [
        f"Numbers from 1 to {threshold - 1} are shown as 'fewer than {threshold}'. Where one "
        "number could be worked out from a total by subtraction, another is also withheld "
        "(shown as 'withheld').",
    ]
    if not data.statements_available:
        notes.append("This deployment records no statements, so their stages are not reported.")
    return Report(
        school_name=data.school_name,
        year=data.year,
        as_of=data.as_of,
        threshold=threshold,
        tables=tuple(tables),
        notes=tuple(notes),
    )


def csv_rows(report: Report) -> list[list[str]]:
    """The report as CSV rows: section, row, column, value (the same words as the page)."""
    out = [["section", "row", "column", "value"]]
    for table in report.tables:
        for row in [*table.rows, *([table.totals] if table.totals else [])]:
            for column, cell in zip(table.columns, row.cells, strict=True):
                out.append([table.title, row.label, column, cell.text(report.threshold)])
            out.append([table.title, row.label, "total", row.total.text(report.threshold)])
            if table.percent_heading:
                out.append(
                    [table.title, row.label, table.percent_heading, row.percent or "not shown"]
                )
    return out
