"""SES bounce and complaint events (through the configuration set's SNS topic): mark the address
undeliverable so nothing more is sent to it, and tell the school's operations contact."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from growthcycle.adapters.outbox import Email
from growthcycle.adapters.store import Store
from growthcycle.config import get_settings
from growthcycle.observability import logger, tracer
from growthcycle.web.templating import render


def undeliverable_addresses(notification: dict[str, Any]) -> list[str]:
    """Addresses SES says must not be mailed again: permanent bounces and complaints."""
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Bounce" and notification.get("bounce", {}).get("bounceType") == "Permanent":
        return [r["emailAddress"] for r in notification["bounce"].get("bouncedRecipients", [])]
    if kind == "Complaint":
        return [
            r["emailAddress"] for r in notification["complaint"].get("complainedRecipients", [])
        ]
    return []


def suppress(store: Store, address: str, reason: str) -> bool:
    person = store.person_by_email(address)
    if person is None or person.email_suppressed:
        return False
    store.put_person(person.model_copy(update={"email_suppressed": True}))
    school = store.get_school(person.school_id) or {}
    contact = school.get("operations_contact")
    if contact:
        settings = get_settings()
        context = {"person": person, "reason": reason, "trust_name": settings.trust_name}
        store.queue_email(
            Email(
                to_address=contact,
                subject="A member of staff's email address is not receiving Growth Cycle email",
                html=render("email/undeliverable.html", **context),
                text=render("email/undeliverable.txt", **context),
            ),
            idempotency_key=f"undeliverable:{person.person_id}:{reason}",
        )
    return True


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    store = Store(get_settings().table_name)
    suppressed = 0
    for record in event.get("Records", []):
        notification = json.loads(record["Sns"]["Message"])
        kind = str(notification.get("eventType") or notification.get("notificationType"))
        for address in undeliverable_addresses(notification):
            if suppress(store, address, kind.lower()):
                suppressed += 1
    logger.info("email events handled", suppressed=suppressed)
    return {"suppressed": suppressed}
