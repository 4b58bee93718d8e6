"""The API function's instances, as worker processes.

Lambda runs one event at a time in an instance, and as many instances as there are requests.
The resolver keeps the current request in module state, so one process can only serve one event
at a time; the local stack therefore runs the API handler in `count` worker processes (started
fresh, not forked, so they share no sockets or threads with the stack), and the HTTP server hands
each request to a free one. Each worker keeps its own module state between events, like a warm
instance. moto stays in the stack's process; the workers reach it over HTTP, as the deployed
functions reach DynamoDB.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def _exit_with_the_stack(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)  # the stack was killed outright (no clean shutdown): do not outlive it


def _warm() -> None:
    """Import the handler when the worker starts (its cold start), not on its first request,
    and end the worker if the stack's process goes."""
    threading.Thread(
        target=_exit_with_the_stack, args=(os.getppid(),), name="parent-watch", daemon=True
    ).start()
    from growthcycle.handlers import api  # noqa: F401


def _serve(event: dict[str, Any]) -> dict[str, Any]:
    from growthcycle.handlers import api
    from growthcycle.local.stack import LocalContext

    context: Any = LocalContext(function_name="ApiFunction")
    result: dict[str, Any] = api.lambda_handler(event, context)
    return result


class ApiWorkers:
    """Callable like a Lambda handler; each call runs in one of `count` worker processes.

    Start it after the stack has set the environment (endpoint, table, key): each worker takes
    a copy of it when it starts."""

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self._pool = ProcessPoolExecutor(
            max_workers=self.count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm,
        )

    def __call__(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        return self._pool.submit(_serve, event).result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
