"""The daily deadline check: EventBridge Scheduler at 07:00 UK time, or the local stack's clock
page (`{"source": "local.clock"}`). Rolls each cycle that has ended into the next (4.1) and
queues each person's digest; the mailer sends it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from growthcycle.adapters.clock import Clock
from growthcycle.adapters.deadlines import CheckOptions, run_daily_check
from growthcycle.adapters.outbox import Email
from growthcycle.adapters.store import Store
from growthcycle.config import get_settings
from growthcycle.domain.deadlines import Digest
from growthcycle.domain.people import Person
from growthcycle.observability import logger, metrics, tracer
from growthcycle.web.mail import rendered_email

METRICS = {
    "DeadlineItemsDue": "items",
    "DeadlineEscalations": "escalations",
    "DigestsQueued": "digests_queued",
    "DigestsSuppressed": "suppressed",
    "DigestsWithoutRecipient": "no_recipient",
    "CyclesRolled": "cycles_rolled",
}


def digest_subject(digest: Digest) -> str:
    parts = []
    if digest.overdue:
        parts.append(f"{len(digest.overdue)} overdue")
    if digest.due:
        parts.append(f"{len(digest.due)} due soon")
    if digest.escalations:
        parts.append(f"{len(digest.escalations)} escalated to you")
    return "Growth Cycle reminders: " + ", ".join(parts)


def digest_email(
    digest: Digest,
    recipient: Person,
    people: Mapping[str, Person],
    *,
    base_url: str,
    trust_name: str,
) -> Email:
    return rendered_email(
        "digest",
        recipient,
        digest_subject(digest),
        digest=digest,
        people=people,
        base_url=base_url.rstrip("/"),
        trust_name=trust_name,
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    today: date = Clock(settings.local_clock_file).today()
    result = run_daily_check(
        Store(settings.table_name),
        today,
        CheckOptions(
            escalation_working_days=settings.escalation_working_days,
            retention_years=settings.retention_years,  # 7: the next cycle's items, when it rolls
        ),
        partial(digest_email, base_url=settings.base_url, trust_name=settings.trust_name),
    )
    counts = result.as_dict()
    logger.info(
        "deadline check done",
        trigger=event.get("source"),
        **{k: v for k, v in counts.items() if k != "summary"},
    )
    if result.no_headteacher:
        logger.warning("escalations with no headteacher", school_ids=result.no_headteacher)
    for metric, name in METRICS.items():
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=counts[name])
    return counts
