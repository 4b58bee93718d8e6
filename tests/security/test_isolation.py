"""Isolation between schools (issue 6): a person of another school walks every GET route, pointed
at Oakfield's people and their records, and sees nothing of them (7: confidentiality)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Browser
from tests.security.routes import registered_routes

OUTSIDERS = [
    "riverside-academy.ra001",  # headteacher of the other school
    "riverside-academy.ra002",  # line manager and CPD lead there
    "riverside-academy.ra010",  # a governor there
]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_nobody_from_another_school_sees_anything_of_this_one(
    browser: Browser, demo: Any, outsider: str
) -> None:
    oakfield = [p for p in demo.people.values() if p.school_id == "oakfield-primary"]
    browser.act_as(outsider)
    for route in registered_routes():
        if route.method != "GET":
            continue
        for person in oakfield:
            path = route.path(person_id=person.person_id)
            if path.startswith("/_local"):
                continue
            result = browser.get(path)
            assert result["statusCode"] < 500, path
            body = result.get("body") or ""
            for other in oakfield:
                assert other.email not in body, (path, "shows an Oakfield email")
                if f"{other.first_name} {other.last_name}" in body:
                    pytest.fail(f"{path} shows {other.person_id}'s name to {outsider}")
            if "<person_id>" not in route.template:
                break
