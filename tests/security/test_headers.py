"""Every page carries the security headers: a CSP with no inline script or style, HSTS, no
framing, no MIME sniffing, no referrer (pages may carry a link token in their address).

Routes come from the resolver, so a new route module is covered the day it is imported.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.routes import registered_routes

ROUTES = registered_routes()
PEOPLE = {"anonymous": None, "teacher": "oakfield-primary.op004", "head": "oakfield-primary.op001"}


def assert_security_headers(result: dict[str, Any], what: str) -> None:
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    csp = headers.get("content-security-policy", "")
    assert csp, f"{what}: no Content-Security-Policy"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{what}: {csp}"
    assert "frame-ancestors 'none'" in csp, f"{what}: {csp}"
    assert "default-src 'none'" in csp, f"{what}: {csp}"
    hsts = headers.get("strict-transport-security", "")
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31536000, what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") == "no-referrer", what
    assert headers.get("x-frame-options") == "DENY", what


def test_every_route_is_discovered_from_the_resolver() -> None:
    found = {str(r) for r in ROUTES}
    assert {"GET /", "POST /sign-in", "POST /people/<person_id>/forms/<form_id>"} <= found


@pytest.mark.parametrize("who", list(PEOPLE))
def test_every_route_sends_the_security_headers(demo: Any, browser: Any, who: str) -> None:
    if PEOPLE[who]:
        browser.act_as(PEOPLE[who])
    person = PEOPLE[who] or "oakfield-primary.op004"
    for route in ROUTES:
        path = route.path(person_id=person)
        if route.method == "POST":
            result = browser.post(path, form={"_csrf": "wrong"})
        else:
            result = browser.get(path)
        assert_security_headers(result, f"{route} as {who} -> {result['statusCode']}")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_pages_that_do_not_exist_send_the_security_headers(browser: Any, method: str) -> None:
    result = browser.request(method, "/no/such/page")
    assert result["statusCode"] in (404, 405)
    assert_security_headers(result, f"{method} /no/such/page")


def test_the_csp_allows_no_inline_script_and_only_our_own_stylesheet() -> None:
    from growthcycle.web.http import SECURITY_HEADERS

    directives = dict(
        part.strip().split(" ", 1)
        for part in SECURITY_HEADERS["Content-Security-Policy"].split(";")
    )
    assert "script-src" not in directives  # default-src 'none' covers scripts
    assert directives["style-src"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'none'"
