"""Every state-changing route refuses a POST without its CSRF token, or with a wrong one, and
stores nothing. Routes come from the resolver, so new route modules are covered automatically."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TABLE
from tests.security.routes import post_routes

ROUTES = post_routes()
ACTOR = "oakfield-primary.op003"  # Sarah Pritchard: line manager and teacher
SUBJECTS = ["oakfield-primary.op003", "oakfield-primary.op004"]  # herself, and her reviewee


def table_items(aws: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in aws("dynamodb").get_paginator("scan").paginate(TableName=TABLE):
        items.extend(page["Items"])
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def wrong_tokens(browser: Any) -> dict[str, dict[str, str]]:
    from growthcycle.web.services import services

    someone_elses = services().signer.csrf_for("session:someone-else")
    return {
        "missing": {},
        "empty": {"_csrf": ""},
        "garbage": {"_csrf": "x" * 43},
        "someone else's": {"_csrf": someone_elses},
    }


def test_there_are_post_routes_to_check() -> None:
    assert len(ROUTES) >= 4


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_every_post_route_refuses_a_missing_or_wrong_csrf_token_and_stores_nothing(
    aws: Any, demo: Any, browser: Any, signed_in: bool
) -> None:
    if signed_in:
        browser.act_as(ACTOR)
    # Answers a form would carry, so a route that skipped the check would have something to save.
    answers = {"reflection": "A good year", "email": "emma.clarke@oakfield.example"}
    for route in ROUTES:
        subjects = SUBJECTS if "person_id" in route.params else SUBJECTS[:1]
        forms = ("self-review", "planning-review") if "form_id" in route.params else ("-",)
        for subject in subjects:
            for form_id in forms:
                path = route.path(person_id=subject, form_id=form_id)
                before = table_items(aws)
                for name, token in wrong_tokens(browser).items():
                    result = browser.post(path, form={**answers, **token, "_action": "submit"})
                    status = result["statusCode"]
                    assert 400 <= status < 500, f"{route} ({name} token) answered {status}"
                    if route.only_known_params and status == 403:
                        assert "nothing was changed" in result["body"], route
                assert table_items(aws) == before, f"{route} stored something without CSRF"


def test_routes_with_known_addresses_refuse_with_the_csrf_page(demo: Any, browser: Any) -> None:
    """Not a 404 that happens to hide a missing check: the CSRF refusal itself (403)."""
    for route in [r for r in ROUTES if r.only_known_params]:
        statuses = set()
        # Some routes answer "nothing here" (404) before CSRF to people who may not use them.
        for actor in (ACTOR, "oakfield-primary.op001", "oakfield-primary.op002"):
            browser.act_as(actor)
            statuses |= {
                browser.post(route.path(person_id=s), form={"_csrf": "x" * 43})["statusCode"]
                for s in SUBJECTS
            }
        assert 403 in statuses, f"{route}: {statuses}"


def test_a_non_ascii_csrf_token_link_token_or_session_is_refused_not_a_server_error(
    demo: Any, browser: Any
) -> None:
    """Found by the fuzzer: hmac.compare_digest raises on non-ASCII text (was a 500)."""
    assert browser.post("/sign-in", form={"_csrf": "\u0080", "email": "a@b.c"})["statusCode"] == 403
    assert browser.get("/sign-in/a.\u00e9")["statusCode"] == 400
    browser.cookies["gc_session"] = "a.\u00e9"
    assert browser.get("/")["statusCode"] == 200  # the sign-in page, as for no session
