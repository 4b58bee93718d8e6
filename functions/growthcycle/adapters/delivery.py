"""Sending what the outbox holds, through SES v2, exactly once where we can make it so.

A pending email is claimed with a conditional write (a lease) before it is sent and marked sent
after; a retried or duplicated delivery of the same outbox item finds it claimed or sent and
sends nothing. A suppressed address (a bounce or complaint) is never sent to.
"""

from __future__ import annotations

import time
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any

from botocore.exceptions import ClientError

from growthcycle.adapters.aws import client
from growthcycle.adapters.store import Store, _from_item, _to_item
from growthcycle.domain.text import header_text

LEASE_SECONDS = 120


class SendFailed(Exception):
    """SES refused or throttled: the delivery is retried, then lands in the dead-letter queue."""


def _claim(store: Store, key: dict[str, str]) -> bool:
    now = int(time.time())
    try:
        store.db.update_item(
            TableName=store.table_name,
            Key=_to_item(key),
            UpdateExpression="SET #s = :sending, lease_until = :until",
            ConditionExpression=("#s = :pending OR (#s = :sending AND lease_until < :now)"),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=_to_item(
                {
                    ":sending": "sending",
                    ":pending": "pending",
                    ":until": now + LEASE_SECONDS,
                    ":now": now,
                }
            ),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _mark(store: Store, key: dict[str, str], status: str, **extra: Any) -> None:
    names = {"#s": "status"}
    values: dict[str, Any] = {":status": status}
    sets = ["#s = :status"]
    for i, (name, value) in enumerate(extra.items()):
        names[f"#e{i}"] = name
        values[f":e{i}"] = value
        sets.append(f"#e{i} = :e{i}")
    store.db.update_item(
        TableName=store.table_name,
        Key=_to_item(key),
        UpdateExpression="SET " + ", ".join(sets) + " REMOVE lease_until",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=_to_item(values),
    )


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


def deliver(store: Store, key: dict[str, str], sender: str, configuration_set: str | None) -> str:
    """Send one outbox email. Returns what happened: sent, skipped or suppressed."""
    found = store.db.get_item(TableName=store.table_name, Key=_to_item(key), ConsistentRead=True)
    if "Item" not in found:
        return "skipped"
    item = _from_item(found["Item"])
    if item.get("status") not in ("pending", "sending"):
        return "skipped"
    person_id = item.get("to_person_id")
    if person_id:
        person = store.get_person(person_id)
        if person is not None and person.email_suppressed:
            _mark(store, key, "suppressed")
            return "suppressed"
    if not _claim(store, key):
        return "skipped"
    request: dict[str, Any] = {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [item["to_address"]]},
        "Content": _content(item, sender),
    }
    if configuration_set:
        request["ConfigurationSetName"] = configuration_set
    try:
        sent = client("sesv2").send_email(**request)
    except ClientError as error:
        # Give the claim back so the retry can send it.
        _mark(store, key, "pending", last_error=error.response["Error"]["Code"])
        raise SendFailed(error.response["Error"]["Code"]) from error
    _mark(store, key, "sent", message_id=sent.get("MessageId", ""), sent_at=int(time.time()))
    return "sent"
