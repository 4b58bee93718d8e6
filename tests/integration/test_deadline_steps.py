"""The daily check's open items follow the forms: submitting the planning and review form closes
that cycle's planning-review deadline (4.1), so nobody is reminded about work that is done."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Browser
from tests.helpers.meetings import held_meeting


def _due_item(demo: Any, person_id: str, cycle_id: str) -> dict[str, Any]:
    from growthcycle.adapters.store import _from_item, _to_item
    from growthcycle.domain.deadlines import PLANNING_REVIEW, deadline_key

    pk, sk = deadline_key(person_id, cycle_id, PLANNING_REVIEW)
    found = demo.store.db.get_item(
        TableName=demo.store.table_name, Key=_to_item({"pk": pk, "sk": sk})
    )
    return _from_item(found["Item"])


def test_submitting_the_planning_review_closes_its_deadline_4_1(
    browser: Browser, demo: Any
) -> None:
    from growthcycle.web.services import services

    reviewer = demo.people["oakfield-primary.op003"]
    reviewee = demo.people["oakfield-primary.op004"]
    cycle_id = services().cycle(reviewee).cycle_id
    assert "due_pk" in _due_item(demo, reviewee.person_id, cycle_id)

    browser.act_as(reviewer.person_id)
    held_meeting(reviewee.person_id, reviewer.person_id)  # 4.9: the draft follows the meeting
    url = f"/people/{reviewee.person_id}/forms/planning-review"
    page = browser.get(url)["body"]
    hidden = dict(re.findall(r'name="(_csrf|_version|objectives-rows)" value="([^"]*)"', page))
    answers = {
        **hidden,
        "_action": "submit",
        "assessment": "A strong year in Year 3 reading.",
        "objectives-0-title": "Improve reading fluency for the six Year 3 pupils below expected",
        "objectives-0-success_criteria": "Five of the six read at 90 words a minute by June",
        "objectives-0-timescale": "2027-06-30",
        "objectives-0-priority": "early-reading",
        "pay_recommendation": "progress",
        "support": "Release time to observe the phonics lead.",
        "monitoring": "One observation in the spring term.",
    }
    saved = browser.post(url, answers)
    assert saved["statusCode"] in (303, 200), saved["body"][:2000]
    assert "due_pk" not in _due_item(demo, reviewee.person_id, cycle_id)
