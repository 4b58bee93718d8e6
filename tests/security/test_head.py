"""Issue 18, design point: HEAD answered 404 on every route. HEAD now answers as GET would (the
same status and headers, security headers included) with no body; it never changes anything,
since GET never does."""

from __future__ import annotations

from typing import Any

from tests.security.routes import registered_routes

GET_ROUTES = [r for r in registered_routes() if r.method == "GET" and r.only_known_params]
ACTOR = "oakfield-primary.op003"  # Sarah Pritchard: line manager and teacher


def test_head_answers_like_get_without_a_body(demo: Any, browser: Any) -> None:
    browser.act_as(ACTOR)
    assert len(GET_ROUTES) >= 5
    for route in GET_ROUTES:
        path = route.path(person_id="oakfield-primary.op004")
        got = browser.get(path)
        head = browser.request("HEAD", path)
        assert head["statusCode"] == got["statusCode"], route
        assert not head.get("body"), route
        for name in ("Content-Type", "Content-Security-Policy", "Cache-Control", "Location"):
            assert head["headers"].get(name) == got["headers"].get(name), (route, name)


def test_head_on_a_page_that_does_not_exist_is_a_404(demo: Any, browser: Any) -> None:
    head = browser.request("HEAD", "/no/such/page")
    assert head["statusCode"] == 404
    assert not head.get("body")
