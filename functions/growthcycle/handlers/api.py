"""The HTTP API function: every route, one handler (API Gateway HTTP API, payload v2)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from growthcycle.domain.forms import load_forms
from growthcycle.observability import logger, tracer
from growthcycle.web.app import app
from growthcycle.web.http import (
    add_security_headers,
    as_get,
    loggable_path,
    method_of,
    without_body,
)

# Refuse to start with a broken form: the error names the file, the field and the problem.
load_forms()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    method = method_of(event)
    # HEAD: the GET's status and headers, no body.
    result = add_security_headers(
        app.resolve(as_get(event) if method == "HEAD" else event, context)
    )
    path = str(event.get("requestContext", {}).get("http", {}).get("path", ""))
    logger.info(
        "request", method=method, path=loggable_path(app, path), status=result.get("statusCode")
    )
    return without_body(result) if method == "HEAD" else result
