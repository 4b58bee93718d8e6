"""OpenID Connect over the network (issue 16, part 1): the provider's discovery document and keys
(cached), the code exchange, the ID token's signature, and the trust's providers in the table.

The claims' rules are domain/sign_in_providers.py `verified_email`; this module checks only the
signature, with joserfc (not hand-written JWT code), against the provider's published keys. An
unknown key id fetches the keys once more (providers rotate them), then refuses.

| item | pk | sk | holds |
|---|---|---|---|
| the trust's providers | `TRUST` | `SIGN-IN` | `providers`: JSON list (written by put_trust) |
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from growthcycle.adapters.aws import client
from growthcycle.adapters.store import Store
from growthcycle.domain.sign_in_providers import SignInProvider, SignInRefused

if TYPE_CHECKING:
    from joserfc.jwk import KeySet

TIMEOUT_SECONDS = 5
CACHE_SECONDS = 3600  # discovery documents and keys: refetched hourly, or on an unknown key
ALGORITHMS = ["RS256", "ES256"]  # what Entra and Google sign with; never "none" or HS*

_cache: dict[str, tuple[float, Any]] = {}


def reset_cache() -> None:
    _cache.clear()


def _get_json(url: str) -> Any:
    _check_url(url)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310
        return json.loads(response.read(1_000_000))


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise SignInRefused(f"not an https address: {url}")


def _cached(
    key: str, fetch: Callable[[], Any], *, fresh: bool = False, seconds: int = CACHE_SECONDS
) -> Any:
    found = _cache.get(key)
    if found and not fresh and time.monotonic() - found[0] < seconds:
        return found[1]
    value = fetch()
    _cache[key] = (time.monotonic(), value)
    return value


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    jwks: str


def endpoints(provider: SignInProvider) -> Endpoints:
    """The provider's endpoints from its discovery document, which must name its own issuer."""
    issuer = provider.issuer_url

    def fetch() -> Endpoints:
        document = _get_json(f"{issuer}/.well-known/openid-configuration")
        if document.get("issuer") != issuer:
            raise SignInRefused("discovery document for another issuer")
        found = Endpoints(
            authorization=str(document["authorization_endpoint"]),
            token=str(document["token_endpoint"]),
            jwks=str(document["jwks_uri"]),
        )
        for url in (found.authorization, found.token, found.jwks):
            _check_url(url)
        return found

    return _cached(f"discovery:{issuer}", fetch)


def _keys(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    from joserfc.jwk import KeySet  # joserfc and cryptography load on a sign-in, not at start

    return _cached(
        f"jwks:{jwks_uri}", lambda: KeySet.import_key_set(_get_json(jwks_uri)), fresh=fresh
    )


def _client_secret(arn: str) -> str:
    return _cached(
        f"secret:{arn}",
        lambda: client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"],
    )


def exchange_code(
    provider: SignInProvider, *, code: str, redirect_uri: str, code_verifier: str
) -> str:
    """The ID token for an authorization code (PKCE: the verifier the flow began with)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": provider.client_id,
        "code_verifier": code_verifier,
    }
    if provider.client_secret_arn:
        form["client_secret"] = _client_secret(provider.client_secret_arn)
    url = endpoints(provider).token
    _check_url(url)
    request = urllib.request.Request(  # noqa: S310 - https (or this machine), checked above
        url,
        data=urllib.parse.urlencode(form).encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310
            answer = json.loads(response.read(1_000_000))
    except urllib.error.HTTPError as error:
        raise SignInRefused(f"token endpoint answered {error.code}") from error
    token = answer.get("id_token")
    if not isinstance(token, str):
        raise SignInRefused("no id_token")
    return token


def verified_claims(provider: SignInProvider, id_token: str) -> dict[str, Any]:
    """The ID token's claims once its signature is checked against the provider's keys."""
    from joserfc import jwt
    from joserfc.errors import InvalidKeyIdError, JoseError

    jwks_uri = endpoints(provider).jwks
    for fresh in (False, True):
        try:
            return dict(jwt.decode(id_token, _keys(jwks_uri, fresh=fresh), ALGORITHMS).claims)
        except InvalidKeyIdError as error:  # no key with the token's kid: fetch once more
            if fresh:
                raise SignInRefused("signed by an unknown key") from error
        except (JoseError, ValueError) as error:  # a bad signature, or not a JWT at all
            raise SignInRefused(f"signature: {error}") from error
    raise SignInRefused("signature")  # pragma: no cover - the loop returns or raises


# -- the trust's providers, as put_trust mirrored them ------------------------------------------


def put_providers(store: Store, providers: tuple[SignInProvider, ...]) -> None:
    store.db.put_item(
        TableName=store.table_name,
        Item={
            "pk": {"S": "TRUST"},
            "sk": {"S": "SIGN-IN"},
            "providers": {"S": json.dumps([p.model_dump(mode="json") for p in providers])},
        },
    )
    _cache.pop(f"providers:{store.table_name}", None)


PROVIDERS_SECONDS = 60  # a deploy's change reaches running functions within a minute


def providers(store: Store) -> tuple[SignInProvider, ...]:
    """The trust's providers: one GetItem a minute per running function."""
    return _cached(
        f"providers:{store.table_name}", lambda: _read_providers(store), seconds=PROVIDERS_SECONDS
    )


def _read_providers(store: Store) -> tuple[SignInProvider, ...]:
    found = store.db.get_item(
        TableName=store.table_name, Key={"pk": {"S": "TRUST"}, "sk": {"S": "SIGN-IN"}}
    )
    raw = found.get("Item", {}).get("providers", {}).get("S")
    if not raw:
        return ()
    return tuple(SignInProvider.model_validate(p) for p in json.loads(raw))
