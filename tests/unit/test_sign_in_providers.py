"""The rules an ID token's claims must meet, per provider (issue 16, part 1), and the trust file's
provider settings (`config check` reports each problem)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from growthcycle.domain.sign_in_providers import (
    SignInProvider,
    SignInRefused,
    safe_next,
    verified_email,
)

TENANT = "0b7e3c1a-6f2d-4a8b-9c3e-2d1f0a9b8c7d"
NOW = 1_800_000_000
MICROSOFT = SignInProvider(
    id="microsoft", kind="microsoft", name="Microsoft 365", client_id="app", tenant_id=TENANT
)
GOOGLE = SignInProvider(
    id="google", kind="google", name="Google", client_id="app", domains=("oakvalley.org.uk",)
)


def claims(provider: SignInProvider, **changes: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "iss": provider.issuer_url,
        "aud": "app",
        "exp": NOW + 300,
        "iat": NOW,
        "nonce": "n1",
        "email": "Emma.Clarke@oakvalley.org.uk",
        "email_verified": True,
    }
    if provider.kind == "microsoft":
        found["tid"] = TENANT
    if provider.kind == "google":
        found["hd"] = "oakvalley.org.uk"
    found.update(changes)
    return {k: v for k, v in found.items() if v is not None}


def refused(provider: SignInProvider, **changes: Any) -> str:
    with pytest.raises(SignInRefused) as raised:
        verified_email(provider, claims(provider, **changes), nonce="n1", now=NOW)
    return raised.value.reason


def test_a_good_token_gives_its_email_lower_cased() -> None:
    for provider in (MICROSOFT, GOOGLE):
        email = verified_email(provider, claims(provider), nonce="n1", now=NOW)
        assert email == "emma.clarke@oakvalley.org.uk"


def test_microsoft_is_one_tenant_never_the_multi_tenant_endpoint() -> None:
    assert MICROSOFT.issuer_url == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    assert refused(MICROSOFT, tid="11111111-2222-3333-4444-555555555555") == "tenant"
    for multi in ("common", "organizations", "consumers"):
        with pytest.raises(ValidationError, match="multi-tenant"):
            SignInProvider(id="m", kind="microsoft", name="M", client_id="a", tenant_id=multi)
    # Entra's sign-in name stands in when the optional email claim is not sent.
    email = verified_email(
        MICROSOFT,
        claims(MICROSOFT, email=None, email_verified=None, preferred_username="a.b@oak.example"),
        nonce="n1",
        now=NOW,
    )
    assert email == "a.b@oak.example"


def test_google_is_the_trusts_workspace_domains_with_a_verified_email() -> None:
    assert refused(GOOGLE, hd="gmail.com") == "hosted domain"
    assert refused(GOOGLE, hd=None) == "hosted domain"  # a personal Google account
    assert refused(GOOGLE, email_verified=None) == "email not verified"
    with pytest.raises(ValidationError, match="domains is required"):
        SignInProvider(id="g", kind="google", name="G", client_id="a")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"iss": "https://evil.example"}, "issuer"),
        ({"aud": "another-app"}, "audience"),
        ({"aud": ["app", "other"]}, "authorized party"),
        ({"exp": NOW - 120}, "expired"),
        ({"iat": NOW + 3600}, "issued in the future"),
        ({"nonce": None}, "nonce"),
        ({"nonce": "replayed"}, "nonce"),
        ({"email_verified": False}, "email not verified"),
        ({"email": "someone@elsewhere.example"}, "email domain"),
    ],
)
def test_each_claim_that_falls_short_is_refused(change: dict[str, Any], reason: str) -> None:
    assert refused(GOOGLE, **change) == reason


def test_a_provider_needs_what_its_kind_needs() -> None:
    with pytest.raises(ValidationError, match="issuer must be an https"):
        SignInProvider(id="o", kind="oidc", name="O", client_id="a", issuer="http://idp.example")
    with pytest.raises(ValidationError, match="Secrets Manager"):
        SignInProvider(
            id="g",
            kind="google",
            name="G",
            client_id="a",
            domains=("a.example",),
            client_secret_arn="arn:aws:secretsmanager:eu-west-2:123456789012:secret:other/x",
        )
    local = SignInProvider(
        id="d", kind="oidc", name="D", client_id="a", issuer="http://127.0.0.1:9/"
    )
    assert local.issuer_url == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("asked", "goes"),
    [
        ("/statements/1", "/statements/1"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/a\r\nSet-Cookie: x", "/"),
        (None, "/"),
    ],
)
def test_after_signing_in_only_a_path_on_this_site(asked: str | None, goes: str) -> None:
    assert safe_next(asked) == goes


def test_a_client_secret_is_this_stacks_named_sign_in_secret() -> None:
    arn = (
        "arn:aws:secretsmanager:eu-west-2:123456789012:secret:growthcycle/oak-valley/sign-in/g-AbC"
    )
    provider = SignInProvider(
        id="g",
        kind="google",
        name="G",
        client_id="a",
        domains=("a.example",),
        client_secret_arn=arn,
    )
    assert provider.client_secret_arn == arn
