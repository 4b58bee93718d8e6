"""Small HTTP helpers: reading form bodies safely, cookies, and HTML responses."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from growthcycle.web.errors import BadRequest, BodyTooLarge

MAX_BODY_BYTES = 128 * 1024
MAX_FIELDS = 600

HTML = "text/html; charset=utf-8"


def form_body(event: Any) -> dict[str, list[str]]:
    """Parse an urlencoded body: oversized or malformed bodies are a clear 4xx, never a 500."""
    content_type = (event.headers or {}).get("content-type", "")
    if content_type and not content_type.startswith("application/x-www-form-urlencoded"):
        raise BadRequest("This page only accepts what its own form sends.")
    raw = event.body or ""
    if event.is_base64_encoded:
        try:
            data = base64.b64decode(raw, validate=True)
        except ValueError as error:
            raise BadRequest("The form arrived damaged. Please try again.") from error
    else:
        data = raw.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BODY_BYTES:
        raise BodyTooLarge(
            "The form was larger than we accept (128 KB). Shorten the longest answers and try again."
        )
    try:
        text = data.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest("The form arrived damaged. Please try again.") from error


def first(form: Mapping[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def cookies(event: Any) -> dict[str, str]:
    jar: dict[str, str] = {}
    for raw in event.cookies or []:
        name, _, value = raw.partition("=")
        jar.setdefault(name.strip(), value.strip())
    return jar


def cookie(name: str, value: str, *, secure: bool, max_age: int | None = None) -> Cookie:
    return Cookie(
        name=name,
        value=value,
        path="/",
        secure=secure,
        http_only=True,
        same_site=SameSite.LAX_MODE,
        max_age=max_age,
    )


def html(
    body: str,
    status: int = 200,
    *,
    cookies: list[Cookie] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        status_code=status,
        content_type=HTML,
        body=body,
        cookies=cookies,
        headers=dict(headers or {}),
    )


def redirect(location: str, *, cookies: list[Cookie] | None = None) -> Response:
    return Response(status_code=303, headers={"Location": location}, body="", cookies=cookies)


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Pages may carry a token in their address (emailed links): never leak it onwards.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def add_security_headers(result: dict[str, Any]) -> dict[str, Any]:
    headers = result.setdefault("headers", {})
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault("Cache-Control", "no-store")
    return result


# -- what the API function does around every request (handlers/api.py) -------------------------


def method_of(event: dict[str, Any]) -> str:
    return str(event.get("requestContext", {}).get("http", {}).get("method", "")).upper()


def as_get(event: dict[str, Any]) -> dict[str, Any]:
    """A HEAD request answered as the GET it asks about (GET never changes anything)."""
    context = event.get("requestContext", {})
    return {
        **event,
        "requestContext": {**context, "http": {**context.get("http", {}), "method": "GET"}},
    }


def without_body(result: dict[str, Any]) -> dict[str, Any]:
    return {**result, "body": "", "isBase64Encoded": False}


def loggable_path(resolver: Any, path: str) -> str:
    """`path` with any link token replaced by `{token}`: tokens never reach a log (the access log
    records no path at all, see template.yaml). Every route with a `<token>` is covered, from the
    resolver's own routes, so a new one needs nothing here."""
    for route in resolver._dynamic_routes:
        found = route.rule.match(path)
        if found and "token" in found.groupdict():
            start, end = found.span("token")
            return f"{path[:start]}{{token}}{path[end:]}"
    return path


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def from_another_site(headers: Mapping[str, str], *, host: str, base_url: str) -> bool:
    """Whether a browser says this request comes from another site (issue 18, item 7).

    `Sec-Fetch-Site` (sent by every current browser) decides first: it must be `same-origin`, or
    `none` (the person's own navigation). Then `Origin`, when it names a web origin, must be this
    site: the base URL's origin, or the request's own host (the local stack answers on whatever
    address it is opened at). An opaque `Origin: null` decides nothing on its own: under this
    site's `Referrer-Policy: no-referrer` browsers send it on the site's own form posts (a
    sandboxed frame elsewhere sends it too, but a browser that sends it there also sends
    `Sec-Fetch-Site: cross-site`). A request with neither header is not from a browser that
    could be tricked into sending it (a script, a test client, the fuzzer), so it goes on to the
    CSRF token like any other."""
    lower = {k.lower(): v for k, v in headers.items()}
    site = lower.get("sec-fetch-site")
    if site is not None and site.strip().lower() not in ("same-origin", "none"):
        return True
    origin = (lower.get("origin") or "").strip()
    if not origin or origin == "null":
        return False
    own = urlsplit(base_url)
    seen = urlsplit(origin)
    if seen.scheme not in ("http", "https") or not seen.netloc:
        return True  # not a web origin at all
    if (seen.scheme, seen.netloc.lower()) == (own.scheme, own.netloc.lower()):
        return False
    # The request's own host (the same host over http is no other site's page: HSTS keeps
    # browsers on https where the site is deployed).
    return seen.netloc.lower() != host.lower()
