"""Signing in with an OpenID Connect provider (issue 16, part 1), against a real local provider on
127.0.0.1 (local/oidc_provider.py: discovery, keys, authorize, token), through the API handler.

Each bad token or bad way back is refused with the same clear page and nothing is signed in.
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from growthcycle.adapters import oidc
from growthcycle.domain.sign_in_providers import SignInProvider
from growthcycle.local.oidc_provider import DemoProvider
from tests.conftest import Browser
from tests.helpers.events import response_cookies

EMMA = "e.clarke@oakfield.example"  # Emma Clarke, a teacher at Oakfield
LEAVER = "t.bennett@oakfield.example"
REFUSED = "We could not sign you in with that account"
NOBODY = "That account is not one that can sign in to Growth Cycle here"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture(scope="module")
def provider() -> Iterator[DemoProvider]:
    found = DemoProvider(client_id="growthcycle-test").start()
    yield found
    found.stop()


@pytest.fixture
def idp(provider: DemoProvider, demo: Any) -> DemoProvider:
    provider.claims = {}
    provider.sign_with_unknown_key = False
    oidc.reset_cache()
    oidc.put_providers(
        demo.store,
        (
            SignInProvider(
                id="demo",
                kind="oidc",
                name="the demo provider",
                client_id=provider.client_id,
                issuer=provider.issuer,
            ),
        ),
    )
    return provider


def _provider_answer(url: str, email: str) -> str:
    """What the provider sends the browser back to, for `email` (as if chosen on its page)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"{url}&login_hint={email}", timeout=5)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.code
        return str(redirect.headers["Location"])
    raise AssertionError("the provider did not redirect back")


def sign_in(browser: Browser, email: str, next_path: str = "") -> tuple[dict[str, Any], str]:
    started = browser.get("/sign-in/with/demo" + (f"?next={next_path}" if next_path else ""))
    assert started["statusCode"] == 303, started["body"][:300]
    back = _provider_answer(started["headers"]["Location"], email)
    parts = urlsplit(back)
    assert parts.path == "/sign-in/with/demo/callback"
    callback = f"{parts.path}?{parts.query}"
    return browser.get(callback), callback


def signed_in(browser: Browser) -> bool:
    return "Sign out" in browser.get("/")["body"]


def test_the_sign_in_page_offers_the_trusts_provider_beside_the_emailed_link(
    idp: DemoProvider, browser: Browser
) -> None:
    page = browser.get("/sign-in")["body"]
    assert "Email me a sign-in link" in page
    assert 'href="/sign-in/with/demo"' in page and "Sign in with the demo provider" in page


def test_a_verified_account_signs_in_and_comes_back_to_where_it_was_going(
    idp: DemoProvider, browser: Browser
) -> None:
    answer, _ = sign_in(browser, EMMA, next_path="/statements")
    assert answer["statusCode"] == 303
    assert answer["headers"]["Location"] == "/statements"
    assert signed_in(browser)
    assert "Emma" in browser.get("/")["body"]


def test_the_flow_uses_pkce_state_and_nonce(idp: DemoProvider, browser: Browser) -> None:
    started = browser.get("/sign-in/with/demo")
    query = parse_qs(urlsplit(started["headers"]["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [
        "https://appraisal.oakvalley.example/sign-in/with/demo/callback"
    ]
    assert "gc_oidc" in response_cookies(started)  # state, nonce and verifier: signed, HttpOnly


@pytest.mark.parametrize(
    ("bend", "why"),
    [
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3700}, "expired"),
        ({"aud": "another-application"}, "another audience"),
        ({"nonce": None}, "missing nonce"),
        ({"nonce": "not-the-one-sent"}, "another nonce"),
        ({"email_verified": False}, "unverified email"),
        ({"iss": "http://127.0.0.1:1"}, "another issuer"),
    ],
)
def test_a_bad_id_token_is_refused_and_nothing_is_signed_in(
    idp: DemoProvider, browser: Browser, bend: dict[str, Any], why: str
) -> None:
    idp.claims = bend
    answer, _ = sign_in(browser, EMMA)
    assert answer["statusCode"] == 400, why
    assert REFUSED in answer["body"], why
    assert "gc_session" not in response_cookies(answer)
    assert not signed_in(browser), why


def test_a_token_signed_by_an_unknown_key_is_refused(idp: DemoProvider, browser: Browser) -> None:
    idp.sign_with_unknown_key = True
    answer, _ = sign_in(browser, EMMA)
    assert answer["statusCode"] == 400 and REFUSED in answer["body"]
    assert not signed_in(browser)


def test_a_replayed_state_is_refused(idp: DemoProvider, browser: Browser) -> None:
    first, callback = sign_in(browser, EMMA)
    assert first["statusCode"] == 303
    again = Browser(cookies=dict(browser.cookies))
    again.cookies.pop("gc_session", None)
    replay = again.get(callback)
    assert replay["statusCode"] == 400 and REFUSED in replay["body"]
    assert not signed_in(again)


def test_a_way_back_without_the_flows_cookie_is_refused(
    idp: DemoProvider, browser: Browser
) -> None:
    _, callback = sign_in(Browser(), EMMA)  # another browser started it
    answer = browser.get(callback)
    assert answer["statusCode"] == 400 and REFUSED in answer["body"]
    assert not signed_in(browser)


def test_a_leaver_and_an_unknown_address_get_the_same_page(
    idp: DemoProvider, browser: Browser, demo: Any
) -> None:
    from datetime import date

    leaver = next(p for p in demo.people.values() if p.email == LEAVER)
    demo.store.put_person(leaver.model_copy(update={"leaving_date": date(2020, 8, 31)}))
    pages = []
    for email in (LEAVER, "someone@elsewhere.example"):
        answer, _ = sign_in(Browser(), email)
        assert answer["statusCode"] == 403 and NOBODY in answer["body"]
        assert "gc_session" not in response_cookies(answer)
        pages.append(re.sub(r'value="[^"]+"', "", answer["body"]))  # less the CSRF token
    assert pages[0] == pages[1]


def test_someone_at_two_schools_chooses_which(
    idp: DemoProvider, browser: Browser, demo: Any
) -> None:
    emma = next(p for p in demo.people.values() if p.email == EMMA)
    twin = emma.model_copy(
        update={"person_id": "riverside-academy.ra099", "school_id": "riverside-academy"}
    )
    demo.store.put_person(twin)
    answer, _ = sign_in(browser, EMMA)
    assert answer["statusCode"] == 200
    assert "Oakfield Primary School" in answer["body"]
    assert "Riverside" in answer["body"]
    assert answer["body"].count('href="/sign-in/') == 2
    assert not signed_in(browser)  # each choice is a sign-in link, bound to one school's record


def test_an_unknown_provider_is_a_404(idp: DemoProvider, browser: Browser) -> None:
    assert browser.get("/sign-in/with/nobody")["statusCode"] == 404
    assert browser.get("/sign-in/with/nobody/callback?code=x&state=y")["statusCode"] == 404
