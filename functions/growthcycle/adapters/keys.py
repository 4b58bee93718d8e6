"""The link- and session-signing key, read from Secrets Manager once per cold start."""

from __future__ import annotations

from functools import lru_cache

from growthcycle.adapters.aws import client
from growthcycle.domain.tokens import Signer


@lru_cache(maxsize=4)
def signer(secret_arn: str) -> Signer:
    secret = client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    if len(secret) < 32:
        raise RuntimeError("the signing key is too short (at least 32 characters)")
    return Signer(secret.encode())
