"""Fault injection: DynamoDB and SES clients that fail chosen operations, the way AWS does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def aws_error(code: str, operation: str = "Operation", status: int = 400) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": f"injected {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


class FaultyClient:
    """Wraps a boto3 client: the next calls of an operation raise the queued errors."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.faults: dict[str, list[BaseException]] = {}
        self.after: dict[str, list[BaseException]] = {}
        self.calls: list[str] = []

    def fail(self, operation: str, *errors: BaseException) -> None:
        self.faults.setdefault(operation, []).extend(errors)

    def fail_after(self, operation: str, *errors: BaseException) -> None:
        """The next calls of `operation` reach AWS and take effect, then raise: the answer was
        lost (a read timeout after SES accepted the email, or the process died)."""
        self.after.setdefault(operation, []).extend(errors)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.real, name)
        if not callable(attr) or name.startswith("_") or name in ("get_paginator", "meta"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            queued = self.faults.get(name)
            if queued:
                raise queued.pop(0)
            answer = attr(*args, **kwargs)
            lost = self.after.get(name)
            if lost:
                raise lost.pop(0)
            return answer

        return call


@pytest.fixture
def faulty_dynamodb(aws: Any, monkeypatch: pytest.MonkeyPatch) -> FaultyClient:
    """Every Store (the web layer's, the mailer's) talks to DynamoDB through one FaultyClient."""
    from growthcycle.adapters.store import Store

    faulty = FaultyClient(aws("dynamodb"))
    monkeypatch.setattr(Store, "db", property(lambda self: faulty))
    return faulty


@pytest.fixture
def faulty_ses(aws: Any, monkeypatch: pytest.MonkeyPatch) -> FaultyClient:
    """The mailer's SES v2 client, through a FaultyClient."""
    from growthcycle.adapters import delivery

    faulty = FaultyClient(aws("sesv2"))
    monkeypatch.setattr(delivery, "client", lambda service: faulty)
    return faulty


class Crash(BaseException):
    """The Lambda runtime ending the process (a timeout, out of memory): no `except Exception`
    runs, nothing is given back, only what was already written stays."""


Injector = Callable[..., None]
