"""Reviewers (4.2) and the headteacher's reviewers (4.2, 5) through the API handler, with moto."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from growthcycle.adapters.reviewers import assigned_reviewer, headteacher_statement_qa
from growthcycle.domain.people import Person
from tests.conftest import Browser, sent_outbox
from tests.helpers.aws import set_today

OAK = "oakfield-primary"
HEAD = f"{OAK}.op001"
DAVID = f"{OAK}.op002"  # line manager, teacher
SARAH = f"{OAK}.op003"  # line manager, teacher
EMMA = f"{OAK}.op004"  # teacher, line manager Sarah
JAMES = f"{OAK}.op005"  # teacher, line manager David
THOMAS = f"{OAK}.op007"  # teacher, line manager David
CHAIR = f"{OAK}.op010"  # Chair of Governors
GOVERNOR = f"{OAK}.op011"
ADVISER = f"{OAK}.op012"
TODAY = date(2027, 2, 1)
CYCLE = "2026-27"


def _csrf(page: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _emails_to(aws: Any, person_id: str) -> list[dict[str, Any]]:
    return [e for e in sent_outbox(aws) if e.get("to_person_id") == person_id]


def _add_person(demo: Any, like: str, staff_id: str, **changes: Any) -> Person:
    base = demo.people[like]
    person = base.model_copy(
        update={
            "person_id": f"{OAK}.{staff_id.lower()}",
            "staff_id": staff_id,
            "email": f"{staff_id.lower()}@oakfield.example",
            "first_name": f"Extra{staff_id}",
            **changes,
        }
    )
    demo.store.put_person(person)
    return person


def test_headteacher_sees_every_member_of_staff_with_their_reviewer_and_counts_4_2(
    browser: Browser, demo: Any
) -> None:
    set_today(TODAY)
    browser.act_as(HEAD)
    page = browser.get("/reviewers")
    assert page["statusCode"] == 200
    body = page["body"]
    for name in ("Emma Clarke", "James Hughes", "Rachel Evans", "Karen Doyle"):
        assert name in body
    assert 'Helen Whitaker</span> <span class="status">3 reviewees' in body
    assert 'Sarah Pritchard</span> <span class="status">3 reviewees' in body
    assert "A reviewer has at most 6 reviewees" in body


def test_only_the_headteacher_opens_the_reviewers_page_7(browser: Browser, demo: Any) -> None:
    for who in (SARAH, EMMA, CHAIR):
        browser.act_as(who)
        assert browser.get("/reviewers")["statusCode"] == 404
    browser.act_as(demo.person(school="riverside-academy", role="headteacher").person_id)
    other = browser.get("/reviewers")
    assert other["statusCode"] == 200 and "Emma Clarke" not in other["body"]


def test_headteacher_changes_a_reviewer_and_the_forms_follow_4_2(
    browser: Browser, demo: Any, aws: Any
) -> None:
    set_today(TODAY)
    browser.act_as(HEAD)
    csrf = _csrf(browser.get("/reviewers")["body"])
    done = browser.post("/reviewers", {"_csrf": csrf, "reviewee": JAMES, "reviewer": SARAH})
    assert done["statusCode"] == 303
    assert assigned_reviewer(demo.store, JAMES, CYCLE) == SARAH
    assert "Saved: James Hughes" in browser.get(done["headers"]["Location"])["body"]

    form = f"/people/{JAMES}/forms/planning-review"
    browser.act_as(SARAH)
    assert browser.get(form)["statusCode"] == 200
    assert "James Hughes" in browser.get("/")["body"]
    browser.act_as(DAVID)  # the old line manager is no longer James's reviewer
    assert browser.get(form)["statusCode"] == 404
    assert "James Hughes" not in browser.get("/")["body"]

    [audit] = [a for a in demo.store.audit_entries(JAMES) if a.action == "reviewer.assigned"]
    assert audit.actor_id == HEAD and audit.target.startswith(f"{CYCLE}:{SARAH}")
    assert "Sarah Pritchard is now your reviewer" in _emails_to(aws, JAMES)[0]["text"]
    assert "James Hughes" in _emails_to(aws, SARAH)[0]["subject"]


def test_a_delegated_review_is_the_line_managers_in_its_entirety_4_2(
    browser: Browser, demo: Any
) -> None:
    # 4.2: the headteacher delegates "the role of reviewer, in its entirety, to the relevant line
    # managers": without reassigning it, the headteacher cannot write or issue Emma's statement.
    set_today(TODAY)
    form = f"/people/{EMMA}/forms/planning-review"
    browser.act_as(HEAD)
    assert browser.get(form)["statusCode"] == 404
    browser.act_as(SARAH)
    assert browser.get(form)["statusCode"] == 200
    # Taking the duties back is an explicit assignment (4.2: "perform the duties him/herself").
    browser.act_as(HEAD)
    csrf = _csrf(browser.get("/reviewers")["body"])
    done = browser.post("/reviewers", {"_csrf": csrf, "reviewee": EMMA, "reviewer": HEAD})
    assert done["statusCode"] == 303
    assert browser.get(form)["statusCode"] == 200
    browser.act_as(SARAH)
    assert browser.get(form)["statusCode"] == 404


def test_changing_reviewer_does_not_restart_the_cycle_4_2(browser: Browser, demo: Any) -> None:
    set_today(TODAY)
    browser.act_as(JAMES)
    url = f"/people/{JAMES}/forms/self-review"
    page = browser.get(url)["body"]
    version = re.search(r'name="_version" value="([^"]*)"', page)
    saved = browser.post(
        url,
        {
            "_csrf": _csrf(page),
            "_version": version.group(1) if version else "0",
            "_action": "save",
            "reflection": "Retrieval practice in maths.",
        },
    )
    assert saved["statusCode"] == 303

    browser.act_as(HEAD)
    csrf = _csrf(browser.get("/reviewers")["body"])
    assert (
        browser.post("/reviewers", {"_csrf": csrf, "reviewee": JAMES, "reviewer": SARAH})[
            "statusCode"
        ]
        == 303
    )

    # Same cycle id, the submission kept, and the new reviewer reads it in that cycle.
    kept = demo.store.get_submission(JAMES, CYCLE, "self-review")
    assert kept is not None and kept.values["reflection"] == "Retrieval practice in maths."
    assert assigned_reviewer(demo.store, JAMES, CYCLE) == SARAH
    browser.act_as(JAMES)
    assert f"Your {CYCLE} cycle" in browser.get("/")["body"]


def test_reviewer_cap_refuses_a_seventh_reviewee_4_2(browser: Browser, demo: Any, aws: Any) -> None:
    set_today(TODAY)
    for n in range(3):  # Sarah has three reviewees; three more make six, the cap
        _add_person(demo, EMMA, f"OP2{n}")
    browser.act_as(HEAD)
    csrf = _csrf(browser.get("/reviewers")["body"])
    refused = browser.post("/reviewers", {"_csrf": csrf, "reviewee": JAMES, "reviewer": SARAH})
    assert refused["statusCode"] == 422
    assert "already reviews 6 people, and this school&#39;s limit is 6" in refused["body"]
    assert assigned_reviewer(demo.store, JAMES, CYCLE) is None
    assert sent_outbox(aws) == []


def test_replacement_reviewer_must_have_equal_or_higher_status_4_2(
    browser: Browser, demo: Any
) -> None:
    set_today(TODAY)
    browser.act_as(HEAD)
    csrf = _csrf(browser.get("/reviewers")["body"])
    # Thomas is a teacher; Emma's line manager (Sarah) is a line manager.
    refused = browser.post("/reviewers", {"_csrf": csrf, "reviewee": EMMA, "reviewer": THOMAS})
    assert refused["statusCode"] == 422
    assert "same or higher status" in refused["body"]
    assert assigned_reviewer(demo.store, EMMA, CYCLE) is None


def test_changing_a_reviewer_needs_csrf(browser: Browser, demo: Any) -> None:
    browser.act_as(HEAD)
    assert browser.post("/reviewers", {"reviewee": JAMES, "reviewer": SARAH})["statusCode"] == 403
    assert assigned_reviewer(demo.store, JAMES, CYCLE) is None


def _ask(browser: Browser, reasons: str) -> dict[str, Any]:
    browser.act_as(EMMA)
    csrf = _csrf(browser.get("/reviewer-change")["body"])
    return browser.post("/reviewer-change", {"_csrf": csrf, "reasons": reasons})


def _pending_request_id(browser: Browser) -> tuple[str, str]:
    browser.act_as(HEAD)
    body = browser.get("/reviewers")["body"]
    request_id = re.search(r'name="request" value="([^"]+)"', body)
    assert request_id
    return _csrf(body), request_id.group(1).replace("&#43;", "+")


def test_reviewee_asks_for_a_different_reviewer_with_reasons_and_the_headteacher_approves_4_2(
    browser: Browser, demo: Any, aws: Any
) -> None:
    set_today(TODAY)
    browser.act_as(EMMA)
    page = browser.get("/reviewer-change")["body"]
    assert "Sarah Pritchard" in page
    empty = _ask(browser, "   ")
    assert empty["statusCode"] == 422 and "Write your reasons" in empty["body"]

    reasons = "We job-share a class <and> a close family link."
    assert _ask(browser, reasons)["statusCode"] == 303
    [to_head] = _emails_to(aws, HEAD)
    assert to_head["subject"] == "Emma Clarke asks for a different reviewer"
    assert reasons in to_head["text"] and "&lt;and&gt;" in to_head["html"]
    again = browser.post(
        "/reviewer-change", {"_csrf": _csrf(browser.get("/")["body"]), "reasons": "Again"}
    )
    assert again["statusCode"] == 409  # one request at a time
    assert "already asked" in again["body"] and "Again" in again["body"]

    csrf, request_id = _pending_request_id(browser)
    done = browser.post(
        "/reviewers/requests",
        {
            "_csrf": csrf,
            "reviewee": EMMA,
            "request": request_id,
            "decision": "approve",
            "replacement": DAVID,
            "reasons": "",
        },
    )
    assert done["statusCode"] == 303
    assert assigned_reviewer(demo.store, EMMA, CYCLE) == DAVID
    assert "approved" in _emails_to(aws, EMMA)[0]["subject"]
    assert "Emma Clarke" in _emails_to(aws, DAVID)[0]["text"]
    actions = [a.action for a in demo.store.audit_entries(EMMA)]
    assert "reviewer.change-requested" in actions and "reviewer.change-approved" in actions
    browser.act_as(EMMA)
    assert "Approved: David Okafor is your reviewer" in browser.get("/reviewer-change")["body"]

    # Decided once: a replayed decision changes nothing.
    browser.act_as(HEAD)
    replay = browser.post(
        "/reviewers/requests",
        {
            "_csrf": _csrf(browser.get("/reviewers")["body"]),
            "reviewee": EMMA,
            "request": request_id,
            "decision": "decline",
            "reasons": "No",
        },
    )
    assert replay["statusCode"] == 409
    assert assigned_reviewer(demo.store, EMMA, CYCLE) == DAVID


def test_headteacher_declines_with_reasons_and_both_are_emailed_4_2(
    browser: Browser, demo: Any, aws: Any
) -> None:
    set_today(TODAY)
    assert _ask(browser, "A clash of personalities.")["statusCode"] == 303
    csrf, request_id = _pending_request_id(browser)
    form = {"_csrf": csrf, "reviewee": EMMA, "request": request_id, "decision": "decline"}
    missing = browser.post("/reviewers/requests", {**form, "reasons": ""})
    assert missing["statusCode"] == 422 and "Write your reasons for declining" in missing["body"]
    done = browser.post("/reviewers/requests", {**form, "reasons": "Sarah knows EYFS best."})
    assert done["statusCode"] == 303
    assert assigned_reviewer(demo.store, EMMA, CYCLE) is None
    to_emma = _emails_to(aws, EMMA)
    assert "declined" in to_emma[0]["subject"] and "Sarah knows EYFS best." in to_emma[0]["text"]
    assert any("declined" in e["subject"] for e in _emails_to(aws, HEAD))


def test_approving_with_a_lower_status_replacement_is_refused_keeping_what_was_typed_4_2(
    browser: Browser, demo: Any
) -> None:
    set_today(TODAY)
    assert _ask(browser, "Reasons.")["statusCode"] == 303
    csrf, request_id = _pending_request_id(browser)
    refused = browser.post(
        "/reviewers/requests",
        {
            "_csrf": csrf,
            "reviewee": EMMA,
            "request": request_id,
            "decision": "approve",
            "replacement": THOMAS,
            "reasons": "My note to Emma",
        },
    )
    assert refused["statusCode"] == 422
    assert "same or higher status" in refused["body"] and "My note to Emma" in refused["body"]
    assert assigned_reviewer(demo.store, EMMA, CYCLE) is None


# --- the headteacher's reviewers (4.2) and quality assurance (5) ------------------------------


def test_headteachers_reviewers_are_two_or_three_governors_4_2(browser: Browser, demo: Any) -> None:
    set_today(TODAY)
    third = _add_person(demo, GOVERNOR, "OP013", first_name="Grace", job_title="Parent Governor")
    school = demo.trust.school(OAK)
    # Nothing recorded yet: the chair quality-assures (5, option 1).
    assert headteacher_statement_qa(demo.store, school) == [CHAIR]

    browser.act_as(GOVERNOR)
    page = browser.get("/headteacher-review/reviewers")
    assert page["statusCode"] == 200 and "2 or 3 governors" in page["body"]
    csrf = _csrf(page["body"])
    base = {"_csrf": csrf, "adviser": ADVISER, "adviser_kind": "external-adviser", "qa": CHAIR}
    one = browser.post("/headteacher-review/reviewers", {**base, "governors": GOVERNOR})
    assert one["statusCode"] == 422 and "Appoint 2 or 3 governors" in one["body"]
    assert 'value="external-adviser" checked' in one["body"]  # what was chosen is kept

    chair_too = browser.post(
        "/headteacher-review/reviewers", {**base, "governors": [GOVERNOR, CHAIR]}
    )
    assert chair_too["statusCode"] == 422
    assert "must not also be one of the headteacher&#39;s reviewers" in chair_too["body"]

    saved = browser.post(
        "/headteacher-review/reviewers",
        {**base, "governors": [GOVERNOR, third.person_id], f"foundation-{GOVERNOR}": "yes"},
    )
    assert saved["statusCode"] == 303
    assert headteacher_statement_qa(demo.store, school) == [CHAIR]
    [audit] = demo.store.audit_entries(HEAD)
    assert audit.action == "headteacher-reviewers.appointed" and audit.actor_id == GOVERNOR

    browser.act_as(HEAD)  # the headteacher may view, not change
    view = browser.get("/headteacher-review/reviewers")
    assert view["statusCode"] == 200
    assert (
        "Angela Foster (foundation governor)" in view["body"]
        and '<form method="post" action="/headteacher-review' not in view["body"]
    )
    assert (
        browser.post(
            "/headteacher-review/reviewers", {**base, "_csrf": _csrf(browser.get("/")["body"])}
        )["statusCode"]
        == 404
    )
    browser.act_as(EMMA)
    assert browser.get("/headteacher-review/reviewers")["statusCode"] == 404


def test_a_religious_character_school_needs_a_foundation_governor_4_2(
    browser: Browser, demo: Any
) -> None:
    set_today(TODAY)
    school = demo.trust.school(OAK).model_copy(update={"religious_character": True})
    demo.store.put_school(OAK, {"config": school.model_dump_json()})
    from growthcycle.web.services import reset_services

    reset_services()
    third = _add_person(demo, GOVERNOR, "OP013", job_title="Parent Governor")
    browser.act_as(GOVERNOR)
    csrf = _csrf(browser.get("/headteacher-review/reviewers")["body"])
    form = {
        "_csrf": csrf,
        "adviser": ADVISER,
        "adviser_kind": "school-improvement-partner",
        "qa": CHAIR,
        "governors": [GOVERNOR, third.person_id],
    }
    refused = browser.post("/headteacher-review/reviewers", form)
    assert refused["statusCode"] == 422 and "at least 1 foundation governor" in refused["body"]
    form[f"foundation-{third.person_id}"] = "yes"
    assert browser.post("/headteacher-review/reviewers", form)["statusCode"] == 303
