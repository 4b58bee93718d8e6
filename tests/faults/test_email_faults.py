"""SES throttling and rejection, and DynamoDB failing around a send: each email in the outbox is
sent once, never twice, and a failure is retried and then lands in the dead-letter queue (which
has an alarm) instead of vanishing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SENDER
from tests.faults.conftest import FaultyClient, aws_error
from tests.faults.mail import queue_one, ses_sent, status, stream_event


def test_ses_throttling_gives_the_email_back_and_the_retry_sends_it_exactly_once(
    demo: Any, faulty_ses: FaultyClient
) -> None:
    from growthcycle.adapters.delivery import SendFailed, deliver

    key = queue_one(demo)
    faulty_ses.fail("send_email", aws_error("TooManyRequestsException", "SendEmail", 429))

    with pytest.raises(SendFailed):
        deliver(demo.store, key, SENDER, None)
    assert status(demo, key)["status"] == "pending"
    assert status(demo, key)["last_error"] == "TooManyRequestsException"
    assert ses_sent() == 0

    assert deliver(demo.store, key, SENDER, None) == "sent"
    assert deliver(demo.store, key, SENDER, None) == "skipped"  # a duplicated stream record
    assert ses_sent() == 1


def test_a_rejected_email_is_reported_to_the_mailer_for_retry_and_the_dead_letter_queue(
    demo: Any, faulty_ses: FaultyClient
) -> None:
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from growthcycle.handlers.mailer import lambda_handler
    from tests.helpers.events import FakeContext

    key = queue_one(demo)
    faulty_ses.fail("send_email", aws_error("MessageRejected", "SendEmail"))

    # Every record failed: the invocation fails, so Lambda retries the batch and, after its
    # retries, the event source mapping sends it to OutboxDeadLetterQueue (alarmed).
    with pytest.raises(BatchProcessingError):
        lambda_handler(stream_event(key), FakeContext(function_name="MailerFunction"))

    assert status(demo, key)["status"] == "pending"  # not lost: still in the outbox
    assert status(demo, key)["last_error"] == "MessageRejected"
    assert ses_sent() == 0


def test_dynamodb_failing_after_ses_accepted_the_email_does_not_send_it_again_on_retry(
    demo: Any, faulty_dynamodb: FaultyClient
) -> None:
    """The send happened; marking it sent was throttled. The lease stops the retry resending."""
    from growthcycle.adapters.delivery import deliver

    key = queue_one(demo)
    # update_item calls: 1 = claim (works), 2 = mark sent (throttled).
    real_update = faulty_dynamodb.real.update_item
    calls = {"n": 0}

    def update_item(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise aws_error("ProvisionedThroughputExceededException", "UpdateItem")
        return real_update(**kwargs)

    faulty_dynamodb.real = _With(faulty_dynamodb.real, update_item=update_item)
    with pytest.raises(Exception, match="ProvisionedThroughputExceeded"):
        deliver(demo.store, key, SENDER, None)
    assert ses_sent() == 1

    assert deliver(demo.store, key, SENDER, None) == "skipped"
    assert ses_sent() == 1


def test_a_duplicated_queue_request_records_one_email(demo: Any) -> None:
    """The outbox key makes a retried request (same idempotency key) harmless."""
    queue_one(demo, "digest:op004:2026-11-23")
    queue_one(demo, "digest:op004:2026-11-23")
    from tests.conftest import sent_outbox

    assert len(sent_outbox(lambda name: demo.store.db)) == 1


class _With:
    def __init__(self, real: Any, **overrides: Any) -> None:
        self._real, self._overrides = real, overrides

    def __getattr__(self, name: str) -> Any:
        return self._overrides.get(name) or getattr(self._real, name)
