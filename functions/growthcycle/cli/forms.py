"""`growthcycle forms check [PATH ...]`: validate form files, naming file, field and problem.
`growthcycle forms schema [--check]`: write the form file's JSON Schema (forms/*.schema.json) from
the form spec model (domain/form_spec.py); with --check, fail if the written files are stale."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from growthcycle.domain.form_spec import json_schemas
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


def schema_texts() -> dict[str, str]:
    """Each schema file's name and the text it should hold."""
    return {
        name: json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        for name, schema in json_schemas().items()
    }


def stale_schemas(folder: Path) -> list[str]:
    """The schema files in `folder` missing or not as the model says."""
    return [
        name
        for name, text in schema_texts().items()
        if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text
    ]


def write_schemas(folder: Path) -> list[str]:
    """Write the schema files that are stale; which were written."""
    stale = stale_schemas(folder)
    texts = schema_texts()
    for name in stale:
        (folder / name).write_text(texts[name], encoding="utf-8")
    return stale


def run_schema(args: argparse.Namespace) -> int:
    folder = Path(args.dir) if args.dir else RESOURCES / "forms"
    if args.check:
        stale = stale_schemas(folder)
        for name in stale:
            print(
                f"{folder / name}: out of date with the form spec; run growthcycle forms schema",
                file=sys.stderr,
            )
        if stale:
            return 1
        print(f"ok: {len(schema_texts())} schemas are current")
        return 0
    written = write_schemas(folder)
    for name in written:
        print(f"wrote {folder / name}")
    if not written:
        print("the schemas are current")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.forms_command == "schema":
        return run_schema(args)
    paths = [Path(p) for p in args.paths] or [RESOURCES / "forms"]
    good, problems = check(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"ok: {good} forms")
    return 0
