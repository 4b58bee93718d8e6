"""Logger, Tracer and Metrics: created once, here. Log structured fields, never personal data.

The Tracer is built on a handler's first traced call, not at import: building a Powertools
`Tracer` imports `aws_xray_sdk.core` (and with `auto_patch` every library it can patch), which
cost 200-400 ms of every cold start even where tracing is off (tests, the local stack). Where
tracing is off (Powertools' own rule: outside Lambda, under `sam local`, or
POWERTOOLS_TRACE_DISABLED=true) the X-Ray SDK is never imported. In Lambda (the template sets
`Tracing: Active`) the handler is traced exactly as before, from the first request on; the
import then happens inside that first request. See docs/performance.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.tracing import Tracer  # the class only: aws_xray_sdk is a lazy import

logger = Logger(service="growthcycle")
metrics = Metrics(namespace="GrowthCycle", service="growthcycle")

Handler = TypeVar("Handler", bound=Callable[..., Any])

# Every AWS call goes through boto3, so patching botocore traces all of them; `patch_all` would
# also import and patch requests, sqlite3, httplib and more that we never call (half its cost).
TRACED_MODULES = ("botocore",)


class LazyTracer:
    """Powertools' Tracer, built when a traced handler first runs with tracing on."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._tracer: Tracer | None = None

    @staticmethod
    def disabled() -> bool:
        # Powertools' own rule for when tracing is off, read when the first request arrives.
        return bool(Tracer._is_tracer_disabled())

    @property
    def tracer(self) -> Tracer:
        """The Powertools Tracer (built, and aws_xray_sdk imported, on first use)."""
        if self._tracer is None:
            self._tracer = Tracer(service=self.service, auto_patch=False)
            self._tracer.patch(modules=TRACED_MODULES)
        return self._tracer

    def capture_lambda_handler(self, handler: Handler) -> Handler:
        """`Tracer.capture_lambda_handler`, applied on the first call rather than at import."""
        traced: Callable[..., Any] | None = None

        @functools.wraps(handler)
        def run(event: Any, context: Any) -> Any:
            nonlocal traced
            if traced is None:
                traced = handler if self.disabled() else self.tracer.capture_lambda_handler(handler)
            return traced(event, context)

        return run  # type: ignore[return-value]


tracer = LazyTracer(service="growthcycle")
