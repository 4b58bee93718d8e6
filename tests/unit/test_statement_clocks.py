"""Which statement clock is open in each state, and who owes the move (4.9, 5, 6, 8): pure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from growthcycle.domain import statement_clocks as sc
from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.statements import State, Statement

MEETING = date(2026, 12, 21)  # Monday before Christmas, England
FINAL_DUE = date(2027, 1, 11)
MODERATION_DUE = date(2027, 1, 11)
REVISED_DUE = date(2027, 1, 25)


def statement(state: State, *, revised_due: date | None = None, version: int = 2) -> Statement:
    return Statement(
        statement_id="c.p",
        school_id="s",
        cycle_id="c",
        reviewee_id="p",
        reviewer_id="r",
        state=state,
        version=5,
        statement_version=version,
        form_version=1,
        meeting_date=MEETING,
        draft_due=date(2027, 1, 4),
        final_due=FINAL_DUE,
        moderation_due=MODERATION_DUE,
        revised_due=revised_due,
        updated_at=datetime(2026, 12, 22, tzinfo=UTC),
    )


# Every state of domain/statements.py: the clock it runs, who owes it, and when it is due.
TABLE: dict[State, tuple[str, str, date] | None] = {
    State.NEW: None,  # no statement yet: the booked meeting's draft clock runs (draft_clock)
    State.DRAFT: (sc.ANSWER, "reviewee", FINAL_DUE),
    State.CHANGES_REQUESTED: (sc.REVISE, "reviewer", FINAL_DUE),
    State.AGREED: (sc.SIGN, "reviewer", FINAL_DUE),
    State.REVIEWER_DECIDED: (sc.SIGN, "reviewer", FINAL_DUE),
    State.AWAITING_MODERATION: (sc.MODERATE, "headteacher", MODERATION_DUE),
    State.REVISION_INSTRUCTED: None,  # without a revised due date there is nothing to count
    State.FINAL: None,
    State.REVISION_REQUESTED: None,  # 6 sets no timescale
    State.APPEALED: None,  # 8: the grievance procedure's timescale
}


def test_the_table_covers_every_state() -> None:
    assert set(TABLE) == set(State)


@pytest.mark.parametrize("state", list(State))
def test_each_state_runs_its_clock_owed_by_the_party_who_moves_next_4_9_5(state: State) -> None:
    clock = sc.open_clock(statement(state))
    expected = TABLE[state]
    if expected is None:
        assert clock is None
    else:
        assert clock is not None
        assert (clock.event, clock.owed_by, clock.due) == expected
        assert clock.round == "v2"


def test_revision_instructed_runs_the_revised_statement_clock_10_working_days_5() -> None:
    clock = sc.open_clock(statement(State.REVISION_INSTRUCTED, revised_due=REVISED_DUE))
    assert clock is not None
    assert (clock.event, clock.owed_by, clock.due) == (sc.REVISED, "reviewer", REVISED_DUE)


def test_after_a_moderation_instruction_the_revised_due_date_bounds_later_rounds_5() -> None:
    for state in (State.DRAFT, State.CHANGES_REQUESTED, State.AGREED, State.AWAITING_MODERATION):
        clock = sc.open_clock(statement(state, revised_due=REVISED_DUE, version=3))
        assert clock is not None and clock.due == REVISED_DUE and clock.round == "v3"


def test_the_governors_moderate_the_headteachers_own_statement_5() -> None:
    clock = sc.open_clock(statement(State.AWAITING_MODERATION), headteachers_own=True)
    assert clock is not None and clock.owed_by == "quality-assurer"


def test_the_draft_is_due_5_working_days_after_the_meeting_across_christmas_4_9() -> None:
    # Monday 21 December 2026: 22, 23, 24 December count; Christmas Day (Friday), the weekend
    # and Boxing Day's substitute (Monday 28) are skipped; 29, 30 December: due Wednesday 30.
    clock = sc.draft_clock(MEETING, WorkingCalendar(nation="england"))
    assert (clock.event, clock.owed_by) == (sc.DRAFT, "reviewer")
    assert clock.due == date(2026, 12, 30)
    assert clock.round == "2026-12-21"


def test_keys_are_stable_per_round_and_differ_between_rounds() -> None:
    first = sc.open_clock(statement(State.DRAFT, version=1))
    again = sc.open_clock(statement(State.DRAFT, version=1))
    second = sc.open_clock(statement(State.DRAFT, version=2))
    assert first is not None and again is not None and second is not None
    assert first.key("p", "c") == again.key("p", "c") == ("PERSON#p", "DUE#c#statement-answer#v1")
    assert second.key("p", "c") != first.key("p", "c")


def test_every_clock_has_a_title_naming_the_move() -> None:
    for event in (sc.DRAFT, sc.ANSWER, sc.REVISE, sc.SIGN, sc.MODERATE, sc.REVISED):
        title = sc.StatementClock(event, "reviewer", MEETING, "v1").title("Emma", "Sarah")
        assert ("Emma" in title) != ("Sarah" in title)


def test_a_revision_round_under_6_runs_no_clock_until_a_moderation_instruction_5_6() -> None:
    assert not sc.in_revision(["issue", "agree", "sign", "approve"])
    assert sc.in_revision(["issue", "agree", "sign", "approve", "request-revision", "issue"])
    assert not sc.in_revision(
        ["issue", "sign", "approve", "request-revision", "issue", "sign", "instruct-revision"]
    )
    for state in (State.DRAFT, State.AGREED, State.AWAITING_MODERATION):
        assert sc.open_clock(statement(state), revision=True) is None


def test_a_draft_runs_the_reviewees_answer_and_the_reviewers_signature_4_9() -> None:
    draft = statement(State.DRAFT).model_copy(update={"answer_due": date(2027, 1, 8)})
    clocks = sc.open_clocks(draft)
    assert [(c.event, c.owed_by, c.due) for c in clocks] == [
        (sc.ANSWER, "reviewee", date(2027, 1, 8)),
        (sc.SIGN, "reviewer", FINAL_DUE),
    ]
    # The reviewee's silence is never escalated: 4.9 says they "may" answer.
    from growthcycle.domain.deadlines import NOT_ESCALATED

    assert sc.ANSWER in NOT_ESCALATED and sc.SIGN not in NOT_ESCALATED
