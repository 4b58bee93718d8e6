"""`growthcycle outbox list|retry`: operations see what has not been sent and give failed emails
back to the sweep (issue 13, item 3)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SENDER, TABLE
from tests.faults.mail import queue_one, status


def outbox(*argv: str) -> int:
    from growthcycle.cli.main import main

    return main(["outbox", *argv, "--table", TABLE])


def give_up(demo: Any, key: dict[str, str]) -> None:
    from growthcycle.adapters.delivery import _give_up

    _give_up(demo.store, key, "MessageRejected")


def test_list_shows_waiting_and_failed_emails_without_addresses_or_content(
    demo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    waiting = queue_one(demo, "waiting", subject="Waiting subject")
    failed = queue_one(demo, "failed", subject="Failed subject")
    give_up(demo, failed)

    assert outbox("list") == 1  # something failed: a non-zero exit for scripts

    out = capsys.readouterr().out
    assert "1 waiting, 1 failed" in out
    assert waiting["pk"].removeprefix("OUTBOX#") in out
    assert failed["pk"].removeprefix("OUTBOX#") in out
    assert "last_error=MessageRejected" in out
    assert "person=oakfield-primary.op004" in out
    email = demo.people["oakfield-primary.op004"].email
    assert email not in out and "subject" not in out.lower()


def test_retry_failed_gives_them_back_to_the_sweep_which_sends_them(
    demo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from growthcycle.adapters.delivery import sweep

    key = queue_one(demo)
    give_up(demo, key)

    assert outbox("retry", "--failed") == 0
    assert "1 given back to the sweep" in capsys.readouterr().out
    assert status(demo, key)["status"] == "pending"
    assert sweep(demo.store, SENDER, None, older_than_seconds=0).outcomes == {"sent": 1}
    assert outbox("list") == 0


def test_retry_by_id_refuses_an_email_that_is_not_failed(
    demo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    key = queue_one(demo)

    assert outbox("retry", key["pk"].removeprefix("OUTBOX#")) == 1
    assert "left alone" in capsys.readouterr().err
    assert status(demo, key)["status"] == "pending"
    assert outbox("retry") == 2  # neither ids nor --failed
