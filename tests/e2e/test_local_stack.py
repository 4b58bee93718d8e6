"""The local stack as a newcomer meets it: `growthcycle demo` on 127.0.0.1, over plain HTTP."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.stack, pytest.mark.xdist_group("stack")]


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _get(opener: urllib.request.OpenerDirector, url: str) -> str:
    with opener.open(url, timeout=10) as response:
        return response.read().decode()


def _post(opener: urllib.request.OpenerDirector, url: str, form: dict[str, str]) -> str:
    data = urllib.parse.urlencode(form).encode()
    with opener.open(url, data=data, timeout=10) as response:
        return response.read().decode()


def test_demo_serves_the_self_review_form_over_http(stack: Stack) -> None:
    browser = _opener()
    people = _get(browser, f"{stack.url}/_local/")
    assert "Oakfield Primary School" in people and "Riverside Academy" in people
    person_id = re.search(r'name="person_id" value="(oakfield-primary\.op004)"', people).group(1)
    home = _post(browser, f"{stack.url}/_local/act-as", {"person_id": person_id})
    assert ("Your" in home and "Self-review" in home) or "self-review" in home
    form = _get(browser, f"{stack.url}/forms/self-review")
    assert "<form" in form and 'name="_csrf"' in form


def test_the_sign_in_link_arrives_in_the_mail_viewer(stack: Stack) -> None:
    browser = _opener()
    page = _get(browser, f"{stack.url}/sign-in")
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    _post(browser, f"{stack.url}/sign-in", {"email": "s.pritchard@oakfield.example", "_csrf": csrf})
    for _ in range(50):
        links = stack.mail_links(r'href="(http://127\.0\.0\.1:\d+/sign-in/[^"]+)"')
        if links:
            break
        import time

        time.sleep(0.2)
    assert links, "no sign-in email reached the mail viewer"
    confirm = _get(browser, links[0].replace("&amp;", "&"))
    assert "Sign in to Growth Cycle" in confirm
