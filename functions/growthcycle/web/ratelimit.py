"""Rate limits for sign-in link requests and token guesses: a fixed-window counter in the table.

One item per (bucket, subject, window): `pk=RATE#<bucket>#<hash of subject>`, `sk=WINDOW#<start>`,
with `hits` (N) and `expires_at` (the table's TTL removes it after the window). A hit is one
conditional atomic `ADD hits :one` that succeeds only while `hits < limit`, so concurrent requests
cannot overshoot and there is no read-then-write race. Subjects (an email address, an IP address)
are hashed: the table never holds them in a rate item.

How to use it from a route (another token route, a statement link, can do the same):

    from growthcycle.web.ratelimit import TOKEN_GUESSES, client_ip, hit

    hit(TOKEN_GUESSES, client_ip(app.current_event))   # after a token failed to verify

`hit` raises `RateLimited` when the window is full; web/core.py turns that into a plain-words 429
page with a Retry-After header. Limits are per client IP (API Gateway's `sourceIp`, which a
client cannot forge with headers) and generous, because a whole school may share one address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from growthcycle.adapters.store import _to_item
from growthcycle.web.errors import PageError
from growthcycle.web.services import services


@dataclass(frozen=True)
class Limit:
    bucket: str
    limit: int
    window_seconds: int


# A school behind one address may send many at 08:00; one address of one person needs few.
SIGN_IN_BY_IP = Limit("sign-in-ip", limit=120, window_seconds=15 * 60)
SIGN_IN_BY_EMAIL = Limit("sign-in-email", limit=5, window_seconds=15 * 60)
# Wrong, expired or used link tokens from one address (a right token is never counted).
TOKEN_GUESSES = Limit("token-guess", limit=30, window_seconds=15 * 60)


class RateLimited(PageError):
    status = 429
    title = "Please wait a few minutes"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def rate_key(limit: Limit, subject: str, window_start: int) -> dict[str, str]:
    digest = hashlib.sha256(f"{limit.bucket}:{subject}".encode()).hexdigest()[:32]
    return {"pk": f"RATE#{limit.bucket}#{digest}", "sk": f"WINDOW#{window_start}"}


def hit(limit: Limit, subject: str) -> None:
    """Count one request for `subject` in the current window, or raise RateLimited if full."""
    svc = services()
    now = int(svc.clock.now().timestamp())
    start = now - now % limit.window_seconds
    end = start + limit.window_seconds
    try:
        svc.store.db.update_item(
            TableName=svc.store.table_name,
            Key=_to_item(rate_key(limit, subject, start)),
            UpdateExpression="ADD hits :one SET expires_at = :expires",
            ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
            ExpressionAttributeValues=_to_item(
                {":one": 1, ":limit": limit.limit, ":expires": end + 60}
            ),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        raise RateLimited(
            "There have been too many attempts from here in the last few minutes, so we have "
            "paused them for a while. Nothing has changed. Please try again in a few minutes.",
            retry_after=end - now,
        ) from None


def client_ip(event: Any) -> str:
    """The caller's address as API Gateway saw it (not a header the caller could set)."""
    try:
        return str(event.request_context.http.source_ip or "unknown")
    except (AttributeError, KeyError):
        return "unknown"
