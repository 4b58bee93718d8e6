"""Sending what the outbox holds, through SES v2: every email sent at least once, and once in all
but two narrow cases (docs/security.md, "Email: at least once").

A pending email is claimed with a conditional write (a lease of LEASE_SECONDS) before it is sent
and marked sent after; a retried or duplicated delivery of the same outbox item finds it sent and
sends nothing, or finds another live lease and asks to be retried (`EmailLeased`), never reports
success for an email nobody has sent. Any failure after the claim gives the claim back, so the
retry can send it; a failure that may have reached SES (a timeout, a dropped connection, a 5xx)
marks the email `uncertain`, and the next send of it is counted as a possible duplicate.

Nothing relies on the stream alone: `sweep` (the mailer on a schedule in AWS, and the local stack's
stream consumer every few seconds) re-hands every email still unsent after a grace period, or
stuck `sending` past its lease (a function that timed out or crashed after claiming). After
MAX_ATTEMPTS an email is `failed`: out of the sweep, counted (`EmailFailed`, alarmed) and listed by
`growthcycle outbox list`; `growthcycle outbox retry` gives it back to the sweep. A suppressed
address (a bounce or complaint) is never sent to.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError

from growthcycle.adapters.aws import client
from growthcycle.adapters.outbox import FAILED, UNSENT, UNSENT_INDEX
from growthcycle.adapters.store import Store, _from_item, _to_item
from growthcycle.domain.text import header_text

# Longer than the mailer's timeout (60 s, template.yaml), so a lease never ends while the function
# that took it may still be sending.
LEASE_SECONDS = 120
# Every try counts: the stream's (the first and MaximumRetryAttempts: 8) and the sweep's, one
# every five minutes, so an email is retried for about an hour before it is `failed`.
MAX_ATTEMPTS = 20


class Outcome(StrEnum):
    SENT = "sent"
    RESENT = "resent"  # sent, after an attempt that may have reached SES: a possible duplicate
    SKIPPED = "skipped"  # nothing to do: already sent, suppressed, failed or gone
    SUPPRESSED = "suppressed"
    FAILED = "failed"  # the last attempt failed: given up, alarmed, `growthcycle outbox retry`


class SendFailed(Exception):
    """SES refused, throttled or did not answer: the claim is given back and the email retried
    (the stream's retries, then the sweep)."""


class EmailLeased(Exception):
    """Another delivery holds a live lease on this email (it may be sending it now): retry later.
    Not a success: if that delivery dies, only a retry or the sweep sends the email."""


# Emails this process sent whose "sent" mark failed to save (DynamoDB throttled after SES
# accepted). A retry in the same process (a warm Lambda, usually) finishes the mark instead of
# waiting out the lease and sending again.
# Keyed by the outbox pk, holding (this process's lease id, SES's message id).
_accepted: dict[str, tuple[str, str]] = {}


def _claim(store: Store, key: dict[str, str], now: float, lease_id: str) -> dict[str, Any] | None:
    """Take the lease; the item as it was before, or None if another delivery got there first."""
    try:
        old = store.db.update_item(
            TableName=store.table_name,
            Key=_to_item(key),
            UpdateExpression=(
                "SET #s = :sending, lease_until = :until, lease_id = :lease ADD attempts :one"
            ),
            ConditionExpression="#s = :pending OR (#s = :sending AND lease_until < :now)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=_to_item(
                {
                    ":sending": "sending",
                    ":pending": "pending",
                    ":until": int(now) + LEASE_SECONDS,
                    ":now": int(now),
                    ":one": 1,
                    ":lease": lease_id,
                }
            ),
            ReturnValues="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
    return _from_item(old.get("Attributes", {}))


def _mark(
    store: Store, key: dict[str, str], status: str, *, remove: tuple[str, ...] = (), **extra: Any
) -> None:
    names = {"#s": "status"}
    values: dict[str, Any] = {":status": status}
    sets = ["#s = :status"]
    for i, (name, value) in enumerate(extra.items()):
        names[f"#e{i}"] = name
        values[f":e{i}"] = value
        sets.append(f"#e{i} = :e{i}")
    removed = ", ".join(("lease_until", "lease_id", *remove))
    store.db.update_item(
        TableName=store.table_name,
        Key=_to_item(key),
        UpdateExpression="SET " + ", ".join(sets) + " REMOVE " + removed,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=_to_item(values),
    )


def _give_back(store: Store, key: dict[str, str], reason: str, *, uncertain: bool) -> bool:
    """Hand the claim back after a failed send. False if even that failed: the lease then runs
    out and the sweep takes the email."""
    extra: dict[str, Any] = {"last_error": reason}
    if uncertain:
        extra["uncertain"] = True
    try:
        _mark(store, key, "pending", **extra)
    except Exception:  # the table is failing too: the lease expires and the sweep retries
        return False
    return True


def _content(item: dict[str, Any], sender: str) -> dict[str, Any]:
    # Headers from the outbox item, cleaned again here (an item queued before Email cleaned them).
    item = {**item, "subject": header_text(item["subject"])}
    item["to_address"] = header_text(item["to_address"])
    attachments = item.get("attachments") or []
    if not attachments:
        return {
            "Simple": {
                "Subject": {"Data": item["subject"], "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": item["text"], "Charset": "UTF-8"},
                    "Html": {"Data": item["html"], "Charset": "UTF-8"},
                },
            }
        }
    message = MIMEMultipart("mixed")
    message["Subject"] = item["subject"]
    message["From"] = sender
    message["To"] = item["to_address"]
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(item["text"], "plain", "utf-8"))
    body.attach(MIMEText(item["html"], "html", "utf-8"))
    message.attach(body)
    for filename, content_type, text in attachments:
        part = MIMEApplication(text.encode("utf-8"), _subtype=content_type.split("/")[-1])
        part.add_header("Content-Disposition", "attachment", filename=filename)
        message.attach(part)
    return {"Raw": {"Data": message.as_bytes()}}


def _may_have_reached_ses(error: Exception) -> bool:
    """A refusal SES answered (4xx) sent nothing; anything else (a timeout, a dropped
    connection, a 5xx) may have been accepted before the answer was lost."""
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
        return int(status) >= 500
    return True


def _give_up(store: Store, key: dict[str, str], reason: str) -> Outcome:
    _mark(store, key, "failed", last_error=reason, unsent_pk=FAILED)
    return Outcome.FAILED


def deliver(
    store: Store,
    key: dict[str, str],
    sender: str,
    configuration_set: str | None,
    *,
    now: float | None = None,
) -> Outcome:
    """Send one outbox email: what happened, or `SendFailed`/`EmailLeased` to be retried."""
    now = time.time() if now is None else now
    found = store.db.get_item(TableName=store.table_name, Key=_to_item(key), ConsistentRead=True)
    if "Item" not in found:
        return Outcome.SKIPPED
    item = _from_item(found["Item"])
    status = item.get("status")
    ours = _accepted.get(key["pk"])
    if status == "sending" and ours is not None and item.get("lease_id") == ours[0]:
        # SES accepted it under this process's lease; only the "sent" mark was lost.
        _mark_sent(store, key, ours[1], now, possible_duplicate=False)
        del _accepted[key["pk"]]
        return Outcome.SKIPPED
    if status not in ("pending", "sending"):
        return Outcome.SKIPPED
    if status == "sending" and int(item.get("lease_until", 0)) >= int(now):
        raise EmailLeased("another delivery holds the lease")
    person_id = item.get("to_person_id")
    if person_id:
        person = store.get_person(person_id)
        if person is not None and person.email_suppressed:
            _mark(store, key, "suppressed", remove=("unsent_pk",))
            return Outcome.SUPPRESSED
    if int(item.get("attempts", 0)) >= MAX_ATTEMPTS:
        return _give_up(store, key, str(item.get("last_error", "too many attempts")))
    lease_id = secrets.token_hex(8)
    old = _claim(store, key, now, lease_id)
    if old is None:
        again = store.db.get_item(
            TableName=store.table_name, Key=_to_item(key), ConsistentRead=True
        )
        if _from_item(again.get("Item", {})).get("status") in ("pending", "sending"):
            raise EmailLeased("another delivery claimed it first")
        return Outcome.SKIPPED
    # The lease was taken over from a delivery that ran out of time, or an earlier attempt may
    # have reached SES: this send may be the second copy the person gets.
    possible_duplicate = old.get("status") == "sending" or bool(old.get("uncertain"))
    request: dict[str, Any] = {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [item["to_address"]]},
        "Content": _content(item, sender),
    }
    if configuration_set:
        request["ConfigurationSetName"] = configuration_set
    try:
        sent = client("sesv2").send_email(**request)
    except Exception as error:
        reason = (
            error.response["Error"]["Code"]
            if isinstance(error, ClientError)
            else type(error).__name__
        )
        if int(old.get("attempts", 0)) + 1 >= MAX_ATTEMPTS:
            return _give_up(store, key, reason)
        _give_back(store, key, reason, uncertain=_may_have_reached_ses(error))
        raise SendFailed(reason) from error
    message_id = str(sent.get("MessageId", ""))
    try:
        _mark_sent(store, key, message_id, now, possible_duplicate=possible_duplicate)
    except Exception:
        _accepted[key["pk"]] = (lease_id, message_id)
        raise
    return Outcome.RESENT if possible_duplicate else Outcome.SENT


def _mark_sent(
    store: Store, key: dict[str, str], message_id: str, now: float, *, possible_duplicate: bool
) -> None:
    extra: dict[str, Any] = {"message_id": message_id, "sent_at": int(now)}
    if possible_duplicate:
        extra["possible_duplicate"] = True
    _mark(store, key, "sent", remove=("unsent_pk", "uncertain"), **extra)


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    """What one sweep found and did (the mailer turns each count into a metric)."""

    stuck: int = 0  # unsent emails older than the grace period: the stream did not get them out
    outcomes: dict[str, int] = field(default_factory=dict)
    retry: int = 0  # failed again or leased: the next sweep tries again
    stopped_early: bool = False  # out of time: the next sweep carries on

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def unsent(store: Store, partition: str = UNSENT, *, before: str = "~") -> Iterator[dict[str, Any]]:
    """Outbox emails in the Unsent index (`UNSENT` or `FAILED`), oldest first, queued before
    `before` (an ISO timestamp); a Query, never a Scan."""
    request: dict[str, Any] = {
        "TableName": store.table_name,
        "IndexName": UNSENT_INDEX,
        "KeyConditionExpression": "unsent_pk = :p AND queued_at < :before",
        "ExpressionAttributeValues": _to_item({":p": partition, ":before": before}),
    }
    while True:
        page = store.db.query(**request)
        yield from (_from_item(item) for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def sweep(
    store: Store,
    sender: str,
    configuration_set: str | None,
    *,
    older_than_seconds: int,
    now: float | None = None,
    time_left: Callable[[], bool] = lambda: True,
) -> SweepResult:
    """Hand every email unsent for `older_than_seconds` to `deliver` again: the stream missed
    it, its retries ran out, or the delivery that claimed it died inside its lease."""
    now = time.time() if now is None else now
    cutoff = datetime.fromtimestamp(now - older_than_seconds, UTC).isoformat()
    result = SweepResult()
    for item in unsent(store, before=cutoff):
        result.stuck += 1
        if not time_left():
            result.stopped_early = True
            continue
        key = {"pk": item["pk"], "sk": item["sk"]}
        try:
            result.count(deliver(store, key, sender, configuration_set, now=now))
        except (SendFailed, EmailLeased):
            result.retry += 1
    return result


def retry_failed(store: Store, key: dict[str, str]) -> bool:
    """Give a failed email back to the sweep with its attempts reset (`growthcycle outbox
    retry`). False if it is not failed (sent, pending or gone)."""
    try:
        store.db.update_item(
            TableName=store.table_name,
            Key=_to_item(key),
            UpdateExpression="SET #s = :pending, unsent_pk = :unsent, attempts = :zero",
            ConditionExpression="#s = :failed",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=_to_item(
                {":pending": "pending", ":unsent": UNSENT, ":zero": 0, ":failed": "failed"}
            ),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
