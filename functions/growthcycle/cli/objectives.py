"""`growthcycle objectives check --style {performance,growth} [FILE]`.

Reads one objective (or commitment) per line from FILE, or standard input when FILE is absent, and
prints one JSON object per line: `{"text": ..., "flags": [...]}`, where flags are the codes in
`docs/guidance.md`. Blank lines are skipped. Only the text-level checks run here (`check_text`);
links to priorities, success criteria and the number of objectives need the planning and review
form. An unreadable file is one line on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from growthcycle.domain.guidance import check_text

EXIT_UNREADABLE = 2


def _check_lines(lines: Iterable[str], style: str) -> None:
    for line in lines:
        text = line.strip()
        if not text:
            continue
        flags = [flag.code for flag in check_text(text, style)]
        sys.stdout.write(json.dumps({"text": text, "flags": flags}, ensure_ascii=False) + "\n")


def _unreadable(source: str, error: OSError | UnicodeDecodeError) -> int:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    print(f"growthcycle objectives check: cannot read {source}: {reason}", file=sys.stderr)
    return EXIT_UNREADABLE


def run(args: argparse.Namespace) -> int:
    if args.file is None:
        try:  # streamed, so a line typed at a terminal is answered at once
            _check_lines(sys.stdin, args.style)
        except UnicodeDecodeError as error:
            return _unreadable("standard input", error)
        return 0
    try:
        with open(args.file, encoding="utf-8-sig") as handle:
            lines = handle.readlines()
    except (OSError, UnicodeDecodeError) as error:
        return _unreadable(args.file, error)
    _check_lines(lines, args.style)
    return 0
