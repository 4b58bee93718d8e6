"""The governors' report (10): nobody identifiable. Counts below the threshold are "fewer than 5",
a number that could be worked out by subtraction is withheld too, a group of one is never shown.

Fixtures in tests/data/report/ hold plain records (each with a `count` of identical copies).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from growthcycle.domain.report import (
    NeedRecord,
    PlanningReview,
    Report,
    ReportInput,
    Row,
    StatementRecord,
    Table,
    YearInvalid,
    build_report,
    csv_rows,
    cycle_in_year,
    end_year,
    suppress,
    timing,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "report"


def _many(rows: list[dict[str, Any]], make: Any) -> list[Any]:
    out = []
    for row in rows:
        fields = {k: v for k, v in row.items() if k != "count"}
        if "appeals" in fields:
            fields["appeals"] = tuple(fields["appeals"])
        out += [make(**fields)] * row.get("count", 1)
    return out


def load(name: str) -> ReportInput:
    raw = yaml.safe_load((DATA / name).read_text())
    return ReportInput(
        school_name=raw["school_name"],
        year=str(raw["year"]),
        as_of=raw["as_of"],
        planning_reviews=_many(raw["planning_reviews"], PlanningReview),
        statements=_many(raw["statements"], StatementRecord),
        needs=_many(raw["needs"], NeedRecord),
    )


def table(report: Report, key: str) -> Table:
    return next(t for t in report.tables if t.key == key)


def cell(t: Table, row: str, column: str, threshold: int = 5) -> str:
    found = next(r for r in [*t.rows, *([t.totals] if t.totals else [])] if r.label == row)
    if column == "total":
        return found.total.text(threshold)
    return found.cells[t.columns.index(column)].text(threshold)


# -- the fixtures -------------------------------------------------------------------------------


def test_10_a_count_below_five_is_shown_as_fewer_than_five() -> None:
    report = build_report(load("subtraction.yaml"))
    assert cell(table(report, "planning-review"), "Teachers and leaders", "late") == "fewer than 5"


def test_10_the_subtraction_case_a_shown_count_and_total_do_not_give_away_a_small_one() -> None:
    # Teachers: 7 on time + 2 late = 9. With 7 and 9 shown, 2 follows: so 7 is withheld too.
    report = build_report(load("subtraction.yaml"))
    planning = table(report, "planning-review")
    assert cell(planning, "Teachers and leaders", "total") == "9"
    assert cell(planning, "Teachers and leaders", "on time") == "withheld"
    teachers = next(r for r in planning.rows if r.label == "Teachers and leaders")
    assert teachers.percent is None  # 78% of 9 would give it away as well


def test_10_a_group_with_a_single_member_is_never_shown() -> None:
    report = build_report(load("subtraction.yaml"))
    planning = table(report, "planning-review")
    assert [r.label for r in planning.rows] == ["Teachers and leaders", "Support staff"]
    # ... and the totals cannot be used to work the headteacher out either.
    assert cell(planning, "Support staff", "total") == "withheld"
    assert not _derivable(planning, omitted=1)


def test_10_a_single_appeal_is_fewer_than_five_and_its_outcome_is_not_given_away() -> None:
    appeals = table(build_report(load("subtraction.yaml")), "appeals")
    assert cell(appeals, "Appeals made", "total") == "fewer than 5"
    assert all(c.text() != "1" for r in appeals.rows for c in (*r.cells, r.total))
    assert cell(appeals, "Appeals made", "upheld") == "fewer than 5"  # a zero in a tiny group


def test_10_support_that_could_not_be_provided_once_is_suppressed_with_its_complement() -> None:
    training = table(build_report(load("subtraction.yaml")), "training")
    send = "Special educational needs and disabilities"
    assert cell(training, send, "could not be provided") == "fewer than 5"
    assert cell(training, send, "provided") == "withheld"  # 6 - 5 = 1 otherwise
    assert cell(training, "All needs", "could not be provided") == "fewer than 5"
    assert not _derivable(training, omitted=0)


def test_10_a_stage_with_one_late_statement_withholds_its_on_time_count() -> None:
    statements = table(build_report(load("subtraction.yaml")), "statements")
    draft = "Draft statement to the reviewee within 5 working days of the meeting"
    assert cell(statements, draft, "late") == "fewer than 5"
    assert cell(statements, draft, "on time") == "withheld"
    final = "Final statement signed within 10 working days of the meeting"
    assert cell(statements, final, "on time") == "13"
    assert next(r for r in statements.rows if r.label == final).percent == "100%"


def test_10_a_large_school_shows_every_number_and_the_percentages() -> None:
    report = build_report(load("large.yaml"))
    assert not report.any_withheld
    planning = table(report, "planning-review")
    assert cell(planning, "All staff", "on time") == "60"
    assert next(r for r in planning.rows if r.label == "Teachers and leaders").percent == "80%"


def test_10_no_table_in_the_fixtures_lets_a_withheld_number_be_worked_out() -> None:
    for name in ("subtraction.yaml", "large.yaml"):
        for t in build_report(load(name)).tables:
            assert not _derivable(
                t, omitted=int(t.key == "planning-review" and name == "subtraction.yaml")
            ), (name, t.key)


def test_10_the_csv_says_the_same_as_the_page() -> None:
    report = build_report(load("subtraction.yaml"))
    rows = csv_rows(report)
    assert rows[0] == ["section", "row", "column", "value"]
    assert [
        "Planning and review completed by the due date",
        "Teachers and leaders",
        "late",
        "fewer than 5",
    ] in rows
    assert not any(r[3] in {"1", "2", "3", "4"} for r in rows[1:])


def test_10_the_threshold_is_configurable() -> None:
    report = build_report(load("large.yaml"), threshold=11)
    assert cell(table(report, "planning-review"), "Teachers and leaders", "late", 11) == (
        "fewer than 11"
    )


# -- the rules on any table (property) ----------------------------------------------------------


def _derivable(t: Table, *, omitted: int) -> list[tuple[str, str]]:
    """An attacker's view: solve every sum with one unknown, repeatedly. What came out withheld?

    `omitted`: how many single-member rows were left out; their numbers are unknowns in the
    column sums. (Zeros in a whole-school total are shown: "nobody" singles nobody out.)
    """
    rows = [*t.rows, *([t.totals] if t.totals else [])]
    grid: list[list[int | None]] = [
        [c.value if c.shown else None for c in (*r.cells, r.total)] for r in rows
    ]
    if t.totals is not None:
        for _ in range(omitted):
            grid.insert(len(t.rows), [None] * (len(t.columns) + 1))
    lines = [[(r, c) for c in range(len(grid[0]))] for r in range(len(grid))]
    if t.totals is not None:
        lines += [[(r, c) for r in range(len(grid))] for c in range(len(grid[0]))]
    found: list[tuple[str, str]] = []
    changed = True
    while changed:
        changed = False
        for line in lines:
            unknown = [p for p in line if grid[p[0]][p[1]] is None]
            if len(unknown) == 1:
                r, c = unknown[0]
                grid[r][c] = 0  # any value: it is known now
                found.append((str(r), str(c)))
                changed = True
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.integers(0, 12), min_size=3, max_size=3), st.booleans()),
        min_size=1,
        max_size=5,
    )
)
def test_10_no_cell_from_1_to_4_is_shown_and_nothing_withheld_can_be_derived(
    raw: list[tuple[list[int], bool]],
) -> None:
    rows = [(f"row {i}", counts, 1 if single else None) for i, (counts, single) in enumerate(raw)]
    shown, totals = suppress(rows, with_total_row=True)
    everything = [c for _, cells, total in shown for c in (*cells, total)]
    assert totals is not None
    everything += [*totals[0], totals[1]]
    assert not any(c.shown and 0 < c.value < 5 for c in everything)
    assert len(shown) == sum(1 for _, single in raw if not single)
    for label, cells, total in shown:
        if total.reason == "small":
            assert not any(c.shown for c in cells), label  # a small group shows nothing
    t = Table(
        key="t",
        title="t",
        source="10",
        row_heading="r",
        columns=("a", "b", "c"),
        rows=tuple(Row(lbl, tuple(c), tot) for lbl, c, tot in shown),
        totals=Row("All", tuple(totals[0]), totals[1]),
    )
    assert not _derivable(t, omitted=sum(1 for _, single in raw if single))


# -- the report year ----------------------------------------------------------------------------


def test_4_1_the_report_year_picks_each_groups_cycle_ending_in_that_year() -> None:
    assert cycle_in_year(["teacher"], "2026-27").cycle_id == "2026-27"
    assert cycle_in_year(["support"], "2026-27").ends == date(2027, 8, 31)
    assert cycle_in_year(["support"], "2026-27", support_staff_cycle="april-march").ends == date(
        2027, 3, 31
    )
    assert cycle_in_year(["headteacher", "teacher"], "2026-27").cycle_id == "2027"


@pytest.mark.parametrize("year", ["2026-28", "26-27", "2026/27", "", "twenty"])
def test_10_a_year_that_is_not_a_cycle_is_refused(year: str) -> None:
    with pytest.raises(YearInvalid):
        end_year(year)


def test_4_9_on_time_late_and_not_yet_due() -> None:
    due = date(2027, 10, 8)
    assert timing(due, date(2027, 10, 8), date(2027, 12, 1)) == "on time"
    assert timing(due, date(2027, 10, 9), date(2027, 12, 1)) == "late"
    assert timing(due, None, date(2027, 10, 9)) == "late"
    assert timing(due, None, date(2027, 10, 8)) == "not yet due"
