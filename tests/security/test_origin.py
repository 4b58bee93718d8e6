"""State-changing requests from another site are refused, whatever token they carry (issue 18,
item 7: login CSRF through a sign-in link). A browser says where a request comes from (`Origin`,
`Sec-Fetch-Site`); a request saying another site is refused before anything else, and one from
this site, or from a client that says nothing (not a browser), goes on to the CSRF token check.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Browser, sent_outbox
from tests.security.routes import post_routes
from tests.security.test_csrf import table_items

EMMA = "oakfield-primary.op004"
SARAH = "oakfield-primary.op003"
HOST = "127.0.0.1"  # what the tests' events carry as Host (tests/helpers/events.py)
FROM_ELSEWHERE = {
    "cross-site Origin and fetch metadata": {
        "origin": "https://evil.example",
        "sec-fetch-site": "cross-site",
    },
    "cross-site Origin alone": {"origin": "https://evil.example"},
    "an opaque Origin (a sandboxed frame)": {"origin": "null", "sec-fetch-site": "cross-site"},
    "cross-site fetch metadata alone": {"sec-fetch-site": "cross-site"},
    "a sibling site": {"origin": f"https://other.{HOST}", "sec-fetch-site": "same-site"},
}
REFUSED = "sent from another website"


def _sign_in_link(aws: Any, demo: Any, browser: Browser) -> str:
    """An attacker asks for their own sign-in link (Emma stands in for the attacker here)."""
    browser.post("/sign-in", {"email": demo.people[EMMA].email, "_csrf": browser.csrf("/")})
    [mail] = [m for m in sent_outbox(aws) if m.get("to_person_id") == EMMA]
    found = re.search(r"https://[^/\s]+(/sign-in/[^\s\"<]+)", mail["text"])
    assert found, mail["text"]
    return found.group(1)


@pytest.mark.parametrize("headers", FROM_ELSEWHERE.values(), ids=FROM_ELSEWHERE.keys())
def test_a_sign_in_link_posted_from_another_site_signs_nobody_in(
    aws: Any, demo: Any, headers: dict[str, str]
) -> None:
    # Given the attacker's own sign-in link and its page's valid CSRF token
    attacker = Browser()
    path = _sign_in_link(aws, demo, attacker)
    csrf = attacker.csrf(path)
    # When a page on another site makes the victim's browser post it
    victim = Browser()
    answer = victim.post(path, {"_csrf": csrf}, headers=headers)
    # Then the victim is not signed in as the attacker, and the link is still unused
    assert answer["statusCode"] == 403 and REFUSED in answer["body"]
    assert "gc_session" not in victim.cookies
    assert attacker.post(path, {"_csrf": csrf})["statusCode"] == 303


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": f"http://{HOST}", "sec-fetch-site": "same-origin"},
        {"origin": "https://appraisal.oakvalley.example"},  # the base URL's origin
        {"sec-fetch-site": "same-origin"},
        {"sec-fetch-site": "none"},  # typed or bookmarked by the person
        # what a browser sends on the site's own form under Referrer-Policy: no-referrer
        {"origin": "null", "sec-fetch-site": "same-origin"},
        {},  # no browser: a script or test client says nothing
    ],
    ids=[
        "same origin",
        "base url",
        "fetch metadata only",
        "user initiated",
        "opaque origin, same-origin fetch",
        "no headers",
    ],
)
def test_a_sign_in_link_posted_from_this_site_signs_in(
    aws: Any, demo: Any, headers: dict[str, str]
) -> None:
    browser = Browser()
    path = _sign_in_link(aws, demo, browser)
    answer = browser.post(path, {"_csrf": browser.csrf(path)}, headers=headers)
    assert answer["statusCode"] == 303 and "gc_session" in browser.cookies


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_every_post_route_refuses_another_site_first_and_stores_nothing(
    aws: Any, demo: Any, signed_in: bool
) -> None:
    browser = Browser()
    if signed_in:
        browser.act_as(SARAH)
    csrf = browser.csrf("/")  # a valid token for this browser's session (or anonymous cookie)
    for route in post_routes():
        path = route.path(person_id=EMMA, form_id="planning-review")
        before = table_items(aws)
        answer = browser.post(
            path,
            {"_csrf": csrf, "_action": "submit", "reason": "x"},
            headers=FROM_ELSEWHERE["cross-site Origin and fetch metadata"],
        )
        assert answer["statusCode"] == 403, (str(route), answer["statusCode"])
        assert REFUSED in answer["body"], str(route)
        assert table_items(aws) == before, f"{route} stored something from another site"


def test_a_signed_in_post_from_this_site_still_works(aws: Any, demo: Any) -> None:
    browser = Browser()
    browser.act_as(SARAH)
    answer = browser.post(
        "/sign-out",
        {"_csrf": browser.csrf("/")},
        headers={"origin": f"http://{HOST}", "sec-fetch-site": "same-origin"},
    )
    assert answer["statusCode"] == 303
