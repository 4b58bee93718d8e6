"""Single sign-on on a phone (issue 16, part 1): the sign-in page offers the trust's provider (in
the demo, the local OpenID Connect provider), passes axe, and signing in there comes back to the
page that asked for it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("stack")]


def test_signing_in_with_the_demo_provider_comes_back_to_the_page_that_asked(
    phone: Any, stack: Stack
) -> None:
    phone.context.clear_cookies()
    phone.goto(f"{stack.url}/statements")  # needs signing in: the sign-in page answers
    assert phone.get_by_role("heading", name="Sign in", exact=True).is_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="Sign in with the demo provider").click()
    # The provider's own page (not ours): choose an account.
    phone.get_by_role("link", name="Emma Clarke (e.clarke@oakfield.example)").click()
    phone.wait_for_url(f"{stack.url}/statements")
    assert axe_violations(phone) == []
    assert not phone.get_by_role("heading", name="Sign in", exact=True).is_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    phone.goto(f"{stack.url}/")
    assert phone.get_by_role("button", name="Sign out").is_visible()  # signed in as Emma
