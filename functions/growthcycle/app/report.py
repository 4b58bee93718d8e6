"""The governors' report (10), as use cases: the year most often asked for, the report for a
school and year (the page, the CSV and `growthcycle report governors` build the same), and its
CSV text."""

from __future__ import annotations

import csv
import io

from growthcycle.adapters.report import report_input
from growthcycle.app.context import Services
from growthcycle.domain.cycles import current_cycle
from growthcycle.domain.report import Report, build_report, csv_rows
from growthcycle.domain.trust import School
from growthcycle.observability import logger


def current_year(svc: Services, school: School) -> str:
    """The teachers' current cycle (4.1): the report most often asked for."""
    return current_cycle(("teacher",), svc.clock.today(), school.cycle).cycle_id


def governors_report(svc: Services, school: School, year: str) -> Report:
    """The anonymised report for `year` (YearInvalid for a year that cannot be read)."""
    data = report_input(svc.store, school.id, year, svc.clock.today())
    report = build_report(data.input)
    logger.info(
        "governors report built",
        school_id=school.id,
        year=year,
        people=data.people,
        statements=data.statements,
        queries=data.queries,
        withheld=report.any_withheld,
    )
    return report


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(csv_rows(report))
    return out.getvalue()
