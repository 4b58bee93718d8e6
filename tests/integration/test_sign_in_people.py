"""Who may sign in: leavers may not (no link, no use of an old link, no session), and one address
shared by two schools' records gets one link per school, never mixing them. The page after asking
is the same whoever asked, so it reveals nothing about an address."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import Browser, sent_outbox
from tests.helpers.aws import set_today

TODAY = date(2026, 11, 23)
EMMA = "oakfield-primary.op004"
LINK = re.compile(r"https://appraisal\.oakvalley\.example(/sign-in/[^\s\"<]+)")


@pytest.fixture
def today(demo: Any) -> Any:
    set_today(TODAY)
    return demo


def ask(browser: Browser, address: str) -> dict[str, Any]:
    return browser.post("/sign-in", {"email": address, "_csrf": browser.csrf("/sign-in")})


def without_tokens(body: str) -> str:
    return re.sub(r'name="_csrf" value="[^"]*"', "", body)


def leave(demo: Any, person_id: str, on: date) -> Any:
    person = demo.people[person_id].model_copy(update={"leaving_date": on})
    demo.store.put_person(person)
    return person


def found_in(pattern: str | re.Pattern[str], text: str) -> str:
    match = re.search(pattern, text)
    assert match, text
    return match.group(1)


def sign_in_with(browser: Browser, path: str) -> dict[str, Any]:
    page = browser.get(path)
    found = re.search(r'name="_csrf" value="([^"]+)"', page["body"])
    assert found, page["body"][:800]
    return browser.post(path, {"_csrf": found.group(1)})


def test_a_leaver_is_sent_no_link_and_sees_what_an_unknown_address_sees(
    browser: Browser, today: Any, aws: Any
) -> None:
    emma = leave(today, EMMA, TODAY - timedelta(days=1))
    left = ask(browser, emma.email)
    unknown = ask(browser, "nobody@nowhere.example")
    assert left["statusCode"] == unknown["statusCode"] == 200
    assert without_tokens(left["body"]) == without_tokens(unknown["body"])
    assert sent_outbox(aws) == []


def test_a_person_on_their_last_day_may_still_sign_in(
    browser: Browser, today: Any, aws: Any
) -> None:
    emma = leave(today, EMMA, TODAY)
    ask(browser, emma.email)
    [email] = sent_outbox(aws)
    assert sign_in_with(Browser(), found_in(LINK, email["text"]))["statusCode"] == 303


def test_a_link_sent_before_leaving_no_longer_works(browser: Browser, today: Any, aws: Any) -> None:
    emma = today.people[EMMA]
    ask(browser, emma.email)
    [email] = sent_outbox(aws)
    path = found_in(LINK, email["text"])
    leave(today, EMMA, TODAY - timedelta(days=1))

    opened = Browser().get(path)
    assert opened["statusCode"] == 400 and "Nothing has changed" in opened["body"]
    # Even with a CSRF token bound to the link, its button does not sign in.
    from growthcycle.web.services import services

    signer = services().signer
    visitor = Browser()
    used = visitor.post(path, {"_csrf": signer.csrf_for(f"link:{path.rsplit('/', 1)[1]}")})
    assert used["statusCode"] == 400 and "gc_session" not in visitor.cookies


def test_a_leavers_session_no_longer_signs_them_in(browser: Browser, today: Any) -> None:
    browser.act_as(EMMA)
    assert "Emma" in browser.get("/")["body"]
    leave(today, EMMA, TODAY - timedelta(days=1))
    home = browser.get("/")
    assert "Email me a sign-in link" in home["body"] and "Emma" not in home["body"]
    assert browser.get("/forms/self-review")["statusCode"] in (401, 403)


def test_one_address_at_two_schools_gets_one_link_per_school_never_mixed(
    browser: Browser, today: Any, aws: Any
) -> None:
    emma = today.people[EMMA]
    # Emma also works at Riverside Academy: a second record with the same address.
    riverside = emma.model_copy(
        update={
            "person_id": "riverside-academy.ra099",
            "school_id": "riverside-academy",
            "staff_id": "RA099",
            "line_manager_id": "RA002",
        }
    )
    today.store.put_person(riverside)

    ask(browser, emma.email)
    [email] = sent_outbox(aws)
    assert email["to_address"] == emma.email
    assert "Oakfield Primary School:" in email["text"]
    assert "Riverside Academy:" in email["text"]
    oakfield_path = found_in(r"Oakfield Primary School:\n" + LINK.pattern, email["text"])
    riverside_path = found_in(r"Riverside Academy:\n" + LINK.pattern, email["text"])
    assert oakfield_path != riverside_path

    # Each link says which school's records it opens, and signs in to that record only.
    at_riverside = Browser()
    assert "Riverside Academy" in at_riverside.get(riverside_path)["body"]
    assert sign_in_with(at_riverside, riverside_path)["statusCode"] == 303
    from growthcycle.web.services import services

    token = at_riverside.cookies["gc_session"]
    payload = services().signer.verify("session", token, now=services().clock.now())
    assert payload["p"] == "riverside-academy.ra099"
    # The Riverside session sees nothing of Oakfield's records of Emma.
    assert at_riverside.get(f"/people/{EMMA}/meeting")["statusCode"] == 404

    at_oakfield = Browser()
    assert sign_in_with(at_oakfield, oakfield_path)["statusCode"] == 303
    token = at_oakfield.cookies["gc_session"]
    payload = services().signer.verify("session", token, now=services().clock.now())
    assert payload["p"] == EMMA


def test_a_shared_address_where_one_record_has_left_gets_the_other_schools_link_only(
    browser: Browser, today: Any, aws: Any
) -> None:
    emma = leave(today, EMMA, TODAY - timedelta(days=30))
    riverside = emma.model_copy(
        update={
            "person_id": "riverside-academy.ra099",
            "school_id": "riverside-academy",
            "staff_id": "RA099",
            "line_manager_id": "RA002",
            "leaving_date": None,
        }
    )
    today.store.put_person(riverside)
    ask(browser, emma.email)
    [email] = sent_outbox(aws)
    assert email["to_person_id"] == "riverside-academy.ra099"
    assert len(LINK.findall(email["text"])) == 1
