"""Rotating the signing key without signing everyone out (issue 13, item 5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from growthcycle.adapters.keys import KeyRingInvalid, parse_ring
from growthcycle.domain.tokens import Signer, TokenInvalid

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
OLD = "o" * 40
NEW = "n" * 40


def ring(previous_until: datetime | None = NOW + timedelta(days=14)) -> str:
    previous = (
        [{"id": "", "key": OLD, "until": previous_until.isoformat()}] if previous_until else []
    )
    return json.dumps({"current": {"id": "k2", "key": NEW}, "previous": previous})


def test_tokens_and_forms_made_before_a_rotation_still_verify_until_the_old_key_expires() -> None:
    before = parse_ring(OLD, NOW)  # a single key, as every stack had before rotation
    token = before.sign("sign-in", {"p": "emma"}, now=NOW, ttl=timedelta(days=14))
    csrf = before.csrf_for("session:abc")

    after = parse_ring(ring(), NOW)
    assert after.verify("sign-in", token, now=NOW)["p"] == "emma"
    assert after.check_csrf("session:abc", csrf)
    fresh = after.sign("sign-in", {"p": "emma"}, now=NOW, ttl=timedelta(minutes=30))
    assert after.verify("sign-in", fresh, now=NOW)["k"] == "k2"
    with pytest.raises(TokenInvalid):
        before.verify("sign-in", fresh, now=NOW)  # the old ring does not know k2

    # Once the old key's time is up (or in an emergency) its tokens are refused.
    later = NOW + timedelta(days=15)
    with pytest.raises(TokenInvalid):
        parse_ring(ring(), later).verify("sign-in", token, now=NOW)
    with pytest.raises(TokenInvalid):
        parse_ring(ring(previous_until=None), NOW).verify("sign-in", token, now=NOW)


def test_an_instance_that_has_not_seen_the_rotation_reloads_once_for_a_new_key() -> None:
    calls = []

    def reload() -> Signer:
        calls.append(1)
        return parse_ring(ring(), NOW)

    stale = parse_ring(OLD, NOW, reload=reload)
    fresh = parse_ring(ring(), NOW).sign("s", {"p": "x"}, now=NOW, ttl=timedelta(minutes=5))
    assert stale.verify("s", fresh, now=NOW)["p"] == "x"
    assert calls == [1]
    # A key nobody holds is refused after the one reload, not looped on.
    forged = Signer(b"f" * 40, key_id="k9").sign("s", {"p": "x"}, now=NOW, ttl=timedelta(1))
    with pytest.raises(TokenInvalid):
        stale.verify("s", forged, now=NOW)
    assert calls == [1, 1]


def test_a_tampered_key_id_or_payload_is_refused() -> None:
    signer = parse_ring(ring(), NOW)
    token = signer.sign("s", {"p": "emma"}, now=NOW, ttl=timedelta(minutes=5))
    body, mac = token.split(".")
    other = Signer(OLD.encode()).sign("s", {"p": "emma", "k": "k2"}, now=NOW, ttl=timedelta(1))
    for bad in (f"{other.split('.')[0]}.{mac}", f"{body}.x{mac[1:]}", "e30.abc", "!!.??"):
        with pytest.raises(TokenInvalid):
            signer.verify("s", bad, now=NOW)


def test_a_secret_that_is_no_ring_says_so() -> None:
    for bad in ("short", '{"current": {"id": "k", "key": "tiny"}}', '{"nothing": 1}'):
        with pytest.raises(KeyRingInvalid):
            parse_ring(bad, NOW)


def test_two_rotations_in_one_second_make_two_keys() -> None:
    from growthcycle.adapters.keys import rotate

    class Secrets:
        value = OLD

        def get_secret_value(self, SecretId: str) -> dict[str, str]:
            return {"SecretString": self.value}

        def put_secret_value(self, SecretId: str, SecretString: str) -> None:
            self.value = SecretString

    sm = Secrets()
    first = rotate("arn", keep_days=14, secrets_client=sm)["current"]
    second = rotate("arn", keep_days=14, secrets_client=sm)["current"]
    assert first != second
    ring = json.loads(sm.value)
    assert ring["current"]["id"] == second and ring["previous"][0]["id"] == first
