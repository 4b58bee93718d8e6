"""Shared fixtures: a moto-backed AWS with the table built from template.yaml, and a client that
sends API Gateway v2 events to the very handler Lambda calls."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.helpers.events import FakeContext, http_event, response_cookies

TABLE = "growthcycle-test"
SENDER = "appraisal@oakvalley.example"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Any]:
    """moto for every AWS call, the table from template.yaml, the sender verified, the key made."""
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_REGION": "eu-west-2",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "GrowthCycle",
        "TABLE_NAME": TABLE,
        "TRUST_NAME": "Oak Valley Learning Trust",
        "SENDER_ADDRESS": SENDER,
        "BASE_URL": "https://appraisal.oakvalley.example",
        "GROWTHCYCLE_LOCAL_CLOCK_FILE": str(tmp_path / "today"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)

    from growthcycle.adapters.aws import client, reset_clients
    from growthcycle.config import get_settings
    from growthcycle.web.services import reset_services

    with mock_aws():
        reset_clients()
        get_settings.cache_clear()
        reset_services()
        from growthcycle.adapters.keys import signer
        from growthcycle.local.table import create_table

        signer.cache_clear()
        create_table(client("dynamodb"), TABLE)
        arn = client("secretsmanager").create_secret(Name="signing-key", SecretString="k" * 48)[
            "ARN"
        ]
        monkeypatch.setenv("SIGNING_KEY_SECRET_ARN", arn)
        get_settings.cache_clear()
        client("ses").verify_email_identity(EmailAddress=SENDER)
        yield client
        reset_clients()
        get_settings.cache_clear()
        reset_services()
        signer.cache_clear()


@pytest.fixture
def demo(aws: Any) -> Any:
    """The demo trust seeded into the table."""
    from growthcycle.adapters.store import Store
    from growthcycle.local.seed import seed

    store = Store(TABLE)
    trust, people = seed(store)
    return DemoData(store=store, trust=trust, people={p.person_id: p for p in people})


@dataclass
class DemoData:
    store: Any
    trust: Any
    people: dict[str, Any]

    def person(self, *, school: str, role: str, index: int = 0) -> Any:
        found = [p for p in self.people.values() if p.school_id == school and role in p.roles]
        return found[index]


@dataclass
class Browser:
    """A cookie-keeping client that calls the API handler with v2 events, like a browser would."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        from growthcycle.handlers.api import lambda_handler

        event = http_event(method, path, cookies=self.cookies, **kwargs)
        result = lambda_handler(event, FakeContext())
        for name, value in response_cookies(result).items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return result

    def get(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: Any, **kwargs: Any) -> dict[str, Any]:
        return self.request("POST", path, form=form, **kwargs)

    def csrf(self, path: str) -> str:
        page = self.get(path)["body"]
        found = re.search(r'name="_csrf" value="([^"]+)"', page)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def act_as(self, person_id: str) -> None:
        from growthcycle.web.app import SESSION_COOKIE, session_cookie_for

        self.cookies[SESSION_COOKIE] = session_cookie_for(person_id)


@pytest.fixture
def browser(aws: Any) -> Browser:
    return Browser()


def sent_outbox(aws_client: Any) -> list[dict[str, Any]]:
    """Emails queued in the outbox (what the mailer will send)."""
    from growthcycle.adapters.store import _from_item

    items = []
    paginator = aws_client("dynamodb").get_paginator("scan")
    for page in paginator.paginate(TableName=TABLE):
        items.extend(_from_item(i) for i in page["Items"] if i["pk"]["S"].startswith("OUTBOX#"))
    return items
