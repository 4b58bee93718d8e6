"""A school's forms: the shipped forms, then its trust's layer, then its own (issue 12, item 1).

A trust's folder beside its trust file holds the layers (docs/forms.md):

    infra/trusts/<trust>.yaml                              the trust file
    infra/trusts/<trust>/forms/<id>.yaml                   the trust's layer: every school
    infra/trusts/<trust>/schools/<school>/forms/<id>.yaml  one school's layer

A file in a layer is named after the form it is about, and is either
- a whole form (a FormSpec, as in forms/): a form of the trust's own, or one that replaces the form
  of that id below it; or
- an overlay (a FormOverlaySpec: `extends: <id>`): changes to the form below it, without copying
  it: `fields: {remove: [...], change: {key: {...}}, add: [...], order: [...]}`, applied in that
  order, and optionally a new title, description, source or styles.

Every result is validated through FormSpec again and built like a shipped form, so a broken layer
fails naming its file, the field and the problem. `school_form_problems` adds what the rest of the
system needs: each form in REQUIRED_ROLES present for the school's style, with every role it needs.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from growthcycle.domain.commitments import REQUIRED_COMMITMENTS
from growthcycle.domain.form_spec import (
    READ_BY_KEY,
    READ_IN_ROLE,
    REQUIRED_ROLES,
    ROLES,
    FormOverlaySpec,
    FormSpec,
    describe_error,
    describe_overlay_error,
)
from growthcycle.domain.forms import (
    Form,
    FormDefinitionError,
    FormRegistry,
    _display_path,
    _read_yaml,
    build_form,
    parse_form,
)
from growthcycle.domain.trust import School


@dataclass(frozen=True)
class LayerFile:
    """One file of a layer: the path shown in messages, its name's stem and its parsed YAML."""

    file: str
    stem: str
    data: Any


@dataclass(frozen=True)
class Layer:
    """A trust's or a school's forms folder, as read."""

    name: str  # "trust demo-trust", "school oakfield-primary"
    files: tuple[LayerFile, ...]


# -- paths -------------------------------------------------------------------------------------


def trust_folder(trust_file: Path) -> Path:
    """infra/trusts/<trust>/ beside infra/trusts/<trust>.yaml (the staff rosters live there too)."""
    return trust_file.with_suffix("")


def trust_forms_folder(trust_file: Path) -> Path:
    return trust_folder(trust_file) / "forms"


def school_forms_folder(trust_file: Path, school_id: str) -> Path:
    return trust_folder(trust_file) / "schools" / school_id / "forms"


def read_layer(name: str, folder: Path) -> Layer:
    """The layer in `folder` (none there: an empty layer). FormDefinitionError if unreadable."""
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return Layer(name, tuple(LayerFile(_display_path(p), p.stem, _read_yaml(p)) for p in files))


def layers_for(trust_file: Path, school_id: str) -> list[Layer]:
    """The trust's layer, then the school's."""
    return [
        read_layer(f"trust {trust_folder(trust_file).name}", trust_forms_folder(trust_file)),
        read_layer(f"school {school_id}", school_forms_folder(trust_file, school_id)),
    ]


# -- stored on the SCHOOL item (local/seed.py put_trust), read by the functions -----------------


def layers_to_json(layers: Sequence[Layer]) -> list[dict[str, Any]]:
    """JSON-able layers (dates as ISO text, which FormSpec reads back as dates)."""
    import json

    return json.loads(
        json.dumps(
            [
                {
                    "name": layer.name,
                    "files": [
                        {"file": f.file, "stem": f.stem, "data": f.data} for f in layer.files
                    ],
                }
                for layer in layers
            ],
            default=str,
        )
    )


def layers_from_json(raw: Any) -> list[Layer]:
    return [
        Layer(
            str(layer["name"]),
            tuple(LayerFile(str(f["file"]), str(f["stem"]), f["data"]) for f in layer["files"]),
        )
        for layer in raw or []
    ]


# -- resolving ---------------------------------------------------------------------------------


def resolve(shipped: FormRegistry, layers: Sequence[Layer]) -> FormRegistry:
    """The shipped forms with each layer applied in turn; FormDefinitionError at the first
    broken file, naming the file, the field and the problem."""
    forms: dict[str, Form] = {f.id: f for f in shipped}
    for layer in layers:
        for item in layer.files:
            data = item.data
            if isinstance(data, Mapping) and "extends" in data:
                form = _overlay(forms, item)
            else:
                form = parse_form(data, item.file)
                if form.id != item.stem:
                    raise FormDefinitionError(
                        item.file, None, f"id {form.id!r} does not match the file name"
                    )
            forms[form.id] = form
    return FormRegistry(forms)


def _overlay(forms: Mapping[str, Form], item: LayerFile) -> Form:
    try:
        overlay = FormOverlaySpec.model_validate(item.data)
    except pydantic.ValidationError as invalid:
        field, problem = describe_overlay_error(invalid, item.data)
        raise FormDefinitionError(item.file, field, problem) from None
    if overlay.extends != item.stem:
        raise FormDefinitionError(
            item.file, None, f"extends {overlay.extends!r}, but the file is named {item.stem!r}"
        )
    base = forms.get(overlay.extends)
    if base is None or base.spec is None:
        known = ", ".join(sorted(forms))
        raise FormDefinitionError(
            item.file,
            None,
            f"extends {overlay.extends!r}, but there is no such form below it (there are: {known})",
        )
    raw = apply_overlay(base.spec, overlay, item.file, base.file)
    try:
        spec = FormSpec.model_validate(raw)
    except pydantic.ValidationError as invalid:
        field, problem = describe_error(invalid, raw)
        raise FormDefinitionError(item.file, field, f"{problem} (after the changes)") from None
    return build_form(spec, item.file, layers=(*base.layers, item.file))


def _find(fields: list[dict[str, Any]], dotted: str) -> tuple[list[dict[str, Any]], int] | None:
    """The list holding the field `key` or `group.key`, and its index there."""
    top, _, sub = dotted.partition(".")
    index = next((i for i, f in enumerate(fields) if f.get("key") == top), None)
    if index is None:
        return None
    if not sub:
        return fields, index
    inner = fields[index].get("fields")
    if not isinstance(inner, list):
        return None
    found = next((i for i, f in enumerate(inner) if f.get("key") == sub), None)
    return (inner, found) if found is not None else None


def apply_overlay(
    base: FormSpec, overlay: FormOverlaySpec, file: str, below: str
) -> dict[str, Any]:
    """The form file `overlay` makes of `base`, as raw data to validate. FormDefinitionError (in
    `file`) for a change to a field that is not there, or an added one that already is."""
    raw: dict[str, Any] = copy.deepcopy(base.model_dump(exclude_unset=True))
    for name in ("title", "description", "source", "styles", "for_staff"):
        if name in overlay.model_fields_set:
            value = getattr(overlay, name)
            if value is None:
                raw.pop(name, None)
            else:
                raw[name] = value
    fields: list[dict[str, Any]] = raw["fields"]
    ops = overlay.fields
    for key in ops.remove:
        found = _find(fields, key)
        if found is None:
            raise FormDefinitionError(file, key, f"there is no such field to remove in {below}")
        holder, index = found
        del holder[index]
    for key, change in ops.change.items():
        found = _find(fields, key)
        if found is None:
            raise FormDefinitionError(file, key, f"there is no such field to change in {below}")
        holder, index = found
        for name, value in change.model_dump(exclude_unset=True).items():
            if value is None:
                holder[index].pop(name, None)
            else:
                holder[index][name] = value
    for added in ops.add:
        new = added.model_dump(exclude_unset=True, exclude={"after", "before"})
        place = added.after or added.before
        if place is None:
            holder, index = fields, len(fields)
        else:
            found = _find(fields, place)
            if found is None:
                side = "after" if added.after else "before"
                raise FormDefinitionError(
                    file, added.key, f"'{side}: {place}' names no field of the form"
                )
            holder, index = found
            index += 1 if added.after else 0
        if any(f.get("key") == added.key for f in holder):
            raise FormDefinitionError(
                file, added.key, f"is already a field of {below}: change it instead of adding it"
            )
        holder.insert(index, new)
    if ops.order is not None:
        keys = [f["key"] for f in fields]
        missing = [k for k in keys if k not in ops.order]
        unknown = [k for k in ops.order if k not in keys]
        if missing or unknown or len(set(ops.order)) != len(ops.order):
            problem = "'order' must list every field of the form once"
            if missing:
                problem += f"; it leaves out {', '.join(missing)}"
            if unknown:
                problem += f"; there is no field {', '.join(unknown)}"
            raise FormDefinitionError(file, None, problem)
        raw["fields"] = sorted(fields, key=lambda f: ops.order.index(f["key"]))  # type: ignore[union-attr]
    return raw


# -- what the rest of the system needs of a school's forms ---------------------------------------


def _item_problems(form: Form, style: str, school_id: str) -> list[str]:
    """The fields of each objective or commitment the guidance reads (READ_IN_ROLE), and the
    focus choices seed 003 requires (domain/commitments.py REQUIRED_COMMITMENTS)."""
    problems: list[str] = []
    for role, read in READ_IN_ROLE.items():
        group = form.role_field(role, style)
        if group is None:
            continue
        subs = {f.key: f for f in group.fields_for(style)}
        for key, (ftype, what) in read.items():
            found = subs.get(key)
            if found is None or found.type != ftype:
                problems.append(
                    f"{form.file}: form {form.id!r} for school {school_id} ({style}): field "
                    f"'{group.key}.{key}' ({what}) is read under this key: keep a {ftype} "
                    f"field '{key}' in '{group.key}'"
                )
        focus = subs.get("focus") if role == "commitments" else None
        if focus is not None and focus.type == "single_choice":
            values = {c.value for c in focus.choices}
            for required in REQUIRED_COMMITMENTS:
                if focus.choices_from is None and required.focus not in values:
                    problems.append(
                        f"{form.file}: form {form.id!r} for school {school_id} ({style}): field "
                        f"'{group.key}.focus' needs the choice {required.focus!r} "
                        f"({required.source})"
                    )
    return problems


def school_form_problems(forms: FormRegistry, style: str, school_id: str) -> list[str]:
    """Each form the system relies on (REQUIRED_ROLES) present for the school's policy style, and
    each role it needs played by a field; one line per problem, naming the file to change."""
    problems: list[str] = []
    for form_id, by_style in REQUIRED_ROLES.items():
        if style not in by_style:
            continue
        if form_id not in forms:
            problems.append(f"school {school_id}: has no form {form_id!r}")
            continue
        form = forms.get(form_id)
        if not form.applies_to(style):
            problems.append(
                f"{form.file}: form {form_id!r} is not asked in {school_id}'s style ({style})"
            )
            continue
        for role in form.missing_roles(style):
            spec = ROLES[role]
            problems.append(
                f"{form.file}: form {form_id!r} for school {school_id} ({style}) has no field "
                f"with role '{role}' ({spec.what}, {spec.source}): give one "
                f"{' or '.join(spec.types)} field 'role: {role}'"
            )
    for form_id in REQUIRED_ROLES:
        if form_id in forms and forms.get(form_id).applies_to(style):
            problems += _item_problems(forms.get(form_id), style, school_id)
    for form_id, read in READ_BY_KEY.items():
        if form_id not in forms or not forms.get(form_id).applies_to(style):
            continue
        form = forms.get(form_id)
        by_key = {f.key: f for f in form.fields_for(style)}
        for key, (ftype, what) in read.items():
            found = by_key.get(key)
            if found is None or found.type != ftype:
                problems.append(
                    f"{form.file}: form {form_id!r} for school {school_id} ({style}): field "
                    f"'{key}' ({what}) is read under this key: keep a {ftype} field '{key}'"
                )
    return problems


@dataclass(frozen=True)
class SchoolForms:
    school_id: str
    layers: list[Layer]
    forms: FormRegistry


def trust_forms(
    shipped: FormRegistry, trust_file: Path, schools: Iterable[School]
) -> tuple[list[SchoolForms], list[str]]:
    """Each school's layers and forms, and every problem with them (a broken file, a missing
    role, a school folder for no school in the trust file): check before anything is written."""
    found: list[SchoolForms] = []
    problems: list[str] = []
    listed = list(schools)
    known = {s.id for s in listed}
    extra = trust_folder(trust_file) / "schools"
    if extra.is_dir():
        for folder in sorted(p for p in extra.iterdir() if p.is_dir()):
            if folder.name not in known:
                problems.append(
                    f"{_display_path(folder)}: there is no school {folder.name!r} in the trust file"
                )
    for school in listed:
        try:
            layers = layers_for(trust_file, school.id)
            forms = resolve(shipped, layers)
        except FormDefinitionError as error:
            problems.append(str(error))
            continue
        problems += school_form_problems(forms, school.policy_style, school.id)
        found.append(SchoolForms(school.id, layers, forms))
    # A broken file in the trust's layer breaks every school: say it once.
    return found, list(dict.fromkeys(problems))


class FormsRefused(Exception):
    """A school's forms are broken or lack what the system needs; nothing is used or written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
