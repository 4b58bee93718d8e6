"""Who reviews whom (4.2) and the headteacher's own reviewers (4.2, 5), as use cases.

What other capabilities ask: `review_inputs` / `review_inputs_of` (what decides a person's
reviewer this cycle, for domain/access.py), `review_of` (domain/reviewers.py `review_of_record`
with those inputs: THE reviewer of record), `assigned_reviewer_of`, `assigned_reviewers_of`.

The headteacher's page: `overview`; `change_reviewer`; `decide_request`. A reviewee:
`change_view`, `ask_for_change`. The governors: `appointment_view`, `record_appointment`.

Named errors (domain/reviewers.py): ReviewerRefused (the message says why), UnknownReviewee,
UnknownRequest, RequestAlreadyDecided, AlreadyAsked, HeadteacherAsks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from growthcycle.adapters import reviewers as repo
from growthcycle.adapters.outbox import Email
from growthcycle.adapters.reviewers import ChangeRequest, ReviewerConflict
from growthcycle.app.context import Memo, Services, remembered
from growthcycle.app.mail import rendered_email
from growthcycle.domain.people import Person, appraisal_exclusion, headteacher_of, in_post
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.reviewers import (
    AlreadyAsked,
    HeadteacherAsks,
    HeadteacherReviewers,
    RequestAlreadyDecided,
    ReviewerRefused,
    ReviewInputs,
    ReviewOfRecord,
    UnknownRequest,
    UnknownReviewee,
    candidates_for,
    check_assignment,
    check_headteacher_reviewers,
    check_reasons,
    effective_reviewers,
    review_of_record,
    reviewee_counts,
)
from growthcycle.domain.trust import School
from growthcycle.observability import logger

# -- what other capabilities ask ------------------------------------------------------------------


def assigned_reviewer_of(svc: Services, subject: Person) -> str | None:
    """The subject's explicit reviewer this cycle, if the headteacher assigned one (4.2)."""
    if not subject.is_staff:
        return None
    return repo.assigned_reviewer(svc.store, subject.person_id, svc.cycle(subject).cycle_id)


def assigned_reviewers_of(svc: Services, people: Sequence[Person]) -> dict[str, str]:
    """The explicit reviewers of many people this cycle: one Query per school and staff group,
    however many people (issue 14.1)."""
    found: dict[str, str] = {}
    by_school: dict[str, list[tuple[str, str]]] = {}
    for p in people:
        if p.is_staff:
            by_school.setdefault(p.school_id, []).append((p.person_id, svc.cycle(p).cycle_id))
    for school_id, cycles in sorted(by_school.items()):
        found |= repo.assigned_reviewers_in_school(svc.store, school_id, cycles)
    return found


def _appointment_of(svc: Services, head: Person, memo: Memo) -> HeadteacherReviewers | None:
    """The governors appointed for the headteacher's current cycle (4.2)."""
    cycle_id = svc.cycle(head).cycle_id
    found: HeadteacherReviewers | None = remembered(
        memo,
        f"appointment:{head.school_id}:{cycle_id}",
        lambda: repo.headteacher_reviewers(svc.store, head.school_id, cycle_id),
    )
    return found


def _mode(svc: Services, person: Person) -> str:
    school = svc.school(person.school_id)
    return school.reviewers.mode if school else "line-managers"


def review_inputs(svc: Services, subject: Person, *, memo: Memo = None) -> ReviewInputs:
    """What decides `subject`'s reviewer this cycle (4.2), for domain/access.py."""
    if not subject.is_staff:
        return ReviewInputs(mode=_mode(svc, subject))
    if subject.is_headteacher:
        return ReviewInputs(
            mode=_mode(svc, subject), appointment=_appointment_of(svc, subject, memo)
        )
    return ReviewInputs(
        mode=_mode(svc, subject), assigned_reviewer_id=assigned_reviewer_of(svc, subject)
    )


def review_inputs_of(
    svc: Services, people: Sequence[Person], *, memo: Memo = None
) -> dict[str, ReviewInputs]:
    """review_inputs for many people: one BatchGetItem for the assignments."""
    assigned = assigned_reviewers_of(svc, people)
    found: dict[str, ReviewInputs] = {}
    for p in people:
        mode = _mode(svc, p)
        if p.is_staff and p.is_headteacher:
            found[p.person_id] = ReviewInputs(mode=mode, appointment=_appointment_of(svc, p, memo))
        else:
            found[p.person_id] = ReviewInputs(
                mode=mode, assigned_reviewer_id=assigned.get(p.person_id)
            )
    return found


def review_of(svc: Services, subject: Person, *, memo: Memo = None) -> ReviewOfRecord:
    """Who reviews `subject` this cycle (4.2), by domain/reviewers.py `review_of_record`."""
    head = headteacher_of(p for p in svc.store.people_in_school(subject.school_id) if p.is_staff)
    return review_of_record(
        subject,
        review_inputs(svc, subject, memo=memo),
        headteacher_id=head.person_id if head else None,
    )


def staff_in_post(svc: Services, school_id: str) -> list[Person]:
    today = svc.clock.today()
    return [p for p in svc.store.people_in_school(school_id) if p.is_staff and in_post(p, today)]


# -- emails ------------------------------------------------------------------------------------------


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
    return rendered_email(
        "reviewer_notice",
        recipient,
        subject,
        lines=lines,
        reasons=reasons,
        reasons_label=reasons_label,
        link=f"{svc.settings.base_url.rstrip('/')}{link_path}",
        trust_name=svc.settings.trust_name,
    )


def _mail(svc: Services, to: Person | None, key: str, **kwargs: Any) -> list[tuple[Email, str]]:
    if to is None or to.email_suppressed:
        return []
    return [(_notice(svc, to, **kwargs), key)]


# -- the headteacher's page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    rows: list[dict[str, Any]]  # person, reviewer, assigned, candidates
    reviewers: list[tuple[Person, int]]  # each reviewer and how many they review
    requests: list[dict[str, Any]]  # request, reviewee, reviewer, candidates
    staff: list[Person]
    by_id: Mapping[str, Person]


def overview(svc: Services, school: School) -> Overview:
    staff = staff_in_post(svc, school.id)
    by_id = {p.person_id: p for p in staff}
    assigned = assigned_reviewers_of(svc, staff)
    current = effective_reviewers(school, staff, assigned)
    # 3: the excluded are listed, as not appraised, and count towards nobody's reviewees.
    today = svc.clock.today()
    excluded = {p.person_id: e for p in staff if (e := appraisal_exclusion(p, today))}
    counts = reviewee_counts({k: v for k, v in current.items() if k not in excluded})
    rows = [
        {
            "person": person,
            "reviewer": by_id.get(current.get(person.person_id) or ""),
            "assigned": person.person_id in assigned,
            "candidates": candidates_for(person, staff, by_id),
            "excluded": excluded.get(person.person_id),
        }
        for person in staff
        if not person.is_headteacher
    ]
    reviewers = sorted(
        ((by_id[r], n) for r, n in counts.items() if r in by_id), key=lambda rn: rn[0].sort_name
    )
    requests = []
    for r in repo.pending_requests(svc.store, school.id):
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
    return Overview(rows, reviewers, requests, staff, by_id)


def _checked_assignment(
    svc: Services, school: School, reviewee_id: str, reviewer_id: str
) -> tuple[Person, Person]:
    staff = staff_in_post(svc, school.id)
    by_id = {p.person_id: p for p in staff}
    reviewee, reviewer = by_id.get(reviewee_id), by_id.get(reviewer_id)
    if reviewee is None:
        raise UnknownReviewee(reviewee_id)
    if reviewer is None:
        raise ReviewerRefused("Choose a reviewer from the school's staff.")
    current = effective_reviewers(school, staff, assigned_reviewers_of(svc, staff))
    check_assignment(school, reviewee, reviewer, staff, current)
    return reviewee, reviewer


def change_reviewer(
    svc: Services, school: School, actor: Person, *, reviewee_id: str, reviewer_id: str
) -> Person:
    """The headteacher changes a reviewer (4.2: equal or higher status than the line manager,
    within the cap; the cycle carries on); both are told. The reviewee; ReviewerRefused or
    UnknownReviewee."""
    reviewee, reviewer = _checked_assignment(svc, school, reviewee_id, reviewer_id)
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
        lines=[f"{actor.name} has made you {reviewee.name}'s reviewer for their {cycle_id} cycle."],
    )
    repo.assign_reviewer(
        svc.store,
        school_id=reviewee.school_id,
        reviewee_id=reviewee.person_id,
        cycle_id=cycle_id,
        reviewer_id=reviewer.person_id,
        actor_id=actor.person_id,
        at=now,
        why="headteacher",
        emails=emails,
        expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),  # 7
    )
    logger.info(
        "reviewer assigned", reviewee_id=reviewee.person_id, cycle_id=cycle_id, emails=len(emails)
    )
    return reviewee


def decide_request(
    svc: Services,
    school: School,
    actor: Person,
    *,
    reviewee_id: str,
    request_id: str,
    decision: str,
    replacement_id: str,
    reasons: str,
) -> ChangeRequest:
    """The headteacher approves a request (with the replacement) or declines it (with reasons);
    the reviewee and the new reviewer (or, declined, the headteacher) are emailed. UnknownRequest,
    RequestAlreadyDecided or ReviewerRefused."""
    request = repo.get_request(svc.store, reviewee_id, request_id) if reviewee_id else None
    if request is None or request.school_id != school.id:
        raise UnknownRequest(request_id)
    if request.status != "pending":
        raise RequestAlreadyDecided(request_id)
    replacement: Person | None = None
    noted: str | None
    if decision == "approve":
        _, replacement = _checked_assignment(svc, school, reviewee_id, replacement_id)
        staff = staff_in_post(svc, school.id)
        now_by = effective_reviewers(school, staff, assigned_reviewers_of(svc, staff))
        if replacement.person_id in (request.reviewer_id, now_by.get(request.reviewee_id)):
            raise ReviewerRefused("Choose someone other than the reviewer to be replaced.")
        noted = reasons.strip() or None
    elif decision == "decline":
        noted = check_reasons(reasons, "your reasons for declining")
    else:
        raise ReviewerRefused("Choose whether to approve or decline the request.")
    reviewee = svc.store.get_person(request.reviewee_id)
    base = f"reviewer-request:{request.reviewee_id}:{request.request_id}"
    if replacement is not None:
        emails = _mail(
            svc,
            reviewee,
            f"{base}:approved:reviewee",
            subject="Your request for a different reviewer: approved",
            lines=[
                f"{actor.name} has approved your request. {replacement.name} is now your reviewer.",
                "Your cycle carries on as it was: your statements and forms are kept (4.2).",
            ],
            reasons=noted,
            reasons_label="Notes from the headteacher",
        ) + _mail(
            svc,
            replacement,
            f"{base}:approved:reviewer",
            subject="You are now a reviewer for a colleague",
            lines=[
                f"{actor.name} has made you "
                f"{reviewee.name if reviewee else 'a colleague'}'s reviewer."
            ],
        )
    else:
        emails = _mail(
            svc,
            reviewee,
            f"{base}:declined:reviewee",
            subject="Your request for a different reviewer: declined",
            lines=[f"{actor.name} has declined your request; your reviewer stays the same."],
            reasons=noted,
            reasons_label="The headteacher's reasons",
        ) + _mail(
            svc,
            actor,
            f"{base}:declined:headteacher",
            subject="You declined a request for a different reviewer",
            lines=["A copy for your records: you declined a request for a different reviewer."],
            reasons=noted,
            reasons_label="Your reasons",
            link_path="/reviewers",
        )
    try:
        decided = repo.decide_request(
            svc.store,
            request,
            decision="approved" if replacement is not None else "declined",
            actor_id=actor.person_id,
            at=svc.clock.now(),
            reasons=noted,
            replacement_id=replacement.person_id if replacement else None,
            emails=emails,
            expires_at=expires_at_for_cycle_id(svc.settings, request.cycle_id),  # 7
        )
    except ReviewerConflict:
        raise RequestAlreadyDecided(request_id) from None
    logger.info("reviewer request decided", reviewee_id=request.reviewee_id, decision=decision)
    return decided


# -- a reviewee asks for a different reviewer (4.2) ----------------------------------------------


@dataclass(frozen=True)
class ChangeView:
    cycle_id: str
    reviewer: Person | None
    requests: list[ChangeRequest]
    names: Mapping[str, Person]
    recorded: HeadteacherReviewers | None = None  # the headteacher's: the governors appointed

    @property
    def pending(self) -> bool:
        return any(r.status == "pending" for r in self.requests)


def _current_reviewer_id(
    svc: Services, school: School, me: Person, staff: list[Person]
) -> str | None:
    return assigned_reviewer_of(svc, me) or effective_reviewers(school, staff, {}).get(me.person_id)


def change_view(svc: Services, school: School, me: Person) -> ChangeView:
    cycle_id = svc.cycle(me).cycle_id
    if me.is_headteacher:
        # 4.2: the governing body appoints the headteacher's reviewers; nothing to ask of oneself.
        people = svc.store.people_in_school(school.id)
        return ChangeView(
            cycle_id=cycle_id,
            reviewer=None,
            requests=[],
            names={p.person_id: p for p in people},
            recorded=repo.headteacher_reviewers(svc.store, school.id, cycle_id),
        )
    staff = staff_in_post(svc, school.id)
    by_id = {p.person_id: p for p in staff}
    return ChangeView(
        cycle_id=cycle_id,
        reviewer=by_id.get(_current_reviewer_id(svc, school, me, staff) or ""),
        requests=repo.requests_of(svc.store, me.person_id, cycle_id),
        names=by_id,
    )


def ask_for_change(svc: Services, school: School, me: Person, reasons: str) -> None:
    """A reviewee asks, with reasons, for a different reviewer (4.2); the headteacher is told.
    HeadteacherAsks, ReviewerRefused (no reasons) or AlreadyAsked. A double tap records once."""
    if me.is_headteacher:
        raise HeadteacherAsks()
    stated = check_reasons(reasons)
    cycle_id = svc.cycle(me).cycle_id
    if any(r.status == "pending" for r in repo.requests_of(svc.store, me.person_id, cycle_id)):
        raise AlreadyAsked()
    staff = staff_in_post(svc, school.id)
    request = ChangeRequest(
        reviewee_id=me.person_id,
        school_id=me.school_id,
        cycle_id=cycle_id,
        requested_at=svc.clock.now(),
        reasons=stated,
        reviewer_id=_current_reviewer_id(svc, school, me, staff),
    )
    emails = _mail(
        svc,
        headteacher_of(staff),
        f"reviewer-request:{me.person_id}:{request.request_id}:headteacher",
        subject=f"{me.name} asks for a different reviewer",
        lines=[
            f"{me.name} has asked for a different reviewer, stating these reasons (4.2).",
            "Approve it with a replacement of equal or higher status than their line "
            "manager, or decline it with your reasons.",
        ],
        reasons=stated,
        link_path="/reviewers",
    )
    try:
        ttl = expires_at_for_cycle_id(svc.settings, request.cycle_id)  # 7
        repo.create_request(svc.store, request, emails, expires_at=ttl)
    except ReviewerConflict:
        return  # a double tap: already recorded
    logger.info("reviewer change requested", reviewee_id=me.person_id, emails=len(emails))


# -- the headteacher's reviewers (4.2) and quality assurance (5) ----------------------------------


@dataclass(frozen=True)
class AppointmentView:
    people: list[Person]
    head: Person | None
    cycle_id: str | None
    recorded: HeadteacherReviewers | None

    def values(self) -> dict[str, Any]:
        recorded = self.recorded
        return {
            "governors": list(recorded.governor_ids) if recorded else [],
            "foundation": list(recorded.foundation_ids) if recorded else [],
            "qa": list(recorded.qa_ids) if recorded else [],
            "adviser": recorded.adviser_id if recorded else "",
            "adviser_kind": recorded.adviser_kind if recorded else "",
        }


def appointment_view(svc: Services, school: School) -> AppointmentView:
    people = svc.store.people_in_school(school.id)
    head = headteacher_of(people)
    cycle_id = svc.cycle(head).cycle_id if head else None
    recorded = repo.headteacher_reviewers(svc.store, school.id, cycle_id) if cycle_id else None
    return AppointmentView(people, head, cycle_id, recorded)


class AppointmentRefused(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def record_appointment(
    svc: Services,
    school: School,
    actor: Person,
    *,
    governors: Sequence[str],
    foundation: Sequence[str],
    qa: Sequence[str],
    adviser: str,
    adviser_kind: str,
) -> HeadteacherReviewers:
    """A governor records the governing body's appointment of 2 or 3 governors, the adviser, and
    who quality-assures the headteacher's statement (4.2, 5). UnknownReviewee when the school has
    no headteacher yet; AppointmentRefused with every problem."""
    people = svc.store.people_in_school(school.id)
    head = headteacher_of(people)
    if head is None:
        raise UnknownReviewee("headteacher")
    cycle_id = svc.cycle(head).cycle_id
    # Foundation governors as the school lists its governors (a ticked box for anyone else is
    # not a governor's, and is ignored).
    ticked = set(foundation)
    foundation_ids = [
        p.person_id for p in people if p.has_role("governor") and p.person_id in ticked
    ]
    appointment = HeadteacherReviewers(
        cycle_id=cycle_id,
        governor_ids=tuple(dict.fromkeys(governors)),
        foundation_ids=tuple(foundation_ids),
        adviser_id=adviser,
        adviser_kind=adviser_kind,  # type: ignore[arg-type]  # checked below
        qa_ids=tuple(dict.fromkeys(qa)),
    )
    problems = check_headteacher_reviewers(school, appointment, people)
    if problems:
        raise AppointmentRefused(problems)
    repo.record_headteacher_reviewers(
        svc.store,
        school.id,
        appointment,
        headteacher_id=head.person_id,
        actor_id=actor.person_id,
        at=svc.clock.now(),
        expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),  # 7
    )
    logger.info(
        "headteacher reviewers recorded",
        school_id=school.id,
        governors=len(appointment.governor_ids),
    )
    return appointment
