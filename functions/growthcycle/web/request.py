"""What lives for one request: the event being answered and a cache cleared after it.

A `Router` of its own, included in web/app.py like every route module, so code below the routes
(web/services.py, web/core.py) reads the current event without importing the resolver: no import
cycle. Powertools clears the resolver's context after each event, and this router's context is
the resolver's once it is included.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

router = Router()


def current_event() -> BaseProxyEvent:
    return router.current_event


def request_cache() -> dict[str, Any]:
    """A dict that lives for one request."""
    cache: dict[str, Any] = router.context.setdefault("growthcycle_cache", {})
    return cache
