"""No stranded email (issue 13, item 3): a timeout after claiming, a crash after SES accepted, and a
retry inside the lease each end with the email sent. Where a second copy is possible it is counted
(`resent`, `possible_duplicate` on the item); docs/security.md, "Email: at least once", says why.

Time is passed in (`now=`): the sweep's grace (five minutes) and the lease (two minutes) are
crossed by handing `deliver` and `sweep` a later instant, never by waiting."""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from tests.conftest import SENDER
from tests.faults.conftest import Crash, FaultyClient, aws_error
from tests.faults.mail import queue_one, ses_messages, ses_sent, status, stream_event
from tests.helpers.events import FakeContext

GRACE = 300  # what the deployed schedule passes (template.yaml, OutboxSweep)
LATER = 600  # seconds: past the grace and the lease


def timeout() -> ReadTimeoutError:
    return ReadTimeoutError(endpoint_url="https://email.eu-west-2.amazonaws.com/v2/email/outbound")


def sweep_later(demo: Any, seconds: int = LATER) -> Any:
    from growthcycle.adapters.delivery import sweep

    return sweep(demo.store, SENDER, None, older_than_seconds=GRACE, now=time.time() + seconds)


def mailer(event: dict[str, Any]) -> dict[str, Any]:
    from growthcycle.handlers.mailer import lambda_handler

    result: dict[str, Any] = lambda_handler(event, FakeContext(function_name="MailerFunction"))
    return result


def test_a_timeout_after_claiming_gives_the_claim_back_and_the_retry_sends_it(
    demo: Any, faulty_ses: FaultyClient
) -> None:
    from growthcycle.adapters.delivery import SendFailed, deliver

    key = queue_one(demo)
    faulty_ses.fail("send_email", timeout())

    with pytest.raises(SendFailed):
        deliver(demo.store, key, SENDER, None)

    item = status(demo, key)
    assert (item["status"], item["last_error"], item["uncertain"]) == (
        "pending",
        "ReadTimeoutError",
        True,
    )
    # SES may have taken it before the answer was lost: the next send is counted as a possible
    # second copy. Here it had not, so the person gets exactly one.
    assert deliver(demo.store, key, SENDER, None) == "resent"
    assert status(demo, key)["status"] == "sent"
    assert status(demo, key)["possible_duplicate"] is True
    assert ses_sent() == 1


def test_a_dropped_connection_before_ses_answered_is_given_back_like_a_timeout(
    demo: Any, faulty_ses: FaultyClient
) -> None:
    from growthcycle.adapters.delivery import SendFailed, deliver

    key = queue_one(demo)
    faulty_ses.fail("send_email", EndpointConnectionError(endpoint_url="https://email"))

    with pytest.raises(SendFailed):
        deliver(demo.store, key, SENDER, None)

    assert status(demo, key)["status"] == "pending"
    assert deliver(demo.store, key, SENDER, None) == "resent"
    assert ses_sent() == 1


def test_a_timeout_after_ses_accepted_sends_a_second_copy_and_counts_it(
    demo: Any, faulty_ses: FaultyClient
) -> None:
    """The one duplicate the claim cannot prevent: SES took it, its answer never came back."""
    from growthcycle.adapters.delivery import SendFailed, deliver

    key = queue_one(demo)
    faulty_ses.fail_after("send_email", timeout())

    with pytest.raises(SendFailed):
        deliver(demo.store, key, SENDER, None)
    assert ses_sent() == 1

    assert deliver(demo.store, key, SENDER, None) == "resent"
    assert ses_sent() == 2
    assert status(demo, key)["possible_duplicate"] is True


def test_a_crash_after_ses_accepted_is_retried_not_skipped_inside_the_lease_and_swept_after_it(
    demo: Any, faulty_ses: FaultyClient
) -> None:
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from growthcycle.adapters.delivery import deliver

    key = queue_one(demo)
    faulty_ses.fail_after("send_email", Crash())

    with pytest.raises(Crash):
        deliver(demo.store, key, SENDER, None)
    assert status(demo, key)["status"] == "sending"  # nothing gave the claim back
    assert ses_sent() == 1

    # Lambda retries the stream record inside the lease: a retry again, never "skipped".
    with pytest.raises(BatchProcessingError):
        mailer(stream_event(key))
    assert status(demo, key)["status"] == "sending"

    swept = sweep_later(demo)

    assert (swept.stuck, swept.outcomes) == (1, {"resent": 1})
    assert status(demo, key)["status"] == "sent"
    assert status(demo, key)["possible_duplicate"] is True
    assert ses_sent() == 2  # the counted duplicate


def test_a_retry_inside_the_lease_is_reported_as_a_failure_of_that_record_only(
    demo: Any, faulty_ses: FaultyClient
) -> None:
    from growthcycle.adapters.delivery import deliver

    stranded = queue_one(demo, "stranded", subject="Stranded")
    other = queue_one(demo, "other", subject="Other")
    faulty_ses.fail("send_email", Crash())  # died after claiming, before SES
    with pytest.raises(Crash):
        deliver(demo.store, stranded, SENDER, None)

    result = mailer(stream_event(stranded, other))

    # Record 1 is retried (partial batch response); record 2 is sent.
    assert result == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert [m.subject for m in ses_messages()] == ["Other"]

    assert sweep_later(demo).outcomes == {"resent": 1}
    assert sorted(m.subject for m in ses_messages()) == ["Other", "Stranded"]  # none twice


def test_the_sweep_sends_what_the_stream_never_delivered_and_leaves_fresh_emails_to_it(
    demo: Any,
) -> None:
    key = queue_one(demo)

    assert sweep_later(demo, 0).stuck == 0  # queued just now: the stream's job
    assert ses_sent() == 0

    assert mailer({"outbox": "sweep", "older_than_seconds": 0}) == {
        "stuck": 1,
        "retry": 0,
        "sent": 1,
    }
    assert status(demo, key)["status"] == "sent"
    assert "unsent_pk" not in status(demo, key)
    assert sweep_later(demo).stuck == 0
    assert ses_sent() == 1


def test_an_email_that_keeps_failing_is_given_up_counted_listed_and_sent_on_retry(
    demo: Any, faulty_ses: FaultyClient
) -> None:
    from growthcycle.adapters.delivery import (
        MAX_ATTEMPTS,
        SendFailed,
        deliver,
        retry_failed,
        unsent,
    )
    from growthcycle.adapters.outbox import FAILED

    key = queue_one(demo)
    faulty_ses.fail("send_email", *[aws_error("MessageRejected", "SendEmail")] * MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(SendFailed):
            deliver(demo.store, key, SENDER, None)

    assert deliver(demo.store, key, SENDER, None) == "failed"
    assert (status(demo, key)["status"], status(demo, key)["unsent_pk"]) == ("failed", FAILED)
    assert sweep_later(demo).stuck == 0  # out of the sweep, into the alarm
    assert [item["pk"] for item in unsent(demo.store, FAILED)] == [key["pk"]]

    assert retry_failed(demo.store, key) is True
    assert sweep_later(demo).outcomes == {"sent": 1}
    assert retry_failed(demo.store, key) is False  # sent: nothing to retry
    assert ses_sent() == 1


def test_the_mailer_counts_a_given_up_email_for_the_alarm(
    demo: Any, faulty_ses: FaultyClient, capsys: pytest.CaptureFixture[str]
) -> None:
    from growthcycle.adapters.delivery import MAX_ATTEMPTS
    from growthcycle.adapters.store import _to_item

    key = queue_one(demo)
    demo.store.db.update_item(
        TableName=demo.store.table_name,
        Key=_to_item(key),
        UpdateExpression="SET attempts = :n",
        ExpressionAttributeValues=_to_item({":n": MAX_ATTEMPTS - 1}),
    )
    faulty_ses.fail("send_email", aws_error("MessageRejected", "SendEmail"))

    assert mailer(stream_event(key)) == {"batchItemFailures": []}

    assert '"EmailFailed"' in capsys.readouterr().out  # the metric OutboxEmailFailedAlarm watches


FAULTS = ("none", "throttled", "timeout", "accepted-then-timeout", "crash", "accepted-then-crash")


def test_under_every_fault_every_email_is_sent_and_each_second_copy_was_counted(
    demo: Any, faulty_ses: FaultyClient
) -> None:
    """Thirty emails, each meeting one fault on its first try (a fixed random plan): after the
    stream's one delivery and the sweeps, every email is sent, none is lost, and every email a
    person got twice is one the mailer counted as a possible duplicate."""
    plan = random.Random(13).choices(FAULTS, k=30)
    keys = []
    for n, fault in enumerate(plan):
        key = queue_one(demo, f"soak-{n}", subject=f"Email {n}")
        keys.append(key)
        if fault == "throttled":
            faulty_ses.fail("send_email", aws_error("TooManyRequestsException", "SendEmail", 429))
        elif fault == "timeout":
            faulty_ses.fail("send_email", timeout())
        elif fault == "accepted-then-timeout":
            faulty_ses.fail_after("send_email", timeout())
        elif fault == "crash":
            faulty_ses.fail("send_email", Crash())
        elif fault == "accepted-then-crash":
            faulty_ses.fail_after("send_email", Crash())
        try:
            mailer(stream_event(key))  # one invocation per email: a crash ends only its own
        except Crash:
            pass
        except Exception:  # noqa: S110 - a failed batch: Lambda would retry it; the sweep does
            pass

    for round_ in range(1, 4):
        if sweep_later(demo, round_ * LATER).stuck == 0:
            break

    items = [status(demo, key) for key in keys]
    assert [item["status"] for item in items] == ["sent"] * len(keys)
    copies = Counter(m.subject for m in ses_messages())
    assert set(copies) == {f"Email {n}" for n in range(len(keys))}  # none lost
    twice = {subject for subject, count in copies.items() if count > 1}
    counted = {f"Email {n}" for n, item in enumerate(items) if item.get("possible_duplicate")}
    assert twice <= counted
    # Only an email SES accepted before the answer was lost can reach a person twice.
    assert twice == {f"Email {n}" for n, f in enumerate(plan) if f.startswith("accepted")}
