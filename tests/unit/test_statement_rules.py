"""The statement's rules as data (4.3, 4.6, 4.9, 5, 6, 7, 8), its action links and its calendar
file: no AWS, no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from growthcycle.domain import statements as rules
from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.forms import load_forms
from growthcycle.domain.links import LinkInvalid, make_link, read_link
from growthcycle.domain.people import Person
from growthcycle.domain.statements import State
from growthcycle.domain.tokens import Signer

NOW = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
SIGNER = Signer(b"k" * 48)


def person(
    person_id: str, *roles: str, school: str = "oakfield", manager: str | None = None
) -> Any:
    return Person(
        person_id=f"{school}.{person_id}",
        school_id=school,
        staff_id=person_id,
        first_name="A",
        last_name=person_id,
        email=f"{person_id}@school.example",
        roles=roles,
        job_title="Teacher",
        line_manager_id=manager,
        fte=None if set(roles) <= {"governor", "pay-committee"} else 1.0,
        qualified_teacher=False,
        start_date=date(2020, 9, 1),
    )


def statement(state: State = State.DRAFT, reviewer: str = "lm") -> rules.Statement:
    return rules.Statement(
        statement_id="2026-27.oakfield.t1",
        school_id="oakfield",
        cycle_id="2026-27",
        reviewee_id="oakfield.t1",
        reviewer_id=f"oakfield.{reviewer}",
        state=state,
        version=1,
        statement_version=1,
        form_version=1,
        updated_at=NOW,
    )


# -- the table ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "party", "state", "allowed"),
    [
        ("agree", "reviewee", State.DRAFT, True),
        ("agree", "reviewer", State.DRAFT, False),  # only the reviewee agrees (4.9)
        ("request-changes", "reviewee", State.DRAFT, True),
        ("request-changes", "reviewee", State.AGREED, False),
        ("sign", "reviewer", State.AGREED, True),
        ("sign", "reviewer", State.DRAFT, False),  # never signed before an answer (4.9)
        ("sign", "reviewee", State.AGREED, False),
        ("stand", "reviewer", State.CHANGES_REQUESTED, True),  # 4.6: the reviewer decides
        ("stand", "reviewer", State.DRAFT, False),
        ("approve", "headteacher", State.AWAITING_MODERATION, True),
        ("approve", "reviewer", State.AWAITING_MODERATION, False),
        ("instruct-revision", "headteacher", State.AWAITING_MODERATION, True),
        ("appeal", "reviewee", State.FINAL, True),
        ("appeal", "reviewee", State.AWAITING_MODERATION, False),  # 8: after moderation
        ("request-revision", "reviewer", State.FINAL, True),  # 6: either party
        ("request-revision", "reviewee", State.FINAL, True),
        ("decide-appeal", "headteacher", State.APPEALED, True),
        ("issue", "reviewer", State.FINAL, False),  # a signed statement changes by revision
        ("issue", "reviewer", State.REVISION_INSTRUCTED, True),
    ],
)
def test_who_may_make_which_move_from_which_state(
    action: str, party: str, state: State, allowed: bool
) -> None:
    assert rules.allowed(action, party, state) is allowed


def test_every_move_names_its_policy_section_and_leads_to_a_real_state() -> None:
    for move in rules.MOVES:
        assert move.source and move.label and move.explains
        assert move.to is None or move.to in State
        assert (move.from_states and State.NEW not in move.from_states) or move.action == "issue"


def test_a_change_request_needs_a_reason_4_9() -> None:
    with pytest.raises(rules.ReasonMissing):
        rules.check("request-changes", "reviewee", State.DRAFT, "   ")
    assert rules.check("request-changes", "reviewee", State.DRAFT, "Mention the reading group")


def test_a_refused_move_is_named() -> None:
    with pytest.raises(rules.ActionNotAllowed):
        rules.check("sign", "reviewer", State.DRAFT)
    with pytest.raises(rules.UnknownAction):
        rules.check("delete", "reviewer", State.DRAFT)


def test_links_carry_only_moves_that_may_be_made_from_an_email() -> None:
    by_link = {m.action for m in rules.available("reviewee", State.FINAL, link=True)}
    assert "appeal" not in by_link  # an appeal is made on the page, with its reasons (8)
    assert {m.action for m in rules.available("reviewee", State.DRAFT, link=True)} == {
        "agree",
        "request-changes",
        "comment",
    }


# -- moderation (5) -------------------------------------------------------------------------------


def test_moderation_all_or_none() -> None:
    assert rules.moderated("all", None, "s", "c")
    assert not rules.moderated("none", None, "s", "c")


def test_a_moderation_sample_is_stable_across_reruns_5() -> None:
    picks = [rules.moderated("sample", 30, f"2026-27.school.p{i}", "2026-27") for i in range(50)]
    again = [rules.moderated("sample", 30, f"2026-27.school.p{i}", "2026-27") for i in range(50)]
    assert picks == again


def test_a_moderation_sample_gives_every_statement_the_same_chance_5() -> None:
    ids = [f"2026-27.school-{i // 100}.p{i}" for i in range(10_000)]
    for percent in (10, 25, 50):
        chosen = sum(rules.moderated("sample", percent, s, "2026-27") for s in ids)
        assert abs(chosen / len(ids) - percent / 100) < 0.02, percent


def test_signing_an_unmoderated_statement_makes_it_final_5() -> None:
    sign = rules.move_for("sign")
    assert rules.state_after(sign, is_moderated=True) is State.AWAITING_MODERATION
    assert rules.state_after(sign, is_moderated=False) is State.FINAL


# -- due dates (4.3, 4.9, 5) ----------------------------------------------------------------------


def test_a_meeting_booked_with_less_than_five_working_days_notice_is_flagged_4_3() -> None:
    calendar = WorkingCalendar(nation="england")
    meeting = date(2026, 10, 12)  # a Monday: notice by Friday 2 October
    assert rules.meeting_dues(meeting, date(2026, 10, 2), calendar).short_notice is False
    assert rules.meeting_dues(meeting, date(2026, 10, 5), calendar).short_notice is True


def test_draft_due_five_and_final_ten_working_days_after_the_meeting_4_9() -> None:
    dues = rules.meeting_dues(
        date(2026, 10, 5), date(2026, 9, 1), WorkingCalendar(nation="england")
    )
    assert dues.draft_due == date(2026, 10, 12)
    assert dues.final_due == date(2026, 10, 19)


def test_revised_statement_due_ten_working_days_after_the_instruction_5() -> None:
    assert rules.revised_due(date(2026, 10, 5), WorkingCalendar(nation="england")) == date(
        2026, 10, 19
    )


# -- who sees what (7) ----------------------------------------------------------------------------


def test_who_may_see_a_statement_7() -> None:
    reviewee = person("t1", "teacher", manager="lm")
    s = statement()
    assert rules.audience(reviewee, reviewee, s) == "reviewee"
    assert rules.audience(person("lm", "line-manager"), reviewee, s) == "reviewer"
    assert rules.audience(person("ht", "headteacher"), reviewee, s) == "headteacher"
    assert rules.audience(person("t2", "teacher"), reviewee, s) is None
    assert rules.audience(person("ht2", "headteacher", school="other"), reviewee, s) is None
    # A line manager who is not the reviewer still sees it for their duties.
    other_reviewer = statement(reviewer="ht")
    assert rules.audience(person("lm", "line-manager"), reviewee, other_reviewer) == "line-manager"


def test_pay_committee_governors_see_only_final_statements_and_only_the_overall_assessment_7() -> (
    None
):
    reviewee = person("t1", "teacher", manager="lm")
    governor = person("g1", "governor", "pay-committee")
    assert rules.audience(governor, reviewee, statement(State.DRAFT)) is None
    assert rules.audience(governor, reviewee, statement(State.FINAL)) == "governor"
    assert rules.party_of("governor") is None  # a governor can make no move
    values = {"assessment": "Good", "pay_recommendation": "progress", "objectives": [{}]}
    keys = load_forms().get("planning-review").role_keys(rules.GOVERNOR_ROLES, "performance")
    assert keys == ["assessment", "pay_recommendation"]
    assert rules.governor_values(values, keys) == {
        "assessment": "Good",
        "pay_recommendation": "progress",
    }


def test_a_governor_not_responsible_for_pay_decisions_sees_no_statement_7() -> None:
    # 7: access is for "governors who are responsible for making pay decisions", not every
    # governor: the headteacher's statement and anyone else's, draft or final.
    governor = person("g2", "governor")
    for reviewee in (person("t1", "teacher", manager="lm"), person("ht", "headteacher")):
        for state in State:
            assert rules.audience(governor, reviewee, statement(state)) is None, state


# -- comparing versions -----------------------------------------------------------------------------


def test_changed_fields_are_listed_and_unchanged_ones_are_not() -> None:
    before = {"Assessment": ("Good",), "Support": ("Coaching",)}
    after = {"Assessment": ("Very good",), "Support": ("Coaching",), "Comments": ("New",)}
    changed = rules.changes(before, after)
    assert [c.label for c in changed] == ["Assessment", "Comments"]
    assert changed[1].before == ()


# -- action links -----------------------------------------------------------------------------------


def link(**overrides: Any) -> str:
    values: dict[str, Any] = {
        "person_id": "t1",
        "statement_id": "2026-27.oakfield.t1",
        "statement_version": 2,
        "action": "agree",
        "now": NOW,
        "days": 14,
    }
    return make_link(SIGNER, **(values | overrides))


def test_a_link_binds_one_person_statement_version_and_action() -> None:
    read = read_link(SIGNER, link(), now=NOW)
    assert (read.person_id, read.statement_id, read.statement_version, read.action) == (
        "t1",
        "2026-27.oakfield.t1",
        2,
        "agree",
    )
    assert not read.expired
    assert len(read.nonce) >= 22  # 128 bits, base64
    assert link() != link()  # two links are never alike


def test_a_link_expires_after_the_trusts_days_but_still_says_whose_it_was() -> None:
    read = read_link(SIGNER, link(days=14), now=NOW + timedelta(days=15))
    assert read.expired and read.person_id == "t1"


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t.split(".")[0],
        lambda t: "x" + t,
        lambda t: "",
    ],
)
def test_a_tampered_link_is_refused(damage: Any) -> None:
    with pytest.raises(LinkInvalid):
        read_link(SIGNER, damage(link()), now=NOW)


def test_a_link_made_with_another_key_is_refused() -> None:
    with pytest.raises(LinkInvalid):
        read_link(Signer(b"z" * 48), link(), now=NOW)


# -- the calendar file (4.3) ------------------------------------------------------------------------


def test_ics_text_is_escaped_and_folded() -> None:
    ics = rules.meeting_ics(
        uid="meeting-1@growthcycle",
        sequence=2,
        day=date(2026, 1, 12),
        start=time(9, 15),
        minutes=60,
        summary="Meeting, with; a\\slash",
        location="Room 4\nupstairs",
        description="x" * 200,
        stamp=NOW,
    )
    assert "SUMMARY:Meeting\\, with\\; a\\\\slash\r\n" in ics
    assert "LOCATION:Room 4\\nupstairs\r\n" in ics
    assert "DTSTART:20260112T091500Z" in ics  # January: London is on UTC
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    assert "\r\n x" in ics  # the long description continues on a folded line


@pytest.mark.parametrize("text", ["9:15", "09:15", "23:59"])
def test_meeting_times_on_the_24_hour_clock_are_read(text: str) -> None:
    assert rules.parse_time(text).minute in (15, 59)


@pytest.mark.parametrize("text", ["", "9", "24:00", "9.15", "ab:cd", "9:5"])
def test_other_meeting_times_are_refused(text: str) -> None:
    with pytest.raises(rules.MeetingTimeInvalid):
        rules.parse_time(text)


def test_the_reviewee_answers_until_the_working_day_before_the_final_statement_4_9() -> None:
    england = WorkingCalendar("england")
    # Final statement due Friday 14 May 2027: the reviewee may answer until Thursday 13 May.
    assert rules.answer_due(date(2027, 5, 14), date(2027, 4, 29), england) == date(2027, 5, 13)
    # A draft sent late still gives them the next working day (Monday, after the weekend).
    assert rules.answer_due(date(2027, 5, 14), date(2027, 5, 14), england) == date(2027, 5, 17)


def test_the_reviewer_signs_an_unanswered_draft_only_once_the_reviewees_time_is_up_4_9() -> None:
    assert not rules.allowed("sign-unanswered", "reviewer", State.DRAFT)
    assert rules.allowed("sign-unanswered", "reviewer", State.DRAFT, answer_time_up=True)
    assert not rules.allowed("sign-unanswered", "reviewee", State.DRAFT, answer_time_up=True)
    assert not rules.allowed("sign-unanswered", "reviewer", State.AGREED, answer_time_up=True)
    with pytest.raises(rules.RevieweeStillHasTime):
        rules.check("sign-unanswered", "reviewer", State.DRAFT, answer_due=date(2027, 5, 13))
    offered = [m.action for m in rules.available("reviewer", State.DRAFT, answer_time_up=True)]
    assert offered == ["sign-unanswered"]
    assert rules.available("reviewer", State.DRAFT) == []
    # 5: it leads where signing does.
    move = rules.move_for("sign-unanswered")
    assert rules.state_after(move, is_moderated=False) is State.FINAL
    assert rules.state_after(move, is_moderated=True) is State.AWAITING_MODERATION


def test_every_party_a_move_tells_has_its_message_issue_11_item_6() -> None:
    # A missing row would mean nobody is emailed, silently. The draft itself ("issue") goes as
    # the draft statement email (email/statement_draft), not a move message.
    from growthcycle.web.statements import MESSAGES

    missing = [
        (move.action, party)
        for move in rules.MOVES
        if move.action != "issue"
        for party in move.tells
        if (move.action, party) not in MESSAGES
    ]
    assert missing == []
    # And no message is kept for a party the move does not tell.
    told = {(m.action, p) for m in rules.MOVES for p in m.tells}
    assert sorted(set(MESSAGES) - told) == []
