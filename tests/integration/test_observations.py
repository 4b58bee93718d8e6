"""Observations through the API handler and moto (Appendix 3): booking with notice, the limit, the
record, the copies, the reviewee's comments, and who may see what (7)."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest

from tests.conftest import Browser, sent_outbox
from tests.helpers.aws import set_today

MONDAY = date(2026, 11, 9)
HEAD = "oakfield-primary.op001"
DAVID = "oakfield-primary.op002"  # line manager of op005, op007; qualified; CPD lead
SARAH = "oakfield-primary.op003"  # line manager of op004 Emma, op006 Priya
EMMA = "oakfield-primary.op004"
PRIYA = "oakfield-primary.op006"  # fte 0.6
THOMAS = "oakfield-primary.op007"
RACHEL = "oakfield-primary.op008"  # teaching assistant, not a qualified teacher
GARETH = "riverside-academy.ra001"  # headteacher, growth style
OWAIN = "riverside-academy.ra003"


@pytest.fixture
def today(demo: Any) -> Any:
    set_today(MONDAY)
    return demo


def plan(**overrides: str) -> dict[str, str]:
    return {
        "observer": SARAH,
        "focus": "Questioning in maths",
        "purpose": "Evidence towards objective 2: more pupils explaining their reasoning",
        "date": "2026-11-17",
        "time": "09:15",
        "duration_minutes": "60",
        "activities": "Year 4 maths lesson",
        **overrides,
    }


def book(browser: Browser, actor: str, reviewee: str, **overrides: str) -> dict[str, Any]:
    browser.act_as(actor)
    url = f"/people/{reviewee}/observations/new"
    page = browser.get(url)
    assert page["statusCode"] == 200, page["body"][:300]
    once = re.search(r'name="_once" value="([^"]+)"', page["body"])
    assert once
    csrf = browser.csrf(url)
    return browser.post(url, {"_csrf": csrf, "_once": once.group(1), **plan(**overrides)})


def obs_id_of(response: dict[str, Any]) -> str:
    assert response["statusCode"] == 303, response["body"][:500]
    return str(response["headers"]["Location"].rsplit("/", 1)[1])


def observation_items(aws: Any) -> list[dict[str, Any]]:
    from growthcycle.adapters.observations import observations_for
    from growthcycle.adapters.store import Store
    from tests.conftest import TABLE

    return [
        o
        for person in (EMMA, PRIYA, THOMAS)
        for o in observations_for(Store(TABLE), person, "2026-27")
    ]


def test_reviewer_books_with_notice_emailed_to_the_reviewee_app_3_5(
    browser: Browser, aws: Any, today: Any
) -> None:
    obs_id = obs_id_of(book(browser, SARAH, EMMA))
    notices = [e for e in sent_outbox(aws) if e["to_person_id"] == EMMA]
    assert len(notices) == 1
    email = notices[0]
    assert "Tuesday 17 November 2026 at 09:15" in email["subject"]
    for text in ("Questioning in maths", "objective 2", "60 minutes"):
        assert text in email["text"] and text in email["html"]
    page = browser.get(f"/observations/{obs_id}")
    assert page["statusCode"] == 200
    # App 3.11 and 3.13: both due dates shown.
    assert "Wednesday 18 November 2026" in page["body"]  # feedback: 1 working day
    assert "Tuesday 24 November 2026" in page["body"]  # record: 5 working days
    audit = today.store.audit_entries(EMMA)
    assert [a.action for a in audit] == ["observation.booked"]


def test_feedback_and_record_due_dates_are_open_deadlines_app_3_11_3_13(
    browser: Browser, today: Any
) -> None:
    from growthcycle.adapters.deadlines import due_items

    obs_id = obs_id_of(book(browser, SARAH, EMMA))
    items = list(due_items(today.store, "oakfield-primary", date(2026, 12, 31)))
    mine = {i.event: i for i in items if obs_id in i.sk}
    assert mine["observation-feedback"].due_date == date(2026, 11, 18)
    assert mine["observation-record"].due_date == date(2026, 11, 24)
    assert mine["observation-record"].responsible_id == SARAH


def test_notice_at_least_one_week_before_app_3_5(browser: Browser, aws: Any, today: Any) -> None:
    refused = book(browser, SARAH, EMMA, date="2026-11-13", focus="Kept focus text")
    assert refused["statusCode"] == 422
    assert "a week" in refused["body"] and "Kept focus text" in refused["body"]
    assert 'href="#f-date"' in refused["body"] and 'id="f-date"' in refused["body"]
    assert observation_items(aws) == [] and sent_outbox(aws) == []


def test_observer_must_be_a_qualified_teacher_app_3_1(
    browser: Browser, aws: Any, today: Any
) -> None:
    page = browser.get("/")  # nothing yet
    assert page["statusCode"] == 200
    refused = book(browser, SARAH, EMMA, observer=RACHEL)
    assert refused["statusCode"] == 422
    assert "qualified teacher" in refused["body"]
    # The form offers qualified teachers only.
    browser.act_as(SARAH)
    form = browser.get(f"/people/{EMMA}/observations/new")["body"]
    assert f'value="{DAVID}"' in form and f'value="{RACHEL}"' not in form
    assert observation_items(aws) == []


def test_observer_of_another_school_is_refused_app_3_1(
    browser: Browser, aws: Any, today: Any
) -> None:
    refused = book(browser, SARAH, EMMA, observer=OWAIN)
    assert refused["statusCode"] == 422
    assert observation_items(aws) == []


def test_observation_total_capped_at_three_hours_pro_rata_app_3_4(
    browser: Browser, aws: Any, today: Any
) -> None:
    obs_id_of(book(browser, SARAH, PRIYA, duration_minutes="100"))
    refused = book(browser, SARAH, PRIYA, duration_minutes="10", date="2026-11-24")
    assert refused["statusCode"] == 422
    assert "8 minutes remain" in refused["body"] and "108 minutes" in refused["body"]
    assert len(observation_items(aws)) == 1


def test_extra_observation_only_through_a_revision_meeting_app_3_16(
    browser: Browser, aws: Any, today: Any
) -> None:
    obs_id_of(book(browser, SARAH, PRIYA, duration_minutes="100"))
    extra = obs_id_of(
        book(browser, SARAH, PRIYA, duration_minutes="30", date="2026-11-24", revision_ref="REV-7")
    )
    page = browser.get(f"/observations/{extra}")
    assert "REV-7" in page["body"]
    listed = browser.get(f"/people/{PRIYA}/observations")["body"]
    assert "130 of 108 minutes" in listed


def test_booking_sent_twice_books_once(browser: Browser, aws: Any, today: Any) -> None:
    browser.act_as(SARAH)
    url = f"/people/{EMMA}/observations/new"
    once = re.search(r'name="_once" value="([^"]+)"', browser.get(url)["body"])
    assert once
    form = {"_csrf": browser.csrf(url), "_once": once.group(1), **plan()}
    first, second = browser.post(url, form), browser.post(url, form)
    assert first["statusCode"] == second["statusCode"] == 303
    assert first["headers"]["Location"] == second["headers"]["Location"]
    assert len(observation_items(aws)) == 1
    assert len([e for e in sent_outbox(aws) if e["to_person_id"] == EMMA]) == 1


def test_every_post_checks_csrf(browser: Browser, aws: Any, today: Any) -> None:
    browser.act_as(SARAH)
    refused = browser.post(f"/people/{EMMA}/observations/new", {"_once": "x", **plan()})
    assert refused["statusCode"] == 403
    obs_id = obs_id_of(book(browser, SARAH, EMMA))
    assert browser.post(f"/observations/{obs_id}/record", {"notes": "x"})["statusCode"] == 403
    browser.act_as(EMMA)
    assert browser.post(f"/observations/{obs_id}/comments", {"comment": "x"})["statusCode"] == 403
    assert observation_items(aws)[0].status == "planned"


def test_only_reviewee_reviewer_and_headteacher_see_observations_7(
    browser: Browser, today: Any
) -> None:
    obs_id = obs_id_of(book(browser, SARAH, EMMA))
    for person in (EMMA, SARAH, HEAD):
        browser.act_as(person)
        assert browser.get(f"/people/{EMMA}/observations")["statusCode"] == 200
        assert browser.get(f"/observations/{obs_id}")["statusCode"] == 200
    for person in (THOMAS, GARETH, RACHEL):
        browser.act_as(person)
        nothing = browser.get(f"/people/{EMMA}/observations")
        assert nothing["statusCode"] == 404
        assert browser.get(f"/observations/{obs_id}")["statusCode"] == 404
    # Only the reviewer or the headteacher books; a colleague or the reviewee cannot.
    for person in (THOMAS, EMMA, GARETH):
        browser.act_as(person)
        assert browser.get(f"/people/{EMMA}/observations/new")["statusCode"] == 404


def record_values(**overrides: str) -> dict[str, str]:
    return {
        "feedback_meeting_on": "2026-11-18",
        "notes": "Pupils explained their reasoning in pairs; most used the sentence stems.",
        "feedback": "Strong modelling; next, more wait time after questions.",
        "action_points": "Try 5 seconds of wait time",
        "formal_development": "Maths mastery course\nCoaching on questioning",
        "judgement": "some",
        **overrides,
    }


def write_record(browser: Browser, observer: str, obs_id: str, **overrides: str) -> dict[str, Any]:
    browser.act_as(observer)
    url = f"/observations/{obs_id}/record"
    page = browser.get(url)
    version = re.search(r'name="_version" value="(\d+)"', page["body"])
    assert version, page["body"][:500]
    return browser.post(
        url,
        {"_csrf": browser.csrf(url), "_version": version.group(1), **record_values(**overrides)},
    )


def test_record_copies_to_reviewee_and_line_manager_and_development_to_cpd_lead_app_3_13_to_3_15(
    browser: Browser, aws: Any, today: Any
) -> None:
    from growthcycle.adapters.deadlines import due_items
    from growthcycle.adapters.training import training_needs

    # The headteacher books David (not Emma's line manager) as observer.
    obs_id = obs_id_of(book(browser, HEAD, EMMA, observer=DAVID))
    browser.act_as(DAVID)
    early = browser.get(f"/observations/{obs_id}/record")
    assert "once it has taken place" in early["body"]

    set_today(date(2026, 11, 18))
    saved = write_record(browser, DAVID, obs_id)
    assert saved["statusCode"] == 303
    copies = {e["to_person_id"]: e for e in sent_outbox(aws) if "record" in e["subject"]}
    assert set(copies) == {EMMA, SARAH}
    assert "wait time" in copies[EMMA]["text"] and "add your comments" in copies[EMMA]["html"]
    # The open items are closed.
    assert not [
        i for i in due_items(today.store, "oakfield-primary", date(2027, 1, 1)) if obs_id in i.sk
    ]
    needs = training_needs(today.store, "oakfield-primary", "2026-27")
    assert sorted((n.text, n.theme, n.source) for n in needs) == [
        ("Coaching on questioning", "assessment", "observation"),
        ("Maths mastery course", "maths", "observation"),
    ]
    # Only the observer writes the record.
    browser.act_as(SARAH)
    assert browser.get(f"/observations/{obs_id}/record")["statusCode"] == 404


def test_record_sent_twice_is_saved_once(browser: Browser, aws: Any, today: Any) -> None:
    obs_id = obs_id_of(book(browser, SARAH, EMMA))
    set_today(date(2026, 11, 17))
    browser.act_as(SARAH)
    url = f"/observations/{obs_id}/record"
    form = {
        "_csrf": browser.csrf(url),
        "_version": "1",
        **record_values(feedback_meeting_on="2026-11-17"),
    }
    assert browser.post(url, form)["statusCode"] == 303
    assert browser.post(url, form)["statusCode"] == 303
    assert observation_items(aws)[0].version == 2
    assert len([e for e in sent_outbox(aws) if "record" in e["subject"]]) == 1


def test_record_before_the_lesson_or_meeting_in_the_future_is_refused(
    browser: Browser, aws: Any, today: Any
) -> None:
    obs_id = obs_id_of(book(browser, SARAH, EMMA))
    browser.act_as(SARAH)
    url = f"/observations/{obs_id}/record"
    csrf = browser.csrf(f"/people/{EMMA}/observations/new")  # the record page has no form yet
    early = browser.post(url, {"_csrf": csrf, "_version": "1", **record_values()})
    assert early["statusCode"] == 409
    set_today(date(2026, 11, 17))
    future = write_record(browser, SARAH, obs_id, feedback_meeting_on="2026-11-20")
    assert future["statusCode"] == 422 and "wait time" in future["body"]


def test_reviewee_appends_comments_to_the_record_app_3_13(
    browser: Browser, aws: Any, today: Any
) -> None:
    obs_id = obs_id_of(book(browser, SARAH, EMMA))
    set_today(date(2026, 11, 17))
    write_record(browser, SARAH, obs_id, feedback_meeting_on="2026-11-17")
    browser.act_as(EMMA)
    url = f"/observations/{obs_id}"
    page = browser.get(url)["body"]
    once = re.search(r'name="_once" value="([^"]+)"', page)
    assert once
    form = {
        "_csrf": browser.csrf(url),
        "_once": once.group(1),
        "comment": "The class was <b>unsettled</b> after a fire drill.",
    }
    assert browser.post(f"{url}/comments", form)["statusCode"] == 303
    assert browser.post(f"{url}/comments", form)["statusCode"] == 303  # sent twice: one comment
    shown = browser.get(url)["body"]
    assert shown.count("after a fire drill") == 1
    assert "&lt;b&gt;unsettled" in shown  # escaped, never markup
    told = [
        e for e in sent_outbox(aws) if e["to_person_id"] == SARAH and "Comments" in e["subject"]
    ]
    assert len(told) == 1
    empty = browser.post(
        f"{url}/comments", {"_csrf": browser.csrf(url), "_once": "y", "comment": " "}
    )
    assert empty["statusCode"] == 422
    # Nobody else appends comments: the reviewer sees no comment form and is refused.
    browser.act_as(SARAH)
    assert 'name="comment"' not in browser.get(url)["body"]
    csrf = browser.csrf(f"/people/{EMMA}/observations/new")
    refused = browser.post(f"{url}/comments", {"_csrf": csrf, "_once": "z", "comment": "x"})
    assert refused["statusCode"] == 404


def test_growth_observation_has_no_grade_seed_002(browser: Browser, aws: Any, today: Any) -> None:
    owain_reviewee = next(
        p for p in today.people.values() if p.line_manager_person_id == OWAIN and p.is_staff
    )
    obs_id = obs_id_of(book(browser, OWAIN, owain_reviewee.person_id, observer=OWAIN))
    page = browser.get(f"/observations/{obs_id}")["body"]
    assert "developmental" in page and "no grade" in page
    set_today(date(2026, 11, 17))
    saved = write_record(
        browser, OWAIN, obs_id, feedback_meeting_on="2026-11-17", judgement="strong"
    )
    assert saved["statusCode"] == 303
    from growthcycle.adapters.observations import get_observation

    recorded = get_observation(today.store, obs_id)
    assert recorded is not None and recorded.record is not None
    assert "judgement" not in recorded.record
    form = browser.get(f"/observations/{obs_id}/record")["body"]
    assert 'name="judgement"' not in form


def test_plan_shows_every_mistake_at_once_beside_its_field_app_3_4_3_5(
    browser: Browser, aws: Any, today: Any
) -> None:
    """From the phone user test: the week's notice (App 3.5) was checked only once the length
    passed the form's own check, so the first try showed only the minutes error."""
    refused = book(
        browser,
        SARAH,
        EMMA,
        observer="",
        focus="",
        date="2026-11-12",  # three days away: less than a week's notice
        time="25:70",
        duration_minutes="200",
        purpose="Reasoning <b>in</b> maths",
    )
    assert refused["statusCode"] == 422
    body = refused["body"]
    summary = body.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    anchors = re.findall(r'href="#(f-[a-z_]+)', summary)
    assert anchors == ["f-observer", "f-focus", "f-date", "f-time", "f-duration_minutes"]
    assert "a week's notice" in html.unescape(summary) and "Appendix 3, point 5" in summary
    for field in ("observer", "focus", "date", "time", "duration_minutes"):
        assert f'id="f-{field}-error"' in body, field  # beside the field too
    assert "Reasoning &lt;b&gt;in&lt;/b&gt; maths</textarea>" in body  # nothing typed is lost
    assert 'value="25:70"' in body and 'value="200"' in body
    assert observation_items(aws) == []


def test_plan_within_the_form_checks_still_hears_notice_and_limit_together_app_3_4_3_5(
    browser: Browser, aws: Any, today: Any
) -> None:
    book(browser, SARAH, PRIYA, duration_minutes="60")  # Priya, 0.6: 108 minutes a cycle
    refused = book(browser, SARAH, PRIYA, date="2026-11-12", duration_minutes="60")
    assert refused["statusCode"] == 422
    shown = html.unescape(refused["body"])
    assert "a week's notice" in shown and "beyond 108 minutes" in shown
