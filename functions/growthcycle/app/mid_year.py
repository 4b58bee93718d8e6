"""Mid-year reviews (4.8), as use cases: the reviewee's reflections for the reviewer beside the
form, and the headteacher's audit of who has had one, when and by whom.

The form itself (forms/mid-year-review.yaml) is served and saved by the hosted forms pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

from growthcycle.adapters.clock import LONDON
from growthcycle.adapters.reflections import current_submissions
from growthcycle.app.context import Memo, Services
from growthcycle.app.reflections import may_read, timeline_entries, timeline_url
from growthcycle.domain.forms import format_date
from growthcycle.domain.people import Person
from growthcycle.domain.trust import School
from growthcycle.observability import logger

FORM_ID = "mid-year-review"


def reflections_beside_the_form(
    svc: Services, viewer: Person | None, subject: Person | None, *, memo: Memo = None
) -> list[dict[str, Any]]:
    """The subject's reflections this cycle for the mid-year review page; [] unless 7 allows."""
    if viewer is None or subject is None or not may_read(svc, viewer, subject, memo=memo):
        return []
    return timeline_entries(svc, subject)


def _meeting_day(value: object) -> str | None:
    try:
        return format_date(date.fromisoformat(str(value)))
    except ValueError:
        return None


def audit_rows(
    svc: Services,
    head: Person,
    school: School,
    page: Callable[[list[Person]], Sequence[Person]] = list,
) -> list[dict[str, Any]]:
    """4.8: every member of staff but the headteacher, with their mid-year review this cycle;
    `page` picks the ones shown (a page of the list, issue 14.1), whose current submissions are
    read with one BatchGetItem."""
    everyone = svc.store.people_in_school(head.school_id)
    people = page([p for p in everyone if p.is_staff and not p.is_headteacher])
    cycles = {p.person_id: svc.cycle(p).cycle_id for p in people}
    saved = current_submissions(svc.store, cycles.items(), FORM_ID)
    names = {p.person_id: p.name for p in everyone}
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
    return rows
