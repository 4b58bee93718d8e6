"""The mailer function: the table's stream hands it new outbox items; it sends each once.

Failures are reported per record (partial batch response), retried by Lambda, and after the
last retry land in the dead-letter queue, which has an alarm (template.yaml).
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

from growthcycle.adapters.delivery import deliver
from growthcycle.adapters.store import Store
from growthcycle.config import get_settings
from growthcycle.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def send_record(record: DynamoDBRecord) -> None:
    keys = record.dynamodb.keys if record.dynamodb else None
    if not keys or not str(keys.get("pk", "")).startswith("OUTBOX#"):
        return
    settings = get_settings()
    outcome = deliver(
        Store(settings.table_name),
        {"pk": str(keys["pk"]), "sk": str(keys["sk"])},
        settings.sender_address,
        settings.ses_configuration_set,
    )
    metrics.add_metric(name=f"Email{outcome.capitalize()}", unit="Count", value=1)
    logger.info("outbox email handled", outcome=outcome)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=send_record, processor=processor, context=context
    )
    return dict(response)
