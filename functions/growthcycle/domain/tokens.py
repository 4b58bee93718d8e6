"""Signed tokens for sessions and CSRF: HMAC-SHA256 over a small JSON payload.

The key comes from Secrets Manager (adapters/keys.py); nothing here knows where it lives.
Every token carries at least 128 bits of randomness (`n`), so two tokens are never alike.

Rotation without signing everyone out (issue 13, item 5): a token names the key it was signed
with (`k`, its id; none for a key from before rotation existed). A signer signs with its current
key and accepts the previous keys it was given, so links and sessions made before a rotation keep
working until they expire. A token naming a key the signer does not know asks `reload` once (the
key ring as the secret holds it now: another instance may have rotated first) before refusing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


class TokenInvalid(Exception):
    """The token was tampered with, malformed or made with another key."""


class TokenExpired(Exception):
    """The token was genuine but is past its expiry."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Signer:
    key: bytes  # the current key: everything new is signed with it
    key_id: str = ""  # "" for a key from before rotation (its tokens carry no `k`)
    previous: Mapping[str, bytes] = field(default_factory=dict)  # id -> key, still accepted
    reload: Callable[[], Signer] | None = field(default=None, compare=False, repr=False)

    def _keys(self) -> dict[str, bytes]:
        return {**self.previous, self.key_id: self.key}

    def _mac(self, purpose: str, body: str, key: bytes | None = None) -> str:
        digest = hmac.new(key or self.key, f"{purpose}.{body}".encode(), hashlib.sha256).digest()
        return _b64(digest)

    def sign(self, purpose: str, payload: dict[str, Any], *, now: datetime, ttl: timedelta) -> str:
        body = {**payload, "n": secrets.token_urlsafe(16), "exp": int((now + ttl).timestamp())}
        if self.key_id:
            body["k"] = self.key_id
        encoded = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{encoded}.{self._mac(purpose, encoded)}"

    def verify(self, purpose: str, token: str, *, now: datetime) -> dict[str, Any]:
        encoded, _, mac = token.partition(".")
        if not encoded or not mac or len(token) > 2048:
            raise TokenInvalid("malformed token")
        try:
            payload: dict[str, Any] = json.loads(_unb64(encoded))
        except ValueError as error:
            raise TokenInvalid("unreadable payload") from error
        if not isinstance(payload, dict):
            raise TokenInvalid("unreadable payload")
        key_id = str(payload.get("k", ""))
        key = self._keys().get(key_id)
        if key is None:
            if self.reload is not None:
                return self.reload().verify(purpose, token, now=now)
            raise TokenInvalid("signed with a key this signer does not hold")
        if not hmac.compare_digest(
            mac.encode("utf-8", "surrogatepass"), self._mac(purpose, encoded, key).encode()
        ):
            raise TokenInvalid("bad signature")
        if int(payload.get("exp", 0)) < now.timestamp():
            raise TokenExpired("token expired")
        return payload

    def csrf_for(self, binding: str) -> str:
        """A CSRF token bound to a session (or an emailed link): stateless, unforgeable."""
        return self._mac("csrf", binding)

    def check_csrf(self, binding: str, token: str) -> bool:
        """Made with the current key, or a previous one (a form shown before a rotation)."""
        given = (token or "").encode("utf-8", "surrogatepass")
        return any(
            hmac.compare_digest(self._mac("csrf", binding, key).encode(), given)
            for key in self._keys().values()
        )
