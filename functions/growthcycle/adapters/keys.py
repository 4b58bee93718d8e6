"""The link- and session-signing keys, read from Secrets Manager (issue 13, item 5: rotation
without signing everyone out).

The secret holds either one key (a string of at least 32 characters: a stack from before
rotation existed) or a key ring as JSON:

    {"current": {"id": "k20261204", "key": "..."},
     "previous": [{"id": "k20251201", "key": "...", "until": "2026-12-18T21:00:00+00:00"}]}

Tokens are signed with the current key; a previous key is still accepted until its `until`
(the longest a link lives, after the rotation), so links and sessions made before a rotation keep
working. `rotate` makes a new current key and keeps the old one as previous; `emergency` keeps
none (a key that may have leaked: every link and session ends at once).

Each function reads the ring once per five minutes, and again at once when a token names a key it
does not know (another instance picked up a rotation first), so a rotation needs no redeploy.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from growthcycle.adapters.aws import client
from growthcycle.domain.tokens import Signer

MIN_KEY_LENGTH = 32
RELOAD_SECONDS = 300
_rings: dict[str, tuple[float, Signer]] = {}


class KeyRingInvalid(RuntimeError):
    """The secret holds no usable key."""


def _key(text: Any, where: str) -> bytes:
    if not isinstance(text, str) or len(text) < MIN_KEY_LENGTH:
        raise KeyRingInvalid(f"{where}: a key of at least {MIN_KEY_LENGTH} characters is needed")
    return text.encode()


def parse_ring(secret: str, now: datetime, reload: Any = None) -> Signer:
    """The signer for a secret's value: a single key, or a key ring (module docstring)."""
    if not secret.lstrip().startswith("{"):
        return Signer(_key(secret, "the signing key"), reload=reload)
    try:
        ring = json.loads(secret)
        current = ring["current"]
        previous = {
            str(old["id"]): _key(old["key"], f"previous key {old['id']}")
            for old in ring.get("previous", [])
            if datetime.fromisoformat(old["until"]) > now
        }
        return Signer(
            _key(current["key"], "the current key"),
            key_id=str(current["id"]),
            previous=previous,
            reload=reload,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise KeyRingInvalid(f"the signing key secret is not a key ring: {error}") from error


def _read(secret_arn: str) -> str:
    return str(client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])


def _fresh(secret_arn: str) -> Signer:
    """The ring as the secret holds it now, cached; the signer returned does not reload again
    (a token naming a key nobody holds is refused, not looped on)."""
    loaded = parse_ring(_read(secret_arn), datetime.now(UTC), reload=lambda: _fresh(secret_arn))
    _rings[secret_arn] = (time.monotonic(), loaded)
    return replace(loaded, reload=None)


def signer(secret_arn: str) -> Signer:
    """The signer for the key ring in `secret_arn`, read at most every five minutes."""
    found = _rings.get(secret_arn)
    if found is not None and time.monotonic() - found[0] < RELOAD_SECONDS:
        return found[1]
    _fresh(secret_arn)
    return _rings[secret_arn][1]


def cache_clear() -> None:
    _rings.clear()


signer.cache_clear = cache_clear  # type: ignore[attr-defined]  # as functools caches say it


def rotate(
    secret_arn: str, *, keep_days: int, emergency: bool = False, secrets_client: Any = None
) -> dict[str, Any]:
    """A new current key; the old one stays valid for `keep_days` (the longest a link lives),
    or, in an emergency, nothing old stays valid. Returns a summary without any key."""
    sm = secrets_client or client("secretsmanager")
    now = datetime.now(UTC)
    old = parse_ring(str(sm.get_secret_value(SecretId=secret_arn)["SecretString"]), now)
    new_id = f"k{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"  # unique, even twice a second
    previous: list[dict[str, str]] = []
    if not emergency:
        until = (now + timedelta(days=keep_days)).isoformat()
        # Only the key just replaced: keys before it have had their time (rotate again only
        # after `keep_days`, or links signed two rotations ago stop working early).
        previous.append({"id": old.key_id, "key": old.key.decode(), "until": until})
    ring = {"current": {"id": new_id, "key": secrets.token_urlsafe(48)}, "previous": previous}
    sm.put_secret_value(SecretId=secret_arn, SecretString=json.dumps(ring))
    _rings.pop(secret_arn, None)
    return {
        "current": new_id,
        "still_accepted": [p["id"] or "(the key before rotation)" for p in previous],
        "until": previous[0]["until"] if previous else None,
    }
