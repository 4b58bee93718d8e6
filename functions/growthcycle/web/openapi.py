"""An OpenAPI 3 document of the HTTP API, generated from the routes registered on the resolver.

Nothing here is a hand-kept list of routes: every route module that web/app.py imports shows up,
with its method, path, path parameters, an urlencoded body for POSTs (every one carries `_csrf`)
and HTML responses. The fuzz tests (tests/fuzz/) feed this document to schemathesis.

    from growthcycle.web.openapi import document
    document()  # a dict, ready for json.dumps
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Fields a route's form is known to send besides `_csrf` (the forms' own fields come from YAML
# and vary by form, so those routes say only what every form sends).
KNOWN_FORM_FIELDS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("POST", "/sign-in"): {"email": {"type": "string", "maxLength": 320}},
    ("POST", "/people/{person_id}/forms/{form_id}"): {
        "_version": {"type": "string", "pattern": "^[0-9]{0,6}$"},
        "_action": {"type": "string"},
    },
}

_PARAM = re.compile(r"<(\w+)>")
_HTML = {"text/html": {"schema": {"type": "string"}}}
_STATUS_TEXT = {
    "200": "The page",
    "303": "Done: go to the page in Location",
    "400": "Something in the request could not be used (an HTML page says what)",
    "401": "Sign in first (the sign-in page)",
    "403": "Not allowed, or the form's CSRF token was missing or wrong",
    "404": "Nothing at this address for you (also another school's records)",
    "409": "Saved elsewhere in the meantime; the answers are shown again",
    "413": "The form was too large",
    "422": "The answers need correcting; they are shown again with the errors",
    "429": "Too many attempts; Retry-After says when to try again",
    "503": "AWS was too busy; nothing was saved; try again",
}


def _routes() -> Iterator[tuple[str, str, Any]]:
    from growthcycle.web.app import app

    seen: set[tuple[str, str]] = set()
    for route in [*app._static_routes, *app._dynamic_routes]:
        methods = route.method if isinstance(route.method, list | tuple) else [route.method]
        for method in methods:
            key = (str(method).upper(), str(route.path))
            if key not in seen:
                seen.add(key)
                yield key[0], key[1], route.func


def openapi_path(path: str) -> str:
    return _PARAM.sub(r"{\1}", path)


def _operation(method: str, path: str, func: Any) -> dict[str, Any]:
    doc = (func.__doc__ or "").strip().splitlines()
    params = _PARAM.findall(path)
    templated = openapi_path(path)
    op: dict[str, Any] = {
        "operationId": f"{method.lower()}_{func.__name__}",
        "summary": doc[0] if doc else func.__name__.replace("_", " "),
        "tags": [func.__module__.rsplit(".", 1)[-1]],
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in params
        ],
    }
    codes = ["200", "303", "400", "401", "403", "404", "429", "503"]
    if method == "POST":
        fields = {"_csrf": {"type": "string"}, **KNOWN_FORM_FIELDS.get((method, templated), {})}
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": fields,
                        "required": ["_csrf"],
                        "additionalProperties": {"type": "string"},
                    }
                }
            },
        }
        codes += ["409", "413", "422"]
    responses: dict[str, Any] = {}
    for code in sorted(codes):
        response: dict[str, Any] = {"description": _STATUS_TEXT[code]}
        if code != "303":
            response["content"] = _content_for(path)
        responses[code] = response
    op["responses"] = responses
    return op


def _content_for(path: str) -> dict[str, Any]:
    if path == "/healthz":
        return {"text/plain": {"schema": {"type": "string"}}}
    if path.startswith("/static/"):
        return {
            "text/css": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
            "image/svg+xml": {"schema": {"type": "string"}},
        }
    return _HTML


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path, func in _routes():
        paths.setdefault(openapi_path(path), {})[method.lower()] = _operation(method, path, func)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Growth Cycle",
            "version": "1",
            "description": (
                "Server-rendered HTML pages. Every POST is an urlencoded form with a CSRF "
                "token; nothing changes on GET. Generated from the resolver's routes."
            ),
        },
        "paths": dict(sorted(paths.items())),
    }
