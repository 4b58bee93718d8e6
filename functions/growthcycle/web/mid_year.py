"""Mid-year reviews (4.8): the reviewer sees the reflection timeline beside the form, and the
headteacher audits who has had one, when and by whom.

The form itself (forms/mid-year-review.yaml, filled by the reviewer) is served and saved by the
hosted forms pages; this module gives that page the reviewee's reflections (a template global the
form page calls for the mid-year review only) and adds `GET /mid-year-reviews`.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.adapters.clock import LONDON
from growthcycle.adapters.reflections import current_submissions
from growthcycle.domain.access import may_view
from growthcycle.domain.forms import format_date
from growthcycle.domain.people import Person
from growthcycle.observability import logger
from growthcycle.web.core import page, school_of, signed_in
from growthcycle.web.errors import NotFound
from growthcycle.web.reflections import timeline_entries, timeline_url
from growthcycle.web.reviewers import review_inputs
from growthcycle.web.services import services
from growthcycle.web.templating import environment

router = Router()

FORM_ID = "mid-year-review"


def mid_year_reflections(viewer: Person | None, subject: Person | None) -> list[dict[str, Any]]:
    """The subject's reflections this cycle for the mid-year review page; [] unless 7 allows."""
    if viewer is None or subject is None:
        return []
    svc = services()
    if not may_view(viewer, subject, review_inputs(svc, subject)):
        return []
    return timeline_entries(svc, subject)


environment().globals["mid_year_reflections"] = mid_year_reflections
environment().globals["reflections_url"] = timeline_url


def _meeting_day(value: object) -> str | None:
    try:
        return format_date(date.fromisoformat(str(value)))
    except ValueError:
        return None


@router.get("/mid-year-reviews")
def mid_year_audit() -> Response:
    """4.8: the headteacher audits mid-year reviews with reviewers, for consistency."""
    who, me = signed_in()
    if not me.is_headteacher:
        raise NotFound("There is nothing at this address.")
    svc = services()
    school = school_of(svc, me)
    people = [
        p for p in svc.store.people_in_school(me.school_id) if p.is_staff and not p.is_headteacher
    ]
    cycles = {p.person_id: svc.cycle(p).cycle_id for p in people}
    saved = current_submissions(svc.store, cycles.items(), FORM_ID)
    names = {p.person_id: p.name for p in svc.store.people_in_school(me.school_id)}
    rows = []
    for person in people:
        found = saved.get(person.person_id)
        rows.append(
            {
                "person": person,
                "cycle_id": cycles[person.person_id],
                "status": found.status if found else None,
                "when": (
                    found.saved_at.astimezone(LONDON).strftime("%-d %B %Y") if found else None
                ),
                "meeting": _meeting_day(found.values.get("meeting_date")) if found else None,
                "by": names.get(found.saved_by, "someone no longer listed") if found else None,
                "revision": found.values.get("revision_needed") if found else None,
                "url": f"/people/{quote(person.person_id)}/forms/{FORM_ID}",
                "reflections_url": timeline_url(person.person_id),
            }
        )
    had = sum(1 for r in rows if r["status"] == "submitted")
    logger.info("mid-year audit viewed", school_id=school.id, people=len(rows), reviewed=had)
    return page("mid_year/audit.html", who, school=school, rows=rows, had=had)
