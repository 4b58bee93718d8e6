"""A small OpenID Connect provider on 127.0.0.1, standing in for Microsoft Entra ID or Google in the
demo ("Sign in with the demo provider") and in the tests (issue 16, part 1). Never deployed.

It serves what a real provider does for the authorization code flow with PKCE: the discovery
document, its keys (RS256), an authorize page (choose one of the accounts it was given; nothing
to type) and the token endpoint, which checks the code, the client, the redirect address and
the PKCE verifier, then signs an ID token with the nonce it was sent.

Tests bend it to make bad tokens: `claims` overrides (or, as None, removes) claims of the next
tokens; `sign_with_unknown_key` signs with a key its keys document does not list.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Grant:
    email: str
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str


@dataclass
class DemoProvider:
    client_id: str = "growthcycle-demo"
    accounts: Callable[[], Iterable[tuple[str, str]]] = lambda: ()  # (email, name) to choose from
    claims: dict[str, Any] = field(default_factory=dict)  # overrides; None removes a claim
    sign_with_unknown_key: bool = False
    tenant_id: str | None = None  # adds `tid`, as Entra does
    hosted_domain: str | None = None  # adds `hd`, as Google Workspace does
    host: str = "127.0.0.1"
    port: int = 0
    _key: RSAKey = field(init=False)
    _grants: dict[str, Grant] = field(default_factory=dict, init=False)
    _server: ThreadingHTTPServer | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8)})

    @property
    def issuer(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> DemoProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                provider._get(self)

            def do_POST(self) -> None:
                provider._post(self)

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- what the flow asks for -------------------------------------------------------------------

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: Any, kind: str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _get(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._send(
                h,
                200,
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "jwks_uri": f"{self.issuer}/jwks",
                    "response_types_supported": ["code"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                },
                "application/json",
            )
        elif url.path == "/jwks":
            self._send(h, 200, {"keys": [self._key.as_dict(private=False)]}, "application/json")
        elif url.path == "/authorize":
            self._authorize(h, query)
        else:
            self._send(h, 404, "not found", "text/plain")

    def _authorize(self, h: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        if query.get("client_id") != self.client_id or query.get("code_challenge_method") != "S256":
            self._send(h, 400, "unknown client or no PKCE", "text/plain")
            return
        email = query.get("login_hint") or query.get("account")
        if not email:  # the demo: choose an account (a link each; this page is the provider's)
            items = "".join(
                f'<li><a href="/authorize?{html.escape(urlencode({**query, "account": e}))}">'
                f"{html.escape(n)} ({html.escape(e)})</a></li>"
                for e, n in self.accounts()
            )
            page = (
                '<!doctype html><html lang="en-GB"><meta name="viewport" '
                'content="width=device-width, initial-scale=1"><title>Demo provider</title>'
                f"<h1>The demo sign-in provider</h1><p>Choose an account.</p><ul>{items}</ul>"
            )
            self._send(h, 200, page, "text/html; charset=utf-8")
            return
        code = secrets.token_urlsafe(24)
        self._grants[code] = Grant(
            email=email,
            client_id=self.client_id,
            redirect_uri=query.get("redirect_uri", ""),
            nonce=query.get("nonce"),
            challenge=query.get("code_challenge", ""),
        )
        back = f"{query.get('redirect_uri')}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        h.send_response(302)
        h.send_header("Location", back)
        h.end_headers()

    def _post(self, h: BaseHTTPRequestHandler) -> None:
        if urlsplit(h.path).path != "/token":
            self._send(h, 404, "not found", "text/plain")
            return
        length = int(h.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(h.rfile.read(length).decode()).items()}
        grant = self._grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if (
            grant is None
            or form.get("client_id") != grant.client_id
            or form.get("redirect_uri") != grant.redirect_uri
            or challenge != grant.challenge
        ):
            self._send(h, 400, {"error": "invalid_grant"}, "application/json")
            return
        self._send(
            h, 200, {"id_token": self.id_token(grant), "token_type": "Bearer"}, "application/json"
        )

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "sub": hashlib.sha256(grant.email.encode()).hexdigest()[:24],
            "email": grant.email,
            "email_verified": True,
            "iat": now,
            "exp": now + 300,
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        if self.tenant_id:
            claims["tid"] = self.tenant_id
        if self.hosted_domain:
            claims["hd"] = self.hosted_domain
        for name, value in self.claims.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = self._key
        if self.sign_with_unknown_key:
            key = RSAKey.generate_key(2048, parameters={"kid": "unknown"})
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
