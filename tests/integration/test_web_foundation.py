"""The API handler through API Gateway v2 events, with moto: pages, sign-in links, form saving."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Browser, sent_outbox


def test_home_without_a_session_offers_sign_in(browser: Browser, demo: Any) -> None:
    page = browser.get("/")
    assert page["statusCode"] == 200
    assert "Email me a sign-in link" in page["body"]


def test_every_page_carries_the_security_headers(browser: Browser, demo: Any) -> None:
    for path in ("/", "/sign-in", "/no-such-page", "/static/app.css"):
        headers = {k.lower(): v for k, v in browser.get(path)["headers"].items()}
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert "max-age" in headers["strict-transport-security"]
        assert headers["referrer-policy"] == "no-referrer"


def test_sign_in_link_is_emailed_and_signs_in_only_on_post(
    browser: Browser, demo: Any, aws: Any
) -> None:
    teacher = demo.person(school="oakfield-primary", role="teacher")
    csrf = browser.csrf("/sign-in")
    sent = browser.post("/sign-in", {"email": teacher.email.upper(), "_csrf": csrf})
    assert sent["statusCode"] == 200 and "Check your email" in sent["body"]

    [email] = sent_outbox(aws)
    assert email["to_address"] == teacher.email
    link = re.search(r"https://[^\s\"]+/sign-in/[^\s\"<]+", email["text"]).group(0)
    path = link.split("example", 1)[1]

    # A mail scanner opening the link changes nothing.
    opened = Browser().get(path)
    assert opened["statusCode"] == 200 and "gc_session" not in str(opened.get("cookies"))

    page = browser.get(path)
    token_csrf = re.search(r'name="_csrf" value="([^"]+)"', page["body"]).group(1)
    used = browser.post(path, {"_csrf": token_csrf})
    assert used["statusCode"] == 303
    assert "gc_session" in browser.cookies
    assert teacher.first_name in browser.get("/")["body"]

    # Single use: the same link again is refused and changes nothing.
    again = Browser()
    again_page = again.get(path)
    replay = again.post(
        path, {"_csrf": re.search(r'name="_csrf" value="([^"]+)"', again_page["body"]).group(1)}
    )
    assert replay["statusCode"] == 400
    assert "gc_session" not in again.cookies


def test_requesting_a_link_for_an_unknown_address_looks_the_same(
    browser: Browser, demo: Any
) -> None:
    csrf = browser.csrf("/sign-in")
    known = browser.post("/sign-in", {"email": "nobody@nowhere.example", "_csrf": csrf})
    assert known["statusCode"] == 200 and "Check your email" in known["body"]


def test_post_without_csrf_is_refused(browser: Browser, demo: Any) -> None:
    refused = browser.post("/sign-in", {"email": "x@y.example"})
    assert refused["statusCode"] == 403


def _fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version)" value="([^"]*)"', page))


def test_self_review_is_validated_saved_with_a_version_and_audited(
    browser: Browser, demo: Any
) -> None:
    teacher = demo.person(school="oakfield-primary", role="teacher")
    browser.act_as(teacher.person_id)
    url = f"/people/{teacher.person_id}/forms/self-review"
    page = browser.get(url)
    assert page["statusCode"] == 200
    hidden = _fields(page["body"])

    hostile = (
        '<script>alert("x")</script> {{ 7*7 }} "quoted" \u0627\u0644\u0639\u0631\u0628\u064a\u0629'
    )
    saved = browser.post(url, {**hidden, "_action": "save", "reflection": hostile})
    assert saved["statusCode"] == 303
    shown = browser.get(url + "/saved")["body"]
    assert "&lt;script&gt;" in shown and "<script>alert" not in shown
    assert "{{ 7*7 }}" in shown and "\u0627\u0644\u0639\u0631\u0628\u064a\u0629" in shown

    stored = demo.store.get_submission(teacher.person_id, _cycle(demo, teacher), "self-review")
    assert (
        stored.version == 1 and stored.status == "draft" and stored.values["reflection"] == hostile
    )
    assert [a.action for a in demo.store.audit_entries(teacher.person_id)] == ["form.draft"]


def test_a_retried_save_does_not_create_a_second_version(browser: Browser, demo: Any) -> None:
    teacher = demo.person(school="oakfield-primary", role="teacher")
    browser.act_as(teacher.person_id)
    url = f"/people/{teacher.person_id}/forms/self-review"
    hidden = _fields(browser.get(url)["body"])
    form = {**hidden, "_action": "save", "reflection": "Tried retrieval practice."}
    assert browser.post(url, form)["statusCode"] == 303
    assert browser.post(url, form)["statusCode"] == 303  # double tap
    stored = demo.store.get_submission(teacher.person_id, _cycle(demo, teacher), "self-review")
    assert stored.version == 1


def test_another_schools_person_sees_nothing(browser: Browser, demo: Any) -> None:
    teacher = demo.person(school="oakfield-primary", role="teacher")
    head_elsewhere = demo.person(school="riverside-academy", role="headteacher")
    browser.act_as(head_elsewhere.person_id)
    for form_id in ("self-review", "planning-review"):
        page = browser.get(f"/people/{teacher.person_id}/forms/{form_id}")
        assert page["statusCode"] == 404
        assert teacher.last_name not in page["body"]


def test_oversized_and_malformed_bodies_get_a_clear_4xx(browser: Browser, demo: Any) -> None:
    teacher = demo.person(school="oakfield-primary", role="teacher")
    browser.act_as(teacher.person_id)
    url = f"/people/{teacher.person_id}/forms/self-review"
    hidden = _fields(browser.get(url)["body"])
    huge = browser.post(url, {**hidden, "reflection": "x" * 300_000})
    assert huge["statusCode"] == 413
    broken = browser.request(
        "POST",
        url,
        body=b"reflection=%ff%fe&_csrf=" + hidden["_csrf"].encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert broken["statusCode"] == 400
    wrong_type = browser.request(
        "POST", url, body='{"a": 1}', headers={"content-type": "application/json"}
    )
    assert wrong_type["statusCode"] == 400


def _cycle(demo: Any, person: Any) -> str:
    from growthcycle.web.services import services

    return services().cycle(person).cycle_id


def test_editing_again_after_saving_makes_version_two(browser: Browser, demo: Any) -> None:
    teacher = demo.person(school="oakfield-primary", role="teacher")
    browser.act_as(teacher.person_id)
    url = f"/people/{teacher.person_id}/forms/self-review"
    first_form = {**_fields(browser.get(url)["body"]), "_action": "save", "reflection": "One"}
    assert browser.post(url, first_form)["statusCode"] == 303
    second = {**_fields(browser.get(url)["body"]), "_action": "save", "reflection": "Two"}
    assert second["_version"] == "1"
    assert browser.post(url, second)["statusCode"] == 303
    stored = demo.store.get_submission(teacher.person_id, _cycle(demo, teacher), "self-review")
    assert stored.version == 2 and stored.values["reflection"] == "Two"
    versions = demo.store.submission_versions(teacher.person_id, stored.cycle_id, "self-review")
    assert [v.values["reflection"] for v in versions] == ["One", "Two"]


def test_a_stale_tab_is_told_plainly_and_keeps_what_was_typed(browser: Browser, demo: Any) -> None:
    teacher = demo.person(school="oakfield-primary", role="teacher")
    browser.act_as(teacher.person_id)
    url = f"/people/{teacher.person_id}/forms/self-review"
    stale = _fields(browser.get(url)["body"])
    assert (
        browser.post(url, {**stale, "_action": "save", "reflection": "Phone"})["statusCode"] == 303
    )
    clash = browser.post(url, {**stale, "_action": "save", "reflection": "Laptop words"})
    assert clash["statusCode"] == 409
    assert "saved elsewhere" in clash["body"] and "Laptop words" in clash["body"]


def test_required_answers_are_shown_next_to_their_fields(browser: Browser, demo: Any) -> None:
    line_manager = demo.person(school="oakfield-primary", role="line-manager")
    reviewee = next(
        p for p in demo.people.values() if p.line_manager_person_id == line_manager.person_id
    )
    browser.act_as(line_manager.person_id)
    url = f"/people/{reviewee.person_id}/forms/planning-review"
    page = browser.get(url)
    assert page["statusCode"] == 200
    submitted = browser.post(
        url, {**_fields(page["body"]), "_action": "submit", "objectives-0-title": "Kept text"}
    )
    assert submitted["statusCode"] == 422
    body = submitted["body"]
    assert "There is a problem" in body or "error-summary" in body
    for anchor in re.findall(r'href="#(f-[^"]+)"', body):
        assert f'id="{anchor}"' in body
    assert "Kept text" in body
