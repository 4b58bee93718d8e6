"""Guidance beside the planning and review statement's objectives and commitments, through the
API handler (moto): advice or a block per the school's settings (4.6; seeds 001, 002, 003)."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Browser
from tests.helpers.meetings import held_meeting

RIVERSIDE_REVIEWER = "riverside-academy.ra003"  # line manager of ra004 (teacher), ra008 (support)
OAKFIELD_REVIEWER = "oakfield-primary.op003"  # line manager of op004 (teacher)


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version)" value="([^"]*)"', page))


def _growth(commitments: list[tuple[str, str]], **extra: str) -> dict[str, str]:
    form = {
        "assessment": "A good year of steady work.",
        "support": "Time with the ALNCo each half term.",
        "monitoring": "Termly conversations; developmental observation if wanted.",
        "commitments-rows": str(len(commitments)),
    }
    for i, (title, focus) in enumerate(commitments):
        form[f"commitments-{i}-title"] = title
        form[f"commitments-{i}-focus"] = focus
        form[f"commitments-{i}-priority"] = "feedback"
    return {**form, **extra}


def _met(browser: Browser, reviewer: str, reviewee: str) -> None:
    """Book the planning and review meeting and move the clock to its day: the draft statement
    follows the meeting (4.9), so Submit is allowed."""
    from datetime import date

    from tests.helpers.aws import set_today

    set_today(date(2026, 11, 30))
    url, hidden = _open(browser, reviewer, reviewee, "meeting")
    booked = browser.post(
        url,
        {**hidden, "_action": "submit", "date": "2026-12-07", "time": "15:30", "place": "Room 4"},
    )
    assert booked["statusCode"] == 303, booked["body"][:500]
    set_today(date(2026, 12, 7))


def _open(
    browser: Browser, reviewer: str, reviewee: str, form: str = "planning-review"
) -> tuple[str, dict[str, str]]:
    browser.act_as(reviewer)
    if form == "planning-review":
        held_meeting(reviewee, reviewer)  # 4.9: the draft follows the meeting
    url = f"/people/{reviewee}/forms/{form}"
    page = browser.get(url)
    assert page["statusCode"] == 200
    return url, _hidden(page["body"])


def _beside(body: str, field_id: str) -> str:
    """The HTML of the question (or group) holding the element with id `field_id`."""
    start = body.index(f'id="{field_id}"')
    return body[max(0, body.rfind('<div class="q', 0, start)) : start + 2000]


def test_growth_teacher_needs_a_classroom_practice_commitment_seed_003(
    browser: Browser, demo: Any
) -> None:
    url, hidden = _open(browser, RIVERSIDE_REVIEWER, "riverside-academy.ra004")
    answer = browser.post(
        url,
        {
            **hidden,
            **_growth([("Lead oracy across Year 1", "school-plan"), ("Welsh club", "other")]),
            "_action": "submit",
        },
    )
    assert answer["statusCode"] == 422
    body = answer["body"]
    assert "one commitment focused on classroom practice" in body
    assert 'href="#f-commitments"' in body  # the error summary links to the commitments group
    assert "one commitment focused on classroom practice" in _beside(body, "f-commitments")
    assert "Lead oracy across Year 1" in body  # nothing typed is lost


def test_every_member_of_staff_needs_a_school_plan_commitment_seed_003(
    browser: Browser, demo: Any
) -> None:
    url, hidden = _open(browser, RIVERSIDE_REVIEWER, "riverside-academy.ra004")
    answer = browser.post(
        url,
        {
            **hidden,
            **_growth([("Feedback learners act on", "classroom-practice"), ("Choir", "other")]),
            "_action": "submit",
        },
    )
    assert answer["statusCode"] == 422
    assert "one commitment to the school plan" in answer["body"]


def test_support_staff_need_only_the_school_plan_commitment_seed_003(
    browser: Browser, demo: Any
) -> None:
    _met(browser, RIVERSIDE_REVIEWER, "riverside-academy.ra008")
    url, hidden = _open(browser, RIVERSIDE_REVIEWER, "riverside-academy.ra008")
    answer = browser.post(
        url,
        {
            **hidden,
            **_growth([("Support the ALN reform plan", "school-plan"), ("First aid", "other")]),
            "_action": "submit",
        },
    )
    assert answer["statusCode"] == 303


def test_numeric_success_criterion_blocked_when_school_says_block(
    browser: Browser, demo: Any
) -> None:
    # Riverside sets numeric-target: block (seed 003, point 1: no numerical success criteria).
    url, hidden = _open(browser, RIVERSIDE_REVIEWER, "riverside-academy.ra004")
    answer = browser.post(
        url,
        {
            **hidden,
            **_growth(
                [
                    (
                        "Raise reading ages so 90% of my class reach their target",
                        "classroom-practice",
                    ),
                    ("Lead oracy across Year 1", "school-plan"),
                ]
            ),
            "_action": "submit",
        },
    )
    assert answer["statusCode"] == 422
    assert "Commitments don" in _beside(answer["body"], "f-commitments-0-title")


def test_saving_a_draft_never_blocks_but_shows_the_notes_4_6_seed_003(
    browser: Browser, demo: Any
) -> None:
    url, hidden = _open(browser, RIVERSIDE_REVIEWER, "riverside-academy.ra004")
    saved = browser.post(
        url,
        {
            **hidden,
            **_growth([("Get 90% of pupils to level 4", "other"), ("Choir", "other")]),
            "_action": "save",
        },
    )
    assert saved["statusCode"] == 303
    body = browser.get(url)["body"]
    # Shown beside its field, server-side (no JavaScript), as what must change before submitting.
    assert "Change before you submit:" in _beside(body, "f-commitments-0-title")
    assert "one commitment focused on classroom practice" in _beside(body, "f-commitments")


def test_broad_pupil_target_is_advice_when_school_says_advise_seed_001_risk_3(
    browser: Browser, demo: Any
) -> None:
    _met(browser, OAKFIELD_REVIEWER, "oakfield-primary.op004")
    url, hidden = _open(browser, OAKFIELD_REVIEWER, "oakfield-primary.op004")
    form = {
        **hidden,
        "assessment": "Strong year.",
        "support": "Phonics training.",
        "monitoring": "Half-termly drop-ins.",
        "pay_recommendation": "progress",
        "objectives-rows": "1",
        "objectives-0-title": "80% of pupils to achieve the expected standard in reading",
        "objectives-0-success_criteria": "80% of pupils meet ARE in reading",
        "objectives-0-timescale": "2027-07-16",
        "objectives-0-priority": "early-reading",
        "_action": "submit",
    }
    answer = browser.post(url, form)
    # Advice never blocks, but is shown before sending: a second Submit sends it as it is (4.6).
    assert answer["statusCode"] == 200
    assert "Something to consider:" in answer["body"] and "which pupils" in answer["body"]
    confirmed = re.search(r'name="_confirmed" value="([0-9a-f]+)"', answer["body"])
    assert confirmed is not None
    sent = browser.post(url, {**form, "_confirmed": confirmed.group(1)})
    assert sent["statusCode"] == 303
    body = browser.get(url)["body"]
    assert "Something to consider:" in body
    assert "which pupils" in body


def test_too_many_commitments_is_a_note_on_the_set_4_6(browser: Browser, demo: Any) -> None:
    url, hidden = _open(browser, RIVERSIDE_REVIEWER, "riverside-academy.ra004")
    saved = browser.post(
        url,
        {
            **hidden,
            **_growth(
                [
                    ("Feedback learners act on", "classroom-practice"),
                    ("Lead oracy across Year 1", "school-plan"),
                    ("Welsh club", "other"),
                ]
            ),
            "_action": "save",
        },
    )
    assert saved["statusCode"] == 303
    body = browser.get(url)["body"]
    assert "your school suggests no more than 2" in _beside(body, "f-commitments")


def test_guidance_notes_are_available_for_the_reviewers_draft_view_4_9(demo: Any) -> None:
    from growthcycle.domain.forms import load_forms
    from growthcycle.web.guidance_checks import guidance_notes
    from growthcycle.web.services import services

    school = services().school("riverside-academy")
    assert school is not None
    values = {"commitments": [{"title": "Get 90% of pupils to level 4", "focus": "other"}]}
    teacher = demo.people["riverside-academy.ra004"]
    notes = guidance_notes(load_forms().get("planning-review"), values, school, "growth")
    assert {(n.key, n.code, n.severity) for n in notes} >= {
        ("commitments.0.title", "numeric-target", "block")
    }
    required = guidance_notes(
        load_forms().get("planning-review"), values, school, subject=teacher, partial=False
    )
    assert {n.code for n in required if n.key == "commitments" and n.severity == "block"} == {
        "required-classroom-practice",
        "required-school-plan",
    }
