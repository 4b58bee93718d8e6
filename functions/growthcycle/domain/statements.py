"""The planning and review statement (Appendix 2) from draft to final, moderation, revision and
appeal: its states and a TABLE of allowed moves, as data.

Every move says who may make it (reviewee, reviewer, headteacher), from which states, where it
leads, whether a reason is required, whom it tells, and the policy section it comes from. A new
rule is a new row. Nothing here touches AWS or HTTP.

The words: a statement has versions (1, 2, ...: what the reviewee reads, kept for ever) and a
record `version` (every stored change, for conditional writes). Links and pages name the former.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.clocks import due_date
from growthcycle.domain.people import Person
from growthcycle.domain.reviewers import ReviewOfRecord

LONDON = ZoneInfo("Europe/London")

STATEMENT_FORM = "planning-review"
MEETING_FORM = "meeting"
MAX_REASON = 5000

# "quality-assurer": for the headteacher's own statement, the chair or the named governors who
# quality-assure it in place of moderation by the headteacher (5).
Party = Literal["reviewee", "reviewer", "headteacher", "quality-assurer"]


class State(StrEnum):
    NEW = "new"  # no statement yet: only the reviewer's first draft leaves it; never stored
    DRAFT = "draft"  # 4.9: the draft is with the reviewee
    CHANGES_REQUESTED = "changes-requested"  # 4.9: the reviewee asked for changes
    AGREED = "agreed"  # the reviewee agreed (their signature); the reviewer signs next
    REVIEWER_DECIDED = "reviewer-decided"  # 4.6, 6: no agreement; the reviewer's version stands
    AWAITING_MODERATION = "awaiting-moderation"  # 4.9, 5: signed; the headteacher moderates
    REVISION_INSTRUCTED = "revision-instructed"  # 5: the headteacher instructed a revision
    FINAL = "final"  # signed, and moderated (or not chosen for moderation)
    REVISION_REQUESTED = "revision-requested"  # 6: a revision meeting asked for mid-cycle
    APPEALED = "appealed"  # 8: an appeal against an entry, after moderation


STATE_WORDS: Mapping[State, str] = {
    State.NEW: "Not started",
    State.DRAFT: "Draft with the reviewee",
    State.CHANGES_REQUESTED: "Changes requested by the reviewee",
    State.AGREED: "Agreed by the reviewee, waiting for the reviewer to sign",
    State.REVIEWER_DECIDED: "The reviewer's version stands, waiting for the reviewer to sign",
    State.AWAITING_MODERATION: "Signed, waiting for moderation by the headteacher",
    State.REVISION_INSTRUCTED: "The headteacher asked for a revised statement",
    State.FINAL: "Final",
    State.REVISION_REQUESTED: "A revision meeting has been asked for",
    State.APPEALED: "Under appeal",
}

# While the content may still change, the reviewer's form submission issues a new version.
OPEN_TO_REVISION = frozenset(
    {
        State.NEW,
        State.DRAFT,
        State.CHANGES_REQUESTED,
        State.AGREED,
        State.REVIEWER_DECIDED,
        State.REVISION_INSTRUCTED,
        State.REVISION_REQUESTED,
    }
)
ANY_STORED = frozenset(State) - {State.NEW}


@dataclass(frozen=True)
class Move:
    action: str
    by: frozenset[str]  # parties
    from_states: frozenset[State]
    to: State | None  # None: the state stays (a comment)
    reason: Literal["required", "optional", "none"]
    label: str  # the button
    explains: str  # what will happen, said on the page before the button
    source: str  # policy section
    tells: tuple[str, ...]  # parties emailed
    link: bool = True  # may be carried by an emailed link
    after_answer_time: bool = False  # 4.9: only once the reviewee's time to answer is up


MOVES: tuple[Move, ...] = (
    Move(
        action="issue",
        by=frozenset({"reviewer"}),
        from_states=OPEN_TO_REVISION,
        to=State.DRAFT,
        reason="none",
        label="Send the draft statement",
        explains="The draft statement is emailed to the reviewee to agree, ask for changes or "
        "comment.",
        source="4.9",
        tells=("reviewee",),
        link=False,  # issued by submitting the planning and review form
    ),
    Move(
        action="agree",
        by=frozenset({"reviewee"}),
        from_states=frozenset({State.DRAFT}),
        to=State.AGREED,
        reason="optional",
        label="Agree and sign",
        explains="You agree that this draft is a fair summary of the meeting, and sign it. Your "
        "reviewer is asked to sign the final statement.",
        source="4.9, 6",
        tells=("reviewer",),
    ),
    Move(
        action="request-changes",
        by=frozenset({"reviewee"}),
        from_states=frozenset({State.DRAFT}),
        to=State.CHANGES_REQUESTED,
        reason="required",
        label="Ask for changes",
        explains="Your reviewer is emailed your reason and revises the draft, or decides that "
        "their version stands (your comments are kept with it).",
        source="4.9",
        tells=("reviewer",),
    ),
    Move(
        action="comment",
        by=frozenset({"reviewee"}),
        from_states=ANY_STORED,
        to=None,
        reason="required",
        label="Add a comment",
        explains="Your comment is kept with the statement and your reviewer is told.",
        source="4.9, 6",
        tells=("reviewer",),
    ),
    Move(
        action="stand",
        by=frozenset({"reviewer"}),
        from_states=frozenset({State.CHANGES_REQUESTED}),
        to=State.REVIEWER_DECIDED,
        reason="optional",
        label="Keep my version",
        explains="Where you cannot agree, your version stands (4.6). The reviewee's comments "
        "are kept with it, they are told and may add more, and you then sign it.",
        source="4.6, 6",
        tells=("reviewee", "reviewer"),
    ),
    Move(
        action="sign",
        by=frozenset({"reviewer"}),
        from_states=frozenset({State.AGREED, State.REVIEWER_DECIDED}),
        to=State.AWAITING_MODERATION,  # FINAL when the statement is not moderated (5)
        reason="none",
        label="Sign the final statement",
        explains="You sign the final statement. A copy goes to the reviewee and the original to "
        "the headteacher (for the headteacher's own statement, to the governors who "
        "quality-assure it), at the same moment (4.9, 5).",
        source="4.9",
        tells=("reviewee", "headteacher", "quality-assurer"),
    ),
    Move(
        action="sign-unanswered",
        by=frozenset({"reviewer"}),
        from_states=frozenset({State.DRAFT}),
        to=State.AWAITING_MODERATION,  # FINAL when the statement is not moderated (5)
        reason="none",
        label="Sign without the reviewee's answer",
        explains="The reviewee's time to answer the draft is over and they did not answer. You "
        "sign within ten working days of the meeting whether or not they answer (4.9); the "
        "statement says they did not answer, and they may still add a comment. A copy goes to "
        "the reviewee and the original to the headteacher (for the headteacher's own "
        "statement, to the governors who quality-assure it).",
        source="4.9",
        tells=("reviewee", "headteacher", "quality-assurer"),
        link=False,  # from the statement's page, where the reviewer sees the draft as it is
        after_answer_time=True,
    ),
    Move(
        action="approve",
        by=frozenset({"headteacher", "quality-assurer"}),
        from_states=frozenset({State.AWAITING_MODERATION}),
        to=State.FINAL,
        reason="none",
        label="Approve",
        explains="You have moderated this statement and approve it. The reviewer and reviewee "
        "are told; the reviewee may then appeal any entry (8).",
        source="5",
        tells=("reviewee", "reviewer"),
    ),
    Move(
        action="instruct-revision",
        by=frozenset({"headteacher", "quality-assurer"}),
        from_states=frozenset({State.AWAITING_MODERATION}),
        to=State.REVISION_INSTRUCTED,
        reason="required",
        label="Ask for a revised statement",
        explains="The reviewer and reviewee are told your reasons and must prepare a revised "
        "statement within 10 working days (5).",
        source="5",
        tells=("reviewer", "reviewee"),
    ),
    Move(
        action="request-revision",
        by=frozenset({"reviewee", "reviewer"}),
        from_states=frozenset({State.FINAL}),
        to=State.REVISION_REQUESTED,
        reason="required",
        label="Ask for a revision meeting",
        explains="The other party is told why. The reviewer then revises the statement, which "
        "both sign; without agreement the reviewer's version stands and the reviewee may "
        "comment (6).",
        source="6",
        tells=("reviewee", "reviewer"),
    ),
    Move(
        action="appeal",
        by=frozenset({"reviewee"}),
        from_states=frozenset({State.FINAL}),
        to=State.APPEALED,
        reason="required",
        label="Appeal",
        explains="Your appeal and reasons go to the headteacher, who arranges a hearing. "
        "Whoever hears it can read the statement (8).",
        source="8",
        tells=("headteacher",),
        link=False,
    ),
    Move(
        action="decide-appeal",
        by=frozenset({"headteacher"}),
        from_states=frozenset({State.APPEALED}),
        to=State.FINAL,
        reason="required",
        label="Record the hearing and outcome",
        explains="The hearing and its outcome are recorded with the statement, and the reviewee "
        "and reviewer are told.",
        source="8",
        tells=("reviewee", "reviewer"),
        link=False,
    ),
)

MOVES_BY_ACTION: Mapping[str, Move] = {m.action: m for m in MOVES}
# The reviewer's signature (4.9), with or without the reviewee's answer.
SIGNING: frozenset[str] = frozenset({"sign", "sign-unanswered"})
APPEAL_OUTCOMES: Mapping[str, str] = {
    "upheld": "Upheld: the statement will be revised",
    "partly-upheld": "Partly upheld",
    "not-upheld": "Not upheld: the statement stands",
}


class StatementError(Exception):
    """Base of the statement rules' refusals."""


class UnknownAction(StatementError):
    def __init__(self, action: str) -> None:
        super().__init__(f"no such action {action!r}")
        self.action = action


class ActionNotAllowed(StatementError):
    """The move is not open to this party from the statement's current state."""

    def __init__(self, action: str, party: str | None, state: State) -> None:
        super().__init__(f"{action} is not open to {party} while the statement is {state}")
        self.action, self.party, self.state = action, party, state


class CyclePaused(StatementError):
    """3, 4.1: the reviewee's cycle is paused under the capability procedure; nothing moves."""

    def __init__(self, since: date) -> None:
        super().__init__(f"the cycle has been paused since {since.isoformat()}")
        self.since = since


class RevieweeStillHasTime(StatementError):
    """4.9: the reviewer signs an unanswered draft only once the reviewee's time is up."""

    def __init__(self, answer_due: date | None) -> None:
        when = answer_due.isoformat() if answer_due else "no date"
        super().__init__(f"the reviewee may answer the draft until {when}")
        self.answer_due = answer_due


class ReasonMissing(StatementError):
    def __init__(self, move: Move) -> None:
        super().__init__(f"{move.action} needs a reason")
        self.move = move


def move_for(action: str) -> Move:
    try:
        return MOVES_BY_ACTION[action]
    except KeyError:
        raise UnknownAction(action) from None


def allowed(action: str, party: str | None, state: State, *, answer_time_up: bool = False) -> bool:
    move = MOVES_BY_ACTION.get(action)
    return (
        move is not None
        and party in move.by
        and state in move.from_states
        and (answer_time_up or not move.after_answer_time)
    )


def check(
    action: str,
    party: str | None,
    state: State,
    reason: str = "",
    *,
    answer_time_up: bool = False,
    answer_due: date | None = None,
) -> Move:
    """The move, if `party` may make it now with this reason; else a named refusal.
    `answer_time_up`: the reviewee's time to answer the draft is over (`answer_time_up`)."""
    move = move_for(action)
    if party not in move.by or state not in move.from_states:
        raise ActionNotAllowed(action, party, state)
    if move.after_answer_time and not answer_time_up:
        raise RevieweeStillHasTime(answer_due)
    if move.reason == "required" and not reason.strip():
        raise ReasonMissing(move)
    return move


def available(
    party: str | None, state: State, *, link: bool = False, answer_time_up: bool = False
) -> list[Move]:
    """The moves open to a party now (for buttons and emailed links)."""
    return [
        m
        for m in MOVES
        if m.action != "issue"
        and party in m.by
        and state in m.from_states
        and (m.link or not link)
        and (answer_time_up or not m.after_answer_time)
    ]


def answer_due(final_due: date, issued_on: date, calendar: WorkingCalendar) -> date:
    """4.9: the reviewee's time to answer a draft ("may request changes ... and/or may add
    comments"): up to the working day before the final statement is due, so the reviewer can
    still sign within ten working days of the meeting; at least the working day after the draft
    reaches them, when it was sent late."""
    return max(
        calendar.subtract_working_days(final_due, 1), calendar.add_working_days(issued_on, 1)
    )


def answer_time_up(statement: Statement, today: date) -> bool:
    """4.9: the reviewee's time to answer this draft is over (the day after `answer_due`). A
    statement issued with no meeting date has no `answer_due`: the reviewee must answer."""
    return (
        statement.state is State.DRAFT
        and statement.answer_due is not None
        and today > statement.answer_due
    )


# -- moderation sampling (5) --------------------------------------------------------------------


def sample_draw(statement_id: str, cycle_id: str) -> int:
    """A stable number 0..9999 from the statement and cycle: reruns agree, and every statement
    has the same chance (sha256 spreads evenly)."""
    digest = hashlib.sha256(f"moderation|{cycle_id}|{statement_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000


def moderated(mode: str, sample_percent: int | None, statement_id: str, cycle_id: str) -> bool:
    """5: the headteacher moderates all statements, a fair sample, or none."""
    if mode == "all":
        return True
    if mode == "none":
        return False
    return sample_draw(statement_id, cycle_id) < (sample_percent or 0) * 100


def headteacher_statement_checked(qa_ids: Sequence[str]) -> bool:
    """5: the headteacher's statement is quality-assured by the chair or named governors when
    the governing body recorded them; with `none` (or nobody recorded) it is final once signed."""
    return bool(qa_ids)


def describe(state: State, *, headteachers_own: bool = False) -> str:
    """STATE_WORDS, said right for the headteacher's own statement (5)."""
    if headteachers_own and state == State.AWAITING_MODERATION:
        return "Signed, waiting for quality assurance by the governors (5)"
    if headteachers_own and state == State.REVISION_INSTRUCTED:
        return "The governors quality-assuring it asked for a revised statement (5)"
    return STATE_WORDS[state]


def adds_only(move: Move) -> bool:
    """A move that keeps the state (a comment) only adds to the record: a second one with other
    words is a second comment, not a double tap (issue 18, item 5)."""
    return move.to is None


def state_after(move: Move, *, is_moderated: bool) -> State | None:
    if move.action in SIGNING and not is_moderated:
        return State.FINAL  # 5 option (c), or not in the sample: final once signed
    return move.to


# -- the records ----------------------------------------------------------------------------------


def statement_id_for(reviewee_id: str, cycle_id: str) -> str:
    """One statement per reviewee per cycle (revisions are its versions)."""
    return f"{cycle_id}.{reviewee_id}"


class Statement(BaseModel):
    model_config = ConfigDict(frozen=True)

    statement_id: str
    school_id: str
    cycle_id: str
    reviewee_id: str
    reviewer_id: str
    state: State
    version: int = Field(ge=1)  # the stored record's version: every change adds one
    statement_version: int = Field(ge=1)  # the text the reviewee reads: 1, 2, ...
    form_version: int = Field(ge=1)  # the planning-review submission it was issued from
    meeting_date: date | None = None
    draft_due: date | None = None
    final_due: date | None = None
    moderation_due: date | None = None
    revised_due: date | None = None
    answer_due: date | None = None  # 4.9: the reviewee's time to answer the draft (answer_due)
    unanswered_by: date | None = None  # 4.9: signed without the reviewee's answer, due by then
    is_moderated: bool = False
    signed_at: datetime | None = None
    updated_at: datetime


class StatementVersion(BaseModel):
    """An issued version of the statement's text: kept unchanged for ever."""

    model_config = ConfigDict(frozen=True)

    statement_id: str
    statement_version: int
    form_version: int
    values: dict[str, Any]
    issued_by: str
    issued_at: datetime


class StatementEvent(BaseModel):
    """One move made: the record's history, shown on the statement page."""

    model_config = ConfigDict(frozen=True)

    statement_id: str
    seq: int  # the record version the move produced
    action: str
    actor_id: str
    party: str
    channel: Literal["page", "link"]
    from_state: State
    to_state: State
    statement_version: int
    reason: str = ""
    outcome: str = ""  # an appeal's outcome (APPEAL_OUTCOMES)
    hearing_date: date | None = None
    at: datetime


class View(BaseModel):
    """7: every view of a statement is recorded; the reviewee can see who and why."""

    model_config = ConfigDict(frozen=True)

    statement_id: str
    viewer_id: str
    why: str
    page: str
    at: datetime


# -- who sees what (7) ----------------------------------------------------------------------------

Audience = Literal[
    "reviewee", "reviewer", "headteacher", "quality-assurer", "line-manager", "governor"
]

WHY: Mapping[str, str] = {
    "reviewee": "their own statement",
    "reviewer": "the reviewer, who writes and signs the statement (4.9)",
    "headteacher": "the headteacher, who holds the original and moderates (4.9, 5)",
    "quality-assurer": "a governor who quality-assures the headteacher's statement (5)",
    "line-manager": "a line manager, for their management responsibilities (7)",
    "governor": "a governor on the pay committee: the overall assessment only (7)",
}


def statement_reviewers(statement: Statement, record: ReviewOfRecord | None) -> tuple[str, ...]:
    """Who acts as the reviewer on a statement (4.2): whoever the reviewer of record is when it
    was decided for the cycle (an assignment, or the governors appointed for the headteacher),
    else the reviewer who issued it."""
    if record is not None and record.explicit:
        return record.reviewer_ids
    return (statement.reviewer_id,)


def audience(
    actor: Person,
    reviewee: Person,
    statement: Statement,
    record: ReviewOfRecord | None = None,
) -> Audience | None:
    """7: who may see this statement, and as whom; None for everybody else (a 404). `record` is
    the reviewee's reviewers this cycle (domain/reviewers.py `review_of_record`)."""
    if actor.school_id != reviewee.school_id or actor.school_id != statement.school_id:
        return None
    if actor.person_id == reviewee.person_id:
        return "reviewee"
    if actor.person_id in statement_reviewers(statement, record):
        return "reviewer"
    if reviewee.is_headteacher:
        # 5: the chair or the named governors quality-assure the headteacher's statement.
        if record is not None and actor.person_id in record.qa_ids:
            return "quality-assurer"
    elif actor.is_headteacher:
        return "headteacher"
    if actor.person_id == reviewee.line_manager_person_id:
        return "line-manager"
    # 7: "Governors who are responsible for making pay decisions are entitled to have access to
    # relevant information from the assessment of overall performance": the pay committee the
    # school records (the roster's pay-committee role), not every governor.
    if actor.has_role("pay-committee") and statement.state in {State.FINAL, State.APPEALED}:
        return "governor"
    return None


def party_of(who: Audience | None) -> Party | None:
    """The party a viewer acts as in MOVES (a line manager or governor acts as nobody)."""
    if who in ("reviewee", "reviewer", "headteacher", "quality-assurer"):
        return who
    return None


# 7: the overall assessment only, by the roles of the statement form's fields (form_spec.ROLES).
GOVERNOR_ROLES = ("overall_assessment", "pay_recommendation")


def governor_values(values: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """The values the governors' pay committee sees: `keys` are the fields playing
    GOVERNOR_ROLES in the statement's form (`Form.role_keys(GOVERNOR_ROLES, style)`)."""
    return {k: v for k, v in values.items() if k in keys}


def sees_whole(seen_as: Audience) -> bool:
    """7: who may see a statement sees all of it, except a governor deciding pay, who sees the
    overall assessment only (GOVERNOR_FIELDS), on whatever page they ask for."""
    return seen_as != "governor"


# -- due dates (4.3, 4.9, 5) ----------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingDues:
    notice_by: date  # 4.3: the last day notice may be given
    short_notice: bool
    draft_due: date  # 4.9
    final_due: date  # 4.9
    moderation_due: date  # 5


def meeting_dues(meeting: date, booked_on: date, calendar: WorkingCalendar) -> MeetingDues:
    notice_by = due_date("meeting-notice", meeting, calendar).due
    return MeetingDues(
        notice_by=notice_by,
        short_notice=booked_on > notice_by,  # 4.3: at least five working days' notice
        draft_due=due_date("draft-statement", meeting, calendar).due,
        final_due=due_date("final-statement", meeting, calendar).due,
        moderation_due=due_date("moderation", meeting, calendar).due,
    )


def revised_due(instructed_on: date, calendar: WorkingCalendar) -> date:
    """5: a revised statement within 10 working days of the headteacher's instruction."""
    return due_date("revised-statement", instructed_on, calendar).due


# -- comparing versions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    before: tuple[str, ...]
    after: tuple[str, ...]


def flatten(entries: Iterable[Any], prefix: str = "") -> dict[str, tuple[str, ...]]:
    """form.entries() as `label path -> answer lines`, so two versions can be compared."""
    flat: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        label = f"{prefix}{entry.label}"
        if entry.lines or not entry.children:
            flat[label] = tuple(entry.lines)
        for child in entry.children:
            flat.update(flatten(child.children, f"{label}: {child.label}: "))
    return flat


def changes(
    before: Mapping[str, Sequence[str]], after: Mapping[str, Sequence[str]]
) -> list[Change]:
    labels = list(before) + [k for k in after if k not in before]
    return [
        Change(label, tuple(before.get(label, ())), tuple(after.get(label, ())))
        for label in labels
        if tuple(before.get(label, ())) != tuple(after.get(label, ()))
    ]


# -- the meeting invitation (4.3) -----------------------------------------------------------------


class MeetingTimeInvalid(ValueError):
    """The time is not a 24-hour clock time such as 09:15."""


def parse_time(text: str) -> time:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise MeetingTimeInvalid(text)
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise MeetingTimeInvalid(text) from None


def ics_escape(text: str) -> str:
    """RFC 5545 3.3.11: backslash, semicolon, comma and newlines escaped in TEXT values."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> list[str]:
    """RFC 5545 3.1: lines of at most 75 octets, continued with a leading space."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + rest for rest in out[1:])]


def meeting_ics(
    *,
    uid: str,
    sequence: int,
    day: date,
    start: time,
    minutes: int,
    summary: str,
    location: str,
    description: str,
    stamp: datetime,
) -> str:
    begins = datetime.combine(day, start, LONDON).astimezone(UTC)
    ends = begins + timedelta(minutes=minutes)

    def utc(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Growth Cycle//Planning and review meeting//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{ics_escape(uid)}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(begins)}",
        f"DTEND:{utc(ends)}",
        f"SUMMARY:{ics_escape(summary)}",
        f"LOCATION:{ics_escape(location)}",
        f"DESCRIPTION:{ics_escape(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(f"{part}\r\n" for line in lines for part in _fold(line))
