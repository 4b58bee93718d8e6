"""Builders for API Gateway HTTP API (v2) events and Lambda contexts, shared by the tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from growthcycle.local.server import to_event


@dataclass
class FakeContext:
    function_name: str = "ApiFunction"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-2:123456789012:function:ApiFunction"
    aws_request_id: str = ""

    def __post_init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def http_event(
    method: str,
    path: str,
    *,
    form: dict[str, Any] | list[tuple[str, str]] | None = None,
    body: str | bytes | None = None,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The same conversion the local stack uses, so tests and the demo send identical events."""
    all_headers = {"host": "127.0.0.1", "user-agent": "pytest"}
    data = b""
    if form is not None:
        data = urlencode(form, doseq=True).encode()
        all_headers["content-type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = body.encode() if isinstance(body, str) else body
    all_headers.update(headers or {})
    if cookies:
        all_headers["cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return to_event(method, path, all_headers, data, "127.0.0.1")


def response_cookies(result: dict[str, Any]) -> dict[str, str]:
    jar: dict[str, str] = {}
    for raw in result.get("cookies") or []:
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(raw)
        for name, morsel in parsed.items():
            jar[name] = morsel.value
    return jar
