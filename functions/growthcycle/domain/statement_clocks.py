"""Which of the statement's clocks is open, and who owes the next move: one row per state.

Pure: no boto3, no clock. The adapter (adapters/statement_clocks.py) turns the answer into one
open item in DueIndex and closes every other statement item of the cycle, so the daily check
reminds and escalates the statement's own deadlines as it does the planning and review.

The clocks come from the policy (seeds/004, domain/clocks.py) and the due dates the statement
already holds (computed from the meeting when the draft was issued):

| state | clock | owed by | due |
|---|---|---|---|
| no statement, meeting booked | draft statement (4.9) | reviewer | meeting + 5 working days |
| draft | the reviewee's answer (4.9), never escalated | reviewee | `answer_due` |
| draft | and the reviewer's signature (4.9) | reviewer | final due |
| changes requested | the reviewer's revision or decision (4.9, 4.6) | reviewer | final due |
| agreed, reviewer decided | the reviewer's signature (4.9) | reviewer | final due |
| awaiting moderation | moderation (5) | headteacher (governors for the head's own) | meeting + 10 |
| revision instructed | the revised statement (5) | reviewer | instruction + 10 working days |
| final | none | | |
| revision requested | none: section 6 sets no timescale | | |
| appealed | none: section 8 leaves it to the grievance procedure | | |

4.9 gives the reviewee no clock of their own: they "may" ask for changes or comment, and the
reviewer signs the final statement within 10 working days of the meeting whether or not they
answer. So a draft runs two clocks: the reviewee's answer, due by `answer_due` (the working day
before the final statement is due, domain/statements.py `answer_due`), a reminder that is never
escalated (domain/deadlines.py NOT_ESCALATED); and the reviewer's signature, due with the final
statement, which once the reviewee's time is up the reviewer gives without an answer
("sign-unanswered"). A statement issued before `answer_due` existed falls back to the final
statement's due date for the answer. After a moderation instruction (5), the revised
statement's due date replaces the final due date for the rounds that follow, and moderation of
the revised statement is due by the later of the two.

A revision asked for during the cycle (6) reopens a final statement months after the meeting, and
6 sets no timescale: from the request until the next moderation instruction (if any), no clock
runs (the meeting's 4.9 dates would make it overdue at once). `in_revision` says which from the
statement's moves.

Keys are stable per round: `DUE#<cycle id>#<event>#v<statement version>` (the draft clock uses
the meeting date instead), so a retried request finds the item there already and a new round
(a new version after a change request) gets a new item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.clocks import due_date
from growthcycle.domain.deadlines import STATEMENT_ANSWER, deadline_key
from growthcycle.domain.statements import State, Statement

PREFIX = "statement-"  # every statement clock's event starts with this
DRAFT = "statement-draft"
ANSWER = STATEMENT_ANSWER
REVISE = "statement-revise"
SIGN = "statement-sign"
MODERATE = "statement-moderation"
REVISED = "statement-revised"

# What each clock asks for, said in the digest; "{name}" is the reviewee.
TITLES: Mapping[str, str] = {
    DRAFT: "Draft planning and review statement for {name} (4.9)",
    ANSWER: "Agree to or ask for changes to the draft statement from {reviewer} (4.9)",
    REVISE: "Revise the statement for {name}, or keep your version (4.9)",
    SIGN: "Sign the final statement for {name} (4.9)",
    MODERATE: "Moderate the statement for {name} (5)",
    REVISED: "Prepare the revised statement for {name} (5)",
}

# The states where the policy runs no clock (and why), so the table below is total.
NO_CLOCK: Mapping[State, str] = {
    State.FINAL: "final: nothing is owed",
    State.REVISION_REQUESTED: "6 sets no timescale for a revision meeting",
    State.APPEALED: "8: the governing body's grievance procedure sets the timescale",
}


@dataclass(frozen=True)
class StatementClock:
    """The one open clock of a statement (or of a booked meeting with no statement yet)."""

    event: str
    owed_by: str  # a party of domain/statements.py MOVES: reviewer, reviewee, headteacher, ...
    due: date
    round: str  # the key's suffix: v<statement version>, or the meeting date for the draft

    def key(self, subject_id: str, cycle_id: str) -> tuple[str, str]:
        return deadline_key(subject_id, cycle_id, self.event, self.round)

    def title(self, reviewee_name: str, reviewer_name: str) -> str:
        return TITLES[self.event].format(name=reviewee_name, reviewer=reviewer_name)


def draft_clock(meeting: date, calendar: WorkingCalendar) -> StatementClock:
    """4.9: the reviewer owes a draft statement within 5 working days of the meeting."""
    due = due_date("draft-statement", meeting, calendar).due
    return StatementClock(DRAFT, "reviewer", due, meeting.isoformat())


def _latest(*days: date | None) -> date | None:
    found = [d for d in days if d is not None]
    return max(found) if found else None


def in_revision(actions: Sequence[str]) -> bool:
    """True when the latest move that reopened the statement was a revision request (6), not a
    moderation instruction (5). `actions`: the statement's moves, oldest first."""
    reopened = [a for a in actions if a in ("request-revision", "instruct-revision")]
    return bool(reopened) and reopened[-1] == "request-revision"


def open_clocks(
    statement: Statement, *, headteachers_own: bool = False, revision: bool = False
) -> tuple[StatementClock, ...]:
    """The clocks running in the statement's state, each with the party that owes the move;
    none where the policy runs none (NO_CLOCK, or a revision round under 6: `revision`, see
    `in_revision`) or the due date is not known (no meeting was booked). A draft runs two: the
    reviewee's answer and the reviewer's signature (see the module docstring)."""
    state = statement.state
    if state in NO_CLOCK or state is State.NEW or revision:
        return ()
    # 5: once a revised statement was instructed, its due date bounds the rounds that follow.
    final_due = statement.revised_due or statement.final_due
    round_ = f"v{statement.statement_version}"
    rows: list[tuple[str, str, date | None]] = {
        State.DRAFT: [
            (ANSWER, "reviewee", statement.answer_due or final_due),
            (SIGN, "reviewer", final_due),
        ],
        State.CHANGES_REQUESTED: [(REVISE, "reviewer", final_due)],
        State.AGREED: [(SIGN, "reviewer", final_due)],
        State.REVIEWER_DECIDED: [(SIGN, "reviewer", final_due)],
        State.AWAITING_MODERATION: [
            (
                MODERATE,
                # 5: the chair or named governors quality-assure the headteacher's own statement.
                "quality-assurer" if headteachers_own else "headteacher",
                _latest(statement.moderation_due, statement.revised_due),
            )
        ],
        State.REVISION_INSTRUCTED: [(REVISED, "reviewer", statement.revised_due)],
    }[state]
    return tuple(
        StatementClock(event, owed_by, due, round_)
        for event, owed_by, due in rows
        if due is not None
    )


def open_clock(
    statement: Statement, *, headteachers_own: bool = False, revision: bool = False
) -> StatementClock | None:
    """The first of `open_clocks`: the one owed by whoever moves next (None: no clock)."""
    found = open_clocks(statement, headteachers_own=headteachers_own, revision=revision)
    return found[0] if found else None
