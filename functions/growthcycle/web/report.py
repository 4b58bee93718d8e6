"""The governors' report (10) for the headteacher: `GET /report?year=2026-27` (a page that prints
cleanly) and `GET /report.csv?year=2026-27`. Nobody else sees either (a 404 that looks like
nothing). The same report as `growthcycle report governors` (app/report.py); nothing changes on
GET.
"""

from __future__ import annotations

from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.app import report as cases
from growthcycle.domain.people import Person
from growthcycle.domain.report import YearInvalid, end_year
from growthcycle.domain.trust import School
from growthcycle.web.core import Visitor, page, school_of, signed_in
from growthcycle.web.errors import NotFound
from growthcycle.web.services import Services, services

router = Router()

MAX_YEAR_CHARS = 20
YEAR_PROBLEM = (
    "Enter a cycle like 2026-27 (the year it starts, a dash, the next year's last two digits)."
)


def _headteacher() -> tuple[Visitor, Person, Services, School]:
    who, me = signed_in()
    if not me.is_headteacher:
        raise NotFound("There is nothing at this address.")
    svc = services()
    return who, me, svc, school_of(svc, me)


def _year(raw: str | None) -> tuple[str, str | None]:
    """The year asked for, and a problem to show (nothing typed is lost: it goes back in the box)."""
    year = (raw or "").strip()[:MAX_YEAR_CHARS]
    try:
        end_year(year)
    except YearInvalid:
        return year, YEAR_PROBLEM
    return year, None


@router.get("/report")
def governors_report() -> Response:
    who, _, svc, school = _headteacher()
    raw = router.current_event.get_query_string_value("year")
    if raw is None:
        year, error = cases.current_year(svc, school), None
    else:
        year, error = _year(raw)
    if error:
        return page("report/page.html", who, http_status=400, report=None, year=year, error=error)
    report = cases.governors_report(svc, school, year)
    return page(
        "report/page.html",
        who,
        report=report,
        year=year,
        error=None,
        as_of=report.as_of.strftime("%-d %B %Y"),
        csv_url=f"/report.csv?year={quote(year)}",
    )


@router.get("/report.csv")
def governors_report_csv() -> Response:
    who, _, svc, school = _headteacher()
    year, error = _year(router.current_event.get_query_string_value("year"))
    if error:
        return page("report/page.html", who, http_status=400, report=None, year=year, error=error)
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=cases.report_csv(cases.governors_report(svc, school, year)),
        headers={
            "Content-Disposition": f'attachment; filename="governors-report-{school.id}-{year}.csv"'
        },
    )
