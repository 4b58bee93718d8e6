"""`growthcycle forms check [PATH ...]`: validate form files, naming file, field and problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from growthcycle.domain.forms import RESOURCES, FormDefinitionError, form_files, load_form


def check(paths: list[Path]) -> tuple[int, list[str]]:
    """How many forms are good, and one line per broken file (or repeated id)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    good = 0
    for path in paths:
        if not path.exists():
            problems.append(f"{path}: no such file or folder")
            continue
        files = form_files(path)
        if not files:
            problems.append(f"{path}: no form files (*.yaml) here")
        for file in files:
            try:
                form = load_form(file)
            except FormDefinitionError as error:
                problems.append(str(error))
                continue
            if form.id in seen:
                problems.append(f"{form.file}: id {form.id!r} is also used by {seen[form.id]}")
                continue
            seen[form.id] = form.file
            good += 1
    return good, problems


def run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [RESOURCES / "forms"]
    good, problems = check(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"ok: {good} forms")
    return 0
