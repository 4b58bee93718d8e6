"""Signed tokens for sessions and CSRF: HMAC-SHA256 over a small JSON payload.

The key comes from Secrets Manager (adapters/keys.py); nothing here knows where it lives.
Every token carries at least 128 bits of randomness (`n`), so two tokens are never alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
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
    key: bytes

    def _mac(self, purpose: str, body: str) -> str:
        digest = hmac.new(self.key, f"{purpose}.{body}".encode(), hashlib.sha256).digest()
        return _b64(digest)

    def sign(self, purpose: str, payload: dict[str, Any], *, now: datetime, ttl: timedelta) -> str:
        body = {**payload, "n": secrets.token_urlsafe(16), "exp": int((now + ttl).timestamp())}
        encoded = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{encoded}.{self._mac(purpose, encoded)}"

    def verify(self, purpose: str, token: str, *, now: datetime) -> dict[str, Any]:
        encoded, _, mac = token.partition(".")
        if not encoded or not mac or len(token) > 2048:
            raise TokenInvalid("malformed token")
        if not hmac.compare_digest(
            mac.encode("utf-8", "surrogatepass"), self._mac(purpose, encoded).encode()
        ):
            raise TokenInvalid("bad signature")
        try:
            payload: dict[str, Any] = json.loads(_unb64(encoded))
        except ValueError as error:
            raise TokenInvalid("unreadable payload") from error
        if int(payload.get("exp", 0)) < now.timestamp():
            raise TokenExpired("token expired")
        return payload

    def csrf_for(self, binding: str) -> str:
        """A CSRF token bound to a session (or an emailed link): stateless, unforgeable."""
        return self._mac("csrf", binding)

    def check_csrf(self, binding: str, token: str) -> bool:
        return hmac.compare_digest(
            self.csrf_for(binding).encode(), (token or "").encode("utf-8", "surrogatepass")
        )
