"""The weekly training digest: EventBridge Scheduler, Mondays 07:30 UK time. Queues each CPD
lead's list of new and open training and development needs (4.7); the mailer sends it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from growthcycle.adapters.clock import Clock
from growthcycle.adapters.outbox import Email
from growthcycle.adapters.store import Store
from growthcycle.adapters.training import run_weekly_digest
from growthcycle.config import get_settings
from growthcycle.domain.people import Person
from growthcycle.domain.training import TrainingDigest
from growthcycle.observability import logger, metrics, tracer
from growthcycle.web.mail import rendered_email


def training_digest_email(
    digest: TrainingDigest,
    recipient: Person,
    people: Mapping[str, Person],
    *,
    base_url: str,
    trust_name: str,
) -> Email:
    return rendered_email(
        "training_digest",
        recipient,
        f"Training and development: {len(digest.new)} new, {len(digest)} open",
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
    run = run_weekly_digest(
        Store(settings.table_name),
        Clock(settings.local_clock_file).today(),
        partial(training_digest_email, base_url=settings.base_url, trust_name=settings.trust_name),
    )
    counts = run.as_dict()
    logger.info("training digest done", trigger=event.get("source"), **counts)
    if run.no_lead:
        logger.warning("open training needs with no CPD lead", school_ids=run.no_lead)
    metrics.add_metric(name="TrainingDigestsQueued", unit=MetricUnit.Count, value=run.queued)
    metrics.add_metric(name="TrainingNeedsOpen", unit=MetricUnit.Count, value=run.open_needs)
    return counts
