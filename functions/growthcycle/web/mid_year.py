"""Mid-year reviews (4.8): the reviewer sees the reflection timeline beside the form, and the
headteacher audits who has had one, when and by whom.

The form itself (forms/mid-year-review.yaml, filled by the reviewer) is served and saved by the
hosted forms pages; this module gives that page the reviewee's reflections (a template global the
form page calls for the mid-year review only) and adds `GET /mid-year-reviews`. The use cases are
in app/mid_year.py.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.app import mid_year as cases
from growthcycle.app.reflections import timeline_url
from growthcycle.domain.people import Person
from growthcycle.web.core import page, school_of, signed_in
from growthcycle.web.errors import NotFound
from growthcycle.web.paging import Page, page_of
from growthcycle.web.request import request_cache
from growthcycle.web.services import services
from growthcycle.web.templating import environment

router = Router()


def mid_year_reflections(viewer: Person | None, subject: Person | None) -> list[dict[str, Any]]:
    """The subject's reflections this cycle for the mid-year review page; [] unless 7 allows."""
    return cases.reflections_beside_the_form(services(), viewer, subject, memo=request_cache())


environment().globals["mid_year_reflections"] = mid_year_reflections
environment().globals["reflections_url"] = timeline_url


@router.get("/mid-year-reviews")
def mid_year_audit() -> Response:
    """4.8: the headteacher audits mid-year reviews with reviewers, for consistency."""
    who, me = signed_in()
    if not me.is_headteacher:
        raise NotFound("There is nothing at this address.")
    svc = services()
    school = school_of(svc, me)
    listed: list[Page[Person]] = []  # the page asked for, once the staff are read

    def one_page(people: list[Person]) -> list[Person]:
        listed.append(page_of(people, "/mid-year-reviews"))  # issue 14.1: 20 a page
        return listed[0].items

    rows = cases.audit_rows(svc, me, school, one_page)
    had = sum(1 for r in rows if r["status"] == "submitted")
    return page("mid_year/audit.html", who, school=school, rows=rows, had=had, listed=listed[0])
