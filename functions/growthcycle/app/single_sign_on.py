"""Signing in with Microsoft 365, Google Workspace or another OpenID Connect provider (issue 16,
part 1), as use cases: `begin` the authorization code flow (PKCE, state, nonce) and `finish` it
(the state used once, the code exchanged, the ID token's signature and claims checked, the email
matched to people in post). The routes (web/sso.py) carry the flow's signed cookie and render.

The rules for claims are domain/sign_in_providers.py; the network and the keys, adapters/oidc.py.
Who may sign in is the emailed link's rule (domain/people.in_post), and a person with records at
several schools chooses one, as with emailed links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import urllib.error
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from growthcycle.adapters import oidc
from growthcycle.adapters.sign_in import people_with_email
from growthcycle.app.context import Services, SigningServices
from growthcycle.domain.people import Person, in_post
from growthcycle.domain.sign_in_providers import (
    SignInProvider,
    SignInRefused,
    safe_next,
    verified_email,
)

FLOW_MINUTES = 10
UNREACHABLE = (urllib.error.URLError, TimeoutError, ValueError, KeyError)


class UnknownProvider(LookupError):
    """No provider by that id in the trust's list."""


@dataclass(frozen=True)
class Begun:
    authorize_url: str
    flow: str  # the signed flow (state, nonce, PKCE verifier, where to go back): a cookie


@dataclass(frozen=True)
class Finished:
    people: tuple[Person, ...]  # in post with the verified email: none, one, or one per school
    next_path: str


def options(svc: Services, next_path: str = "/") -> list[dict[str, str]]:
    """The sign-in page's buttons: one per provider of the trust."""
    back = safe_next(next_path)
    suffix = f"?{urlencode({'next': back})}" if back != "/" else ""
    return [
        {"name": p.name, "url": f"/sign-in/with/{quote(p.id)}{suffix}"}
        for p in oidc.providers(svc.store)
    ]


def provider(svc: Services, provider_id: str) -> SignInProvider:
    for found in oidc.providers(svc.store):
        if found.id == provider_id:
            return found
    raise UnknownProvider(provider_id)


def _redirect_uri(svc: Services, chosen: SignInProvider) -> str:
    return f"{svc.settings.base_url.rstrip('/')}/sign-in/with/{quote(chosen.id)}/callback"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin(svc: SigningServices, provider_id: str, next_path: str | None) -> Begun:
    """The address of the provider's sign-in, and the flow to keep until it sends the person
    back. SignInRefused (or a network error) when the provider cannot be reached."""
    chosen = provider(svc, provider_id)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)  # PKCE (RFC 7636): 64 characters
    flow = svc.signer.sign(
        "oidc",
        {"s": state, "o": nonce, "v": verifier, "i": chosen.id, "x": safe_next(next_path)},
        now=svc.clock.now(),
        ttl=timedelta(minutes=FLOW_MINUTES),
    )
    query = {
        "response_type": "code",
        "client_id": chosen.client_id,
        "redirect_uri": _redirect_uri(svc, chosen),
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        "prompt": "select_account",
    }
    if chosen.kind == "google" and len(chosen.domains) == 1:
        query["hd"] = chosen.domains[0]  # a hint only: the token's hd is what is checked
    authorize = oidc.endpoints(chosen).authorization
    return Begun(authorize_url=f"{authorize}?{urlencode(query)}", flow=flow)


def finish(
    svc: SigningServices, provider_id: str, flow_token: str, answer: Mapping[str, Any]
) -> Finished:
    """The way back: SignInRefused for anything short of a verified email (TokenInvalid or
    TokenExpired for a missing, tampered or stale flow), else the people it signs in as."""
    chosen = provider(svc, provider_id)
    said = answer.get("error")
    if said:
        raise SignInRefused(f"the provider said {str(said)[:100]}")
    flow = svc.signer.verify("oidc", flow_token, now=svc.clock.now())
    state = str(answer.get("state") or "")
    if flow.get("i") != chosen.id or not hmac.compare_digest(
        str(flow.get("s")).encode(), state.encode("utf-8", "surrogatepass")
    ):
        raise SignInRefused("state")
    # Used once: a replayed way back (the same state) is refused.
    if not svc.store.claim_once(
        f"oidc-state#{flow['s']}", expires_at=int(flow["exp"]) + 86400, used="oidc"
    ):
        raise SignInRefused("state already used")
    id_token = oidc.exchange_code(
        chosen,
        code=str(answer.get("code") or ""),
        redirect_uri=_redirect_uri(svc, chosen),
        code_verifier=str(flow["v"]),
    )
    claims = oidc.verified_claims(chosen, id_token)
    # The provider's clock, not the school's "today": an ID token lives minutes.
    email = verified_email(chosen, claims, nonce=str(flow["o"]), now=int(time.time()))
    today = svc.clock.today()
    people = tuple(p for p in people_with_email(svc.store, email) if in_post(p, today))
    return Finished(people=people, next_path=safe_next(str(flow.get("x") or "/")))
