"""What the user test on a phone found in the hosted forms, through the API handler and moto:
the reviewer reads (never writes) a submitted self-review (7); the reviewee's comments are the
reviewee's (4.9); guidance shows on every render and is weighed before sending (4.6); one way to
record a reflection (seed 003, point 2)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tests.conftest import Browser
from tests.helpers.aws import set_today

OAK = "oakfield-primary"
HELEN = f"{OAK}.op001"  # headteacher
DAVID = f"{OAK}.op002"  # another line manager
SARAH = f"{OAK}.op003"  # Emma's line manager and reviewer
EMMA = f"{OAK}.op004"
GARETH = "riverside-academy.ra001"  # another school's headteacher
OWAIN = "riverside-academy.ra003"  # line manager of ra004
FFION = "riverside-academy.ra004"
CYCLE = "2026-27"
SELF_REVIEW = f"/people/{EMMA}/forms/self-review"
PLANNING = f"/people/{EMMA}/forms/planning-review"


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version|_confirmed)" value="([^"]*)"', page))


def _send(browser: Browser, who: str, url: str, action: str, **answers: str) -> dict[str, Any]:
    browser.act_as(who)
    page = browser.get(url)
    assert page["statusCode"] == 200, page["body"][:300]
    return browser.post(url, {**_hidden(page["body"]), "_action": action, **answers})


def _stored(demo: Any, person_id: str, form_id: str) -> Any:
    return demo.store.get_submission(person_id, CYCLE, form_id)


def _met(browser: Browser, reviewer: str = SARAH, reviewee: str = EMMA) -> None:
    """Book the planning and review meeting and move the clock to its day: the draft statement
    follows the meeting (4.9), so Submit is allowed."""
    set_today(date(2026, 11, 30))
    booked = _send(
        browser,
        reviewer,
        f"/people/{reviewee}/forms/meeting",
        "submit",
        date="2026-12-07",
        time="15:30",
        place="Room 4",
    )
    assert booked["statusCode"] == 303, booked["body"][:500]
    set_today(date(2026, 12, 7))


def _planning(**extra: str) -> dict[str, str]:
    return {
        "assessment": "A strong year.",
        "support": "Phonics training.",
        "monitoring": "Half-termly drop-ins.",
        "pay_recommendation": "progress",
        "objectives-rows": "1",
        "objectives-0-title": "Lead the Year 2 phonics catch-up groups",
        "objectives-0-success_criteria": "Groups run weekly; pupils re-assessed each half term",
        "objectives-0-timescale": "2027-07-16",
        "objectives-0-priority": "early-reading",
        **extra,
    }


# -- 7: the reviewer reads a submitted self-review, never a draft, never edits it ----------------


def test_reviewer_reads_submitted_self_review_but_not_a_draft_7(
    browser: Browser, demo: Any
) -> None:
    saved = _send(browser, EMMA, SELF_REVIEW, "save", reflection="Draft words, mine alone")
    assert saved["statusCode"] == 303
    browser.act_as(SARAH)
    for path in (SELF_REVIEW, f"{SELF_REVIEW}/saved"):
        hidden = browser.get(path)
        assert hidden["statusCode"] == 404 and "Draft words" not in hidden["body"]
    assert "self-review" not in browser.get(PLANNING)["body"].split("<form", 1)[0].lower()

    sent = _send(browser, EMMA, SELF_REVIEW, "submit", reflection="Phonics went well")
    assert sent["statusCode"] == 303
    for reader in (SARAH, HELEN):  # the reviewer of record and the headteacher (7)
        browser.act_as(reader)
        for path in (SELF_REVIEW, f"{SELF_REVIEW}/saved"):
            shown = browser.get(path)
            assert shown["statusCode"] == 200, (reader, path)
            assert "Phonics went well" in shown["body"]
            # Read-only: no form to change it.
            assert (
                "<textarea" not in shown["body"] and 'action="' + SELF_REVIEW not in shown["body"]
            )
    for outsider in (DAVID, GARETH, f"{OAK}.op005"):
        browser.act_as(outsider)
        assert browser.get(SELF_REVIEW)["statusCode"] == 404, outsider

    # Emma starts a new draft: her reviewer still sees only what she submitted.
    _send(browser, EMMA, SELF_REVIEW, "save", reflection="Second thoughts, not shared")
    browser.act_as(SARAH)
    shown = browser.get(SELF_REVIEW)["body"]
    assert "Phonics went well" in shown and "Second thoughts" not in shown


def test_reviewer_cannot_change_a_submitted_self_review_7(browser: Browser, demo: Any) -> None:
    _send(browser, EMMA, SELF_REVIEW, "submit", reflection="Emma's own words")
    browser.act_as(SARAH)
    csrf = browser.csrf(PLANNING)
    answer = browser.post(
        SELF_REVIEW, {"_csrf": csrf, "_version": "1", "_action": "submit", "reflection": "Sarah's"}
    )
    assert answer["statusCode"] == 404
    stored = _stored(demo, EMMA, "self-review")
    assert stored.version == 1 and stored.values["reflection"] == "Emma's own words"


def test_planning_and_review_links_the_submitted_self_review_and_home_lists_it_7(
    browser: Browser, demo: Any
) -> None:
    _send(browser, EMMA, SELF_REVIEW, "submit", reflection="Phonics went well")
    browser.act_as(SARAH)
    page = browser.get(PLANNING)["body"]
    assert f'href="{SELF_REVIEW}"' in page and "Written by Emma" in page
    assert f'href="{SELF_REVIEW}"' in browser.get("/")["body"]


# -- 4.9: the reviewee's comments are written by the reviewee only -------------------------------


def test_reviewer_cannot_write_reviewee_comments_4_9(browser: Browser, demo: Any) -> None:
    browser.act_as(SARAH)
    form = browser.get(PLANNING)["body"]
    assert "Reviewee&#39;s comments" in form or "Reviewee's comments" in form
    assert 'name="reviewee_comments"' not in form  # shown read-only, never an input
    answer = _send(
        browser, SARAH, PLANNING, "save", **_planning(reviewee_comments="Typed by Sarah")
    )
    assert answer["statusCode"] == 303
    stored = _stored(demo, EMMA, "planning-review")
    assert stored.values["assessment"] == "A strong year."
    assert "reviewee_comments" not in stored.values
    assert "Typed by Sarah" not in browser.get(f"{PLANNING}/saved")["body"]


# -- 4.6: guidance on every render; blocking refuses; advice is weighed before sending -----------


BROAD = {
    "objectives-0-title": "80% of pupils to achieve A*-C",
    "objectives-0-success_criteria": "Results",
}


def test_guidance_shown_when_submitting_and_advice_asks_to_confirm_4_6(
    browser: Browser, demo: Any
) -> None:
    _met(browser)
    first = _send(browser, SARAH, PLANNING, "submit", **_planning(**BROAD))
    assert first["statusCode"] == 200
    body = first["body"]
    assert "Something to consider:" in body and "Submit as it is" in body
    assert _stored(demo, EMMA, "planning-review") is None  # nothing sent silently
    hidden = _hidden(body)
    assert hidden.get("_confirmed")

    # A changed answer is advised on again, not sent on the old confirmation.
    changed = browser.post(
        PLANNING,
        {**hidden, "_action": "submit", **_planning(**BROAD, assessment="A strong year, changed")},
    )
    assert changed["statusCode"] == 200 and _stored(demo, EMMA, "planning-review") is None

    again = _hidden(changed["body"])
    sent = browser.post(
        PLANNING,
        {**again, "_action": "submit", **_planning(**BROAD, assessment="A strong year, changed")},
    )
    assert sent["statusCode"] == 303
    assert _stored(demo, EMMA, "planning-review").status == "submitted"


def test_guidance_shown_on_the_error_page_and_after_add_another_4_6(
    browser: Browser, demo: Any
) -> None:
    invalid = _send(browser, SARAH, PLANNING, "submit", **_planning(**BROAD, assessment=""))
    assert invalid["statusCode"] == 422
    assert "There is a problem" in invalid["body"] and "Something to consider:" in invalid["body"]
    added = _send(browser, SARAH, PLANNING, "add:objectives", **_planning(**BROAD))
    assert added["statusCode"] == 200
    assert 'name="objectives-1-title"' in added["body"]
    assert "Something to consider:" in added["body"]


def test_guidance_shown_when_submitting_and_blocking_refuses_4_6(
    browser: Browser, demo: Any
) -> None:
    url = f"/people/{FFION}/forms/planning-review"
    growth = {
        "assessment": "A good year.",
        "support": "Time with the ALNCo.",
        "monitoring": "Termly conversations.",
        "commitments-rows": "2",
        "commitments-0-title": "Get 90% of pupils to level 4",
        "commitments-0-focus": "classroom-practice",
        "commitments-1-title": "Lead oracy across Year 1",
        "commitments-1-focus": "school-plan",
    }
    refused = _send(browser, OWAIN, url, "submit", **growth)
    assert refused["statusCode"] == 422
    # The block is the error beside the objective's field, and in the summary at the top.
    assert 'id="f-commitments-0-title-error"' in refused["body"]
    assert 'href="#f-commitments-0-title"' in refused["body"]
    assert 'name="_confirmed"' not in refused["body"]  # a block is not confirmed away
    assert _stored(demo, FFION, "planning-review") is None


# -- seed 003, point 2: one way to record a reflection --------------------------------------------


def test_home_has_one_way_to_record_a_reflection_seed_003(browser: Browser, demo: Any) -> None:
    browser.act_as(EMMA)
    home = browser.get("/")["body"]
    assert home.count("Record a reflection") == 1
    assert "/reflections/new" in home and f"/people/{EMMA}/forms/reflection" not in home
    old = browser.get(f"/people/{EMMA}/forms/reflection")
    assert old["statusCode"] in (302, 303) and old["headers"]["Location"] == "/reflections/new"
    # Her reviewer following an old link reaches her timeline (which checks 7 itself).
    browser.act_as(SARAH)
    theirs = browser.get(f"/people/{EMMA}/forms/reflection")
    assert theirs["headers"]["Location"] == f"/people/{EMMA}/reflections"
    browser.act_as(DAVID)
    assert browser.get(f"/people/{EMMA}/forms/reflection")["statusCode"] == 404
