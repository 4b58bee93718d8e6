"""The OpenAPI document is generated from the resolver's routes: valid, and complete."""

from __future__ import annotations

from openapi_spec_validator import validate

from growthcycle.web.openapi import document, openapi_path
from tests.security.routes import registered_routes


def test_the_document_is_valid_openapi_3() -> None:
    validate(document())  # type: ignore[arg-type]


def test_every_registered_route_is_in_the_document_with_its_path_parameters() -> None:
    paths = document()["paths"]
    for route in registered_routes():
        operation = paths[openapi_path(route.template)][route.method.lower()]
        assert [p["name"] for p in operation["parameters"]] == route.params


def test_every_post_documents_an_urlencoded_body_with_its_csrf_token() -> None:
    for route in registered_routes():
        if route.method == "POST":
            operation = document()["paths"][openapi_path(route.template)]["post"]
            body = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]
            assert body["schema"]["required"] == ["_csrf"], route
