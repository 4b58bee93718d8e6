"""Seed 001, risk 3: pupils named by prior attainment ("lower attainers") are a focus group.

From the phone user test: a questioning objective that names the pupils (lower attainers in a
year group's phonics or maths), the need (explaining their reasoning) and the approach
(think-pair-share) was flagged `broad-pupil-target`, on the form and by the CLI, because the word
"attainers" was read as an achievement and not as which pupils.
"""

from __future__ import annotations

import pytest

from growthcycle.domain.guidance import check_item, check_text

QUESTIONING = (
    "Improve questioning in Year {year} {subject} so that lower attainers explain their "
    "reasoning, using think-pair-share, by July 2027"
)


@pytest.mark.parametrize("style", ["performance", "growth"])
@pytest.mark.parametrize(("year", "subject"), [("2", "phonics"), ("9", "maths")])
def test_objective_naming_lower_attainers_need_and_approach_not_broad_seed_001_risk_3(
    style: str, year: str, subject: str
) -> None:
    text = QUESTIONING.format(year=year, subject=subject)
    assert "broad-pupil-target" not in [flag.code for flag in check_text(text, style)]


def test_same_objective_on_the_form_not_broad_seed_001_risk_3() -> None:
    item = {
        "title": QUESTIONING.format(year="2", subject="phonics"),
        "success_criteria": "Lower attainers give a reason in their answers in most lessons observed",
        "timescale": "by July 2027",
        "priority": "sip-2026-reading",
    }
    assert "broad-pupil-target" not in [flag.code for flag in check_item(item, "performance")]


@pytest.mark.parametrize(
    "text",
    [
        "Higher attainers in Year 11 English to gain grade 7 or above by June 2027",
        "Support the Year 6 lower attainers to pass their SATs",
        "Raise the progress of middle attainers in Year 10 science",
    ],
)
def test_attainers_target_without_an_approach_still_broad_seed_001_risk_3(text: str) -> None:
    assert "broad-pupil-target" in [flag.code for flag in check_text(text, "performance")]
