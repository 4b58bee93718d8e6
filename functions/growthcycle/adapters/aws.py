"""boto3 clients, built lazily and once per process (short cold starts, simple tests).

boto3 honours `AWS_ENDPOINT_URL`, which is how the local stack points everything at moto.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=3, read_timeout=10
)


@cache
def client(service: str) -> Any:
    return boto3.client(service, config=_CONFIG)


def reset_clients() -> None:
    """Forget cached clients (tests that switch between moto instances)."""
    client.cache_clear()
