"""Who reviews whom (4.2), the headteacher's reviewers (4.2, 5), capability pauses and transfers
(3, 4.1): the pure rules, no AWS."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from growthcycle.domain.access import is_reviewer_of, may_fill, may_view
from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.cycles import CycleDateInvalid, StaffGroup, regular_cycle
from growthcycle.domain.people import Person
from growthcycle.domain.reviewers import (
    HEADTEACHER_REVIEWER_RULES,
    HeadteacherReviewers,
    ReviewerRefused,
    check_assignment,
    check_headteacher_reviewers,
    check_reasons,
    effective_reviewers,
    reviewee_counts,
    school_category,
    status,
)
from growthcycle.domain.special_cases import (
    AlreadySuspended,
    CapabilityRecord,
    NotSuspended,
    plan_transfer,
    pushed_due_dates,
    restarted_cycle,
)
from growthcycle.domain.trust import School

SCHOOL = "oak"


def person(staff_id: str, *roles: str, manager: str | None = None, title: str = "") -> Person:
    return Person(
        person_id=f"{SCHOOL}.{staff_id.lower()}",
        school_id=SCHOOL,
        staff_id=staff_id,
        first_name=staff_id,
        last_name="Test",
        email=f"{staff_id.lower()}@oak.example",
        roles=roles,  # type: ignore[arg-type]
        job_title=title or roles[0],
        line_manager_id=manager,
        fte=None if set(roles) <= {"governor", "external-adviser"} else 1.0,
        qualified_teacher=True,
        start_date=date(2020, 9, 1),
    )


def school(**settings: Any) -> School:
    base: dict[str, Any] = {
        "id": SCHOOL,
        "name": "Oak School",
        "nation": "england",
        "policy_style": "performance",
        "reviewers": {"mode": "line-managers", "max_reviewees": 6},
    }
    return School.model_validate(base | settings)


HEAD = person("H1", "headteacher")
DEPUTY = person("L1", "line-manager", "teacher", manager="H1")
OTHER_LM = person("L2", "line-manager", "teacher", manager="H1")
TEACHER = person("T1", "teacher", manager="L1")
PEER = person("T2", "teacher", manager="L1")
TA = person("S1", "support", manager="L1")
GOV_CHAIR = person("G1", "governor", title="Chair of Governors")
GOV_2 = person("G2", "governor")
GOV_3 = person("G3", "governor")
GOV_4 = person("G4", "governor")
ADVISER = person("X1", "external-adviser")
PEOPLE = [HEAD, DEPUTY, OTHER_LM, TEACHER, PEER, TA, GOV_CHAIR, GOV_2, GOV_3, GOV_4, ADVISER]


# --- status and replacement (4.2) ------------------------------------------------------------


def test_status_ranks_headteacher_over_line_manager_over_teacher_over_support_4_2() -> None:
    assert status(HEAD) > status(DEPUTY) > status(TEACHER) > status(TA) > 0
    assert status(GOV_CHAIR) == 0 and status(ADVISER) == 0  # not in the staffing structure


def test_replacement_reviewer_must_have_equal_or_higher_status_4_2() -> None:
    sch = school()
    current = effective_reviewers(sch, PEOPLE, {})
    # Teacher's line manager is a line manager: a peer teacher is lower, refused.
    with pytest.raises(ReviewerRefused, match="same or higher status"):
        check_assignment(sch, TEACHER, PEER, PEOPLE, current)
    # Another line manager is equal, the headteacher higher: both allowed.
    check_assignment(sch, TEACHER, OTHER_LM, PEOPLE, current)
    check_assignment(sch, TEACHER, HEAD, PEOPLE, current)


def test_a_reviewer_is_never_the_reviewee_nor_a_governor_4_2() -> None:
    sch = school()
    current = effective_reviewers(sch, PEOPLE, {})
    with pytest.raises(ReviewerRefused):
        check_assignment(sch, TEACHER, TEACHER, PEOPLE, current)
    with pytest.raises(ReviewerRefused):
        check_assignment(sch, TEACHER, GOV_CHAIR, PEOPLE, current)
    with pytest.raises(ReviewerRefused, match="governors"):
        check_assignment(sch, HEAD, DEPUTY, PEOPLE, current)


def test_reviewer_cap_refuses_a_seventh_reviewee_4_2() -> None:
    sch = school()
    extra = [person(f"T{n}", "teacher", manager="L2") for n in range(10, 16)]  # six for L2
    people = [*PEOPLE, *extra]
    current = effective_reviewers(sch, people, {})
    assert reviewee_counts(current)[OTHER_LM.person_id] == 6
    with pytest.raises(ReviewerRefused, match="limit is 6"):
        check_assignment(sch, TEACHER, OTHER_LM, people, current)
    # Re-assigning one of L2's own reviewees to L2 is not a seventh.
    check_assignment(sch, extra[0], OTHER_LM, people, current)


def test_headteacher_mode_has_the_headteacher_review_everyone_uncapped_4_2() -> None:
    sch = school(reviewers={"mode": "headteacher", "max_reviewees": 2})
    current = effective_reviewers(sch, PEOPLE, {})
    staff = [p for p in PEOPLE if p.is_staff and not p.is_headteacher]
    assert all(current[p.person_id] == HEAD.person_id for p in staff)
    assert current[HEAD.person_id] is None  # the headteacher's reviewers are governors
    check_assignment(sch, TEACHER, HEAD, PEOPLE, current)  # the cap is for delegation


def test_line_managers_mode_delegates_to_the_line_manager_4_2() -> None:
    current = effective_reviewers(school(), PEOPLE, {})
    assert current[TEACHER.person_id] == DEPUTY.person_id
    assert current[DEPUTY.person_id] == HEAD.person_id


def test_an_explicit_assignment_overrides_the_default_reviewer_4_2() -> None:
    current = effective_reviewers(school(), PEOPLE, {TEACHER.person_id: OTHER_LM.person_id})
    assert current[TEACHER.person_id] == OTHER_LM.person_id


def test_access_follows_an_explicit_reviewer_assignment_4_2_7() -> None:
    # Without an assignment: the line manager alone, the role delegated "in its entirety" (4.2).
    assert is_reviewer_of(DEPUTY, TEACHER) and not is_reviewer_of(HEAD, TEACHER)
    assert may_view(HEAD, TEACHER)  # 7: the headteacher still sees the record
    assert not is_reviewer_of(OTHER_LM, TEACHER)
    # Assigned to L2: only L2 is the reviewer; the headteacher still sees the record (7).
    assigned = OTHER_LM.person_id
    assert is_reviewer_of(OTHER_LM, TEACHER, assigned)
    assert not is_reviewer_of(DEPUTY, TEACHER, assigned)
    assert may_fill(OTHER_LM, TEACHER, "reviewer", assigned)
    assert not may_fill(DEPUTY, TEACHER, "reviewer", assigned)
    assert not may_view(DEPUTY, TEACHER, assigned) and may_view(HEAD, TEACHER, assigned)


def test_a_request_for_a_different_reviewer_states_its_reasons_4_2() -> None:
    with pytest.raises(ReviewerRefused):
        check_reasons("   ")
    assert check_reasons("  We have a conflict of interest. ") == "We have a conflict of interest."


# --- the headteacher's reviewers (4.2) and quality assurance (5) --------------------------------


def appointment(
    governors: tuple[str, ...],
    foundation: tuple[str, ...] = (),
    qa: tuple[str, ...] = (GOV_4.person_id,),
    adviser: str = ADVISER.person_id,
) -> HeadteacherReviewers:
    return HeadteacherReviewers(
        cycle_id="2026",
        governor_ids=governors,
        foundation_ids=foundation,
        adviser_id=adviser,
        adviser_kind="external-adviser",
        qa_ids=qa,
    )


TWO = (GOV_2.person_id, GOV_3.person_id)
THREE = (GOV_CHAIR.person_id, GOV_2.person_id, GOV_3.person_id)


def test_headteachers_reviewers_are_two_or_three_governors_4_2() -> None:
    sch = school(moderation={"headteacher_statement_qa": "named-governors"})
    assert check_headteacher_reviewers(sch, appointment(TWO), PEOPLE) == []
    assert check_headteacher_reviewers(sch, appointment(THREE), PEOPLE) == []
    [one] = check_headteacher_reviewers(sch, appointment((GOV_2.person_id,)), PEOPLE)
    assert "2 or 3 governors" in one
    four = (*THREE, GOV_4.person_id)
    assert any("2 or 3" in p for p in check_headteacher_reviewers(sch, appointment(four), PEOPLE))
    not_governor = appointment((GOV_2.person_id, DEPUTY.person_id))
    assert any("governors" in p for p in check_headteacher_reviewers(sch, not_governor, PEOPLE))


def test_religious_character_needs_a_foundation_governor_4_2_option_2() -> None:
    sch = school(
        religious_character=True, moderation={"headteacher_statement_qa": "named-governors"}
    )
    assert school_category(sch) == "religious-character"
    [problem] = check_headteacher_reviewers(sch, appointment(TWO), PEOPLE)
    assert "at least 1 foundation governor" in problem
    ok = appointment(THREE, foundation=(GOV_3.person_id,))
    assert check_headteacher_reviewers(sch, ok, PEOPLE) == []


def test_voluntary_aided_needs_one_of_two_or_two_of_three_foundation_governors_4_2_option_3() -> (
    None
):
    sch = school(
        religious_character=True,
        voluntary_aided=True,
        moderation={"headteacher_statement_qa": "named-governors"},
    )
    assert school_category(sch) == "voluntary-aided"
    assert HEADTEACHER_REVIEWER_RULES["voluntary-aided"].foundation_minimum == {2: 1, 3: 2}
    two_one = appointment(TWO, foundation=(GOV_2.person_id,))
    assert check_headteacher_reviewers(sch, two_one, PEOPLE) == []
    three_one = appointment(THREE, foundation=(GOV_2.person_id,))
    [problem] = check_headteacher_reviewers(sch, three_one, PEOPLE)
    assert "at least 2 foundation governors" in problem
    three_two = appointment(THREE, foundation=(GOV_2.person_id, GOV_3.person_id))
    assert check_headteacher_reviewers(sch, three_two, PEOPLE) == []


def test_an_adviser_is_recorded_for_the_headteachers_review_4_2() -> None:
    sch = school(moderation={"headteacher_statement_qa": "named-governors"})
    problems = check_headteacher_reviewers(sch, appointment(TWO, adviser=GOV_4.person_id), PEOPLE)
    assert any("adviser" in p for p in problems)


def test_quality_assurance_of_the_headteachers_statement_follows_the_schools_choice_5() -> None:
    chair = school(moderation={"headteacher_statement_qa": "chair"})
    assert (
        check_headteacher_reviewers(chair, appointment(TWO, qa=(GOV_CHAIR.person_id,)), PEOPLE)
        == []
    )
    two_qa = appointment(TWO, qa=(GOV_CHAIR.person_id, GOV_4.person_id))
    assert any("chair" in p for p in check_headteacher_reviewers(chair, two_qa, PEOPLE))
    none = school(moderation={"headteacher_statement_qa": "none"})
    assert check_headteacher_reviewers(none, appointment(TWO, qa=()), PEOPLE) == []
    assert check_headteacher_reviewers(none, appointment(TWO), PEOPLE)  # QA given: refused


def test_a_quality_assuring_governor_is_not_one_of_the_headteachers_reviewers_5() -> None:
    sch = school(moderation={"headteacher_statement_qa": "chair"})
    problems = check_headteacher_reviewers(
        sch, appointment(THREE, qa=(GOV_CHAIR.person_id,)), PEOPLE
    )
    assert any("must not also be one of the headteacher's reviewers" in p for p in problems)


# --- capability (3, 4.1) and transfer (4.1) -------------------------------------------------------

CALENDAR = WorkingCalendar(nation="england")


def test_capability_suspends_the_clocks_4_1() -> None:
    record = CapabilityRecord("oak.t1", "2026-27").suspend(date(2027, 2, 1))  # a Monday
    assert record.suspended
    with pytest.raises(AlreadySuspended):
        record.suspend(date(2027, 2, 2))
    resumed = record.resume(date(2027, 2, 15))  # two weeks later: 10 working days stood still
    assert not resumed.suspended
    pushed = pushed_due_dates(
        {"DUE#2026-27#planning-review": date(2027, 2, 5), "DUE#2026-27#old": date(2027, 1, 29)},
        resumed.periods[-1],
        CALENDAR,
    )
    assert pushed["DUE#2026-27#planning-review"] == date(2027, 2, 19)  # Friday + 10 working days
    assert pushed["DUE#2026-27#old"] == date(2027, 1, 29)  # due before the pause: unchanged


def test_resuming_a_cycle_that_is_not_paused_is_refused_4_1() -> None:
    with pytest.raises(NotSuspended):
        CapabilityRecord("oak.t1", "2026-27").resume(date(2027, 2, 15))
    with pytest.raises(CycleDateInvalid):
        CapabilityRecord("oak.t1", "2026-27").suspend(date(2027, 2, 1)).resume(date(2027, 1, 1))


def test_transfer_restart_begins_a_new_aligned_cycle_on_the_transfer_date_4_1() -> None:
    current = regular_cycle(StaffGroup.TEACHER, date(2027, 1, 18))
    transfer = plan_transfer("oak.t1", current, date(2027, 1, 18), "restart")
    assert transfer.new_cycle is not None
    assert transfer.new_cycle.starts == date(2027, 1, 18)
    assert transfer.new_cycle.ends == current.ends == date(2027, 10, 31)  # aligned (4.1)
    assert transfer.new_cycle.cycle_id == "2026-27-from-2027-01-18" != current.cycle_id
    assert restarted_cycle(StaffGroup.TEACHER, date(2027, 1, 18)) == transfer.new_cycle


def test_transfer_keep_leaves_the_cycle_as_it_is_4_1() -> None:
    current = regular_cycle(StaffGroup.TEACHER, date(2027, 1, 18))
    assert plan_transfer("oak.t1", current, date(2027, 1, 18), "keep").new_cycle is None
    with pytest.raises(CycleDateInvalid):
        plan_transfer("oak.t1", current, date(2028, 1, 18), "restart")
