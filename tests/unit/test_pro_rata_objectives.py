"""Section 3, pro rata: the number of objectives a part-time reviewee is asked for is
proportionate to the time they work (the school's `objectives.reasonable_max` x FTE). No AWS."""

from __future__ import annotations

from datetime import date

import pytest

from growthcycle.domain.forms import load_forms
from growthcycle.domain.people import Person
from growthcycle.domain.trust import ObjectiveSettings, School
from growthcycle.web.guidance_checks import guidance_notes


@pytest.mark.parametrize(
    ("fte", "asked"),
    [(1.0, 3), (None, 3), (0.8, 2), (0.6, 2), (0.5, 2), (0.4, 1), (0.1, 1)],
)
def test_objectives_asked_of_a_part_time_reviewee_are_pro_rata_section_3(
    fte: float | None, asked: int
) -> None:
    assert ObjectiveSettings(reasonable_max=3).reasonable_max_for(fte) == asked


def _teacher(fte: float) -> Person:
    return Person(
        person_id="oakfield.t1",
        school_id="oakfield",
        staff_id="T1",
        first_name="Emma",
        last_name="Clarke",
        email="e@oakfield.example",
        roles=("teacher",),
        job_title="Teacher",
        line_manager_id=None,
        fte=fte,
        qualified_teacher=True,
        start_date=date(2020, 9, 1),
    )


def test_planning_review_advises_a_part_timer_past_their_pro_rata_number_section_3() -> None:
    school = School.model_validate(
        {"id": "oakfield", "name": "Oakfield", "nation": "england", "policy_style": "performance"}
    )
    objective = {
        "title": "Improve feedback in Year 4 maths",
        "success_criteria": "Pupils act on written feedback in most books sampled",
        "timescale": "By the end of the spring term",
        "priority": "feedback",
    }
    values = {"objectives": [objective, {**objective, "title": "Lead the reading club"}]}
    form = load_forms().get("planning-review")

    def too_many(fte: float) -> list[str]:
        notes = guidance_notes(form, values, school, subject=_teacher(fte))
        return [n.message for n in notes if n.code == "too-many-objectives"]

    assert too_many(1.0) == []  # two of three, full time
    [message] = too_many(0.4)  # 0.4 of 3 is 1
    assert "no more than 1" in message


def test_pro_rata_never_asks_for_fewer_than_the_required_commitments_section_3() -> None:
    # Seed 003: every teacher has a classroom-practice and a school-plan commitment, part time
    # or not, so 0.4 of 2 is still 2 for a teacher in a growth school.
    assert ObjectiveSettings(reasonable_max=2).reasonable_max_for(0.4, at_least=2) == 2
    growth = School.model_validate(
        {
            "id": "oakfield",
            "name": "Oakfield",
            "nation": "england",
            "policy_style": "growth",
            "objectives": {"reasonable_max": 2},
        }
    )
    values = {
        "commitments": [
            {"title": "Feedback learners act on", "focus": "classroom-practice"},
            {"title": "Lead oracy across Year 1", "focus": "school-plan"},
        ]
    }
    notes = guidance_notes(
        load_forms().get("planning-review"), values, growth, subject=_teacher(0.4)
    )
    assert not [n for n in notes if n.code == "too-many-objectives"]
