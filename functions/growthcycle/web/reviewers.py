"""Who reviews whom (4.2) and the headteacher's own reviewers (4.2, 5).

- GET /reviewers: the headteacher's page: every member of staff with their reviewer, each
  reviewer's count against the school's cap, the requests for a different reviewer to decide.
- POST /reviewers: the headteacher changes a reviewer (4.2: equal or higher status than the line
  manager, within the cap; the cycle carries on).
- POST /reviewers/requests: the headteacher approves a request (with the replacement) or declines
  it (with reasons); the reviewee and the new reviewer (or, declined, the headteacher) are emailed.
- GET/POST /reviewer-change: a reviewee asks, with reasons, for a different reviewer (4.2).
- GET/POST /headteacher-review/reviewers: a governor records the governing body's appointment of
  2 or 3 governors (foundation-governor rules as data), the adviser, and who quality-assures the
  headteacher's statement (5); the headteacher may view it.

The use cases are in app/reviewers.py (with what other capabilities ask: `review_inputs`,
`review_of`); `review_inputs` and `review_inputs_of` here only add this request's memo, for the
route modules that have not moved to the application layer yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.app import reviewers as cases
from growthcycle.domain.people import Person
from growthcycle.domain.reviewers import (
    ADVISER_KINDS,
    AlreadyAsked,
    HeadteacherAsks,
    RequestAlreadyDecided,
    ReviewerRefused,
    ReviewInputs,
    UnknownRequest,
    UnknownReviewee,
    school_category,
)
from growthcycle.domain.trust import School
from growthcycle.web.core import Visitor, page, require_csrf, school_of, signed_in
from growthcycle.web.errors import NotFound
from growthcycle.web.http import first, form_body, redirect
from growthcycle.web.paging import PAGE_SIZE, page_of
from growthcycle.web.request import request_cache
from growthcycle.web.services import Services, services

router = Router()


def review_inputs(svc: Services, subject: Person) -> ReviewInputs:
    """app/reviewers.py `review_inputs`, read once a request."""
    return cases.review_inputs(svc, subject, memo=request_cache())


def review_inputs_of(svc: Services, people: Sequence[Person]) -> dict[str, ReviewInputs]:
    return cases.review_inputs_of(svc, people, memo=request_cache())


def _headteacher() -> tuple[Visitor, Person, Services, School]:
    who, me = signed_in()
    if not me.is_headteacher:
        raise NotFound("There is nothing at this address.")
    svc = services()
    return who, me, svc, school_of(svc, me)


def checked_post() -> dict[str, list[str]]:
    """Every POST: signed in and its CSRF token checked first, before who may do what."""
    who, _ = signed_in()
    body = form_body(router.current_event)
    require_csrf(who, body)
    return body


# -- the headteacher's page ----------------------------------------------------------------------


def _reviewers_page(
    who: Visitor,
    svc: Services,
    school: School,
    *,
    error: str | None = None,
    error_key: str = "",
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    seen = cases.overview(svc, school)
    changed = router.current_event.get_query_string_value("changed")
    # issue 14.1: the staff 20 a page; a refused change is shown on the page that holds its row.
    number = next(
        (
            i // PAGE_SIZE + 1
            for i, row in enumerate(seen.rows)
            if error_key == f"r-{row['person'].person_id}"
        ),
        None,
    )
    listed = page_of(seen.rows, "/reviewers", number)
    return page(
        "reviewers/list.html",
        who,
        http_status=status_code,
        school=school,
        rows=listed.items,
        listed=listed,
        reviewers=seen.reviewers,
        cap=school.reviewers.max_reviewees,
        mode=school.reviewers.mode,
        requests=seen.requests,
        staff=seen.staff,
        error=error,
        error_key=error_key,
        values=values or {},
        changed=seen.by_id.get(changed or ""),
    )


@router.get("/reviewers")
def reviewers_list() -> Response:
    who, _, svc, school = _headteacher()
    return _reviewers_page(who, svc, school)


@router.post("/reviewers")
def reviewers_change() -> Response:
    body = checked_post()
    who, me, svc, school = _headteacher()
    reviewee_id, reviewer_id = first(body, "reviewee"), first(body, "reviewer")
    try:
        reviewee = cases.change_reviewer(
            svc, school, me, reviewee_id=reviewee_id, reviewer_id=reviewer_id
        )
    except UnknownReviewee:
        raise NotFound("There is no such member of staff.") from None
    except ReviewerRefused as refused:
        return _reviewers_page(
            who,
            svc,
            school,
            error=str(refused),
            error_key=f"r-{reviewee_id}",
            values={"reviewee": reviewee_id, "reviewer": reviewer_id},
            status_code=422,
        )
    return redirect(f"/reviewers?changed={reviewee.person_id}")


@router.post("/reviewers/requests")
def reviewers_decide() -> Response:
    body = checked_post()
    who, me, svc, school = _headteacher()
    reviewee_id, request_id = first(body, "reviewee"), first(body, "request")
    values = {
        "request": request_id,
        "replacement": first(body, "replacement"),
        "reasons": first(body, "reasons"),
        "decision": first(body, "decision"),
    }
    key = f"q-{reviewee_id}"
    try:
        decided = cases.decide_request(
            svc,
            school,
            me,
            reviewee_id=reviewee_id,
            request_id=request_id,
            decision=values["decision"],
            replacement_id=values["replacement"],
            reasons=values["reasons"],
        )
    except UnknownRequest:
        raise NotFound("There is no such request.") from None
    except UnknownReviewee:
        raise NotFound("There is no such member of staff.") from None
    except RequestAlreadyDecided:
        return _reviewers_page(
            who,
            svc,
            school,
            error="This request has already been decided.",
            error_key=key,
            values=values,
            status_code=409,
        )
    except ReviewerRefused as refused:
        return _reviewers_page(
            who, svc, school, error=str(refused), error_key=key, values=values, status_code=422
        )
    return redirect(f"/reviewers?changed={decided.reviewee_id}")


# -- a reviewee asks for a different reviewer (4.2) ----------------------------------------------


def _change_page(
    who: Visitor,
    me: Person,
    svc: Services,
    *,
    error: str | None = None,
    reasons: str = "",
    sent: bool = False,
    status_code: int = 200,
) -> Response:
    school = school_of(svc, me)
    seen = cases.change_view(svc, school, me)
    if me.is_headteacher:
        return page(
            "reviewers/change_headteacher.html",
            who,
            http_status=status_code,
            cycle_id=seen.cycle_id,
            recorded=seen.recorded,
            names=seen.names,
            error=error,
        )
    return page(
        "reviewers/change.html",
        who,
        http_status=status_code,
        reviewer=seen.reviewer,
        cycle_id=seen.cycle_id,
        requests=seen.requests,
        pending=seen.pending,
        names=seen.names,
        error=error,
        reasons=reasons,
        sent=sent,
    )


def _reviewee() -> tuple[Visitor, Person]:
    who, me = signed_in()
    if not me.is_staff:
        raise NotFound("There is nothing at this address.")
    return who, me


@router.get("/reviewer-change")
def reviewer_change_form() -> Response:
    who, me = _reviewee()
    svc = services()
    sent = router.current_event.get_query_string_value("sent") == "1"
    return _change_page(who, me, svc, sent=sent)


@router.post("/reviewer-change")
def reviewer_change_send() -> Response:
    body = checked_post()
    who, me = _reviewee()
    svc = services()
    typed = first(body, "reasons")
    try:
        cases.ask_for_change(svc, school_of(svc, me), me, typed)
    except HeadteacherAsks:
        return _change_page(
            who,
            me,
            svc,
            status_code=422,
            reasons=typed,
            error=(
                "Your reviewers are governors: write to the governing body to ask for one to be "
                "replaced (4.2)."
            ),
        )
    except ReviewerRefused as refused:
        return _change_page(who, me, svc, error=str(refused), reasons=typed, status_code=422)
    except AlreadyAsked:
        return _change_page(
            who,
            me,
            svc,
            reasons=typed,
            status_code=409,
            error=("You have already asked; the headteacher has not decided yet."),
        )
    return redirect("/reviewer-change?sent=1")


# -- the headteacher's reviewers (4.2) and quality assurance (5) ----------------------------------


def _governing() -> tuple[Visitor, Person, Services, School, bool]:
    """Governors record the appointment; the headteacher may view it; anyone else: 404."""
    who, me = signed_in()
    if not (me.has_role("governor") or me.is_headteacher):
        raise NotFound("There is nothing at this address.")
    svc = services()
    return who, me, svc, school_of(svc, me), me.has_role("governor")


def _appointment_page(
    who: Visitor,
    svc: Services,
    school: School,
    may_edit: bool,
    *,
    values: dict[str, Any] | None = None,
    problems: Sequence[str] = (),
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    seen = cases.appointment_view(svc, school)
    people = seen.people
    return page(
        "reviewers/headteacher.html",
        who,
        http_status=status_code,
        school=school,
        head=seen.head,
        cycle_id=seen.cycle_id,
        governors=[p for p in people if p.has_role("governor")],
        advisers=[p for p in people if p.has_role("external-adviser")],
        adviser_kinds=ADVISER_KINDS,
        category=school_category(school),
        qa_mode=school.moderation.headteacher_statement_qa,
        recorded=seen.recorded,
        names={p.person_id: p for p in people},
        values=values if values is not None else seen.values(),
        problems=problems,
        may_edit=may_edit,
        saved=saved,
    )


@router.get("/headteacher-review/reviewers")
def headteacher_reviewers_page() -> Response:
    who, _, svc, school, may_edit = _governing()
    saved = router.current_event.get_query_string_value("saved") == "1"
    return _appointment_page(who, svc, school, may_edit, saved=saved)


@router.post("/headteacher-review/reviewers")
def headteacher_reviewers_save() -> Response:
    body = checked_post()
    who, me, svc, school, may_edit = _governing()
    if not may_edit:
        raise NotFound("There is nothing at this address.")
    ticked = [k.removeprefix("foundation-") for k in body if k.startswith("foundation-")]
    values: dict[str, Any] = {
        "governors": [g for g in body.get("governors", []) if g],
        "foundation": [g for g in ticked if first(body, f"foundation-{g}") == "yes"],
        "qa": [q for q in body.get("qa", []) if q],
        "adviser": first(body, "adviser"),
        "adviser_kind": first(body, "adviser_kind"),
    }
    try:
        cases.record_appointment(svc, school, me, **values)
    except UnknownReviewee:
        raise NotFound("This school has no headteacher in Growth Cycle yet.") from None
    except cases.AppointmentRefused as refused:
        return _appointment_page(
            who, svc, school, may_edit, values=values, problems=refused.problems, status_code=422
        )
    return redirect("/headteacher-review/reviewers?saved=1")
