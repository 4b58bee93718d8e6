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

Also what other route modules need: `review_inputs` and `review_inputs_of` (what decides a
person's reviewer this cycle, for domain/access.py and domain/reviewers.py `review_of_record`),
`assigned_reviewer_of` and `assigned_reviewers_of`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.adapters.outbox import Email
from growthcycle.adapters.reviewers import (
    ChangeRequest,
    ReviewerConflict,
    assign_reviewer,
    assigned_reviewer,
    assigned_reviewers,
    create_request,
    decide_request,
    get_request,
    headteacher_reviewers,
    pending_requests,
    record_headteacher_reviewers,
    requests_of,
)
from growthcycle.domain.people import Person
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.reviewers import (
    ADVISER_KINDS,
    HeadteacherReviewers,
    ReviewerRefused,
    ReviewInputs,
    ReviewOfRecord,
    check_assignment,
    check_headteacher_reviewers,
    check_reasons,
    effective_reviewers,
    headteacher_in,
    line_manager_or_head,
    review_of_record,
    reviewee_counts,
    school_category,
    status,
)
from growthcycle.domain.trust import School
from growthcycle.observability import logger
from growthcycle.web.core import Visitor, page, require_csrf, school_of, signed_in
from growthcycle.web.errors import NotFound
from growthcycle.web.http import first, form_body, redirect
from growthcycle.web.services import Services, request_cache, services
from growthcycle.web.templating import render

router = Router()

# -- what other route modules call ---------------------------------------------------------------


def assigned_reviewer_of(svc: Services, subject: Person) -> str | None:
    """The subject's explicit reviewer this cycle, if the headteacher assigned one (4.2)."""
    if not subject.is_staff:
        return None
    return assigned_reviewer(svc.store, subject.person_id, svc.cycle(subject).cycle_id)


def assigned_reviewers_of(svc: Services, people: Sequence[Person]) -> dict[str, str]:
    return assigned_reviewers(
        svc.store, [(p.person_id, svc.cycle(p).cycle_id) for p in people if p.is_staff]
    )


def _appointment_of(svc: Services, head: Person) -> HeadteacherReviewers | None:
    """The governors appointed for the headteacher's current cycle (4.2), read once a request."""
    cache = request_cache()
    cycle_id = svc.cycle(head).cycle_id
    key = f"appointment:{head.school_id}:{cycle_id}"
    if key not in cache:
        cache[key] = headteacher_reviewers(svc.store, head.school_id, cycle_id)
    found: HeadteacherReviewers | None = cache[key]
    return found


def _mode(svc: Services, person: Person) -> str:
    school = svc.school(person.school_id)
    return school.reviewers.mode if school else "line-managers"


def review_inputs(svc: Services, subject: Person) -> ReviewInputs:
    """What decides `subject`'s reviewer this cycle (4.2), for domain/access.py."""
    if not subject.is_staff:
        return ReviewInputs(mode=_mode(svc, subject))
    if subject.is_headteacher:
        return ReviewInputs(mode=_mode(svc, subject), appointment=_appointment_of(svc, subject))
    return ReviewInputs(
        mode=_mode(svc, subject), assigned_reviewer_id=assigned_reviewer_of(svc, subject)
    )


def review_inputs_of(svc: Services, people: Sequence[Person]) -> dict[str, ReviewInputs]:
    """review_inputs for many people: one BatchGetItem for the assignments."""
    assigned = assigned_reviewers_of(svc, people)
    found: dict[str, ReviewInputs] = {}
    for p in people:
        mode = _mode(svc, p)
        if p.is_staff and p.is_headteacher:
            found[p.person_id] = ReviewInputs(mode=mode, appointment=_appointment_of(svc, p))
        else:
            found[p.person_id] = ReviewInputs(
                mode=mode, assigned_reviewer_id=assigned.get(p.person_id)
            )
    return found


def review_of(svc: Services, subject: Person) -> ReviewOfRecord:
    """Who reviews `subject` this cycle (4.2), by domain/reviewers.py `review_of_record`."""
    head = headteacher_in(p for p in svc.store.people_in_school(subject.school_id) if p.is_staff)
    return review_of_record(
        subject,
        review_inputs(svc, subject),
        headteacher_id=head.person_id if head else None,
    )


# -- shared -----------------------------------------------------------------------------------


def _in_post(person: Person, today: date) -> bool:
    return person.is_staff and (person.leaving_date is None or person.leaving_date >= today)


def _staff(svc: Services, school_id: str) -> list[Person]:
    today = svc.clock.today()
    return [p for p in svc.store.people_in_school(school_id) if _in_post(p, today)]


def candidates_for(
    person: Person, staff: Sequence[Person], by_id: dict[str, Person]
) -> list[Person]:
    """4.2: who may be offered as `person`'s reviewer: staff in post of the same or higher status
    than their line manager (or the headteacher in that place), never the person themself. The
    cap is checked on choosing (check_assignment), as it depends on who else they review."""
    manager = line_manager_or_head(person, by_id)
    floor = status(manager) if manager is not None else 0
    return [c for c in staff if c.person_id != person.person_id and status(c) >= floor]


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


def _notice(
    svc: Services,
    recipient: Person,
    subject: str,
    lines: Sequence[str],
    *,
    reasons: str | None = None,
    reasons_label: str = "Reasons",
    link_path: str = "/",
) -> Email:
    context = {
        "recipient": recipient,
        "subject": subject,
        "lines": lines,
        "reasons": reasons,
        "reasons_label": reasons_label,
        "link": f"{svc.settings.base_url.rstrip('/')}{link_path}",
        "trust_name": svc.settings.trust_name,
    }
    return Email(
        to_address=recipient.email,
        to_person_id=recipient.person_id,
        subject=subject,
        html=render("email/reviewer_notice.html", **context),
        text=render("email/reviewer_notice.txt", **context),
    )


def _mail(svc: Services, to: Person | None, key: str, **kwargs: Any) -> list[tuple[Email, str]]:
    if to is None or to.email_suppressed:
        return []
    return [(_notice(svc, to, **kwargs), key)]


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
    staff = _staff(svc, school.id)
    by_id = {p.person_id: p for p in staff}
    assigned = assigned_reviewers_of(svc, staff)
    current = effective_reviewers(school, staff, assigned)
    counts = reviewee_counts(current)
    rows = []
    for person in staff:
        if person.is_headteacher:
            continue
        reviewer_id = current.get(person.person_id)
        rows.append(
            {
                "person": person,
                "reviewer": by_id.get(reviewer_id or ""),
                "assigned": person.person_id in assigned,
                "candidates": candidates_for(person, staff, by_id),
            }
        )
    reviewers = sorted(
        ((by_id[r], n) for r, n in counts.items() if r in by_id), key=lambda rn: rn[0].sort_name
    )
    requests = []
    for r in pending_requests(svc.store, school.id):
        reviewee = by_id.get(r.reviewee_id)
        # 4.2: the replacement is someone other than the reviewer being replaced (and whoever
        # reviews them now), by the same rule as the per-person list.
        replaced = {r.reviewer_id, current.get(r.reviewee_id)}
        requests.append(
            {
                "request": r,
                "reviewee": reviewee,
                "reviewer": by_id.get(r.reviewer_id or ""),
                "candidates": [
                    c
                    for c in (candidates_for(reviewee, staff, by_id) if reviewee else [])
                    if c.person_id not in replaced
                ],
            }
        )
    changed = router.current_event.get_query_string_value("changed")
    return page(
        "reviewers/list.html",
        who,
        http_status=status_code,
        school=school,
        rows=rows,
        reviewers=reviewers,
        cap=school.reviewers.max_reviewees,
        mode=school.reviewers.mode,
        requests=requests,
        staff=staff,
        error=error,
        error_key=error_key,
        values=values or {},
        changed=by_id.get(changed or ""),
    )


@router.get("/reviewers")
def reviewers_list() -> Response:
    who, _, svc, school = _headteacher()
    return _reviewers_page(who, svc, school)


def _checked_assignment(
    svc: Services, school: School, reviewee_id: str, reviewer_id: str
) -> tuple[Person, Person]:
    staff = _staff(svc, school.id)
    by_id = {p.person_id: p for p in staff}
    reviewee, reviewer = by_id.get(reviewee_id), by_id.get(reviewer_id)
    if reviewee is None:
        raise NotFound("There is no such member of staff.")
    if reviewer is None:
        raise ReviewerRefused("Choose a reviewer from the school's staff.")
    current = effective_reviewers(school, staff, assigned_reviewers_of(svc, staff))
    check_assignment(school, reviewee, reviewer, staff, current)
    return reviewee, reviewer


@router.post("/reviewers")
def reviewers_change() -> Response:
    body = checked_post()
    who, me, svc, school = _headteacher()
    reviewee_id, reviewer_id = first(body, "reviewee"), first(body, "reviewer")
    try:
        reviewee, reviewer = _checked_assignment(svc, school, reviewee_id, reviewer_id)
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
    cycle_id = svc.cycle(reviewee).cycle_id
    now = svc.clock.now()
    stamp = now.isoformat()
    emails = _mail(
        svc,
        reviewee,
        f"reviewer:{reviewee.person_id}:{cycle_id}:{reviewer.person_id}:{stamp}:to",
        subject="Your reviewer has changed",
        lines=[
            f"{reviewer.name} is now your reviewer for your {cycle_id} cycle.",
            "Your cycle carries on as it was: your statements and forms are kept (4.2).",
        ],
    ) + _mail(
        svc,
        reviewer,
        f"reviewer:{reviewee.person_id}:{cycle_id}:{reviewer.person_id}:{stamp}:by",
        subject=f"You are now {reviewee.name}'s reviewer",
        lines=[f"{me.name} has made you {reviewee.name}'s reviewer for their {cycle_id} cycle."],
    )
    assign_reviewer(
        svc.store,
        reviewee_id=reviewee.person_id,
        cycle_id=cycle_id,
        reviewer_id=reviewer.person_id,
        actor_id=me.person_id,
        at=now,
        why="headteacher",
        emails=emails,
        expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),  # 7
    )
    logger.info(
        "reviewer assigned", reviewee_id=reviewee.person_id, cycle_id=cycle_id, emails=len(emails)
    )
    return redirect(f"/reviewers?changed={reviewee.person_id}")


@router.post("/reviewers/requests")
def reviewers_decide() -> Response:
    body = checked_post()
    who, me, svc, school = _headteacher()
    reviewee_id, request_id = first(body, "reviewee"), first(body, "request")
    decision = first(body, "decision")
    request = get_request(svc.store, reviewee_id, request_id) if reviewee_id else None
    if request is None or request.school_id != school.id:
        raise NotFound("There is no such request.")
    values = {
        "request": request_id,
        "replacement": first(body, "replacement"),
        "reasons": first(body, "reasons"),
        "decision": decision,
    }
    key = f"q-{reviewee_id}"
    if request.status != "pending":
        return _reviewers_page(
            who,
            svc,
            school,
            error="This request has already been decided.",
            error_key=key,
            values=values,
            status_code=409,
        )
    replacement: Person | None = None
    try:
        if decision == "approve":
            _, replacement = _checked_assignment(svc, school, reviewee_id, values["replacement"])
            staff = _staff(svc, school.id)
            now_by = effective_reviewers(school, staff, assigned_reviewers_of(svc, staff))
            if replacement.person_id in (request.reviewer_id, now_by.get(request.reviewee_id)):
                raise ReviewerRefused("Choose someone other than the reviewer to be replaced.")
            reasons = values["reasons"].strip() or None
        elif decision == "decline":
            reasons = check_reasons(values["reasons"], "your reasons for declining")
        else:
            raise ReviewerRefused("Choose whether to approve or decline the request.")
    except ReviewerRefused as refused:
        return _reviewers_page(
            who, svc, school, error=str(refused), error_key=key, values=values, status_code=422
        )
    reviewee_person = svc.store.get_person(request.reviewee_id)
    now = svc.clock.now()
    base = f"reviewer-request:{request.reviewee_id}:{request.request_id}"
    if decision == "approve" and replacement is not None:
        emails = _mail(
            svc,
            reviewee_person,
            f"{base}:approved:reviewee",
            subject="Your request for a different reviewer: approved",
            lines=[
                f"{me.name} has approved your request. {replacement.name} is now your reviewer.",
                "Your cycle carries on as it was: your statements and forms are kept (4.2).",
            ],
            reasons=reasons,
            reasons_label="Notes from the headteacher",
        ) + _mail(
            svc,
            replacement,
            f"{base}:approved:reviewer",
            subject="You are now a reviewer for a colleague",
            lines=[
                f"{me.name} has made you {reviewee_person.name if reviewee_person else 'a colleague'}'s reviewer."
            ],
        )
    else:
        emails = _mail(
            svc,
            reviewee_person,
            f"{base}:declined:reviewee",
            subject="Your request for a different reviewer: declined",
            lines=[f"{me.name} has declined your request; your reviewer stays the same."],
            reasons=reasons,
            reasons_label="The headteacher's reasons",
        ) + _mail(
            svc,
            me,
            f"{base}:declined:headteacher",
            subject="You declined a request for a different reviewer",
            lines=["A copy for your records: you declined a request for a different reviewer."],
            reasons=reasons,
            reasons_label="Your reasons",
            link_path="/reviewers",
        )
    try:
        decide_request(
            svc.store,
            request,
            decision="approved" if decision == "approve" else "declined",
            actor_id=me.person_id,
            at=now,
            reasons=reasons,
            replacement_id=replacement.person_id if replacement else None,
            emails=emails,
            expires_at=expires_at_for_cycle_id(svc.settings, request.cycle_id),  # 7
        )
    except ReviewerConflict:
        return _reviewers_page(
            who,
            svc,
            school,
            error="This request has already been decided.",
            error_key=key,
            values=values,
            status_code=409,
        )
    logger.info("reviewer request decided", reviewee_id=request.reviewee_id, decision=decision)
    return redirect(f"/reviewers?changed={request.reviewee_id}")


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
    cycle_id = svc.cycle(me).cycle_id
    if me.is_headteacher:
        # 4.2: the governing body appoints the headteacher's reviewers; nothing to ask of oneself.
        people = svc.store.people_in_school(school.id)
        return page(
            "reviewers/change_headteacher.html",
            who,
            http_status=status_code,
            cycle_id=cycle_id,
            recorded=headteacher_reviewers(svc.store, school.id, cycle_id),
            names={p.person_id: p for p in people},
            error=error,
        )
    staff = _staff(svc, school.id)
    by_id = {p.person_id: p for p in staff}
    assigned = assigned_reviewer_of(svc, me)
    reviewer_id = assigned or effective_reviewers(school, staff, {}).get(me.person_id)
    mine = requests_of(svc.store, me.person_id, cycle_id)
    return page(
        "reviewers/change.html",
        who,
        http_status=status_code,
        reviewer=by_id.get(reviewer_id or ""),
        cycle_id=cycle_id,
        requests=mine,
        pending=any(r.status == "pending" for r in mine),
        names=by_id,
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
    if me.is_headteacher:
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
    try:
        reasons = check_reasons(typed)
    except ReviewerRefused as refused:
        return _change_page(who, me, svc, error=str(refused), reasons=typed, status_code=422)
    cycle_id = svc.cycle(me).cycle_id
    if any(r.status == "pending" for r in requests_of(svc.store, me.person_id, cycle_id)):
        return _change_page(
            who,
            me,
            svc,
            reasons=typed,
            status_code=409,
            error=("You have already asked; the headteacher has not decided yet."),
        )
    school = school_of(svc, me)
    staff = _staff(svc, school.id)
    reviewer_id = assigned_reviewer_of(svc, me) or effective_reviewers(school, staff, {}).get(
        me.person_id
    )
    request = ChangeRequest(
        reviewee_id=me.person_id,
        school_id=me.school_id,
        cycle_id=cycle_id,
        requested_at=svc.clock.now(),
        reasons=reasons,
        reviewer_id=reviewer_id,
    )
    head = headteacher_in(staff)
    emails = _mail(
        svc,
        head,
        f"reviewer-request:{me.person_id}:{request.request_id}:headteacher",
        subject=f"{me.name} asks for a different reviewer",
        lines=[
            f"{me.name} has asked for a different reviewer, stating these reasons (4.2).",
            "Approve it with a replacement of equal or higher status than their line "
            "manager, or decline it with your reasons.",
        ],
        reasons=reasons,
        link_path="/reviewers",
    )
    try:
        ttl = expires_at_for_cycle_id(svc.settings, request.cycle_id)  # 7
        create_request(svc.store, request, emails, expires_at=ttl)
    except ReviewerConflict:
        return redirect("/reviewer-change?sent=1")  # a double-tap: already recorded
    logger.info("reviewer change requested", reviewee_id=me.person_id, emails=len(emails))
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
    people = svc.store.people_in_school(school.id)
    head = headteacher_in(people)
    cycle_id = svc.cycle(head).cycle_id if head else None
    recorded = headteacher_reviewers(svc.store, school.id, cycle_id) if cycle_id else None
    if values is None:
        values = {
            "governors": list(recorded.governor_ids) if recorded else [],
            "foundation": list(recorded.foundation_ids) if recorded else [],
            "qa": list(recorded.qa_ids) if recorded else [],
            "adviser": recorded.adviser_id if recorded else "",
            "adviser_kind": recorded.adviser_kind if recorded else "",
        }
    return page(
        "reviewers/headteacher.html",
        who,
        http_status=status_code,
        school=school,
        head=head,
        cycle_id=cycle_id,
        governors=[p for p in people if p.has_role("governor")],
        advisers=[p for p in people if p.has_role("external-adviser")],
        adviser_kinds=ADVISER_KINDS,
        category=school_category(school),
        qa_mode=school.moderation.headteacher_statement_qa,
        recorded=recorded,
        names={p.person_id: p for p in people},
        values=values,
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
    people = svc.store.people_in_school(school.id)
    head = headteacher_in(people)
    if head is None:
        raise NotFound("This school has no headteacher in Growth Cycle yet.")
    governors = [p.person_id for p in people if p.has_role("governor")]
    chosen = [g for g in body.get("governors", []) if g]
    foundation = [g for g in governors if first(body, f"foundation-{g}") == "yes"]
    values: dict[str, Any] = {
        "governors": chosen,
        "foundation": foundation,
        "qa": [q for q in body.get("qa", []) if q],
        "adviser": first(body, "adviser"),
        "adviser_kind": first(body, "adviser_kind"),
    }
    cycle_id = svc.cycle(head).cycle_id
    appointment = HeadteacherReviewers(
        cycle_id=cycle_id,
        governor_ids=tuple(dict.fromkeys(chosen)),
        foundation_ids=tuple(foundation),
        adviser_id=values["adviser"],
        adviser_kind=values["adviser_kind"],  # checked below
        qa_ids=tuple(dict.fromkeys(values["qa"])),
    )
    problems = check_headteacher_reviewers(school, appointment, people)
    if problems:
        return _appointment_page(
            who, svc, school, may_edit, values=values, problems=problems, status_code=422
        )
    record_headteacher_reviewers(
        svc.store,
        school.id,
        appointment,
        headteacher_id=head.person_id,
        actor_id=me.person_id,
        at=svc.clock.now(),
        expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),  # 7
    )
    logger.info(
        "headteacher reviewers recorded",
        school_id=school.id,
        governors=len(appointment.governor_ids),
    )
    return redirect("/headteacher-review/reviewers?saved=1")
