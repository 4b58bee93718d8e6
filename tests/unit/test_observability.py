"""The Tracer costs nothing at import, and still traces in Lambda (issue #7: cold start)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import sys
from growthcycle.observability import tracer

@tracer.capture_lambda_handler
def handler(event, context):
    return {"ok": event["n"]}

print("imported-xray", "aws_xray_sdk.core" in sys.modules)
print("result", handler({"n": 1}, None)["ok"])
print("called-xray", "aws_xray_sdk.core" in sys.modules)
print("traced", tracer._tracer is not None)
"""


def _probe(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    base.pop("LAMBDA_TASK_ROOT", None)
    base.update({"PYTHONPATH": str(ROOT / "functions"), "AWS_DEFAULT_REGION": "eu-west-2"})
    base.update(env)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=base, capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def test_with_tracing_off_the_xray_sdk_is_never_imported() -> None:
    seen = _probe({"POWERTOOLS_TRACE_DISABLED": "true"})
    assert seen == {
        "imported-xray": "False",
        "result": "1",
        "called-xray": "False",
        "traced": "False",
    }


def test_in_lambda_with_tracing_on_the_handler_is_traced_from_its_first_call() -> None:
    seen = _probe(
        {
            "LAMBDA_TASK_ROOT": "/var/task",
            "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        }
    )
    assert seen == {
        "imported-xray": "False",
        "result": "1",
        "called-xray": "True",
        "traced": "True",
    }
