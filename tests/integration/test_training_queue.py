"""The CPD lead's queue through the API handler and moto: needs from statements (4.7), outcomes
(10), the weekly digest (one per lead per ISO week, no Scan) and the governors' report API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.conftest import Browser, sent_outbox
from tests.helpers.aws import counting_dynamodb_calls, set_today
from tests.helpers.events import FakeContext
from tests.helpers.meetings import held_meeting

MONDAY = date(2026, 11, 9)
HEAD = "oakfield-primary.op001"
DAVID = "oakfield-primary.op002"  # CPD lead at Oakfield
SARAH = "oakfield-primary.op003"
EMMA = "oakfield-primary.op004"  # Sarah reviews her
SIAN = "riverside-academy.ra002"  # CPD lead at Riverside


@pytest.fixture
def today(demo: Any) -> Any:
    set_today(MONDAY)
    return demo


def submit_statement(browser: Browser, training_needs: str, support: str) -> dict[str, Any]:
    browser.act_as(SARAH)
    held_meeting(EMMA, SARAH)  # 4.9: the draft follows the meeting
    url = f"/people/{EMMA}/forms/planning-review"
    page = browser.get(url)["body"]
    hidden = dict(re.findall(r'name="(_csrf|_version)" value="([^"]*)"', page))
    return browser.post(
        url,
        {
            **hidden,
            "_action": "submit",
            "assessment": "A strong year with Year 4.",
            "objectives": "1",
            "objectives-0-title": "Develop reasoning in Year 4 maths lessons",
            "objectives-0-success_criteria": "Pupils in the lowest attaining group explain "
            "their method in 3 of 4 observed lessons.",
            "objectives-0-timescale": "2027-06-30",
            "objectives-0-priority": "maths-mastery",
            "support": support,
            "training_needs": training_needs,
            "monitoring": "Two observations, in November and March.",
            "pay_recommendation": "progress",
        },
    )


def needs(demo: Any, cycle_id: str | None = None) -> list[Any]:
    from growthcycle.adapters.training import training_needs

    return training_needs(demo.store, "oakfield-primary", cycle_id)


def test_statement_training_needs_reach_the_cpd_lead_queue_and_support_stays_4_7(
    browser: Browser, today: Any
) -> None:
    saved = submit_statement(
        browser, "- Maths mastery course\n- Autism awareness", "Coaching from the maths lead"
    )
    assert saved["statusCode"] == 303, saved["body"][:800]
    found = sorted((n.text, n.theme, n.source_ref) for n in needs(today, "2026-27"))
    assert found == [
        ("Autism awareness", "send", "planning-review:training_needs"),
        ("Maths mastery course", "maths", "planning-review:training_needs"),
    ]
    browser.act_as(DAVID)
    queue = browser.get("/training")
    assert queue["statusCode"] == 200
    assert "Autism awareness" in queue["body"] and "Emma Clarke" in queue["body"]


def test_saving_the_statement_again_queues_nothing_twice_4_7(browser: Browser, today: Any) -> None:
    submit_statement(browser, "Maths mastery course", "Coaching")
    submit_statement(browser, "Maths mastery course", "Coaching")
    assert len(needs(today)) == 1


def test_only_cpd_lead_and_headteacher_see_the_queue_and_only_their_school_7(
    browser: Browser, today: Any
) -> None:
    submit_statement(browser, "Maths mastery course", "Coaching")
    need_id = needs(today)[0].need_id
    for person in (DAVID, HEAD):
        browser.act_as(person)
        assert browser.get("/training")["statusCode"] == 200
        assert browser.get(f"/training/{need_id}")["statusCode"] == 200
    for person in (SARAH, EMMA):
        browser.act_as(person)
        assert browser.get("/training")["statusCode"] == 404
    browser.act_as(SIAN)  # Riverside's CPD lead
    assert "Maths mastery course" not in browser.get("/training")["body"]
    assert browser.get(f"/training/{need_id}")["statusCode"] == 404


def test_support_that_could_not_be_provided_needs_a_reason_10(browser: Browser, today: Any) -> None:
    from growthcycle.domain.training import by_theme

    submit_statement(browser, "Maths mastery course", "Coaching")
    need = next(n for n in needs(today) if n.text == "Maths mastery course")
    browser.act_as(DAVID)
    url = f"/training/{need.need_id}"
    csrf = browser.csrf(url)
    form = {"_csrf": csrf, "_version": "1", "status": "not-provided", "outcome_on": "2026-11-06"}
    missing = browser.post(url, {**form, "outcome": ""})
    assert missing["statusCode"] == 422 and "why" in missing["body"]
    assert browser.post(url, {**form, "outcome": "No places left this term"})["statusCode"] == 303
    assert browser.post(url, {**form, "outcome": "No places left this term"})["statusCode"] == 303
    after = next(n for n in needs(today) if n.need_id == need.need_id)
    assert (after.status, after.outcome, after.version) == (
        "not-provided",
        "No places left this term",
        2,
    )
    assert by_theme(needs(today))["maths"]["not-provided"] == 1
    assert "training.not-provided" in [a.action for a in today.store.audit_entries(EMMA)]
    assert browser.post(url, {**form, "_csrf": "", "outcome": "x"})["statusCode"] == 403


def test_training_digest_once_per_lead_per_iso_week_without_scan(
    browser: Browser, aws: Any, today: Any
) -> None:
    from growthcycle.handlers.training_digest import lambda_handler

    submit_statement(browser, "Maths mastery course", "Coaching")
    with counting_dynamodb_calls(aws("dynamodb")) as calls:
        first = lambda_handler({"source": "aws.scheduler"}, FakeContext())
    assert calls["Scan"] == 0
    assert first["queued"] == 1 and first["open_needs"] == 1
    digests = [e for e in sent_outbox(aws) if e["subject"].startswith("Training and development")]
    assert [d["to_person_id"] for d in digests] == [DAVID]
    assert "Maths mastery course" in digests[0]["text"] and "New this week" in digests[0]["html"]
    set_today(date(2026, 11, 13))  # later the same ISO week
    again = lambda_handler({"source": "aws.scheduler"}, FakeContext())
    assert again["queued"] == 0 and again["already_queued"] == 1
    set_today(date(2026, 11, 16))  # the next week
    assert lambda_handler({"source": "aws.scheduler"}, FakeContext())["queued"] == 1


def test_governors_report_api_lists_needs_by_cycle(today: Any) -> None:
    from growthcycle.adapters.training import add_needs, training_needs
    from growthcycle.domain.training import needs_from_statement

    store = today.store
    for cycle in ("2025-26", "2026-27"):
        add_needs(
            store,
            needs_from_statement(
                {"training_needs": f"Phonics {cycle}"},
                ["training_needs"],
                school_id="oakfield-primary",
                person_id=EMMA,
                cycle_id=cycle,
                now=datetime(2026, 11, 2, tzinfo=UTC),
            ),
            expires_at=2_000_000_000,  # 7: any TTL; tests/integration/test_retention.py checks it
        )
    assert [n.text for n in training_needs(store, "oakfield-primary", "2026-27")] == [
        "Phonics 2026-27"
    ]
    assert len(training_needs(store, "oakfield-primary")) == 2
    assert training_needs(store, "riverside-academy") == []


def test_one_need_for_one_thing_from_a_statement_4_7(browser: Browser, today: Any) -> None:
    """From the phone user test: support agreed ("Time with Sian") is not a training need, and
    "Phonics hub training" with "Phonics hub training day" is one need, not two."""
    saved = submit_statement(
        browser,
        "Phonics hub training\nPhonics hub training day\nAutism awareness",
        "Time with Sian\nPhonics hub training",
    )
    assert saved["statusCode"] == 303, saved["body"][:800]
    assert sorted(n.text for n in needs(today, "2026-27")) == [
        "Autism awareness",
        "Phonics hub training day",
    ]


def test_a_revised_statement_rewording_a_need_does_not_queue_it_twice_4_7(
    browser: Browser, today: Any
) -> None:
    submit_statement(browser, "Phonics hub training", "Coaching")
    submit_statement(browser, "Phonics hub training day\nMaths mastery course", "Coaching")
    assert sorted(n.text for n in needs(today, "2026-27")) == [
        "Maths mastery course",
        "Phonics hub training",
    ]


def test_outcome_shows_every_mistake_at_once_keeping_what_was_typed_10(
    browser: Browser, today: Any
) -> None:
    submit_statement(browser, "Maths mastery course", "Coaching")
    need = needs(today)[0]
    browser.act_as(DAVID)
    url = f"/training/{need.need_id}"
    csrf = browser.csrf(url)
    empty = browser.post(url, {"_csrf": csrf, "_version": "1", "status": "", "outcome_on": ""})
    assert empty["statusCode"] == 422
    body = empty["body"]
    for message in (
        "Choose whether the support was provided.",
        "Enter the date it was provided, or found it could not be.",
        "Say what was provided, or why it could not be.",
    ):
        assert body.count(message) == 2, message  # in the summary and beside its field
    future = browser.post(
        url,
        {
            "_csrf": csrf,
            "_version": "1",
            "status": "provided",
            "outcome_on": "2027-01-04",
            "outcome": "Two twilight sessions <b>booked</b>",
        },
    )
    assert future["statusCode"] == 422
    assert "The date cannot be in the future." in future["body"]
    assert 'value="2027-01-04"' in future["body"]
    assert "Two twilight sessions &lt;b&gt;booked&lt;/b&gt;</textarea>" in future["body"]
