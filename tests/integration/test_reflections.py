"""Reflections through the year (seed 003, point 2; seed 001, risks 1 and 4), through the API
handler with moto: recorded from a phone, once per tap, shown on a timeline only to those 7 allows."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Browser

TEACHER = "riverside-academy.ra004"  # Ffion Roberts; reviewer ra003; headteacher ra001


def _new(browser: Browser) -> dict[str, str]:
    page = browser.get("/reflections/new")
    assert page["statusCode"] == 200
    return dict(re.findall(r'name="(_csrf|_token)" value="([^"]*)"', page["body"]))


def _cycle(person: Any) -> str:
    from growthcycle.web.services import services

    return services().cycle(person).cycle_id


def _stored(demo: Any, person_id: str) -> list[Any]:
    from growthcycle.adapters.reflections import reflections_for

    return reflections_for(demo.store, person_id, _cycle(demo.people[person_id]))


def test_reflection_nudge_link_opens_the_reflection_page_seed_001_risk_1(
    browser: Browser, demo: Any
) -> None:
    browser.act_as(TEACHER)
    answer = browser.get("/forms/reflection")  # the daily check's nudge links here
    assert answer["statusCode"] == 303
    assert answer["headers"]["Location"] == "/reflections/new"


def test_reflection_page_says_evaluation_is_safe_and_never_scored_seed_001_risk_4(
    browser: Browser, demo: Any
) -> None:
    browser.act_as(TEACHER)
    body = browser.get("/reflections/new")["body"]
    assert "never scored" in body
    assert "did not work" in body
    names = set(re.findall(r'<(?:input|textarea)[^>]* name="([^"]+)"', body))
    assert names == {"_csrf", "_token", "about", "tried", "happened", "next_step"}  # no score


def test_a_reflection_is_recorded_with_an_audit_entry_seed_003(browser: Browser, demo: Any) -> None:
    browser.act_as(TEACHER)
    hidden = _new(browser)
    answer = browser.post(
        "/reflections/new",
        {
            **hidden,
            "about": "general",
            "tried": "Talk partners before every written answer.",
            "happened": "It did not work with the quietest group; they went silent.",
            "next_step": "Try sentence stems first.",
        },
    )
    assert answer["statusCode"] == 303
    assert answer["headers"]["Location"] == f"/people/{TEACHER}/reflections?recorded=1"
    [stored] = _stored(demo, TEACHER)
    assert stored.about == "general" and "quietest group" in stored.happened
    actions = [a.action for a in demo.store.audit_entries(TEACHER)]
    assert actions == ["reflection.recorded"]


def test_a_double_tap_records_one_reflection_seed_003(browser: Browser, demo: Any) -> None:
    browser.act_as(TEACHER)
    form = {**_new(browser), "about": "general", "tried": "Exit tickets", "happened": "Useful"}
    assert browser.post("/reflections/new", form)["statusCode"] == 303
    assert browser.post("/reflections/new", form)["statusCode"] == 303
    assert len(_stored(demo, TEACHER)) == 1
    assert len(demo.store.audit_entries(TEACHER)) == 1


def test_many_reflections_in_a_cycle_each_its_own_entry_seed_003(
    browser: Browser, demo: Any
) -> None:
    browser.act_as(TEACHER)
    for n in range(3):
        form = {**_new(browser), "about": "general", "tried": f"Idea {n}", "happened": "Some"}
        assert browser.post("/reflections/new", form)["statusCode"] == 303
    assert sorted(r.tried for r in _stored(demo, TEACHER)) == ["Idea 0", "Idea 1", "Idea 2"]


def test_a_reflection_can_be_about_one_commitment_of_the_current_statement_seed_003(
    browser: Browser, demo: Any
) -> None:
    from datetime import UTC, datetime

    from growthcycle.domain.records import AuditEntry, Submission

    teacher = demo.people[TEACHER]
    demo.store.save_submission(
        Submission(
            person_id=TEACHER,
            cycle_id=_cycle(teacher),
            form_id="planning-review",
            version=1,
            status="submitted",
            values={
                "commitments": [
                    {"title": "Feedback learners act on", "focus": "classroom-practice"},
                    {"title": "Lead oracy across Year 1", "focus": "school-plan"},
                ]
            },
            saved_by="riverside-academy.ra003",
            saved_at=datetime.now(UTC),
        ),
        AuditEntry(
            subject_id=TEACHER,
            actor_id="riverside-academy.ra003",
            action="form.submitted",
            target="planning-review@1",
            channel="page",
        ),
        expires_at=2_000_000_000,  # 7: any TTL here; test_retention.py checks the real one
    )
    browser.act_as(TEACHER)
    page = browser.get("/reflections/new")["body"]
    assert "Commitment 2: Lead oracy across Year 1" in page
    form = {
        **_new(browser),
        "about": "commitments.1",
        "tried": "Oracy roles in group work",
        "happened": "More voices heard",
    }
    assert browser.post("/reflections/new", form)["statusCode"] == 303
    [stored] = _stored(demo, TEACHER)
    assert stored.about == "commitments.1" and stored.about_title == "Lead oracy across Year 1"
    timeline = browser.get(f"/people/{TEACHER}/reflections")["body"]
    assert "Lead oracy across Year 1" in timeline and "More voices heard" in timeline


def test_missing_answers_are_shown_beside_their_fields_and_nothing_is_lost(
    browser: Browser, demo: Any
) -> None:
    browser.act_as(TEACHER)
    answer = browser.post(
        "/reflections/new", {**_new(browser), "about": "nonsense", "tried": "Kept words"}
    )
    assert answer["statusCode"] == 422
    body = answer["body"]
    assert 'href="#f-about"' in body and 'href="#f-happened"' in body
    assert "Kept words" in body
    assert _stored(demo, TEACHER) == []


def test_reflection_post_without_csrf_is_refused(browser: Browser, demo: Any) -> None:
    browser.act_as(TEACHER)
    answer = browser.post("/reflections/new", {"about": "general", "tried": "x", "happened": "y"})
    assert answer["statusCode"] == 403
    assert _stored(demo, TEACHER) == []


def _record(browser: Browser, text: str) -> None:
    browser.act_as(TEACHER)
    form = {**_new(browser), "about": "general", "tried": text, "happened": "It went fine"}
    assert browser.post("/reflections/new", form)["statusCode"] == 303


def test_timeline_is_seen_by_the_person_their_reviewer_and_the_headteacher_7(
    browser: Browser, demo: Any
) -> None:
    _record(browser, "Retrieval quizzes")
    for viewer in (TEACHER, "riverside-academy.ra003", "riverside-academy.ra001"):
        browser.act_as(viewer)
        page = browser.get(f"/people/{TEACHER}/reflections")
        assert page["statusCode"] == 200, viewer
        assert "Retrieval quizzes" in page["body"]


def test_timeline_is_a_404_for_anyone_else_and_other_schools_7(browser: Browser, demo: Any) -> None:
    _record(browser, "Retrieval quizzes")
    for viewer in (
        "riverside-academy.ra005",  # a colleague
        "riverside-academy.ra002",  # another line manager
        "oakfield-primary.op001",  # another school's headteacher
        "riverside-academy.ra010",  # a governor
    ):
        browser.act_as(viewer)
        page = browser.get(f"/people/{TEACHER}/reflections")
        assert page["statusCode"] == 404, viewer
        assert "Retrieval quizzes" not in page["body"] and "Roberts" not in page["body"]


def test_reflection_form_sent_from_an_old_forms_page_tab_becomes_a_timeline_entry_seed_003(
    browser: Browser, demo: Any
) -> None:
    browser.act_as(TEACHER)
    url = f"/people/{TEACHER}/forms/reflection"
    # One way to record a reflection: the old forms page address leads to /reflections/new ...
    assert browser.get(url)["headers"]["Location"] == "/reflections/new"
    # ... and a tab still open on it sends a timeline entry, not a versioned form.
    csrf = browser.csrf("/reflections/new")
    answer = browser.post(
        url,
        {
            "_csrf": csrf,
            "_version": "0",
            "_action": "submit",
            "tried": "Mini whiteboards",
            "happened": "Quick",
        },
    )
    assert answer["statusCode"] == 303
    assert answer["headers"]["Location"].startswith(f"/people/{TEACHER}/reflections")
    [stored] = _stored(demo, TEACHER)
    assert stored.tried == "Mini whiteboards"


def test_recording_a_reflection_closes_the_open_reflection_nudge_seed_003(
    browser: Browser, demo: Any
) -> None:
    from growthcycle.adapters.store import _to_item

    teacher = demo.people[TEACHER]
    cycle_id = _cycle(teacher)
    key = {"pk": f"PERSON#{TEACHER}", "sk": f"DUE#{cycle_id}#reflection#2027-02-12"}
    demo.store.db.put_item(
        TableName=demo.store.table_name,
        Item=_to_item(
            {**key, "due_pk": "OPEN#riverside-academy", "due_sk": f"2027-02-12#{key['pk']}"}
        ),
    )
    _record(browser, "Cold calling")
    item = demo.store.db.get_item(TableName=demo.store.table_name, Key=_to_item(key))["Item"]
    assert "due_pk" not in item and "closed_at" in item


def test_back_then_save_again_records_one_reflection_as_a_double_tap_does_seed_003(
    browser: Browser, demo: Any
) -> None:
    # Given a reflection saved, then Back (the page is loaded again, with a new one-time token)
    # and the same words sent again
    browser.act_as(TEACHER)
    typed = {"about": "general", "tried": "Mini whiteboards", "happened": "Everyone answered"}
    assert browser.post("/reflections/new", {**_new(browser), **typed})["statusCode"] == 303
    again = browser.post("/reflections/new", {**_new(browser), **typed})
    # Then it lands on the timeline as before, and the timeline holds it once
    assert again["statusCode"] == 303
    assert [r.tried for r in _stored(demo, TEACHER)] == ["Mini whiteboards"]
    assert len(demo.store.audit_entries(TEACHER)) == 1


def test_recording_a_reflection_opens_the_next_prompt_of_the_cycle_seed_003(
    browser: Browser, demo: Any
) -> None:
    from datetime import date

    from growthcycle.adapters.deadlines import open_items_of
    from tests.helpers.aws import set_today

    def prompts() -> list[tuple[str, str]]:
        return sorted(
            (i["sk"], i["due_date"])
            for i in open_items_of(demo.store, TEACHER, "2026-27")
            if i["event"] == "reflection"
        )

    # Riverside reflects each half term: the first working day after each holiday it lists
    # (after Christmas Tuesday 5 January, the 4th being an INSET day; after February half
    # term Monday 22 February; after Easter Monday 12 April 2027).
    set_today(date(2027, 1, 6))
    _record(browser, "Cold calling")
    assert prompts() == [("DUE#2026-27#reflection#2027-02-22", "2027-02-22")]
    # Recorded again, early: it answers the coming prompt, so the one after opens.
    _record(browser, "Mini whiteboards")
    assert prompts() == [("DUE#2026-27#reflection#2027-04-12", "2027-04-12")]
