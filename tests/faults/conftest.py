"""Fault injection: a DynamoDB client that fails chosen operations, the way AWS does."""

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
        self.faults: dict[str, list[Exception]] = {}
        self.calls: list[str] = []

    def fail(self, operation: str, *errors: Exception) -> None:
        self.faults.setdefault(operation, []).extend(errors)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.real, name)
        if not callable(attr) or name.startswith("_") or name in ("get_paginator", "meta"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            queued = self.faults.get(name)
            if queued:
                raise queued.pop(0)
            return attr(*args, **kwargs)

        return call


@pytest.fixture
def faulty_dynamodb(aws: Any, monkeypatch: pytest.MonkeyPatch) -> FaultyClient:
    """Every Store (the web layer's, the mailer's) talks to DynamoDB through one FaultyClient."""
    from growthcycle.adapters.store import Store

    faulty = FaultyClient(aws("dynamodb"))
    monkeypatch.setattr(Store, "db", property(lambda self: faulty))
    return faulty


Injector = Callable[..., None]
