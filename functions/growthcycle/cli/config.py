"""`growthcycle config check FILE`: validate a trust file and list every problem in it."""

from __future__ import annotations

import argparse

from growthcycle.domain.trust import TrustConfigInvalid, TrustFileUnreadable, load_trust


def run(args: argparse.Namespace) -> int:
    path: str = args.file
    try:
        config = load_trust(path)
    except TrustConfigInvalid as invalid:
        for problem in invalid.problems:
            print(f"{path}: {problem}")
        return 2 if isinstance(invalid, TrustFileUnreadable) else 1
    count = len(config.schools)
    print(f"ok: {path}: {count} school{'' if count == 1 else 's'}")
    return 0
