"""`growthcycle forms check [PATH ...]`: validate form files, naming file, field and problem.
`growthcycle forms check --trust T`: each school's forms (shipped, then the trust's layer, then the
school's: domain/form_layers.py), with the roles the system needs (REQUIRED_ROLES).
`growthcycle forms schema [--check]`: write the form file's JSON Schema (forms/*.schema.json) from
the form spec model (domain/form_spec.py); with --check, fail if the written files are stale."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from growthcycle.domain.form_layers import school_form_problems, trust_forms
from growthcycle.domain.form_spec import REQUIRED_ROLES, json_schemas
from growthcycle.domain.forms import (
    RESOURCES,
    Form,
    FormDefinitionError,
    FormRegistry,
    form_files,
    load_form,
    load_forms,
)
from growthcycle.domain.styles import STYLES
from growthcycle.domain.trust import TrustConfigInvalid, load_trust

PROJECT_ROOT = RESOURCES.resolve().parents[2]


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
            problems += _role_problems(form)
    return good, problems


def _role_problems(form: Form) -> list[str]:
    """A form the system relies on (REQUIRED_ROLES) lacking a role, in any style it is asked in."""
    return [
        p
        for style in STYLES
        if form.applies_to(style)
        for p in school_form_problems(FormRegistry({form.id: form}), style, "(any)")
        if form.id in REQUIRED_ROLES
    ]


def trust_file_of(trust: str) -> Path:
    """A trust file's path, or a trust's name in infra/trusts/."""
    given = Path(trust)
    if given.suffix in (".yaml", ".yml") or given.exists():
        return given
    return PROJECT_ROOT / "infra" / "trusts" / f"{trust}.yaml"


def check_trust(trust_file: Path) -> tuple[list[str], list[str]]:
    """(what each school's forms are, every problem): layers resolved per school, roles checked."""
    try:
        config = load_trust(trust_file)
    except TrustConfigInvalid as invalid:
        return [], [f"{trust_file}: {p}" for p in invalid.problems]
    shipped = load_forms()
    found, problems = trust_forms(shipped, trust_file, config.schools)
    styles = {s.id: s.policy_style for s in config.schools}
    summary: list[str] = []
    for school in found:
        own = [
            f"{f.id} ({' + '.join(f.layers)})"
            for f in school.forms
            if f.applies_to(styles[school.school_id]) and f.layers != shipped_layers(shipped, f.id)
        ]
        summary.append(
            f"{school.school_id}: {len(school.forms)} forms"
            + (f"; its own: {', '.join(own)}" if own else "; all as shipped")
        )
    return summary, problems


def shipped_layers(shipped: FormRegistry, form_id: str) -> tuple[str, ...]:
    return shipped.get(form_id).layers if form_id in shipped else ()


def run_check_trust(trust: str) -> int:
    trust_file = trust_file_of(trust)
    summary, problems = check_trust(trust_file)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    for line in summary:
        print(line)
    print(f"ok: {trust_file}: the forms of {len(summary)} schools")
    return 0


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
    if args.forms_command == "preview":
        from growthcycle.cli.forms_preview import run_preview

        return run_preview(args)
    if args.trust:
        return run_check_trust(args.trust)
    paths = [Path(p) for p in args.paths] or [RESOURCES / "forms"]
    good, problems = check(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"ok: {good} forms")
    return 0
