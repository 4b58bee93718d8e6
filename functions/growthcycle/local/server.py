"""Serve the app on 127.0.0.1: each HTTP request becomes an API Gateway HTTP API (v2) event and
goes to the very handler Lambda calls. `/_local/...` pages are the local stack's own tools."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from growthcycle.local.stack import LocalContext

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
LocalRoute = Callable[["RequestHandler"], None]

MAX_LOCAL_BODY = 10 * 1024 * 1024  # API Gateway's own limit


def to_event(
    method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str
) -> dict[str, Any]:
    """An API Gateway HTTP API payload v2 event, as AWS would build it."""
    parts = urlsplit(target)
    lower = {k.lower(): v for k, v in headers.items()}
    cookie_header = lower.pop("cookie", "")
    now = datetime.now(UTC)
    query = parse_qs(parts.query, keep_blank_values=True)
    text_types = ("application/x-www-form-urlencoded", "text/", "application/json")
    is_text = lower.get("content-type", "").startswith(text_types)
    try:
        decoded = body.decode("utf-8") if is_text else None
    except UnicodeDecodeError:
        decoded = None
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": lower,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": lower.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lower.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": decoded is None and bool(body),
    }
    if cookie_header:
        event["cookies"] = [c.strip() for c in cookie_header.split(";") if c.strip()]
    if query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
    if body:
        event["body"] = decoded if decoded is not None else base64.b64encode(body).decode()
    return event


class RequestHandler(BaseHTTPRequestHandler):
    server_version = "GrowthCycleLocal"
    sys_version = ""
    handler: Handler
    local_routes: dict[tuple[str, str], LocalRoute]
    after_write: Callable[[], None]

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the app logs structured lines itself

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        local = self.local_routes.get((self.command, path))
        if local is not None:
            local(self)
            return
        if path.startswith("/_local"):
            self.send_text(404, "No such local page. Start at /_local/")
            return
        self.invoke()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_LOCAL_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def invoke(self) -> None:
        try:
            body = self.read_body()
        except ValueError:
            self.send_text(413, "Request body too large")
            return
        event = to_event(
            self.command, self.path, dict(self.headers.items()), body, self.client_address[0]
        )
        # The handler must be safe to call from several threads at once: the demo passes
        # local/workers.ApiWorkers, where each event runs alone in a worker process.
        result = self.handler(event, LocalContext(function_name="ApiFunction"))
        self.write_result(result)
        if self.command not in ("GET", "HEAD", "OPTIONS"):
            self.after_write()

    def write_result(self, result: dict[str, Any]) -> None:
        status = int(result.get("statusCode", 200))
        payload = result.get("body") or ""
        data = (
            base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode("utf-8")
        )
        self.send_response(status)
        for name, value in (result.get("headers") or {}).items():
            self.send_header(name, str(value))
        for cookie in result.get("cookies") or []:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_text(self, status: int, text: str) -> None:
        self.write_result(
            {"statusCode": status, "headers": {"Content-Type": "text/plain"}, "body": text}
        )

    def send_html(self, html: str, status: int = 200, cookies: list[str] | None = None) -> None:
        self.write_result(
            {
                "statusCode": status,
                "headers": {
                    "Content-Type": "text/html; charset=utf-8",
                    "Cache-Control": "no-store",
                    "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer",
                },
                "body": html,
                "cookies": cookies or [],
            }
        )

    def redirect(self, location: str, cookies: list[str] | None = None) -> None:
        self.write_result(
            {"statusCode": 303, "headers": {"Location": location}, "cookies": cookies or []}
        )


def make_server(
    port: int,
    handler: Handler,
    local_routes: dict[tuple[str, str], LocalRoute],
    after_write: Callable[[], None],
) -> ThreadingHTTPServer:
    bound = type(
        "BoundRequestHandler",
        (RequestHandler,),
        {
            "handler": staticmethod(handler),
            "local_routes": local_routes,
            "after_write": staticmethod(after_write),
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), bound)
    server.daemon_threads = True
    return server


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
