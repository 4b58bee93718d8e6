"""What an emailed link's token shows to whoever holds it (issue 18, design point: readable link
tokens). The payload is signed, not encrypted: it is decided (docs/security.md) that it holds
identifiers only, never a name, an address or any of the statement's text, so this test reads
every link a statement email carries and checks exactly that."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from tests.conftest import Browser
from tests.integration.test_statements import EMMA, LINK, issue_draft
from tests.integration.test_statements import today as today


def _payload(path: str) -> dict[str, Any]:
    token = path.rsplit("/", 1)[-1]
    encoded = token.partition(".")[0]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return data


def test_a_link_token_carries_identifiers_only(
    browser: Browser, today: Any, aws: Any, demo: Any
) -> None:
    draft = issue_draft(browser, aws)
    emma = demo.people[EMMA]
    paths = LINK.findall(draft["text"])
    assert paths
    for path in paths:
        payload = _payload(path)
        assert set(payload) == {"p", "s", "v", "a", "n", "exp"}, payload
        text = json.dumps(payload)
        for personal in (emma.first_name, emma.last_name, emma.email, "Year 4", "maths"):
            assert personal not in text, personal
        assert re.fullmatch(r"[\w.-]+", str(payload["p"])) and payload["p"] == EMMA
