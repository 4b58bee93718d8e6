"""The mailer function: the table's stream hands it new outbox items; it sends each. A schedule
(template.yaml, every five minutes; the local stack every few seconds) also calls it with
`{"outbox": "sweep", "older_than_seconds": N}` to re-hand emails the stream did not get out.

Stream failures are reported per record (partial batch response), retried by Lambda, and after the
last retry land in the dead-letter queue (alarmed); the email itself stays in the outbox for the
sweep. An email given up on after its attempts counts `EmailFailed`, which has its own alarm.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from growthcycle.adapters.delivery import EmailLeased, SendFailed, deliver, sweep
from growthcycle.adapters.store import Store
from growthcycle.config import get_settings
from growthcycle.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

# Stop sweeping with this much of the invocation left; the next sweep carries on.
SWEEP_RESERVE_MS = 15_000


def _count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit="Count", value=value)


def send_record(record: DynamoDBRecord) -> None:
    keys = record.dynamodb.keys if record.dynamodb else None
    if not keys or not str(keys.get("pk", "")).startswith("OUTBOX#"):
        return
    settings = get_settings()
    try:
        outcome = deliver(
            Store(settings.table_name),
            {"pk": str(keys["pk"]), "sk": str(keys["sk"])},
            settings.sender_address,
            settings.ses_configuration_set,
        )
    except SendFailed:
        _count("EmailSendFailed")
        raise
    except EmailLeased:
        _count("EmailLeaseHeld")
        raise
    _count(f"Email{outcome.capitalize()}")
    logger.info("outbox email handled", outcome=str(outcome))


def run_sweep(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    result = sweep(
        Store(settings.table_name),
        settings.sender_address,
        settings.ses_configuration_set,
        older_than_seconds=int(event.get("older_than_seconds", 300)),
        time_left=lambda: context.get_remaining_time_in_millis() > SWEEP_RESERVE_MS,
    )
    # OutboxStuck is alarmed when three sweeps in a row find emails the stream left behind.
    _count("OutboxStuck", result.stuck)
    _count("OutboxSweepRetry", result.retry)
    for outcome, count in result.outcomes.items():
        _count(f"Email{outcome.capitalize()}", count)
    logger.info(
        "outbox swept",
        stuck=result.stuck,
        retry=result.retry,
        stopped_early=result.stopped_early,
        outcomes=result.outcomes,
    )
    return {"stuck": result.stuck, "retry": result.retry, **result.outcomes}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("outbox") == "sweep":
        return run_sweep(event, context)
    response = process_partial_response(
        event=event, record_handler=send_record, processor=processor, context=context
    )
    return dict(response)
