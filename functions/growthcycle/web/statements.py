"""Statements by email (4.3, 4.6, 4.9, 5, 6, 7, 8): the meeting, the draft, the reviewee's answer,
signing, moderation, revision and appeal. The rules are the table in domain/statements.py; this
module shows them as pages and emails and stores each move with adapters/statements.commit.

Routes:
- GET  /people/<person_id>/meeting: the booked meeting, its notice flag (4.3) and due dates.
- GET  /statements: the signed-in person's statements (as reviewee, reviewer, headteacher, ...).
- GET  /statements/<statement_id>: the current version, state, due dates and actions (buttons).
- POST /statements/<statement_id>/actions/<action>: a move from the page (CSRF, `_version`).
- GET  /statements/<statement_id>/compare?a=1&b=2: the fields that changed between versions.
- GET  /statements/<statement_id>/views: the reviewee sees who has seen it and why (7).
- GET  /statements/<statement_id>/governor: the overall assessment only, for pay governors (7).
- GET  /statement-links/<token>: an emailed link's page: what will happen, and a button.
- POST /statement-links/<token>: the button (CSRF bound to the token; single use).
- POST /statement-links/<token>/renew: email the link's own person a fresh link.

Two after-save steps join the hosted forms (web/hooks.py): booking the `meeting` form emails the
invitation with a calendar file; submitting `planning-review` issues a draft statement version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from growthcycle.adapters import statement_clocks as clocks
from growthcycle.adapters import statements as repo
from growthcycle.adapters.outbox import Email
from growthcycle.app import statement_pdf as pdf  # fpdf2 itself loads only when a PDF is made
from growthcycle.app.statements import governor_entries
from growthcycle.domain import statements as rules
from growthcycle.domain.access import is_reviewer_of, may_view
from growthcycle.domain.forms import format_date
from growthcycle.domain.links import ActionLink, LinkInvalid, make_link, read_link
from growthcycle.domain.people import Person, headteacher_of, in_post
from growthcycle.domain.records import AuditEntry, Submission
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.reviewers import review_of_record
from growthcycle.domain.statements import (
    MEETING_FORM,
    STATE_WORDS,
    STATEMENT_FORM,
    WHY,
    ActionNotAllowed,
    Move,
    ReasonMissing,
    State,
    Statement,
    StatementEvent,
    StatementVersion,
)
from growthcycle.observability import logger
from growthcycle.web import hooks, ratelimit
from growthcycle.web.core import (
    Visitor,
    page,
    require_csrf,
    school_of,
    signed_in,
    visitor,
)
from growthcycle.web.errors import NotFound
from growthcycle.web.http import first, form_body, redirect
from growthcycle.web.paging import page_of
from growthcycle.web.reviewers import review_inputs, review_inputs_of
from growthcycle.web.services import Services, services
from growthcycle.web.special_cases import paused_refusal, paused_since
from growthcycle.web.statement_content import Loaded, load_statement, show, whole_for
from growthcycle.web.templating import render

router = Router()

MEETING_MINUTES = 60


def _day(d: date | None) -> str:
    return f"{d:%A} {format_date(d)}" if d else "not set"


def _base(svc: Services) -> str:
    return svc.settings.base_url.rstrip("/")


def _statement_url(statement_id: str) -> str:
    return f"/statements/{quote(statement_id)}"


def _latest_version(svc: Services, statement: Statement) -> StatementVersion | None:
    found = repo.versions(svc.store, statement.statement_id)
    return found[-1] if found else None


# -- emails ------------------------------------------------------------------------------------


def _link(svc: Services, person: Person, statement: Statement, action: str) -> str:
    token = make_link(
        svc.signer,
        person_id=person.person_id,
        statement_id=statement.statement_id,
        statement_version=statement.statement_version,
        action=action,
        now=svc.clock.now(),
        days=svc.settings.link_expiry_days,
    )
    return f"{_base(svc)}/statement-links/{token}"


def _action_links(
    svc: Services, person: Person, party: str, statement: Statement
) -> list[dict[str, str]]:
    return [
        {"label": m.label, "url": _link(svc, person, statement, m.action)}
        for m in rules.available(party, statement.state, link=True)
    ]


# What each move tells whom: (subject, opening line). The email adds the reason, the statement
# where it is a copy, the due dates and the action links open to the recipient.
MESSAGES: dict[tuple[str, str], tuple[str, str]] = {
    ("agree", "reviewer"): (
        "{reviewee} agreed the draft statement: please sign it",
        "{reviewee} agreed and signed version {version} of their draft statement. Please sign "
        "the final statement (due {final_due}).",
    ),
    ("request-changes", "reviewer"): (
        "{reviewee} asked for changes to the draft statement",
        "{reviewee} asked for changes to version {version} of their draft statement. Revise the "
        "planning and review form and submit it to send a new draft, or, if you cannot agree, "
        "keep your version (4.6); their reason is kept with the statement.",
    ),
    ("comment", "reviewer"): (
        "{reviewee} added a comment to their statement",
        "{reviewee} added a comment to version {version} of their statement.",
    ),
    ("stand", "reviewee"): (
        "Your reviewer's version of the statement stands",
        "You and your reviewer could not agree, so your reviewer's version {version} stands "
        "(4.6, 6). Your comments are kept with it and you may add more.",
    ),
    ("stand", "reviewer"): (
        "Please sign {reviewee}'s statement",
        "Your version {version} stands. Please sign the final statement (due {final_due}).",
    ),
    ("sign", "reviewee"): (
        "Your final statement: your copy",
        "{reviewer} signed the final statement (version {version}). This is your copy (4.9).",
    ),
    ("sign", "headteacher"): (
        "{reviewee}'s final statement: the original",
        "{reviewer} signed {reviewee}'s final statement (version {version}). This is the "
        "original for you to hold (4.9).",
    ),
    ("sign", "quality-assurer"): (
        "{reviewee}'s final statement: for quality assurance",
        "{reviewer} signed the headteacher's final statement (version {version}). Please "
        "quality-assure it: approve it, or ask for a revised statement (5).",
    ),
    ("sign-unanswered", "reviewee"): (
        "Your final statement: your copy",
        "You did not answer the draft by {answer_due}, so {reviewer} signed the final statement "
        "(version {version}) without your answer, as 4.9 provides. This is your copy; you may "
        "still add a comment to it.",
    ),
    ("sign-unanswered", "headteacher"): (
        "{reviewee}'s final statement: the original",
        "{reviewer} signed {reviewee}'s final statement (version {version}); {reviewee} did not "
        "answer the draft by {answer_due} (4.9). This is the original for you to hold.",
    ),
    ("sign-unanswered", "quality-assurer"): (
        "{reviewee}'s final statement: for quality assurance",
        "{reviewer} signed the headteacher's final statement (version {version}); the "
        "headteacher did not answer the draft by {answer_due} (4.9). Please quality-assure it: "
        "approve it, or ask for a revised statement (5).",
    ),
    ("approve", "reviewee"): (
        "Your statement has been moderated",
        "{moderator} approved your statement (5). If you disagree with any entry "
        "you may now appeal (8).",
    ),
    ("approve", "reviewer"): (
        "{reviewee}'s statement has been moderated",
        "{moderator} approved {reviewee}'s statement (5).",
    ),
    ("instruct-revision", "reviewer"): (
        "A revised statement is needed for {reviewee}",
        "{moderator} asked for a revised statement for {reviewee}, due {revised_due} (5). "
        "Revise the planning and review form with {reviewee} and submit it.",
    ),
    ("instruct-revision", "reviewee"): (
        "Your statement is being revised",
        "{moderator} asked for a revised statement, due {revised_due} (5). Your reviewer "
        "will prepare it with you.",
    ),
    ("request-revision", "reviewee"): (
        "A revision meeting has been asked for",
        "A revision meeting has been asked for to change your statement (6). Your reviewer will "
        "arrange it.",
    ),
    ("request-revision", "reviewer"): (
        "A revision meeting has been asked for: {reviewee}",
        "A revision meeting has been asked for to change {reviewee}'s statement (6). Arrange it, "
        "then revise the planning and review form and submit it.",
    ),
    ("appeal", "headteacher"): (
        "{reviewee} has appealed against their statement",
        "{reviewee} has appealed against an entry in their statement (8). Arrange a hearing and "
        "record its outcome on the statement's page.",
    ),
    ("decide-appeal", "reviewee"): (
        "The outcome of your appeal",
        "The outcome of your appeal has been recorded (8).",
    ),
    ("decide-appeal", "reviewer"): (
        "The outcome of {reviewee}'s appeal",
        "The outcome of {reviewee}'s appeal has been recorded (8).",
    ),
}
SHOWS_STATEMENT = {
    (action, party)
    for action in rules.SIGNING
    for party in ("reviewee", "headteacher", "quality-assurer")
}


def _email(svc: Services, template: str, to: Person, subject: str, **context: Any) -> Email:
    context |= {
        "recipient": to,
        "trust_name": svc.settings.trust_name,
        "base_url": _base(svc),
        "subject": subject,
    }
    return Email(
        to_address=to.email,
        to_person_id=to.person_id,
        subject=subject,
        html=render(f"email/{template}.html", **context),
        text=render(f"email/{template}.txt", **context),
    )


def _words(loaded: Loaded, statement: Statement) -> dict[str, str]:
    return {
        "reviewee": loaded.reviewee.name,
        "reviewer": loaded.reviewer.name if loaded.reviewer else "The reviewer",
        "version": str(statement.statement_version),
        "final_due": _day(statement.final_due),
        "revised_due": _day(statement.revised_due),
        "answer_due": _day(statement.unanswered_by or statement.answer_due),
        # 5: the headteacher moderates; the governors quality-assure the headteacher's own.
        "moderator": "The governors quality-assuring it"
        if loaded.headteachers_own
        else "The headteacher",
    }


def _move_emails(
    svc: Services,
    loaded: Loaded,
    statement: Statement,
    move: Move,
    event: StatementEvent,
    values: dict[str, Any],
    actor: Person,
) -> list[tuple[Email, str]]:
    emails: list[tuple[Email, str]] = []
    words = _words(loaded, statement)
    recipients = [(party, to) for party in move.tells for to in loaded.people(party)]
    for party, to in recipients:
        message = MESSAGES.get((move.action, party))
        if message is None or to.email_suppressed:
            continue
        if to.person_id == actor.person_id:
            continue  # nobody is emailed about their own move
        subject, opening = (part.format(**words) for part in message)
        if move.action in rules.SIGNING and party in ("headteacher", "quality-assurer"):
            # 5: the moderator sees when moderation is due, or that it is not in the sample.
            moderation = _moderation_words(loaded, statement)
            opening = f"{opening} {moderation}" if moderation else opening
        email = _email(
            svc,
            "statement_update",
            to,
            subject,
            opening=opening,
            event=event,
            reason_label=_reason_label(move),
            outcome=rules.APPEAL_OUTCOMES.get(event.outcome, ""),
            show=(move.action, party) in SHOWS_STATEMENT,
            form=loaded.form,
            ctx=loaded.ctx,
            values=values,
            statement_text=loaded.form.as_text(values, loaded.ctx),
            actions=_action_links(svc, to, party, statement),
            page_url=f"{_base(svc)}{_statement_url(statement.statement_id)}",
            # Issue 16: the signed original comes with its document for the personnel file.
            pdf_url=f"{_base(svc)}{_statement_url(statement.statement_id)}/pdf"
            if pdf.may_download(statement.state)
            else None,
            edit_url=f"{_base(svc)}/people/{quote(loaded.reviewee.person_id)}/forms/{STATEMENT_FORM}"
            if party == "reviewer"
            else None,
        )
        key = f"statement:{statement.statement_id}:{statement.version}:{move.action}:{to.person_id}"
        emails.append((email, key))
    return emails


def _reason_label(move: Move) -> str:
    return {
        "agree": "Their comment",
        "request-changes": "Their reason",
        "comment": "Their comment",
        "stand": "The reviewer's note",
        "instruct-revision": "The reasons given",
        "request-revision": "Why",
        "appeal": "Their reasons",
        "decide-appeal": "The outcome and reasons",
    }.get(move.action, "Note")


# -- moves ---------------------------------------------------------------------------------------


def _is_moderated(loaded: Loaded) -> bool:
    """5: whether this statement is moderated once signed (the school's mode and its stable
    sample draw), or, for the headteacher's own, quality-assured by the chair or governors."""
    if loaded.headteachers_own:
        return rules.headteacher_statement_checked(loaded.record.qa_ids)
    return rules.moderated(
        loaded.school.moderation.mode,
        loaded.school.moderation.sample_percent,
        loaded.statement.statement_id,
        loaded.statement.cycle_id,
    )


def _moderation_words(loaded: Loaded, statement: Statement) -> str:
    """5: what the headteacher (or the reviewer) is told about moderation, or ""."""
    if not _is_moderated(loaded):
        if loaded.school.moderation.mode == "sample" and not loaded.headteachers_own:
            return "Not in this year's moderation sample (5)."
        return ""
    if statement.moderation_due:
        return f"Moderation is due by {_day(statement.moderation_due)} (5)."
    return ""


def perform(
    svc: Services,
    loaded: Loaded,
    actor: Person,
    party: str,
    action: str,
    *,
    reason: str,
    channel: str,
    expected_version: int,
    outcome: str = "",
    hearing_date: date | None = None,
    link: ActionLink | None = None,
) -> Statement:
    """Make one move from the table, stored all or nothing; raises the named refusals."""
    current = loaded.statement
    move = rules.check(
        action,
        party,
        current.state,
        reason,
        answer_time_up=rules.answer_time_up(current, svc.clock.today()),
        answer_due=current.answer_due,
    )
    if current.version != expected_version:
        raise repo.StatementConflict(current)
    since = paused_since(svc, loaded.reviewee, current.cycle_id)
    if since is not None:
        raise rules.CyclePaused(since)  # 3, 4.1: nothing moves while the cycle is paused
    now = svc.clock.now()
    is_moderated = _is_moderated(loaded)
    to_state = rules.state_after(move, is_moderated=is_moderated) or current.state
    updates: dict[str, Any] = {
        "state": to_state,
        "version": current.version + 1,
        "updated_at": now,
    }
    if move.action in rules.SIGNING:
        updates |= {"signed_at": now, "is_moderated": is_moderated}
    if move.action == "sign-unanswered":
        updates["unanswered_by"] = current.answer_due  # 4.9: said on the statement
    if move.action == "instruct-revision":
        # 5: the revised statement is due 10 working days after the instruction.
        today = svc.clock.today()
        updates["revised_due"] = rules.revised_due(today, loaded.school.working_calendar())
    statement = current.model_copy(update=updates)
    event = StatementEvent(
        statement_id=current.statement_id,
        seq=statement.version,
        action=move.action,
        actor_id=actor.person_id,
        party=party,
        channel="link" if channel == "link" else "page",
        from_state=current.state,
        to_state=to_state,
        statement_version=current.statement_version,
        reason=reason.strip()[: rules.MAX_REASON],
        outcome=outcome if outcome in rules.APPEAL_OUTCOMES else "",
        hearing_date=hearing_date,
        at=now,
    )
    audit = AuditEntry(
        subject_id=loaded.reviewee.person_id,
        actor_id=actor.person_id,
        action=f"statement.{move.action}",
        target=f"{current.statement_id}@{current.statement_version}",
        channel="link" if channel == "link" else "page",
        at=now,
    )
    latest = _latest_version(svc, current)
    values = latest.values if latest else {}
    emails = _move_emails(svc, loaded, statement, move, event, values, actor)
    marker = (link.marker, link.expires_at + 86400) if link else None
    repo.commit(
        svc.store,
        statement,
        expected_version=current.version,
        event=event,
        audit=audit,
        emails=emails,
        link_marker=marker,
        expires_at=expires_at_for_cycle_id(svc.settings, statement.cycle_id),  # 7
    )
    clocks.statement_moved(  # 4.9, 5: the next move's deadline, the answered one closed
        svc,
        statement,
        loaded.reviewee,
        loaded.people,
        reviewer_name=loaded.reviewer.name if loaded.reviewer else "your reviewer",
    )
    logger.info(
        "statement move",
        statement_id=current.statement_id,
        action=move.action,
        from_state=current.state.value,
        to_state=to_state.value,
        channel=channel,
        emails=len(emails),
    )
    return statement


# -- the meeting (4.3) ----------------------------------------------------------------------------


def _meeting_values(values: dict[str, Any]) -> tuple[date, str, str] | None:
    try:
        day = date.fromisoformat(str(values.get("date", "")))
    except ValueError:
        return None
    return day, str(values.get("time", "")).strip(), str(values.get("place", "")).strip()


def meeting_checks(event: hooks.FormEvent) -> list[hooks.Note]:
    if event.form.id != MEETING_FORM:
        return []
    notes: list[hooks.Note] = []
    time_text = str(event.values.get("time", "")).strip()
    if time_text:
        try:
            rules.parse_time(time_text)
        except rules.MeetingTimeInvalid:
            notes.append(
                hooks.Note(
                    key="time",
                    message="Enter the time on the 24-hour clock, such as 09:15 or 15:30.",
                    severity="block",
                    code="meeting-time",
                )
            )
    found = _meeting_values(event.values)
    if found:
        today = event.svc.clock.today()
        dues = rules.meeting_dues(found[0], today, event.school.working_calendar())
        if found[0] < today:
            notes.append(hooks.Note(key="date", message="This date is in the past."))
        elif dues.short_notice:
            notes.append(
                hooks.Note(
                    key="date",
                    message=f"Less than 5 working days' notice: for this date notice should "
                    f"have been given by {_day(dues.notice_by)} (4.3). You can still book it.",
                    code="short-notice",
                )
            )
    return notes


def meeting_booked(event: hooks.FormEvent, submission: Submission) -> Response | None:
    if event.form.id != MEETING_FORM or submission.status != "submitted":
        return None
    found = _meeting_values(submission.values)
    if found is None:
        return None
    svc: Services = event.svc
    day, time_text, place = found
    start = rules.parse_time(time_text)
    dues = rules.meeting_dues(day, submission.saved_at.date(), event.school.working_calendar())
    reviewee, reviewer = event.subject, event.actor
    when = f"{_day(day)} at {start:%H:%M}"
    ics = rules.meeting_ics(
        uid=f"meeting-{event.cycle_id}-{reviewee.person_id}@growthcycle",
        sequence=submission.version,
        day=day,
        start=start,
        minutes=MEETING_MINUTES,
        summary=f"Planning and review meeting: {reviewee.name} with {reviewer.name}",
        location=place,
        description="Your planning and review meeting (4.3). The self-review is optional.",
        stamp=svc.clock.now(),
    )
    context = {
        "reviewee": reviewee,
        "reviewer": reviewer,
        "when": when,
        "place": place,
        "notes": str(submission.values.get("notes", "")),
        "dues": dues,
        "day": _day,
        "self_review_url": f"{_base(svc)}/forms/self-review",
        "meeting_url": f"{_base(svc)}/people/{quote(reviewee.person_id)}/meeting",
    }
    key = f"meeting:{reviewee.person_id}:{event.cycle_id}:{submission.version}"
    if not reviewee.email_suppressed:
        invitation = _email(
            svc,
            "meeting_invitation",
            reviewee,
            f"Your planning and review meeting: {when}",
            **context,
        )
        invitation = Email(
            to_address=invitation.to_address,
            to_person_id=invitation.to_person_id,
            subject=invitation.subject,
            html=invitation.html,
            text=invitation.text,
            attachments=(("meeting.ics", "text/calendar", ics),),
        )
        svc.store.queue_email(invitation, idempotency_key=f"{key}:invitation")
    confirmation = _email(
        svc, "meeting_booked", reviewer, f"Meeting booked with {reviewee.name}: {when}", **context
    )
    svc.store.queue_email(confirmation, idempotency_key=f"{key}:confirmation")
    clocks.meeting_booked(
        svc, reviewee, reviewer, event.cycle_id, day, event.school.working_calendar()
    )
    svc.store.record_audit(
        AuditEntry(
            subject_id=reviewee.person_id,
            actor_id=reviewer.person_id,
            action="meeting.booked",
            target=f"{MEETING_FORM}@{submission.version}",
            channel="page",
            at=svc.clock.now(),
        ),
        expires_at=expires_at_for_cycle_id(svc.settings, submission.cycle_id),  # 7
    )
    logger.info("meeting booked", short_notice=dues.short_notice, version=submission.version)
    return redirect(f"/people/{quote(reviewee.person_id)}/meeting?booked=1")


@router.get("/people/<person_id>/meeting")
def show_meeting(person_id: str) -> Response:
    who, actor = signed_in()
    svc = services()
    reviewee = svc.store.get_person(person_id)
    reviewing = review_inputs(svc, reviewee) if reviewee is not None else None
    if reviewee is None or not reviewee.is_staff or not may_view(actor, reviewee, reviewing):
        raise NotFound("There is nothing at this address.")
    school = school_of(svc, reviewee)
    cycle = svc.cycle(reviewee)
    saved = svc.store.get_submission(reviewee.person_id, cycle.cycle_id, MEETING_FORM)
    meeting = None
    if saved is not None and saved.status == "submitted":
        found = _meeting_values(saved.values)
        if found:
            dues = rules.meeting_dues(found[0], saved.saved_at.date(), school.working_calendar())
            meeting = {"day": found[0], "time": found[1], "place": found[2], "dues": dues}
    statement_id = rules.statement_id_for(reviewee.person_id, cycle.cycle_id)
    has_statement = repo.get_statement(svc.store, statement_id) is not None
    return page(
        "statements/meeting.html",
        who,
        reviewee=reviewee,
        meeting=meeting,
        day=_day,
        booked=router.current_event.get_query_string_value("booked") == "1",
        is_reviewer=is_reviewer_of(actor, reviewee, reviewing),
        form_url=f"/people/{quote(reviewee.person_id)}/forms/{MEETING_FORM}",
        statement_url=_statement_url(statement_id) if has_statement else None,
    )


# -- issuing a draft (4.9) -----------------------------------------------------------------------


def statement_issued(event: hooks.FormEvent, submission: Submission) -> Response | None:
    if event.form.id != STATEMENT_FORM or submission.status != "submitted":
        return None
    svc: Services = event.svc
    reviewee, reviewer = event.subject, event.actor
    statement_id = rules.statement_id_for(reviewee.person_id, event.cycle_id)
    url = _statement_url(statement_id)
    current = repo.get_statement(svc.store, statement_id)
    if current is not None and current.form_version >= submission.version:
        return redirect(url)  # issued already: a retried request
    state = current.state if current else State.NEW
    if not rules.allowed("issue", "reviewer", state):
        return redirect(f"{url}?held=1")  # signed: changes go through a revision (5, 6)
    latest = _latest_version(svc, current) if current else None
    if latest is not None and latest.values == submission.values:
        return redirect(f"{url}?unchanged=1")
    if not _held_meeting(svc, reviewee, event.cycle_id)[1]:
        # 4.9: no draft before the meeting (the form's check refuses the submit; this is the
        # guard for any other way in). The form is saved; nothing is sent.
        logger.info("statement not issued: meeting not held", statement_id=statement_id)
        return None
    now = svc.clock.now()
    calendar = event.school.working_calendar()
    meeting = svc.store.get_submission(reviewee.person_id, event.cycle_id, MEETING_FORM)
    found = _meeting_values(meeting.values) if meeting and meeting.status == "submitted" else None
    dues = (
        rules.meeting_dues(found[0], meeting.saved_at.date(), calendar)
        if found and meeting
        else None
    )
    statement = Statement(
        statement_id=statement_id,
        school_id=event.school.id,
        cycle_id=event.cycle_id,
        reviewee_id=reviewee.person_id,
        reviewer_id=reviewer.person_id,
        state=State.DRAFT,
        version=(current.version + 1) if current else 1,
        statement_version=(current.statement_version + 1) if current else 1,
        form_version=submission.version,
        meeting_date=found[0] if found else None,
        draft_due=dues.draft_due if dues else None,
        final_due=dues.final_due if dues else None,
        moderation_due=dues.moderation_due if dues else None,
        revised_due=current.revised_due if current else None,
        # 4.9: the reviewee's time to answer; the reviewer signs by the final due date anyway.
        answer_due=rules.answer_due(
            (current.revised_due if current else None) or dues.final_due,
            svc.clock.today(),
            calendar,
        )
        if dues
        else None,
        updated_at=now,
    )
    text = StatementVersion(
        statement_id=statement_id,
        statement_version=statement.statement_version,
        form_version=submission.version,
        values=submission.values,
        issued_by=reviewer.person_id,
        issued_at=now,
    )
    issue_event = StatementEvent(
        statement_id=statement_id,
        seq=statement.version,
        action="issue",
        actor_id=reviewer.person_id,
        party="reviewer",
        channel="page",
        from_state=state,
        to_state=State.DRAFT,
        statement_version=statement.statement_version,
        at=now,
    )
    emails: list[tuple[Email, str]] = []
    if not reviewee.email_suppressed:
        draft = _email(
            svc,
            "statement_draft",
            reviewee,
            f"Your draft planning and review statement (version {statement.statement_version})",
            reviewer=reviewer,
            statement=statement,
            form=event.form,
            ctx=event.ctx,
            values=submission.values,
            statement_text=event.form.as_text(submission.values, event.ctx),
            actions=_action_links(svc, reviewee, "reviewee", statement),
            page_url=f"{_base(svc)}{url}",
            day=_day,
        )
        key = f"statement:{statement_id}:{statement.version}:issue:{reviewee.person_id}"
        emails.append((draft, key))
    audit = AuditEntry(
        subject_id=reviewee.person_id,
        actor_id=reviewer.person_id,
        action="statement.issue",
        target=f"{statement_id}@{statement.statement_version}",
        channel="page",
        at=now,
    )
    try:
        repo.commit(
            svc.store,
            statement,
            expected_version=current.version if current else None,
            event=issue_event,
            audit=audit,
            emails=emails,
            new_version=text,
            expires_at=expires_at_for_cycle_id(svc.settings, statement.cycle_id),  # 7
        )
    except repo.StatementConflict:
        return redirect(f"{url}?conflict=issue")
    clocks.statement_moved(  # 4.9: the reviewee's answer is due; the draft clock closes
        svc, statement, reviewee, clocks.parties(reviewee, reviewer), reviewer_name=reviewer.name
    )
    logger.info("statement issued", statement_id=statement_id, version=statement.statement_version)
    return redirect(f"{url}?done=issue")


def _held_meeting(svc: Services, reviewee: Person, cycle_id: str) -> tuple[date | None, bool]:
    """The booked planning and review meeting's date (None if none is recorded) and whether it
    has taken place: its date is today or past (4.9: the statement follows the meeting)."""
    meeting = svc.store.get_submission(reviewee.person_id, cycle_id, MEETING_FORM)
    found = _meeting_values(meeting.values) if meeting and meeting.status == "submitted" else None
    if found is None:
        return None, False
    return found[0], found[0] <= svc.clock.today()


def meeting_first_check(event: hooks.FormEvent) -> list[hooks.Note]:
    """4.9: the draft statement follows the planning and review meeting. Submitting the
    planning and review form (which issues the draft) is refused until a meeting is recorded
    and its date is today or past; saving a draft is never refused, so nothing typed is lost."""
    if event.form.id != STATEMENT_FORM:
        return []
    svc: Services = event.svc
    reviewee = event.subject
    current = repo.get_statement(
        svc.store, rules.statement_id_for(reviewee.person_id, event.cycle_id)
    )
    if current is not None and not rules.allowed("issue", "reviewer", current.state):
        return []  # signed: submitting only saves the form; no draft is sent (5, 6)
    day, held = _held_meeting(svc, reviewee, event.cycle_id)
    if held:
        return []
    keep = "Save and finish later keeps everything you have written."
    if day is None:
        message = (
            f"No planning and review meeting is recorded for {reviewee.name}. The draft "
            f"statement follows the meeting (4.9), so it can be sent once the meeting has taken "
            f"place. {keep}"
        )
        link_url = f"/people/{quote(reviewee.person_id)}/forms/{MEETING_FORM}"
        link_text = "Book the planning and review meeting"
    else:
        message = (
            f"The planning and review meeting with {reviewee.name} is on {_day(day)}. The draft "
            f"statement follows the meeting (4.9), so you can submit it from that day. {keep}"
        )
        link_url = f"/people/{quote(reviewee.person_id)}/meeting"
        link_text = "See or change the meeting"
    return [
        hooks.Note(
            key="submit",
            message=message,
            severity="advise" if event.partial else "block",
            code="meeting-not-held",
            link_url=link_url,
            link_text=link_text,
        )
    ]


# -- pages ---------------------------------------------------------------------------------------


def _viewer(statement_id: str) -> tuple[Visitor, Person, Loaded, rules.Audience]:
    who, actor = signed_in()
    svc = services()
    loaded = load_statement(svc, statement_id)
    seen_as = loaded.audience(actor) if loaded else None
    # 7: anybody else, or another school, sees nothing: it looks like nothing exists.
    if loaded is None or seen_as is None:
        raise NotFound("There is nothing at this address.")
    return who, actor, loaded, seen_as


@router.get("/statements")
def list_statements() -> Response:
    who, me = signed_in()
    svc = services()
    people = {p.person_id: p for p in svc.store.people_in_school(me.school_id)}
    head = headteacher_of(people.values())
    # 4.2: each reviewee's reviewers this cycle, so an assigned reviewer (or an appointed
    # governor, for the headteacher) finds the statements they act on.
    reviewing = review_inputs_of(svc, list(people.values()))
    rows: list[dict[str, Any]] = []
    for statement in repo.statements_in_school(svc.store, me.school_id):
        reviewee = people.get(statement.reviewee_id)
        if reviewee is None:
            continue
        record = review_of_record(
            reviewee,
            reviewing.get(reviewee.person_id),
            headteacher_id=head.person_id if head else None,
        )
        seen_as = rules.audience(me, reviewee, statement, record)
        if seen_as is None:
            continue
        url = _statement_url(statement.statement_id)
        rows.append(
            {
                "statement": statement,
                "reviewee": reviewee,
                "as": seen_as,
                "state": rules.describe(statement.state, headteachers_own=reviewee.is_headteacher),
                "url": f"{url}/governor" if seen_as == "governor" else url,
                "yours": bool(
                    rules.available(
                        rules.party_of(seen_as),
                        statement.state,
                        answer_time_up=rules.answer_time_up(statement, svc.clock.today()),
                    )
                ),
            }
        )
    rows.sort(key=lambda r: (r["as"] != "reviewee", r["reviewee"].sort_name))
    listed = page_of(rows, "/statements")  # issue 14.1: the headteacher's list, 20 a page
    return page("statements/list.html", who, rows=listed.items, listed=listed)


def _statement_page(
    who: Visitor,
    actor: Person,
    loaded: Loaded,
    seen_as: rules.Audience,
    *,
    status: int = 200,
    notice: str | None = None,
    error: dict[str, str] | None = None,
    where: str = "statement",
    unsaved: str = "",
) -> Response:
    """The statement page, at any status; `show` records the view and keeps to the audience."""
    svc = services()
    statement = loaded.statement
    party = rules.party_of(seen_as)
    all_versions = repo.versions(svc.store, statement.statement_id)
    history = repo.events(svc.store, statement.statement_id)
    people = {p.person_id: p for p in svc.store.people_in_school(loaded.school.id)}
    query = router.current_event.get_query_string_value
    done = query("done") or ""
    if not notice and done in rules.MOVES_BY_ACTION:
        notice = f"Done: {rules.MOVES_BY_ACTION[done].label.lower()}."
    if not notice and query("held") == "1":
        notice = (
            "The planning and review form is saved, but this statement is signed, so no new "
            "draft was sent. To change it, ask for a revision meeting (6)."
        )
    if not notice and query("unchanged") == "1":
        notice = "Nothing in the statement changed, so no new draft was sent."
    if not notice and query("conflict"):
        notice = "Someone changed this statement at the same moment. This is how it is now."
    return show(
        who,
        actor,
        loaded,
        where=where,
        template="statements/statement.html",
        http_status=status,
        statement=statement,
        state_words=loaded.state_words,
        seen_as=seen_as,
        why=WHY[seen_as],
        current=all_versions[-1] if all_versions else None,
        versions=all_versions,
        history=[
            {
                "event": e,
                "actor": people.get(e.actor_id),
                "label": rules.MOVES_BY_ACTION[e.action].label
                if e.action in rules.MOVES_BY_ACTION
                else e.action,
                "outcome": rules.APPEAL_OUTCOMES.get(e.outcome, ""),
            }
            for e in history
        ],
        moves=rules.available(
            party,
            statement.state,
            answer_time_up=rules.answer_time_up(statement, svc.clock.today()),
        ),
        outcomes=rules.APPEAL_OUTCOMES,
        notice=notice,
        error=error or {},
        # Words that were not stored, shown where no box for that move is open any more.
        unsaved=unsaved
        if error
        and error.get("action") not in {m.action for m in rules.available(party, statement.state)}
        else "",
        day=_day,
        url=_statement_url(statement.statement_id),
        edit_url=(
            f"/people/{quote(loaded.reviewee.person_id)}/forms/{STATEMENT_FORM}"
            if party == "reviewer" and statement.state in rules.OPEN_TO_REVISION
            else None
        ),
        meeting_url=f"/people/{quote(loaded.reviewee.person_id)}/meeting",
        in_sample=_is_moderated(loaded),
        # 5: the headteacher and the reviewer are told when a statement is not in the sample.
        not_in_sample=(
            seen_as in ("headteacher", "reviewer")
            and not loaded.headteachers_own
            and loaded.school.moderation.mode == "sample"
            and not _is_moderated(loaded)
        ),
    )


@router.get("/statements/<statement_id>")
def show_statement(statement_id: str) -> Response:
    who, actor, loaded, seen_as = _viewer(statement_id)
    if seen_as == "governor":
        return redirect(f"{_statement_url(statement_id)}/governor")
    return _statement_page(who, actor, loaded, seen_as)


@router.post("/statements/<statement_id>/actions/<action>")
def statement_action(statement_id: str, action: str) -> Response:
    who = visitor()
    body = form_body(router.current_event)
    require_csrf(who, body)
    who, actor, loaded, seen_as = _viewer(statement_id)
    svc = services()
    party = rules.party_of(seen_as)
    reason = first(body, "reason")[: rules.MAX_REASON]
    outcome = first(body, "outcome")
    try:
        expected = int(first(body, "_version") or 0)
    except ValueError:
        expected = 0

    def refused(status: int, field: str, message: str) -> Response:
        """The page again with the mistake beside its field and the reason as typed."""
        error = {"action": action, "field": field, "reason": reason, "message": message}
        return _statement_page(
            who, actor, loaded, seen_as, status=status, error=error, where="statement, move refused"
        )

    hearing: date | None = None
    if action == "decide-appeal":
        try:
            hearing = date.fromisoformat(first(body, "hearing_date"))
        except ValueError:
            return refused(422, "hearing_date", "Enter the date of the hearing.")
        if outcome not in rules.APPEAL_OUTCOMES:
            return refused(422, "outcome", "Choose the outcome of the appeal.")
    try:
        perform(
            svc,
            loaded,
            actor,
            party or "",
            action,
            reason=reason,
            channel="page",
            expected_version=expected,
            outcome=outcome,
            hearing_date=hearing,
        )
    except rules.UnknownAction as unknown:
        raise NotFound("There is nothing at this address.") from unknown
    except rules.CyclePaused as paused:
        return refused(409, "reason", paused_refusal(paused.since))
    except ReasonMissing as missing:
        return refused(422, "reason", _reason_needed(missing.move))
    except rules.RevieweeStillHasTime as early:
        return refused(
            409,
            "reason",
            f"{loaded.reviewee.name} may answer the draft until {_day(early.answer_due)}; "
            "you can sign it without their answer from the next day (4.9).",
        )
    except (ActionNotAllowed, repo.StatementConflict):
        return _already(who, actor, statement_id, action, reason=reason, expected=expected)
    return redirect(f"{_statement_url(statement_id)}?done={quote(action)}")


def _reason_needed(move: Move) -> str:
    return {
        "request-changes": "Say what should change, so your reviewer can revise the draft.",
        "comment": "Write your comment.",
        "instruct-revision": "Give your reasons, so the reviewer knows what to revise.",
        "request-revision": "Say why the statement needs to change.",
        "appeal": "Give the reasons for your appeal.",
        "decide-appeal": "Record the outcome and the reasons for it.",
    }.get(move.action, "Give a reason.")


def _already(
    who: Visitor, actor: Person, statement_id: str, action: str, *, reason: str, expected: int
) -> Response:
    """The statement moved after the page was loaded (`expected` is the version it showed).

    The same move with the same words, by the same person, stored since: a double tap or a
    retried request, so it was done once and there is nothing more to do. A different comment
    (a move that keeps the state) is no double tap: it is stored on the statement as it is now,
    if the text it was written about is still the current text. Anything else: say plainly
    what happened, that nothing of theirs was stored, and give their words back (issue 18,
    item 5)."""
    svc = services()
    loaded = load_statement(svc, statement_id)
    if loaded is None:
        raise NotFound("There is nothing at this address.")
    seen_as = loaded.audience(actor)
    if seen_as is None:
        raise NotFound("There is nothing at this address.")
    history = repo.events(svc.store, statement_id)
    since = [e for e in history if e.seq > expected]
    words = reason.strip()[: rules.MAX_REASON]
    if any(
        e.action == action and e.actor_id == actor.person_id and e.reason == words for e in since
    ):
        return redirect(f"{_statement_url(statement_id)}?done={quote(action)}")
    move = rules.MOVES_BY_ACTION.get(action)
    party = rules.party_of(seen_as)
    same_text = expected > 0 and all(e.action != "issue" for e in since)
    if move is not None and rules.adds_only(move) and same_text and party is not None:
        try:
            perform(
                svc,
                loaded,
                actor,
                party,
                action,
                reason=reason,
                channel="page",
                expected_version=loaded.statement.version,
            )
        except (ActionNotAllowed, ReasonMissing, rules.CyclePaused, repo.StatementConflict):
            pass  # not stored after all: said below, with the words given back
        else:
            return redirect(f"{_statement_url(statement_id)}?done={quote(action)}")
        loaded = load_statement(svc, statement_id) or loaded
        history = repo.events(svc.store, statement_id)
    people = {p.person_id: p for p in svc.store.people_in_school(loaded.school.id)}
    last = history[-1] if history else None
    happened = "The statement changed before your request arrived"
    if last:
        by = people.get(last.actor_id)
        label = rules.MOVES_BY_ACTION[last.action].label.lower()
        happened = f"{by.name if by else 'Someone'} did this first: {label}"
    notice = f"{happened}, so nothing was changed by you. It is now: {loaded.state_words}."
    error = None
    if words:
        message = (
            "What you wrote was not stored, because the statement changed after you opened "
            "the page. Your words are below: read the statement as it is now, then send them "
            "again if they still apply."
        )
        notice = f"{notice} {message}"
        error = {"action": action, "field": "reason", "reason": reason, "message": message}
    return _statement_page(
        who,
        actor,
        loaded,
        seen_as,
        status=409,
        notice=notice,
        error=error,
        unsaved=words,
        where="statement, already moved",
    )


@router.get("/statements/<statement_id>/compare")
def compare_versions(statement_id: str) -> Response:
    who, actor, loaded, seen_as = _viewer(statement_id)
    if seen_as == "governor":
        raise NotFound("There is nothing at this address.")
    svc = services()
    all_versions = {v.statement_version: v for v in repo.versions(svc.store, statement_id)}
    latest = max(all_versions) if all_versions else 0
    query = router.current_event.get_query_string_value
    try:
        b = int(query("b") or latest)
        a = int(query("a") or b - 1)
    except ValueError:
        a, b = latest - 1, latest
    if a not in all_versions or b not in all_versions:
        raise NotFound("There is no such version of this statement.")
    flat_a = rules.flatten(loaded.form.entries(loaded.ctx, all_versions[a].values))
    flat_b = rules.flatten(loaded.form.entries(loaded.ctx, all_versions[b].values))
    return show(
        who,
        actor,
        loaded,
        where=f"compare {a} and {b}",
        template="statements/compare.html",
        a=all_versions[a],
        b=all_versions[b],
        changes=rules.changes(flat_a, flat_b),
        url=_statement_url(statement_id),
        day=_day,
    )


@router.get("/statements/<statement_id>/views")
def statement_views(statement_id: str) -> Response:
    who, actor, loaded, seen_as = _viewer(statement_id)
    if seen_as != "reviewee":
        raise NotFound("There is nothing at this address.")
    svc = services()
    people = {p.person_id: p for p in svc.store.people_in_school(loaded.school.id)}
    seen = [
        {"view": v, "viewer": people.get(v.viewer_id), "why": WHY.get(v.why, v.why)}
        for v in reversed(repo.views(svc.store, statement_id))
        if v.viewer_id != actor.person_id
    ]
    return page(
        "statements/views.html", who, loaded=loaded, seen=seen, url=_statement_url(statement_id)
    )


@router.get("/statements/<statement_id>/governor")
def governor_view(statement_id: str) -> Response:
    who, actor, loaded, seen_as = _viewer(statement_id)
    if seen_as not in ("governor", "headteacher"):
        raise NotFound("There is nothing at this address.")
    return show(
        who,
        actor,
        loaded,
        where="governor view",
        template="statements/governor.html",
        entries=governor_entries(services(), loaded),
        state_words=loaded.state_words,
    )


@router.get("/statements/<statement_id>/pdf")
def statement_pdf(statement_id: str) -> Response:
    """Issue 16: a final statement as a PDF for the personnel file, with its audit page. Whoever
    sees the whole statement page may have it (7); the view is recorded."""
    _, actor, loaded, _ = _viewer(statement_id)
    if not pdf.may_download(loaded.statement.state):
        raise NotFound("There is nothing at this address.")
    whole_for(actor, loaded, where="statement PDF")
    body = pdf.render(pdf.document(services(), loaded))
    name = f"statement-{loaded.reviewee.staff_id}-{loaded.statement.cycle_id}"
    return Response(
        status_code=200,
        content_type="application/pdf",
        body=body,
        headers={
            "Content-Disposition": f'attachment; filename="{quote(name)}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


# -- emailed links -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkCheck:
    link: ActionLink | None
    loaded: Loaded | None
    person: Person | None
    problem: str | None  # invalid / expired / wrong-person / changed / used / not-open
    move: Move | None = None


def _used(svc: Services, link: ActionLink) -> bool:
    found = svc.store.db.get_item(
        TableName=svc.store.table_name,
        Key={"pk": {"S": f"ONCE#{link.marker}"}, "sk": {"S": "ONCE"}},
        ConsistentRead=True,
    )
    return "Item" in found


def _link_person(svc: Services, link: ActionLink) -> Person | None:
    """The person a link acts for, while they are in post (domain/people.py `in_post`, the rule
    sign-in and sessions follow): a leaver's link is as good as a broken one, and a leaver is
    sent no fresh link."""
    person = svc.store.get_person(link.person_id)
    if person is None or not in_post(person, svc.clock.today()):
        return None
    return person


def _check_link(svc: Services, token: str, who: Visitor) -> LinkCheck:
    try:
        link = read_link(svc.signer, token, now=svc.clock.now())
    except LinkInvalid:
        ratelimit.hit(ratelimit.TOKEN_GUESSES, ratelimit.client_ip(router.current_event))
        return LinkCheck(None, None, None, "invalid")
    loaded = load_statement(svc, link.statement_id)
    person = _link_person(svc, link)
    if loaded is None or person is None:
        return LinkCheck(link, None, None, "invalid")
    if link.expired:
        return LinkCheck(link, loaded, person, "expired")
    if who.person is not None and who.person.person_id != person.person_id:
        return LinkCheck(link, loaded, person, "wrong-person")
    seen_as = loaded.audience(person)
    if rules.party_of(seen_as) is None or link.action not in rules.MOVES_BY_ACTION:
        return LinkCheck(link, loaded, person, "invalid")
    if _used(svc, link):
        return LinkCheck(link, loaded, person, "used")
    if link.statement_version < loaded.statement.statement_version:
        return LinkCheck(link, loaded, person, "changed")
    move = rules.MOVES_BY_ACTION[link.action]
    if not rules.allowed(link.action, rules.party_of(seen_as), loaded.statement.state):
        return LinkCheck(link, loaded, person, "not-open", move)
    return LinkCheck(link, loaded, person, None, move)


def _link_problem(who: Visitor, token: str, check: LinkCheck, status: int = 400) -> Response:
    statement = check.loaded.statement if check.loaded else None
    # Only the link's own person is shown anything about the statement (never a stranger).
    mine = (
        who.person is not None
        and check.person is not None
        and who.person.person_id == check.person.person_id
    )
    return page(
        "statements/link_problem.html",
        who,
        http_status=status,
        problem=check.problem,
        token=token,
        renewable=check.link is not None and check.loaded is not None,
        state_words=STATE_WORDS[statement.state] if statement and mine else None,
        statement_url=_statement_url(statement.statement_id) if statement else None,
        version=statement.statement_version if statement and mine else None,
    )


def _link_visitor(who: Visitor, token: str) -> Visitor:
    return Visitor(person=who.person, csrf_binding=f"link:{token}", new_anon=who.new_anon)


@router.get("/statement-links/<token>")
def open_link(token: str) -> Response:
    """Nothing changes here: mail scanners open every link. The page says what the button does."""
    svc = services()
    who = visitor()
    check = _check_link(svc, token, who)
    link_who = _link_visitor(who, token)
    if check.problem or check.loaded is None or check.move is None:
        return _link_problem(link_who, token, check)
    return _link_page(link_who, token, check)


def _link_page(
    who: Visitor, token: str, check: LinkCheck, *, error: str | None = None, reason: str = ""
) -> Response:
    assert check.loaded is not None and check.move is not None
    return page(
        "statements/link.html",
        who,
        http_status=422 if error else 200,
        token=token,
        move=check.move,
        loaded=check.loaded,
        statement=check.loaded.statement,
        state_words=check.loaded.state_words,
        error=error,
        reason=reason,
        day=_day,
    )


@router.post("/statement-links/<token>")
def use_link(token: str) -> Response:
    body = form_body(router.current_event)
    require_csrf(Visitor(person=None, csrf_binding=f"link:{token}"), body)
    svc = services()
    who = _link_visitor(visitor(), token)
    check = _check_link(svc, token, who)
    if check.problem or check.loaded is None or check.move is None or check.link is None:
        return _link_problem(who, token, check)
    assert check.person is not None
    reason = first(body, "reason")[: rules.MAX_REASON]
    seen_as = check.loaded.audience(check.person)
    try:
        perform(
            svc,
            check.loaded,
            check.person,
            rules.party_of(seen_as) or "",
            check.move.action,
            reason=reason,
            channel="link",
            expected_version=check.loaded.statement.version,
            link=check.link,
        )
    except ReasonMissing as missing:
        return _link_page(who, token, check, error=_reason_needed(missing.move), reason=reason)
    except rules.CyclePaused as paused:
        return _link_page(who, token, check, error=paused_refusal(paused.since), reason=reason)
    except repo.LinkAlreadyUsed:
        return _link_problem(
            who,
            token,
            LinkCheck(
                check.link, load_statement(svc, check.link.statement_id), check.person, "used"
            ),
        )
    except (ActionNotAllowed, repo.StatementConflict):
        fresh = load_statement(svc, check.link.statement_id)
        return _link_problem(
            who, token, LinkCheck(check.link, fresh, check.person, "not-open"), status=409
        )
    # Post/redirect/get: the result is a page of its own, so Reload and Back never post again.
    return redirect(f"/statement-links/{quote(token)}/done")


@router.get("/statement-links/<token>/done")
def link_done(token: str) -> Response:
    """What an emailed link did: reads state only, so it can be reloaded or bookmarked. Before
    the link is used it sends the person to the link's page (still nothing changes on GET)."""
    svc = services()
    who = _link_visitor(visitor(), token)
    try:
        link = read_link(svc.signer, token, now=svc.clock.now())
    except LinkInvalid:
        ratelimit.hit(ratelimit.TOKEN_GUESSES, ratelimit.client_ip(router.current_event))
        return _link_problem(who, token, LinkCheck(None, None, None, "invalid"))
    loaded = load_statement(svc, link.statement_id)
    move = rules.MOVES_BY_ACTION.get(link.action)
    if loaded is None or move is None:
        return _link_problem(who, token, LinkCheck(link, None, None, "invalid"))
    if not _used(svc, link):
        return redirect(f"/statement-links/{quote(token)}")
    mine = who.person is not None and who.person.person_id == link.person_id
    return page(
        "statements/link_done.html",
        who,
        move=move,
        # Like the link itself: the statement's state is shown while the link is live, or to
        # its own person signed in; an old link says only what it did.
        state_words=loaded.state_words if mine or not link.expired else None,
        statement_url=_statement_url(loaded.statement.statement_id),
        signed_in=who.person is not None,
    )


@router.post("/statement-links/<token>/renew")
def renew_link(token: str) -> Response:
    """Email the link's own person fresh links for the statement as it is now. The page says the
    same whoever asks, so it reveals nothing to a stranger holding someone's old link."""
    body = form_body(router.current_event)
    require_csrf(Visitor(person=None, csrf_binding=f"link:{token}"), body)
    svc = services()
    who = _link_visitor(visitor(), token)
    ratelimit.hit(ratelimit.TOKEN_GUESSES, ratelimit.client_ip(router.current_event))
    try:
        link = read_link(svc.signer, token, now=svc.clock.now())
    except LinkInvalid:
        link = None
    loaded = load_statement(svc, link.statement_id) if link else None
    person = _link_person(svc, link) if link else None
    if link and loaded and person and not person.email_suppressed:
        seen_as = loaded.audience(person)
        party = rules.party_of(seen_as)
        if party is not None:
            statement = loaded.statement
            email = _email(
                svc,
                "statement_link",
                person,
                "A fresh link for your planning and review statement",
                reviewee=loaded.reviewee,
                statement=statement,
                state_words=STATE_WORDS[statement.state],
                actions=_action_links(svc, person, party, statement),
                page_url=f"{_base(svc)}{_statement_url(statement.statement_id)}",
            )
            svc.store.queue_email(
                email, idempotency_key=f"statement-renew:{link.nonce}:{statement.version}"
            )
            logger.info("statement link renewed", statement_id=statement.statement_id)
    return page("statements/link_renewed.html", who)
