"""The nightly roster sync: EventBridge Scheduler at 02:30 UK time, enabled when a school of the
trust has Wonde settings (template.yaml, `RosterSync`). Each such school's roster is read from its
MIS through Wonde and applied as `growthcycle staff sync` does (app/staff_sync.py). A school the
leavers guard stops is logged and counted (`RosterSyncsStopped`) for a person to look at; a
school Wonde or its token failed makes the run fail after the others, so Lambda retries it and
the dead-letter queue's alarm says so."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from growthcycle.adapters.clock import Clock
from growthcycle.adapters.store import Store
from growthcycle.adapters.wonde import API, WondeClient, wonde_token
from growthcycle.app.staff_sync import sync_schools
from growthcycle.config import get_settings
from growthcycle.observability import logger, metrics, tracer


class RosterSyncFailed(RuntimeError):
    """One or more schools could not be synced (each is in the log, by school id)."""


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    base_url = settings.wonde_api_url or API
    run = sync_schools(
        Store(settings.table_name),
        today=Clock(settings.local_clock_file).today(),
        retention_years=settings.retention_years,
        wonde_for=lambda arn: WondeClient(wonde_token(arn), base_url=base_url),
    )
    counts = run.as_dict()
    logger.info("roster sync done", trigger=event.get("source"), schools=run.synced, **counts)
    for school_id, why in run.stopped.items():
        logger.warning("roster sync stopped by the leavers guard", school_id=school_id, why=why)
    metrics.add_metric(name="RosterSyncsStopped", unit=MetricUnit.Count, value=len(run.stopped))
    metrics.add_metric(name="RosterSyncsFailed", unit=MetricUnit.Count, value=len(run.failed))
    if run.failed:
        for school_id, why in run.failed.items():
            logger.error("roster sync failed", school_id=school_id, why=why)
        raise RosterSyncFailed(f"{len(run.failed)} schools not synced: {sorted(run.failed)}")
    return counts
