"""Cold start: importing each Lambda handler module in a fresh interpreter, against importing
only its dependencies (boto3, pydantic, jinja2, PyYAML and the Powertools modules it uses).

The ratio says what our own code adds at cold start (aim: at most 1.15). For a handler above that,
the third-party packages it loads beyond its baseline are listed: what it imports eagerly.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_COLD_RUNS", "9"))
AIM = 1.15

COMMON = (
    "import boto3, botocore.config, botocore.exceptions, pydantic, jinja2, yaml\n"
    "from aws_lambda_powertools import Logger, Metrics, Tracer\n"
    "from aws_lambda_powertools.utilities.typing import LambdaContext\n"
)
BASELINES = {
    "growthcycle.handlers.api": COMMON
    + "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response\n"
    + "from aws_lambda_powertools.logging import correlation_paths\n",
    "growthcycle.handlers.mailer": COMMON
    + "from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response\n"
    + "from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord\n",
    "growthcycle.handlers.deadline_check": COMMON
    + "from aws_lambda_powertools.metrics import MetricUnit\n",
    "growthcycle.handlers.email_events": COMMON,
}
ENV = {
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_REGION": "eu-west-2",
    "TABLE_NAME": "growthcycle-bench",
    "TRUST_NAME": "Bench Trust",
    "SENDER_ADDRESS": "bench@example.org",
    "BASE_URL": "https://bench.example.org",
    "SIGNING_KEY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-2:123456789012:secret:bench",
    "POWERTOOLS_SERVICE_NAME": "growthcycle",
    "PYTHONDONTWRITEBYTECODE": "",
}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    env.update({k: v for k, v in ENV.items() if v})
    env["PYTHONPATH"] = str(ROOT / "functions")
    return env


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(), cwd=ROOT)
    return (time.perf_counter() - start) * 1000


def _loaded(code: str) -> set[str]:
    listing = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        check=True,
        env=_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    stdlib = set(sys.stdlib_module_names)
    return {
        m.split(".")[0] for m in listing if m.split(".")[0] not in stdlib and not m.startswith("_")
    }


def _heaviest(module: str, count: int = 5) -> list[tuple[str, int]]:
    """Where the time goes: our modules by own import time, and eager third-party packages."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        check=True,
        env=_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stderr
    rows: list[tuple[str, int, int]] = []
    for line in err.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((parts[2].strip(), int(parts[0]), int(parts[1])))
    ours = sorted(((n, s) for n, s, _ in rows if n.startswith("growthcycle")), key=lambda r: -r[1])
    eager = [(n, c) for n, _, c in rows if n in ("aws_xray_sdk.core", "holidays")]
    return ours[:count] + eager


def main() -> list[str]:
    lines = [
        f"## Cold start: importing each handler in a fresh interpreter (median of {RUNS})",
        "",
        "| handler | handler import | its dependencies alone | ratio | aim ≤ 1.15 |",
        "|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for module, baseline in BASELINES.items():
        _time(baseline)  # warm the file cache for both
        _time(f"import {module}")
        base, mine = [], []
        for _ in range(RUNS):
            base.append(_time(baseline))
            mine.append(_time(f"import {module}"))
        b, m = statistics.median(base), statistics.median(mine)
        ratio = m / b
        lines.append(
            f"| `{module}` | {m:.0f} ms | {b:.0f} ms | {ratio:.2f} | {'yes' if ratio <= AIM else 'no'} |"
        )
        extra = sorted(_loaded(f"import {module}") - _loaded(baseline) - {"growthcycle"})
        if ratio > AIM or extra:
            heavy = ", ".join(f"`{n}` {us / 1000:.0f} ms" for n, us in _heaviest(module))
            notes.append(
                f"- `{module}` also loads: {', '.join(f'`{e}`' for e in extra) or 'nothing else'}."
                f" Heaviest (own import time; third-party cumulative): {heavy}"
            )
    lines += ["", "Third-party packages a handler loads beyond its baseline:", "", *notes]
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
