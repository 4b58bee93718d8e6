"""Single sign-on (issue 16, part 1): the providers a trust lets its staff sign in with, and the
rules an ID token's claims must meet. Pure: no network, no table.

A trust file lists its providers under `trust.sign_in` (checked by `growthcycle config check`):

- `microsoft`: Microsoft Entra ID, one tenant. The issuer is the tenant's own
  (`https://login.microsoftonline.com/<tenant id>/v2.0`), never the multi-tenant `common`,
  `organizations` or `consumers` endpoints, and the token's `tid` must be the trust's tenant.
- `google`: Google Workspace, restricted to the trust's domains: the token's `hd` (hosted domain)
  must be one of them, and its email verified.
- `oidc`: any other OpenID Connect provider by its issuer (the local stack's demo provider).

Client secrets never sit in the trust file: `client_secret_arn` names a Secrets Manager secret
(the runbook sets it). The emailed sign-in link always stays: it is how people act from phones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

ProviderKind = Literal["microsoft", "google", "oidc"]
_TENANT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MULTI_TENANT = frozenset({"common", "organizations", "consumers"})
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:growthcycle/(?P<stack>[A-Za-z0-9-]+)/sign-in/.+$"
)
GOOGLE_ISSUER = "https://accounts.google.com"
LEEWAY_SECONDS = 60  # clocks differ a little between the provider and Lambda


class SignInRefused(Exception):
    """An ID token (or the way back from the provider) that does not sign anyone in. `reason` is
    for the log; the page says the same plain words whatever it was."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SignInProvider(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{0,30}$")  # in the address: /sign-in/with/<id>
    kind: ProviderKind
    name: str = Field(min_length=1, max_length=60)  # the button: "Sign in with <name>"
    client_id: str = Field(min_length=1, max_length=200)
    client_secret_arn: str | None = None  # Secrets Manager; none for a public client (PKCE)
    tenant_id: str | None = None  # microsoft only
    domains: tuple[str, ...] = ()  # google: required; others: optional email domain limit
    issuer: str | None = None  # oidc only

    @model_validator(mode="after")
    def _kind_rules(self) -> Self:
        if self.kind == "microsoft":
            tenant = (self.tenant_id or "").lower()
            if tenant in _MULTI_TENANT:
                raise ValueError(
                    f"tenant_id {self.tenant_id!r} is a multi-tenant endpoint: give the trust's "
                    "own tenant id (a GUID from the Entra admin centre)"
                )
            if not _TENANT.match(tenant):
                raise ValueError("tenant_id is required for microsoft: the trust's tenant GUID")
        elif self.tenant_id is not None:
            raise ValueError("tenant_id is only for kind microsoft")
        if self.kind == "google" and not self.domains:
            raise ValueError("domains is required for google: the trust's Workspace domains")
        for domain in self.domains:
            if not _DOMAIN.match(domain):
                raise ValueError(f"domains: {domain!r} is not a domain such as oakvalley.org.uk")
        if self.kind == "oidc":
            if not self.issuer:
                raise ValueError("issuer is required for oidc: the provider's issuer URL")
            parts = urlsplit(self.issuer)
            local = parts.hostname in ("127.0.0.1", "localhost")
            if parts.scheme != "https" and not (parts.scheme == "http" and local):
                raise ValueError("issuer must be an https:// address")
        elif self.issuer is not None:
            raise ValueError("issuer is only for kind oidc (microsoft and google have their own)")
        if self.client_secret_arn is not None and not SECRET_ARN.match(self.client_secret_arn):
            raise ValueError(
                "client_secret_arn must be a Secrets Manager secret's ARN named "
                "growthcycle/<stack name>/sign-in/<name> (the API may read only those)"
            )
        return self

    @property
    def issuer_url(self) -> str:
        if self.kind == "microsoft":
            return f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"
        if self.kind == "google":
            return GOOGLE_ISSUER
        return str(self.issuer).rstrip("/")


def providers_unique(providers: Sequence[SignInProvider]) -> list[str]:
    """Problems with a trust's list: each id once."""
    seen: set[str] = set()
    problems = []
    for index, provider in enumerate(providers):
        if provider.id in seen:
            problems.append(f"sign_in[{index}].id: {provider.id!r} is listed twice")
        seen.add(provider.id)
    return problems


def _audiences(claims: Mapping[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        return list(aud)
    return []


def verified_email(
    provider: SignInProvider, claims: Mapping[str, Any], *, nonce: str, now: int
) -> str:
    """The email address an ID token vouches for, lower-cased; SignInRefused for anything short
    of it (the signature is checked before, in adapters/oidc.py)."""
    if claims.get("iss") != provider.issuer_url:
        raise SignInRefused("issuer")
    audiences = _audiences(claims)
    if provider.client_id not in audiences:
        raise SignInRefused("audience")
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SignInRefused("authorized party")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or exp + LEEWAY_SECONDS < now:
        raise SignInRefused("expired")
    if not isinstance(iat, int) or iat - LEEWAY_SECONDS > now:
        raise SignInRefused("issued in the future")
    if not nonce or claims.get("nonce") != nonce:
        raise SignInRefused("nonce")
    if provider.kind == "microsoft":
        if claims.get("tid") != provider.tenant_id:
            raise SignInRefused("tenant")
        # In the trust's own tenant the trust's administrators own every username; Entra's
        # optional `email` claim is used when it is sent, else the sign-in name.
        email = claims.get("email") or claims.get("preferred_username")
        if claims.get("email_verified") is False:
            raise SignInRefused("email not verified")
    else:
        if provider.kind == "google" and claims.get("hd") not in provider.domains:
            raise SignInRefused("hosted domain")
        if claims.get("email_verified") is not True:
            raise SignInRefused("email not verified")
        email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SignInRefused("no email")
    email = email.strip().casefold()
    if provider.domains and email.rsplit("@", 1)[1] not in provider.domains:
        raise SignInRefused("email domain")
    return email


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path on this site only (never //host or a URL)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    if any(ord(c) < 32 for c in path) or len(path) > 500:
        return "/"
    return path
