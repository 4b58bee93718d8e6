"""Forms as data: one YAML definition per form yields the HTML form, the pydantic model that
validates a submission, and the read-only rendering used in statements and emails.

A form file (`forms/<id>.yaml`) holds `id`, `title`, `description`, `filled_by`, `styles`, `source`
and `fields`. Each field has a `key`, a `type`, a `label`, an optional `hint`, `required`, a list of
typed `validators` (`- max_length: 500`), and optionally `choices` or `choices_from`, `show_when`
(`{field: key, equals: value}`), `styles`, and for a repeating group `fields` and `item_label`.
A top-level field may say `filled_by` (reviewee or reviewer) when someone other than the form's
filler writes it, e.g. the reviewee's comments on the reviewer's statement: the other party sees it
read-only and anything they post for it is ignored (`Form.keep_theirs`).
Defaults (short text at most 200 characters, long text 5000, ...) live in code, not in the files.
What a file may say is one pydantic model, `domain/form_spec.FormSpec` (its JSON Schema is
forms/form.schema.json); every file is validated through it, then built here into a `Form`.

Values travel in three shapes:
- posted: a parsed urlencoded body, flat names (`objectives-0-title`) -> `read()`;
- entered: nested (`{"objectives": [{"title": "..."}]}`) strings, kept to re-render on error;
- clean: what `validate()` returns, JSON-able (booleans, numbers, ISO dates), unanswered and
  hidden (condition not met) fields left out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pydantic
import yaml
from pydantic_core import PydanticCustomError

from growthcycle.domain.form_spec import (
    CHOICE_TYPES,
    DEFAULTS,
    FIELD_TYPES,
    FILLED_BY,
    REQUIRED_ROLES,
    ROLES,
    TEXT_TYPES,
    VALIDATORS,
    FieldSpec,
    FieldType,
    FormSpec,
    ReferenceSpec,
    describe_error,
)
from growthcycle.domain.styles import STYLES, PolicyStyle

__all__ = ["CHOICE_TYPES", "DEFAULTS", "FIELD_TYPES", "FILLED_BY", "TEXT_TYPES", "VALIDATORS"]

# Lists supplied by the caller at render time (FormContext.references), not held in a file.
RUNTIME_REFERENCES = ("school_priorities",)
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


# ---------------------------------------------------------------------------------------------
# Errors and small types of the API


class FormDefinitionError(Exception):
    """A form file is broken; names the file, the field (dotted, if any) and the problem."""

    def __init__(self, file: str, field: str | None, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        where = f"field '{field}': " if field else ""
        super().__init__(f"{file}: {where}{problem}")


class UnknownForm(LookupError):
    """No form with that id is loaded."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormContext:
    style: PolicyStyle
    references: Mapping[str, Sequence[Choice]] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldError:
    key: str  # "objectives.1.title"
    anchor: str  # "f-objectives-1-title", the id of the input (or group) in the HTML
    message: str


class FormInvalid(Exception):
    """The submission has errors; `values` are the entered values to show again with them."""

    def __init__(self, errors: list[FieldError], values: dict[str, Any]) -> None:
        super().__init__(f"{len(errors)} error(s): " + "; ".join(e.key for e in errors))
        self.errors = errors
        self.values = values


@dataclass
class FormInput:
    values: dict[str, Any]
    action: str  # "submit" | "save" | "add:<group>" | "remove:<group>:<i>"


@dataclass(frozen=True)
class ShowWhen:
    field: str
    equals: str | bool


# ---------------------------------------------------------------------------------------------
# The definition


@dataclass(frozen=True)
class Field:
    key: str
    type: FieldType
    label: str
    hint: str = ""
    required: bool = False
    validators: Mapping[str, Any] = field(default_factory=dict)  # with defaults applied
    choices: tuple[Choice, ...] = ()
    choices_from: str | None = None
    show_when: ShowWhen | None = None
    styles: tuple[PolicyStyle, ...] = STYLES  # effective: inherited from form or group
    fields: tuple[Field, ...] = ()
    item_label: str = "Item"
    filled_by: str | None = None  # None: whoever fills the form
    role: str | None = None  # the part it plays that the rest of the system reads (ROLES)

    def applies_to(self, style: str) -> bool:
        return style in self.styles

    def fields_for(self, style: str) -> list[Field]:
        return [f for f in self.fields if f.applies_to(style)]

    @property
    def min_items(self) -> int:
        return int(self.validators.get("min_items", 0))

    @property
    def max_items(self) -> int | None:
        found = self.validators.get("max_items")
        return None if found is None else int(found)

    def choices_in(self, refs: Mapping[str, Sequence[Choice]]) -> Sequence[Choice]:
        if self.choices_from is None:
            return self.choices
        return refs.get(self.choices_from, ())


class _ReferenceMap(dict[str, Sequence[Choice]]):
    """The caller's references, falling back to the reference files for lists held in files."""

    def __init__(self, given: Mapping[str, Sequence[Choice]], root: Path | None) -> None:
        super().__init__(given)
        self.root = root

    def __missing__(self, name: str) -> Sequence[Choice]:
        if name in RUNTIME_REFERENCES:
            return ()
        found = load_reference(name, root=self.root)
        self[name] = found
        return found

    def get(self, name: str, default: Any = None) -> Any:
        return self[name]


class Form:
    def __init__(
        self,
        *,
        id: str,
        title: str,
        description: str,
        filled_by: str,
        styles: tuple[PolicyStyle, ...],
        source: str,
        fields: tuple[Field, ...],
        file: str = "",
        reference_root: Path | None = None,
        spec: FormSpec | None = None,
        layers: tuple[str, ...] = (),
        for_staff: tuple[str, ...] = (),
    ) -> None:
        self.id = id
        self.title = title
        self.description = description
        self.filled_by = filled_by
        self.styles = styles
        self.source = source
        self.fields = fields
        self.file = file
        self.for_staff = for_staff  # roster roles it is for; () is everyone
        self.spec = spec  # what it was built from: a trust's overlay changes this (form_layers)
        self.layers = layers or ((file,) if file else ())  # the files that made it, lowest first
        self._reference_root = reference_root
        self._models: dict[str, type[pydantic.BaseModel]] = {}

    def __repr__(self) -> str:
        return f"Form({self.id!r})"

    def applies_to(self, style: str) -> bool:
        return style in self.styles

    def fields_for(self, style: str) -> list[Field]:
        return [f for f in self.fields if f.applies_to(style)]

    def is_for(self, roles: Sequence[str]) -> bool:
        """Whether someone with these roster roles is given this form (`for_staff`)."""
        return not self.for_staff or bool(set(self.for_staff) & set(roles))

    def role_field(self, role: str, style: str) -> Field | None:
        """The top-level field playing `role` (ROLES) in `style`, if the form has one."""
        return next((f for f in self.fields_for(style) if f.role == role), None)

    def role_key(self, role: str, style: str) -> str | None:
        """The key its values are saved under: code reads a value by role, never by key."""
        found = self.role_field(role, style)
        return found.key if found else None

    def role_keys(self, roles: Sequence[str], style: str) -> list[str]:
        return [k for k in (self.role_key(r, style) for r in roles) if k is not None]

    def missing_roles(self, style: str) -> list[str]:
        """The roles the rest of the system needs from this form in `style` that no field plays
        (REQUIRED_ROLES: the planning and review statement's objectives, assessment, ...)."""
        wanted = REQUIRED_ROLES.get(self.id, {}).get(style, ())
        return [r for r in wanted if self.role_field(r, style) is None]

    def filler_of(self, spec: Field) -> str:
        """Who writes this field: its own `filled_by`, else the form's."""
        return spec.filled_by or self.filled_by

    def others_fields(self, style: str, role: str) -> list[Field]:
        """The top-level fields in `style` that someone other than `role` writes."""
        return [f for f in self.fields_for(style) if self.filler_of(f) != role]

    def keep_theirs(
        self, entered: Mapping[str, Any], stored: Mapping[str, Any], style: str, role: str
    ) -> dict[str, Any]:
        """`entered` with every field the other party writes taken from `stored` instead: what
        `role` posted for it is ignored, and what the other party wrote is kept."""
        kept = dict(entered)
        for spec in self.others_fields(style, role):
            kept.pop(spec.key, None)
            if spec.key in stored:
                kept[spec.key] = stored[spec.key]
        return kept

    def group(self, key: str, style: str) -> Field | None:
        for f in self.fields_for(style):
            if f.key == key and f.type == "group":
                return f
        return None

    def references(self, ctx: FormContext) -> Mapping[str, Sequence[Choice]]:
        return _ReferenceMap(ctx.references, self._reference_root)

    # -- reading a posted body ------------------------------------------------------------

    def read(self, formdata: Mapping[str, Sequence[str]], ctx: FormContext) -> FormInput:
        """Turn a parsed urlencoded body into entered values, applying add/remove actions.

        Unknown names are ignored; rows beyond a group's maximum are ignored.
        """
        values: dict[str, Any] = {}
        for f in self.fields_for(ctx.style):
            if f.type == "group":
                values[f.key] = _read_rows(f, formdata, ctx.style)
            elif f.type != "note":
                found = _read_one(f, f.key, formdata)
                if found is not None:
                    values[f.key] = found
        action = _first(formdata, "_action") or "submit"
        action = self._apply_action(action, values, ctx.style)
        return FormInput(values=values, action=action)

    def _apply_action(self, action: str, values: dict[str, Any], style: str) -> str:
        verb, _, rest = action.partition(":")
        if verb in ("submit", "save") and not rest:
            return verb
        name, _, index = rest.partition(":")
        group = self.group(name, style)
        if group is None:
            return "submit"
        rows: list[dict[str, Any]] = values[group.key]
        while len(rows) < group.min_items:
            rows.append({})
        if verb == "add" and not index:
            if group.max_items is None or len(rows) < group.max_items:
                rows.append({})
            return action
        if verb == "remove" and index.isdigit() and len(index) < 4:
            if int(index) < len(rows):
                del rows[int(index)]
            return action
        return "submit"

    # -- validating -------------------------------------------------------------------------

    def model(self, style: str) -> type[pydantic.BaseModel]:
        """The pydantic model for this form in one style, built once and cached."""
        if style not in self._models:
            name = "Form_" + re.sub(r"\W", "_", self.id) + "_" + style
            self._models[style] = _build_model(name, self.fields_for(style), style)
        return self._models[style]

    def validate(
        self, values: Mapping[str, Any], ctx: FormContext, *, partial: bool = False
    ) -> dict[str, Any]:
        """Clean values, or FormInvalid. `partial` (a saved draft) skips required and minimums."""
        entered = _normalise(self.fields_for(ctx.style), values, ctx.style)
        context = {"refs": self.references(ctx), "partial": partial}
        try:
            instance = self.model(ctx.style).model_validate(entered, context=context)
        except pydantic.ValidationError as invalid:
            errors = [self._field_error(e, ctx) for e in invalid.errors()]
            raise FormInvalid(_unique(errors), entered) from None
        return _clean(self.fields_for(ctx.style), instance, ctx.style)

    def _field_error(self, error: Any, ctx: FormContext) -> FieldError:
        loc = [p for p in error["loc"] if isinstance(p, str | int)]
        scope = self.fields_for(ctx.style)
        spec: Field | None = None
        path: list[str] = []
        where = ""
        for part in loc:
            if isinstance(part, int):
                if spec is None or spec.type != "group":
                    break
                path.append(str(part))
                where = f" in {spec.item_label.lower()} {part + 1}"
                scope = spec.fields_for(ctx.style)
                continue
            # Defaults are reported under the model's name ("f_<key>"), values under the key.
            found = next((f for f in scope if f.key == part), None) or next(
                (f for f in scope if "f_" + f.key == part), None
            )
            if found is None:
                break
            spec = found
            path.append(found.key)
        if spec is None:
            spec, path = self.fields_for(ctx.style)[0], [self.fields_for(ctx.style)[0].key]
        if spec.type == "group" and path[-1].isdigit():
            path = path[:1]
            where = ""
        return FieldError(
            key=".".join(path),
            anchor="f-" + "-".join(path),
            message=_message(spec, error, where, self.references(ctx)),
        )

    def blank_values(self, ctx: FormContext) -> dict[str, Any]:
        return {
            f.key: [{} for _ in range(f.min_items)]
            for f in self.fields_for(ctx.style)
            if f.type == "group"
        }

    # -- rendering --------------------------------------------------------------------------

    def error_map(self, errors: Sequence[FieldError]) -> dict[str, str]:
        found: dict[str, str] = {}
        for e in errors:
            found.setdefault(e.key, e.message)
        return found

    def controls(
        self,
        ctx: FormContext,
        values: Mapping[str, Any],
        errors: Sequence[FieldError] = (),
        role: str | None = None,
    ) -> list[Control]:
        """What the HTML form shows, field by field, with names, ids, values and errors.

        With `role`, a field someone else writes is shown read-only (`Control.readonly`, its
        answer in `Control.lines`), never as an input."""
        refs = self.references(ctx)
        emap = self.error_map(errors)
        scope = self.fields_for(ctx.style)
        found: list[Control] = []
        for f in scope:
            if role is not None and self.filler_of(f) != role and f.type != "note":
                [entry] = _entries([f], values or {}, refs, ctx.style) or [Entry(f.key, f.label)]
                found.append(
                    Control(
                        type=f.type,
                        key=f.key,
                        name="",
                        id="f-" + f.key,
                        label=f.label,
                        hint=f.hint,
                        optional=False,
                        error=None,
                        readonly=True,
                        filled_by=self.filler_of(f),
                        lines=entry.text_lines("")[1:] if f.type == "group" else entry.lines,
                        answered=entry.answered and bool(entry.lines or entry.children),
                    )
                )
                continue
            found.append(_control(f, [f.key], values or {}, emap, refs, ctx.style, scope))
        return found

    def entries(self, ctx: FormContext, values: Mapping[str, Any]) -> list[Entry]:
        """The read-only rendering: labels and answers, hidden fields left out."""
        return _entries(self.fields_for(ctx.style), values or {}, self.references(ctx), ctx.style)

    def as_text(self, values: Mapping[str, Any], ctx: FormContext) -> str:
        lines: list[str] = []
        for entry in self.entries(ctx, values):
            lines.extend(entry.text_lines(""))
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


class FormRegistry:
    def __init__(self, forms: Mapping[str, Form]) -> None:
        self._forms = dict(sorted(forms.items()))

    def get(self, form_id: str) -> Form:
        try:
            return self._forms[form_id]
        except KeyError:
            raise UnknownForm(form_id) from None

    def __iter__(self) -> Iterator[Form]:
        return iter(self._forms.values())

    def __len__(self) -> int:
        return len(self._forms)

    def __contains__(self, form_id: object) -> bool:
        return form_id in self._forms


# ---------------------------------------------------------------------------------------------
# Loading and checking definitions


def _display_path(path: Path) -> str:
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# libyaml's parser (bundled in PyYAML's wheels, Lambda's included) reads the same YAML into the
# same values as the pure-Python SafeLoader about 10x faster: the forms are read and checked
# at every cold start of the API (handlers/api.py), so this is most of that check's cost.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    shown = _display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FormDefinitionError(shown, None, f"cannot read the file ({error})") from None
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise FormDefinitionError(shown, None, f"not valid YAML{at}") from None


def _reference_file(name: str, root: Path | None) -> Path | None:
    filename = name.replace("_", "-") + ".yaml"
    for folder in (root, RESOURCES / "forms" / "reference"):
        if folder is not None and (folder / filename).is_file():
            return folder / filename
    return None


@functools.cache
def _load_reference(name: str, root: Path | None) -> tuple[Choice, ...]:
    path = _reference_file(name, root)
    if path is None:
        raise FormDefinitionError(f"forms/reference/{name.replace('_', '-')}.yaml", None, "missing")
    spec: ReferenceSpec = _spec_of(ReferenceSpec, _read_yaml(path), _display_path(path))
    return _choices(spec.choices)


def load_reference(name: str, *, root: Path | None = None) -> list[Choice]:
    """A reference list (`forms/reference/<name with - for _>.yaml`), e.g. teachers_standards."""
    return list(_load_reference(name, root))


def _spec_of(model: type[FormSpec] | type[ReferenceSpec], data: Any, file: str) -> Any:
    """`data` validated by the form file's model, or FormDefinitionError in the file's words."""
    if not isinstance(data, dict):
        kind = "form" if model is FormSpec else "reference"
        raise FormDefinitionError(file, None, f"a {kind} file must be a mapping")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as invalid:
        field, problem = describe_error(invalid, data, model)
        raise FormDefinitionError(file, field, problem) from None


def _choices(specs: Sequence[Any]) -> tuple[Choice, ...]:
    return tuple(Choice(c.value, c.label.strip()) for c in specs)


def _styles(
    given: Sequence[str] | None, inherited: tuple[PolicyStyle, ...]
) -> tuple[PolicyStyle, ...]:
    return inherited if given is None else tuple(s for s in STYLES if s in given)


def _build_field(
    spec: FieldSpec,
    file: str,
    parent: str | None,
    inherited: tuple[PolicyStyle, ...],
    earlier: Sequence[Field],
    refs_root: Path | None,
) -> Field:
    """What needs more than the field itself: the enclosing styles, the reference lists it names
    and the earlier field its condition reads (the rest FieldSpec has checked)."""
    name = f"{parent}.{spec.key}" if parent else spec.key
    styles = _styles(spec.styles, inherited)
    if not set(styles) <= set(inherited):
        raise FormDefinitionError(
            file, name, f"styles {list(styles)} are not all in the enclosing {list(inherited)}"
        )
    if spec.choices_from is not None:
        if (
            spec.choices_from not in RUNTIME_REFERENCES
            and _reference_file(spec.choices_from, refs_root) is None
        ):
            raise FormDefinitionError(
                file,
                name,
                f"unknown reference list {spec.choices_from!r} (expected a file in "
                f"forms/reference/ or one of: {', '.join(RUNTIME_REFERENCES)})",
            )
        if spec.choices_from not in RUNTIME_REFERENCES:
            _load_reference(spec.choices_from, refs_root)
    sub: tuple[Field, ...] = ()
    if spec.type == "group" and spec.fields:
        sub = _build_fields(spec.fields, file, name, styles, refs_root)
    show_when = _build_show_when(spec, file, name, styles, earlier, refs_root)
    return Field(
        key=spec.key,
        type=spec.type,
        label=spec.label.strip(),
        hint=spec.hint.strip(),
        required=spec.required,
        validators=spec.merged_validators(),
        choices=_choices(spec.choices or ()),
        choices_from=spec.choices_from,
        show_when=show_when,
        styles=styles,
        fields=sub,
        item_label=(spec.item_label or "Item").strip(),
        filled_by=spec.filled_by,
        role=spec.role,
    )


def _build_show_when(
    spec: FieldSpec,
    file: str,
    name: str,
    styles: tuple[PolicyStyle, ...],
    earlier: Sequence[Field],
    refs_root: Path | None,
) -> ShowWhen | None:
    if spec.show_when is None:
        return None
    wanted, equals = spec.show_when.field, spec.show_when.equals
    target = next((f for f in earlier if f.key == wanted), None)
    if target is None:
        raise FormDefinitionError(
            file, name, f"show_when refers to {wanted!r}, which is not an earlier field here"
        )
    if not set(styles) <= set(target.styles):
        raise FormDefinitionError(
            file, name, f"show_when field {target.key!r} is not asked in every style this one is"
        )
    if target.type == "yes_no":
        if isinstance(equals, str) and equals.lower() in ("yes", "no"):
            equals = equals.lower() == "yes"
        if not isinstance(equals, bool):
            raise FormDefinitionError(
                file, name, f"show_when equals must be yes or no for {target.key!r}"
            )
        return ShowWhen(target.key, equals)
    if target.type == "single_choice":
        values = [c.value for c in target.choices]
        if target.choices_from and target.choices_from not in RUNTIME_REFERENCES:
            values = [c.value for c in _load_reference(target.choices_from, refs_root)]
        if not isinstance(equals, str) or (values and equals not in values):
            raise FormDefinitionError(
                file, name, f"show_when equals {equals!r} is not a choice of {target.key!r}"
            )
        return ShowWhen(target.key, equals)
    raise FormDefinitionError(
        file, name, f"show_when field {target.key!r} must be a yes_no or single_choice"
    )


def _build_fields(
    specs: Sequence[FieldSpec],
    file: str,
    parent: str | None,
    styles: tuple[PolicyStyle, ...],
    refs_root: Path | None,
) -> tuple[Field, ...]:
    found: list[Field] = []
    for spec in specs:
        found.append(_build_field(spec, file, parent, styles, found, refs_root))
    return tuple(found)


def _check_roles(form: Form, file: str) -> None:
    """One field a role in each style, and a role's writer where it matters (4.9)."""
    for style in form.styles:
        seen: dict[str, str] = {}
        for f in form.fields_for(style):
            if f.role is None:
                continue
            if f.role in seen:
                raise FormDefinitionError(
                    file, f.key, f"role '{f.role}' is already played by '{seen[f.role]}' ({style})"
                )
            seen[f.role] = f.key
            wanted = ROLES[f.role].filled_by
            if wanted is not None and form.filler_of(f) != wanted:
                raise FormDefinitionError(
                    file,
                    f.key,
                    f"role '{f.role}' is written by the {wanted}: add filled_by: {wanted}",
                )


def build_form(
    spec: FormSpec,
    file: str,
    *,
    reference_root: Path | None = None,
    layers: tuple[str, ...] = (),
) -> Form:
    """A Form from a validated FormSpec; FormDefinitionError naming file, field and problem."""
    styles = _styles(spec.styles, STYLES)
    form = Form(
        id=spec.id,
        title=spec.title.strip(),
        description=spec.description.strip(),
        filled_by=spec.filled_by,
        styles=styles,
        source=spec.source.strip(),
        fields=_build_fields(spec.fields, file, None, styles, reference_root),
        file=file,
        reference_root=reference_root,
        spec=spec,
        layers=layers,
        for_staff=tuple(spec.for_staff or ()),
    )
    _check_roles(form, file)
    return form


def parse_form(data: Any, file: str, *, reference_root: Path | None = None) -> Form:
    """A Form from parsed YAML, validated through FormSpec (domain/form_spec.py); raise
    FormDefinitionError naming the file, the field and the problem."""
    spec: FormSpec = _spec_of(FormSpec, data, file)
    return build_form(spec, file, reference_root=reference_root)


def load_form(path: Path) -> Form:
    """One form file; its id must match the file's name."""
    shown = _display_path(path)
    refs = path.parent / "reference"
    form = parse_form(_read_yaml(path), shown, reference_root=refs if refs.is_dir() else None)
    if form.id != path.stem:
        raise FormDefinitionError(shown, None, f"id {form.id!r} does not match the file name")
    return form


def form_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


@functools.cache
def _load_forms(path: Path) -> FormRegistry:
    forms: dict[str, Form] = {}
    for file in form_files(path):
        form = load_form(file)
        if form.id in forms:
            raise FormDefinitionError(form.file, None, f"id {form.id!r} is used twice")
        forms[form.id] = form
    return FormRegistry(forms)


def load_forms(path: Path | None = None) -> FormRegistry:
    """Every form in a folder (default: the project's forms/); raises on the first broken one."""
    return _load_forms(path or RESOURCES / "forms")


# ---------------------------------------------------------------------------------------------
# Reading and normalising entered values


def _first(formdata: Mapping[str, Sequence[str]], name: str) -> str | None:
    found = formdata.get(name)
    if isinstance(found, str):
        return found
    return str(found[0]) if found else None


def _read_one(f: Field, name: str, formdata: Mapping[str, Sequence[str]]) -> Any:
    if f.type == "multiple_choice":
        found = formdata.get(name)
        if found is None:
            return None
        return [found] if isinstance(found, str) else [str(v) for v in found]
    return _first(formdata, name)


def _read_rows(f: Field, formdata: Mapping[str, Sequence[str]], style: str) -> list[dict[str, Any]]:
    limit = f.max_items if f.max_items is not None else 100
    count = 0
    declared = _first(formdata, f"{f.key}-rows") or ""
    if declared.isdigit() and len(declared) < 4:
        count = int(declared)
    pattern = re.compile(re.escape(f.key) + r"-(\d{1,3})-")
    for name in formdata:
        match = pattern.match(name)
        if match:
            count = max(count, int(match.group(1)) + 1)
    rows: list[dict[str, Any]] = []
    for i in range(min(count, limit)):
        row: dict[str, Any] = {}
        for sub in f.fields_for(style):
            if sub.type == "note":
                continue
            found = _read_one(sub, f"{f.key}-{i}-{sub.key}", formdata)
            if found is not None:
                row[sub.key] = found
        rows.append(row)
    return rows


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(_blank(v) for v in value)
    return False


def _normalise(fields: Sequence[Field], values: Mapping[str, Any], style: str) -> dict[str, Any]:
    """Entered values: only known keys; groups as lists of rows with wholly blank rows dropped."""
    found: dict[str, Any] = {}
    if not isinstance(values, Mapping):
        return found
    for f in fields:
        if f.type == "note" or f.key not in values:
            continue
        value = values[f.key]
        if f.type == "group" and isinstance(value, list):
            subs = f.fields_for(style)
            rows = [
                _normalise(subs, row, style) if isinstance(row, Mapping) else row for row in value
            ]
            value = [r for r in rows if not (isinstance(r, dict) and all(map(_blank, r.values())))]
        found[f.key] = value
    return found


# ---------------------------------------------------------------------------------------------
# The pydantic model


def _text_before(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        return value or None
    return value


def _multiple_before(value: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        kept: list[Any] = []
        for v in value:
            v = v.strip() if isinstance(v, str) else v
            if v not in ("", None) and v not in kept:
                kept.append(v)
        return kept or None
    return value


def _date_before(value: Any) -> Any:
    value = _text_before(value)
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{1,2})[/. -](\d{1,2})[/. -](\d{4})", value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return f"{year:04d}-{month:02d}-{day:02d}"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise PydanticCustomError("invalid", "not a date")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("invalid", "not a date")
    return value


def _number_before(value: Any) -> Any:
    value = _text_before(value)
    if isinstance(value, str):
        value = value.replace(",", "")
        if len(value) > 30:
            raise PydanticCustomError("invalid", "not a number")
    return value


def _yes_no_before(value: Any) -> Any:
    value = _text_before(value)
    if isinstance(value, str):
        if value.lower() in ("yes", "no"):
            return value.lower() == "yes"
        raise PydanticCustomError("invalid", "not yes or no")
    return value


_BEFORE = {
    "short_text": _text_before,
    "long_text": _text_before,
    "single_choice": _text_before,
    "multiple_choice": _multiple_before,
    "date": _date_before,
    "number": _number_before,
    "yes_no": _yes_no_before,
}


def _condition_holds(spec: Field, data: Mapping[str, Any]) -> bool:
    if spec.show_when is None:
        return True
    return bool(data.get("f_" + spec.show_when.field) == spec.show_when.equals)


def _fail(kind: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, kind, ctx)


def _checker(spec: Field) -> Any:
    """The after-validator for one field: conditions, required, lengths, choices, ranges."""

    def check(value: Any, info: pydantic.ValidationInfo) -> Any:
        context = info.context or {}
        partial = bool(context.get("partial"))
        if not _condition_holds(spec, info.data):
            return None  # the condition does not hold: the value is dropped
        if value is None or value == []:
            if spec.type == "group" and not partial and spec.min_items:
                raise _fail("min_items", limit=spec.min_items, count=0)
            if spec.required and not partial:
                raise _fail("required")
            return None
        v = spec.validators
        if spec.type in TEXT_TYPES:
            if len(value) > v["max_length"]:
                raise _fail("max_length", limit=v["max_length"], count=len(value))
            if "min_length" in v and len(value) < v["min_length"]:
                raise _fail("min_length", limit=v["min_length"], count=len(value))
        elif spec.type in CHOICE_TYPES:
            allowed = {c.value for c in spec.choices_in(context.get("refs", {}))}
            chosen = value if isinstance(value, list) else [value]
            if any(c not in allowed for c in chosen):
                raise _fail("choice")
            if "max_items" in v and len(chosen) > v["max_items"]:
                raise _fail("max_items", limit=v["max_items"], count=len(chosen))
            if "min_items" in v and len(chosen) < v["min_items"] and not partial:
                raise _fail("min_items", limit=v["min_items"], count=len(chosen))
        elif spec.type in ("number", "date"):
            if "min" in v and value < v["min"]:
                raise _fail("min", limit=v["min"])
            if "max" in v and value > v["max"]:
                raise _fail("max", limit=v["max"])
        elif spec.type == "group":
            if spec.max_items is not None and len(value) > spec.max_items:
                raise _fail("max_items", limit=spec.max_items, count=len(value))
            if len(value) < spec.min_items and not partial:
                raise _fail("min_items", limit=spec.min_items, count=len(value))
        return value

    return check


def _inner_type(spec: Field, style: str, model_name: str) -> Any:
    if spec.type == "group":
        item = _build_model(f"{model_name}_{spec.key}", spec.fields_for(style), style)
        return list[item]  # type: ignore[valid-type]
    return {
        "short_text": str,
        "long_text": str,
        "single_choice": str,
        "multiple_choice": list[str],
        "date": date,
        "number": pydantic.FiniteFloat,
        "yes_no": bool,
    }[spec.type]


def _build_model(name: str, fields: Sequence[Field], style: str) -> type[pydantic.BaseModel]:
    definitions: dict[str, Any] = {}
    for spec in fields:
        if spec.type == "note":
            continue
        validators: list[Any] = []
        if spec.type in _BEFORE:
            validators.append(pydantic.BeforeValidator(_BEFORE[spec.type]))
        validators.append(pydantic.AfterValidator(_checker(spec)))
        annotation = _annotated(_inner_type(spec, style, name) | None, validators)
        info = pydantic.Field(default=None, alias=spec.key, validate_default=True)
        definitions["f_" + spec.key] = (annotation, info)
    config = pydantic.ConfigDict(extra="ignore", strict=False, hide_input_in_errors=True)
    model: type[pydantic.BaseModel] = pydantic.create_model(name, __config__=config, **definitions)
    return model


def _annotated(base: Any, validators: list[Any]) -> Any:
    return Annotated[(base, *validators)]


def _clean(fields: Sequence[Field], instance: pydantic.BaseModel, style: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for spec in fields:
        if spec.type == "note":
            continue
        value = getattr(instance, "f_" + spec.key)
        if value is None:
            continue
        if spec.type == "group":
            rows = [_clean(spec.fields_for(style), row, style) for row in value]
            value = [r for r in rows if r]
            if not value:
                continue
        elif isinstance(value, date):
            value = value.isoformat()
        elif spec.type == "number" and float(value).is_integer():
            value = int(value)
        found[spec.key] = value
    return found


def _unique(errors: list[FieldError]) -> list[FieldError]:
    seen: set[str] = set()
    kept: list[FieldError] = []
    for e in errors:
        if e.key not in seen:
            seen.add(e.key)
            kept.append(e)
    return kept


# ---------------------------------------------------------------------------------------------
# Messages (one place; worded for the person filling in the form)


def _message(
    spec: Field, error: Mapping[str, Any], where: str, refs: Mapping[str, Sequence[Choice]]
) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    label = f"\u2018{spec.label}\u2019{where}"  # curly quotes, as in GOV.UK messages
    limit = ctx.get("limit")
    if isinstance(limit, date):
        limit = format_date(limit)
    if spec.type == "group":
        plural = spec.item_label.lower() + "s"
        if kind == "max_items":
            return f"You can add up to {limit} {plural}{where}; remove one"
        if kind == "min_items":
            return f"Add at least {limit} {plural}"
        return f"Check the {plural}"
    if kind == "required":
        if spec.type in ("single_choice", "multiple_choice", "yes_no"):
            return f"Choose an answer for {label}"
        return f"Enter an answer for {label}"
    if kind == "max_length":
        return f"{label} must be {limit} characters or fewer (it has {ctx.get('count')})"
    if kind == "min_length":
        return f"{label} must be at least {limit} characters"
    if kind == "max_items":
        return f"Choose no more than {limit} for {label}"
    if kind == "min_items":
        return f"Choose at least {limit} for {label}"
    if kind == "min":
        after = "on or after" if spec.type == "date" else "at least"
        return f"{label} must be {after} {limit}"
    if kind == "max":
        before = "on or before" if spec.type == "date" else "at most"
        return f"{label} must be {before} {limit}"
    if kind == "choice" or spec.type == "single_choice":
        return f"Choose one of the options for {label}"
    if spec.type == "multiple_choice":
        return f"Choose from the options for {label}"
    if spec.type == "date":
        return f"Enter a real date for {label}, like 31/10/2026"
    if spec.type == "number":
        return f"Enter a number for {label}"
    if spec.type == "yes_no":
        return f"Choose Yes or No for {label}"
    return f"Enter text for {label}"


def format_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# ---------------------------------------------------------------------------------------------
# Rendering: what the templates print (no HTML here)


@dataclass(frozen=True)
class Option:
    id: str
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class Row:
    legend: str
    remove_value: str
    remove_label: str
    controls: list[Control]


@dataclass(frozen=True)
class Control:
    type: str
    key: str  # dotted, as in FieldError.key
    name: str  # posted name
    id: str
    label: str
    hint: str
    optional: bool
    error: str | None
    value: str = ""
    options: list[Option] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    add_value: str = ""
    add_label: str = ""
    can_add: bool = False
    rows_name: str = ""
    readonly: bool = False  # written by the other party: shown, never an input
    filled_by: str = ""
    lines: list[str] = field(default_factory=list)  # a read-only control's answer
    answered: bool = True

    @property
    def described_by(self) -> str:
        ids = [f"{self.id}-hint"] if self.hint else []
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


def _as_input(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple | dict):
        return ""
    return str(value)


def _chosen(value: Any) -> set[str]:
    if isinstance(value, list | tuple):
        return {_as_input(v) for v in value}
    return {_as_input(value)} if value is not None else set()


def _condition_hint(
    spec: Field, scope: Sequence[Field], refs: Mapping[str, Sequence[Choice]]
) -> str:
    if spec.show_when is None:
        return ""
    target = next((f for f in scope if f.key == spec.show_when.field), None)
    equals = spec.show_when.equals
    if isinstance(equals, bool):
        shown = "Yes" if equals else "No"
    else:
        shown = next(
            (c.label for c in (target.choices_in(refs) if target else ()) if c.value == equals),
            equals,
        )
    return f"Answer if you chose {shown} above."


def _control(
    spec: Field,
    path: list[str],
    values: Mapping[str, Any],
    emap: Mapping[str, str],
    refs: Mapping[str, Sequence[Choice]],
    style: str,
    scope: Sequence[Field],
) -> Control:
    key = ".".join(path)
    ident = "f-" + "-".join(path)
    name = "-".join(path)
    hint = " ".join(h for h in (_condition_hint(spec, scope, refs), spec.hint) if h)
    value = values.get(spec.key) if isinstance(values, Mapping) else None
    base: dict[str, Any] = {
        "type": spec.type,
        "key": key,
        "name": name,
        "id": ident,
        "label": spec.label,
        "hint": hint,
        "optional": not spec.required and spec.type not in ("group", "note"),
        "error": emap.get(key),
    }
    if spec.type in CHOICE_TYPES or spec.type == "yes_no":
        choices = (
            spec.choices_in(refs)
            if spec.type != "yes_no"
            else (Choice("yes", "Yes"), Choice("no", "No"))
        )
        chosen = _chosen(value)
        base["options"] = [
            Option(ident if i == 0 else f"{ident}-{i + 1}", c.value, c.label, c.value in chosen)
            for i, c in enumerate(choices)
        ]
    elif spec.type == "group":
        entered = value if isinstance(value, list) else []
        rows = [r if isinstance(r, Mapping) else {} for r in entered]
        rows += [{} for _ in range(spec.min_items - len(rows))]
        noun = spec.item_label
        subs = spec.fields_for(style)
        base["rows"] = [
            Row(
                legend=f"{noun} {i + 1}",
                remove_value=f"remove:{spec.key}:{i}",
                remove_label=f"Remove {noun.lower()} {i + 1}",
                controls=[
                    _control(s, [*path, str(i), s.key], row, emap, refs, style, subs) for s in subs
                ],
            )
            for i, row in enumerate(rows)
        ]
        base["add_value"] = f"add:{spec.key}"
        base["add_label"] = f"Add another {noun.lower()}" if rows else f"Add {noun.lower()}"
        base["can_add"] = spec.max_items is None or len(rows) < spec.max_items
        base["rows_name"] = f"{spec.key}-rows"
        base["value"] = str(len(rows))
    else:
        base["value"] = _as_input(value)
    return Control(**base)


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    lines: list[str] = field(default_factory=list)  # the answer, one line each
    children: list[Entry] = field(default_factory=list)  # a group's items
    answered: bool = True

    def text_lines(self, indent: str) -> list[str]:
        lines = [f"{indent}{self.label}"]
        lines.extend(f"{indent}  {line}" if line else "" for line in self.lines)
        for child in self.children:
            lines.extend(child.text_lines(indent + "  "))
        return lines


def _answer_lines(spec: Field, value: Any, refs: Mapping[str, Sequence[Choice]]) -> list[str]:
    if spec.type in CHOICE_TYPES:
        labels = {c.value: c.label for c in spec.choices_in(refs)}
        return [labels.get(v, v) for v in sorted(_chosen(value), key=_order(spec, refs))]
    if spec.type == "yes_no":
        text = _as_input(value)
        return [{"yes": "Yes", "no": "No"}.get(text, text)] if text else []
    if spec.type == "date":
        text = _as_input(value)
        try:
            return [format_date(date.fromisoformat(text))]
        except ValueError:
            return [text] if text else []
    text = _as_input(value).replace("\r\n", "\n").strip()
    return text.split("\n") if text else []


def _order(spec: Field, refs: Mapping[str, Sequence[Choice]]) -> Any:
    positions = {c.value: i for i, c in enumerate(spec.choices_in(refs))}
    return lambda v: (positions.get(v, len(positions)), v)


def _holds(spec: Field, values: Mapping[str, Any]) -> bool:
    if spec.show_when is None:
        return True
    target = values.get(spec.show_when.field)
    if isinstance(spec.show_when.equals, bool):
        return _as_input(target) == ("yes" if spec.show_when.equals else "no")
    return _as_input(target) == spec.show_when.equals


def _entries(
    fields: Sequence[Field],
    values: Mapping[str, Any],
    refs: Mapping[str, Sequence[Choice]],
    style: str,
    prefix: str = "",
) -> list[Entry]:
    found: list[Entry] = []
    for spec in fields:
        if not _holds(spec, values):
            continue
        key = prefix + spec.key
        value = values.get(spec.key)
        if spec.type == "note":
            found.append(Entry(key, spec.label, [spec.hint] if spec.hint else []))
        elif spec.type == "group":
            rows = [r for r in (value if isinstance(value, list) else []) if isinstance(r, Mapping)]
            children = [
                Entry(
                    f"{key}.{i}",
                    f"{spec.item_label} {i + 1}",
                    children=_entries(spec.fields_for(style), row, refs, style, f"{key}.{i}."),
                )
                for i, row in enumerate(rows)
            ]
            found.append(Entry(key, spec.label, [] if rows else ["Not answered"], children))
        else:
            lines = _answer_lines(spec, value, refs)
            found.append(Entry(key, spec.label, lines or ["Not answered"], answered=bool(lines)))
    return found
