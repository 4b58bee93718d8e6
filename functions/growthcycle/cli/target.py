"""Which table a command works on (`--table`, `--endpoint-url`), shared by the commands that
read or write records (staff import, export, report).

- A deployed trust: `--table NAME` (the stack's `TableName` output), or `$TABLE_NAME` when
  `--table` is left out. boto3 finds the account, region and credentials as usual
  (`AWS_PROFILE`, `AWS_REGION`, ...).
- The running local stack (`growthcycle demo`): `--endpoint-url local`. The endpoint is read from
  `<data>/endpoint`, which the demo writes when it starts (`.local/` unless `$GROWTHCYCLE_LOCAL_DATA`
  names another folder), the table is `growthcycle-local` unless `--table` names another, any
  credentials do, and "today" is the demo's clock (`/_local/clock`).
- Any other endpoint (a moto server of your own): `--endpoint-url http://...` with `--table` or
  `$TABLE_NAME`.

A missing table name is an error that says what to pass; there is no silent default.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from growthcycle.adapters.clock import Clock
from growthcycle.adapters.store import Store

LOCAL = "local"
LOCAL_DATA_ENV = "GROWTHCYCLE_LOCAL_DATA"
LOCAL_REGION = "eu-west-2"


class TargetUnknown(ValueError):
    """The command cannot tell which table to use; the message says what to pass."""


@dataclass(frozen=True)
class Target:
    store: Store
    clock: Clock
    description: str  # for the operator: "table X (AWS)" or "table X at http://..."
    # Secrets Manager where the table is (a school's Wonde token); None: AWS's, as boto3 finds it.
    secrets: Any = None


def local_data_dir() -> Path:
    return Path(os.environ.get(LOCAL_DATA_ENV) or ".local")


def _local_endpoint(data_dir: Path) -> str:
    endpoint_file = data_dir / "endpoint"
    try:
        endpoint = endpoint_file.read_text(encoding="utf-8").strip()
    except OSError:
        raise TargetUnknown(
            f"no local stack: {endpoint_file} is missing. Start it with `growthcycle demo` "
            f"(or set {LOCAL_DATA_ENV} to the folder it was started with --data)"
        ) from None
    if not endpoint:
        raise TargetUnknown(f"{endpoint_file} is empty: restart `growthcycle demo`")
    return endpoint


def _dynamodb_at(endpoint_url: str, *, local: bool) -> Any:
    return _client_at("dynamodb", endpoint_url, local=local)


def _client_at(service: str, endpoint_url: str, *, local: bool) -> Any:
    import boto3

    from growthcycle.adapters.aws import _CONFIG

    options: dict[str, Any] = {"endpoint_url": endpoint_url, "config": _CONFIG}
    if local:
        # moto accepts any credentials; never send real ones to it.
        options |= {
            "region_name": LOCAL_REGION,
            "aws_access_key_id": "local",
            "aws_secret_access_key": "local",
        }
    return boto3.client(service, **options)


def resolve_target(table: str | None, endpoint_url: str | None) -> Target:
    """The table named by `--table`/`--endpoint-url` (see the module docstring)."""
    if endpoint_url == LOCAL:
        from growthcycle.local.stack import TABLE_NAME as LOCAL_TABLE

        data_dir = local_data_dir()
        endpoint = _local_endpoint(data_dir)
        local_table = table or LOCAL_TABLE
        return Target(
            store=Store(local_table, _dynamodb_at(endpoint, local=True)),
            clock=Clock(str(data_dir / "today")),
            description=f"table {local_table} in the local stack at {endpoint}",
            secrets=_client_at("secretsmanager", endpoint, local=True),
        )
    name = table or os.environ.get("TABLE_NAME")
    if not name:
        raise TargetUnknown(
            "which table? Pass --table NAME (the stack's TableName output), set TABLE_NAME, "
            "or pass --endpoint-url local for the running `growthcycle demo`"
        )
    clock = Clock(os.environ.get("GROWTHCYCLE_LOCAL_CLOCK_FILE"))
    if endpoint_url:
        return Target(
            store=Store(name, _dynamodb_at(endpoint_url, local=False)),
            clock=clock,
            description=f"table {name} at {endpoint_url}",
            secrets=_client_at("secretsmanager", endpoint_url, local=False),
        )
    return Target(store=Store(name), clock=clock, description=f"table {name}")


def target_from_args(args: argparse.Namespace) -> Target:
    return resolve_target(getattr(args, "table", None), getattr(args, "endpoint_url", None))
