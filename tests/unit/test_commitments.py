"""Seed 003's required commitments and what each policy style asks of its items, as data."""

from __future__ import annotations

import pytest

from growthcycle.domain.commitments import (
    REQUIRED_COMMITMENTS,
    STYLE_RULES,
    missing_commitments,
    required_for,
    rules_for,
)
from growthcycle.domain.forms import load_forms


def test_growth_teacher_needs_a_classroom_practice_commitment_seed_003() -> None:
    missing = missing_commitments(
        [{"title": "Whole-school oracy", "focus": "school-plan"}], ["teacher"]
    )
    assert [r.focus for r in missing] == ["classroom-practice"]


def test_leaders_who_teach_need_a_classroom_practice_commitment_too_seed_003() -> None:
    for roles in (["line-manager", "teacher"], ["headteacher"]):
        assert "classroom-practice" in {r.focus for r in required_for(roles)}


def test_every_member_of_staff_needs_a_school_plan_commitment_seed_003() -> None:
    missing = missing_commitments(
        [{"title": "Questioning", "focus": "classroom-practice"}], ["support"]
    )
    assert [r.focus for r in missing] == ["school-plan"]


def test_support_staff_need_only_the_school_plan_commitment_seed_003() -> None:
    assert [r.focus for r in required_for(["support"])] == ["school-plan"]
    assert missing_commitments([{"focus": "school-plan"}], ["support"]) == []


def test_both_required_commitments_present_means_nothing_missing_seed_003() -> None:
    items = [{"focus": "classroom-practice"}, {"focus": "school-plan"}, {"focus": "other"}]
    assert missing_commitments(items, ["teacher"]) == []


def test_growth_is_never_scored_and_has_no_pay_recommendation_seed_002_003() -> None:
    growth, performance = rules_for("growth"), rules_for("performance")
    assert not growth.scored and not growth.pay_recommendation
    assert not growth.numeric_success_criteria
    assert performance.pay_recommendation  # 4.5
    with pytest.raises(ValueError, match="unknown policy style"):
        rules_for("ranking")


def test_style_rules_and_required_focuses_match_the_planning_review_form_4_6_seed_003() -> None:
    form = load_forms().get("planning-review")
    for style, rules in STYLE_RULES.items():
        key = form.role_key(rules.items_role, style)
        assert key is not None and form.group(key, style) is not None
    growth = form.group("commitments", "growth")
    assert growth is not None
    focus = next(f for f in growth.fields if f.key == "focus")
    assert {r.focus for r in REQUIRED_COMMITMENTS} <= {c.value for c in focus.choices}
    # 4.5 / seed 002: the pay recommendation is performance-only.
    assert any(f.key == "pay_recommendation" for f in form.fields_for("performance"))
    assert not any(f.key == "pay_recommendation" for f in form.fields_for("growth"))


def test_performance_objectives_have_criteria_timescale_and_end_of_cycle_expectation_4_6() -> None:
    group = load_forms().get("planning-review").group("objectives", "performance")
    assert group is not None
    keys = {f.key for f in group.fields}
    assert {"success_criteria", "timescale", "priority", "multi_cycle"} <= keys
    assert "end_of_cycle_expectation" in keys
