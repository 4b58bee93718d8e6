"""Logs carry ids and counts, never names, emails or what people wrote (7; issue 6 observability),
and every line from a request carries its correlation id.

A whole workflow through the API handler, with Powertools' JSON log lines captured from stdout at
DEBUG: a sign-in link requested, a teacher's self-review saved and submitted with distinctive text,
the reviewer's planning and review submitted (which issues the statement and queues training).
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Browser
from tests.helpers.aws import set_today
from tests.helpers.meetings import held_meeting
from tests.integration.test_export import EMMA, SARAH, TODAY, _hidden

REFLECTION = "Zanzibar-quokka reflection: my Year 4 reading group grew in confidence"
NEEDS = "Xylophone-marmoset training in phonics for the new scheme"
SUPPORT = "Velociraptor-okapi coaching time each half term"
OBJECTIVE = "Develop reasoning with the Quetzal-wombat method in Year 4"


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """What Lambda would print: the Powertools handler's JSON lines, at DEBUG, into a buffer (the
    handler holds the stdout of import time, so capsys alone may miss them)."""
    from growthcycle.observability import logger

    before = logger.log_level
    buffer = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    stream = handler.setStream(buffer)
    logger.setLevel(logging.DEBUG)
    yield buffer
    logger.setLevel(before)
    if stream is not None:
        handler.setStream(stream)


def _run_workflow(demo: Any) -> None:
    set_today(TODAY)
    emma = demo.people[EMMA]
    visitor = Browser()
    sent = visitor.post("/sign-in", {"email": emma.email, "_csrf": visitor.csrf("/sign-in")})
    assert sent["statusCode"] == 200

    teacher = Browser()
    teacher.act_as(EMMA)
    url = f"/people/{EMMA}/forms/self-review"
    for action in ("save", "submit"):
        form = {**_hidden(teacher.get(url)["body"]), "_action": action, "reflection": REFLECTION}
        assert teacher.post(url, form)["statusCode"] == 303

    reviewer = Browser()
    reviewer.act_as(SARAH)
    held_meeting(EMMA, SARAH)  # 4.9: the draft follows the meeting
    url = f"/people/{EMMA}/forms/planning-review"
    form = {
        **_hidden(reviewer.get(url)["body"]),
        "_action": "submit",
        "assessment": REFLECTION,
        "objectives": "1",
        "objectives-0-title": OBJECTIVE,
        "objectives-0-success_criteria": "Pupils in the lowest attaining group explain "
        "their method in 3 of 4 observed lessons.",
        "objectives-0-timescale": "2027-06-30",
        "objectives-0-priority": "maths-mastery",
        "support": SUPPORT,
        "training_needs": NEEDS,
        "monitoring": "Two observations, in November and March.",
        "pay_recommendation": "progress",
    }
    assert reviewer.post(url, form)["statusCode"] == 303
    assert reviewer.get(f"/people/{EMMA}/forms/planning-review/saved")["statusCode"] == 200


def test_logs_of_a_whole_workflow_hold_no_names_emails_or_written_text_and_carry_a_correlation_id(
    demo: Any, json_logs: io.StringIO, capsys: pytest.CaptureFixture[str], caplog: Any
) -> None:
    # Our logger at DEBUG (botocore's own DEBUG output echoes request bodies by design and is
    # never switched on in the functions: LOG_LEVEL sets the growthcycle logger only).
    caplog.set_level(logging.DEBUG, logger="growthcycle")
    _run_workflow(demo)

    out = capsys.readouterr()
    printed = json_logs.getvalue() + out.out
    lines = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    assert len(lines) >= 6, f"the workflow should log what it did: {len(lines)}"
    personal = {
        value
        for person in (demo.people[EMMA], demo.people[SARAH])
        for value in (person.first_name, person.last_name, person.name, person.email)
    }
    personal |= {demo.people[EMMA].email.upper(), REFLECTION, NEEDS, SUPPORT, OBJECTIVE}
    distinctive = ("Zanzibar", "Xylophone", "Velociraptor", "Quetzal")
    texts = [json.dumps(line, ensure_ascii=False) for line in lines]
    texts += [out.err]
    ours = [r for r in caplog.records if r.name.startswith("growthcycle")]
    assert ours, "the growthcycle logger's records should be captured too"
    texts += [f"{r.getMessage()} {r.__dict__}" for r in ours]
    for text in texts:
        for value in personal:
            assert not re.search(rf"\b{re.escape(value)}\b", text), (value, text[:300])
        for word in distinctive:
            assert word not in text, (word, text[:300])

    for line in lines:
        assert line.get("correlation_id"), line
        assert line.get("function_request_id"), line
