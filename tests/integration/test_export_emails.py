"""The subject access export lists the emails sent to a person that the outbox still holds (7),
found through the sparse ToPerson index: one Query, never a Scan, and only their own emails."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from growthcycle.adapters.outbox import Email
from tests.conftest import TABLE, Browser
from tests.helpers.aws import counting_dynamodb_calls, set_today

EMMA = "oakfield-primary.op004"
JAMES = "oakfield-primary.op005"


def export(person_id: str, out: Path) -> tuple[dict[str, Any], str]:
    from growthcycle.cli.main import main

    assert main(["export", "person", person_id, "--out", str(out), "--table", TABLE]) == 0
    files = {p.suffix: p for p in out.glob("person-*")}
    return json.loads(files[".json"].read_text()), files[".html"].read_text()


def test_emails_to_a_person_are_listed_with_subject_time_and_status_7(
    demo: Any, browser: Browser, tmp_path: Path, aws: Any
) -> None:
    set_today(date(2026, 11, 23))
    emma = demo.people[EMMA]
    # A sign-in link (its token must not travel in the export) and an email with its template.
    browser.post("/sign-in", {"email": emma.email, "_csrf": browser.csrf("/sign-in")})
    demo.store.queue_email(
        Email(
            to_address=emma.email,
            to_person_id=EMMA,
            subject="Your observation record",
            html="<p>Record</p>",
            text="Your observation record is ready.",
            template="observation_record",
        ),
        idempotency_key="test:observation",
    )
    # Someone else's email is not hers.
    demo.store.queue_email(
        Email(
            to_address=demo.people[JAMES].email,
            to_person_id=JAMES,
            subject="For James only",
            html="<p>x</p>",
            text="x",
        ),
        idempotency_key="test:james",
    )

    from growthcycle.adapters.aws import client

    with counting_dynamodb_calls(client("dynamodb")) as calls:
        data, page = export(EMMA, tmp_path)
    assert calls["Scan"] == 0

    emails = data["emails_still_held"]
    assert [e["subject"] for e in emails] == [
        "Your Growth Cycle sign-in link",
        "Your observation record",
    ]
    assert all(e["queued_at"] and e["status"] for e in emails)
    assert emails[1]["template"] == "observation_record"
    # The sign-in link's address is kept, its token is not.
    assert "/sign-in/[link removed]" in emails[0]["text"]
    assert not re.search(r"/sign-in/(?!\[link removed\])\S", json.dumps(emails))
    assert "For James only" not in json.dumps(data) and "For James only" not in page
    assert data["counts"]["email still held"] == 2
    assert "Your observation record" in page and "90 days" in page
