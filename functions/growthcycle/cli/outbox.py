"""`growthcycle outbox list|retry`: the emails not yet sent, for operations.

`list` shows every outbox email still unsent (pending, or being sent) and every one the mailer
gave up on (`failed`, which fires OutboxEmailFailedAlarm), oldest first: its id, status, attempts,
last error, template and recipient person id. No addresses or content: the id is enough to find
it, and the people's records say who they are. Two Queries of the sparse Unsent index, no Scan.

`retry ID ... | --failed` gives failed emails back to the sweep with their attempts reset; the
deployed sweep sends them within five minutes (the local stack's within seconds). Fix the cause
first (docs/operations.md, "Email that did not go").
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from growthcycle.adapters.delivery import retry_failed, unsent
from growthcycle.adapters.outbox import FAILED, UNSENT, outbox_item_key
from growthcycle.cli.target import TargetUnknown, target_from_args

PREFIX = "OUTBOX#"


def _row(item: dict[str, Any]) -> str:
    lease = item.get("lease_until")
    status = str(item.get("status", "?"))
    if status == "sending" and lease:
        until = datetime.fromtimestamp(int(lease), UTC).strftime("%H:%M:%SZ")
        status = f"sending (lease until {until})"
    return "  ".join(
        [
            str(item["pk"]).removeprefix(PREFIX),
            str(item.get("queued_at", ""))[:19],
            status,
            f"attempts={int(item.get('attempts', 0))}",
            f"last_error={item.get('last_error') or '-'}",
            f"template={item.get('template') or '-'}",
            f"person={item.get('to_person_id') or '-'}",
        ]
    )


def run(args: argparse.Namespace) -> int:
    try:
        target = target_from_args(args)
    except TargetUnknown as problem:
        print(f"growthcycle outbox: {problem}", file=sys.stderr)
        return 2
    if args.outbox_command == "list":
        return _list(target)
    return _retry(target, args)


def _list(target: Any) -> int:
    waiting = list(unsent(target.store, UNSENT))
    failed = list(unsent(target.store, FAILED))
    print(f"{target.description}: {len(waiting)} waiting, {len(failed)} failed")
    for title, items in (("waiting", waiting), ("failed", failed)):
        if items:
            print(f"{title}:")
            for item in items:
                print("  " + _row(item))
    return 1 if failed else 0


def _retry(target: Any, args: argparse.Namespace) -> int:
    if args.failed == bool(args.ids):
        print("growthcycle outbox retry: name outbox ids or pass --failed", file=sys.stderr)
        return 2
    ids = [str(i["pk"]) for i in unsent(target.store, FAILED)] if args.failed else args.ids
    retried, refused = 0, []
    for outbox_id in ids:
        if retry_failed(target.store, outbox_item_key(outbox_id)):
            retried += 1
        else:
            refused.append(outbox_id.removeprefix(PREFIX))
    print(f"{retried} given back to the sweep (sent within five minutes)")
    for outbox_id in refused:
        print(f"not failed (sent, waiting or unknown), left alone: {outbox_id}", file=sys.stderr)
    return 1 if refused else 0
