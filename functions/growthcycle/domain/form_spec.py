"""The form file as a pydantic model: what a form file (`forms/<id>.yaml`) may say, in one place.

`FormSpec` is the file's shape and every rule that can be checked from the file alone (types,
names, which validators each type takes, choices or `choices_from`, what only a group has);
`domain/forms.py` builds a `Form` from it, adding what needs more than one field or another file
(conditions on earlier fields, styles inherited from the enclosing form or group, reference lists).
Its JSON Schema (`growthcycle forms schema`, forms/form.schema.json) is what editors read from the
`# yaml-language-server: $schema=...` line at the top of every form file, to check and complete
as one types.

`describe_error` turns pydantic's first error into the file's words: the field (dotted, by key,
`objectives.timescale`) and the problem.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt
from pydantic_core import PydanticCustomError

from growthcycle.domain.styles import STYLES

FILLED_BY = ("reviewee", "reviewer")
FilledBy = Literal["reviewee", "reviewer"]
FieldType = Literal[
    "short_text",
    "long_text",
    "single_choice",
    "multiple_choice",
    "date",
    "number",
    "yes_no",
    "group",
    "note",
]
FIELD_TYPES: tuple[str, ...] = FieldType.__args__  # type: ignore[attr-defined]
TEXT_TYPES = ("short_text", "long_text")
CHOICE_TYPES = ("single_choice", "multiple_choice")

# Which validators each type accepts, and the defaults the form files need not repeat.
VALIDATORS: dict[str, tuple[str, ...]] = {
    "short_text": ("min_length", "max_length"),
    "long_text": ("min_length", "max_length"),
    "single_choice": (),
    "multiple_choice": ("min_items", "max_items"),
    "date": ("min", "max"),
    "number": ("min", "max"),
    "yes_no": (),
    "group": ("min_items", "max_items"),
    "note": (),
}
VALIDATOR_NAMES = ("min_length", "max_length", "min_items", "max_items", "min", "max")
DEFAULTS: dict[str, dict[str, Any]] = {
    "short_text": {"max_length": 200},
    "long_text": {"max_length": 5000},
    "group": {"min_items": 0, "max_items": 10},
}
MAX_LENGTH_LIMIT = 100_000

# Roles: the fields the rest of the system reads, named in the form file (`role: training_needs`)
# so a trust's own form says which of its fields plays which part; code reads a value by its role
# (`Form.role_key`), never by a field's key.
RoleName = Literal[
    "objectives",
    "commitments",
    "overall_assessment",
    "training_needs",
    "pay_recommendation",
    "reviewee_comments",
]


@dataclass(frozen=True)
class Role:
    name: str
    types: tuple[str, ...]  # the field types that can play it
    what: str  # what it is, for messages and docs
    source: str
    filled_by: str | None = None  # who must write it, when that matters


ROLES: Mapping[str, Role] = {
    r.name: r
    for r in (
        Role("objectives", ("group",), "the objectives, with success criteria", "4.6"),
        Role("commitments", ("group",), "the commitments", "seed 003"),
        Role(
            "overall_assessment",
            ("long_text", "short_text", "single_choice"),
            "the overall assessment the governors' pay committee sees",
            "7",
        ),
        Role(
            "training_needs",
            ("long_text",),
            "the training needs passed to the training and development coordinator",
            "4.7",
        ),
        Role(
            "pay_recommendation",
            ("single_choice",),
            "the pay progression recommendation",
            "4.5",
        ),
        Role(
            "reviewee_comments",
            ("long_text",),
            "the reviewee's comments on the statement",
            "4.9",
            filled_by="reviewee",
        ),
    )
}
# Fields still read under their shipped key (not yet by role): a trust's version of these forms
# must keep each, with its type. form, key -> (type, what it is for).
READ_BY_KEY: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "meeting": {
        "date": ("date", "the meeting's date in the invitation and the due dates (4.3, 4.9)"),
        "time": ("short_text", "the meeting's start time in the invitation (4.3)"),
        "place": ("short_text", "where the meeting is, in the invitation (4.3)"),
        "notes": ("long_text", "what to prepare, in the invitation (4.3)"),
    },
    "mid-year-review": {
        "meeting_date": ("date", "the date the headteacher's audit lists (4.8)"),
        "revision_needed": ("yes_no", "whether the plan needs revising, in the audit (6)"),
    },
    "reflection": {
        "tried": ("long_text", "the reflection's first answer on the timeline (seed 003)"),
        "happened": ("long_text", "the reflection's second answer on the timeline"),
        "next_step": ("long_text", "the reflection's next step on the timeline"),
    },
}
# The fields of each objective or commitment the guidance reads (domain/guidance.py, 4.6; seed 003
# through domain/commitments.py), by the role of their group: role -> key -> (type, what).
READ_IN_ROLE: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "objectives": {
        "title": ("short_text", "the objective, which guidance reads (4.6)"),
        "success_criteria": ("long_text", "its success criteria (4.6)"),
        "timescale": ("date", "its timescale (4.6)"),
        "priority": ("single_choice", "the school priority it links to (4.6)"),
    },
    "commitments": {
        "title": ("short_text", "the commitment, which guidance reads (seed 003)"),
        "focus": ("single_choice", "what it is about: the required commitments (seed 003, 3-4)"),
    },
}
# The roles each form the system relies on must fill, by policy style: a row per form.
REQUIRED_ROLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "planning-review": {
        "performance": (
            "objectives",
            "overall_assessment",
            "training_needs",
            "pay_recommendation",
            "reviewee_comments",
        ),
        "growth": ("commitments", "overall_assessment", "training_needs", "reviewee_comments"),
    },
}

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
ID_PATTERN = r"^[a-z][a-z0-9-]{0,59}$"
VALUE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$"


def _problem(message: str) -> PydanticCustomError:
    """An error whose message is exactly `message` (no "Value error, " in front)."""
    return PydanticCustomError("form_spec", message)


_Text = Annotated[str, Field(min_length=1)]
StyleName = Literal["performance", "growth"]
# Who a form is for, by roster role (domain/staff.py): a support staff appraisal is `[support]`.
StaffRole = Literal["headteacher", "teacher", "support"]
_Styles = Annotated[list[StyleName], Field(min_length=1)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ChoiceSpec(_Spec):
    """One option of a choice: `value` is what records keep, `label` what people read."""

    value: Annotated[str, Field(pattern=VALUE_PATTERN, description="Kept in records; a-z, 0-9, -")]
    label: Annotated[str, Field(min_length=1, description="What people read")]

    @pydantic.field_validator("label")
    @classmethod
    def _label_has_text(cls, label: str) -> str:
        if not label.strip():
            raise _problem("needs a label")
        return label


class ValidatorSpec(_Spec):
    """One check on an answer, written `- max_length: 500` (one name and its value)."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, json_schema_extra={"maxProperties": 1}
    )

    min_length: Annotated[StrictInt, Field(ge=0, description="Text: fewest characters")] | None = (
        None
    )
    max_length: (
        Annotated[StrictInt, Field(ge=0, le=MAX_LENGTH_LIMIT, description="Text: most characters")]
        | None
    ) = None
    min_items: (
        Annotated[
            StrictInt, Field(ge=0, description="Multiple choice or group: fewest chosen or items")
        ]
        | None
    ) = None
    max_items: (
        Annotated[
            StrictInt, Field(ge=0, description="Multiple choice or group: most chosen or items")
        ]
        | None
    ) = None
    min: StrictInt | StrictFloat | dt.date | None = Field(
        default=None, description="Number or date: the lowest (a date like 2026-09-01)"
    )
    max: StrictInt | StrictFloat | dt.date | None = Field(
        default=None, description="Number or date: the highest (a date like 2026-09-01)"
    )

    @pydantic.field_validator("min", "max", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        """A quoted date ('2026-09-01') is a date, as an unquoted one is."""
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        return value

    @pydantic.model_validator(mode="before")
    @classmethod
    def _one_pair(cls, raw: Any) -> Any:
        if not isinstance(raw, Mapping) or len(raw) != 1:
            raise _problem(f"each validator is one 'name: value' pair, got {raw!r}")
        return raw

    @property
    def name(self) -> str:
        return next(iter(self.model_fields_set))

    @property
    def value(self) -> Any:
        return getattr(self, self.name)


class ShowWhenSpec(_Spec):
    """Ask this field only when an earlier yes/no or single choice field has this answer."""

    field: Annotated[str, Field(description="The key of an earlier yes_no or single_choice field")]
    equals: StrictBool | str = Field(description="yes or no, or one of that field's choice values")


class FieldSpec(_Spec):
    """One field of a form (or of a group's items)."""

    key: Annotated[
        str, Field(pattern=KEY_PATTERN, description="Its name in records: a-z, 0-9 and _")
    ]
    type: FieldType
    label: Annotated[str, Field(min_length=1, max_length=300, description="The question")]
    hint: str = Field(default="", description="Help shown under the label")
    required: StrictBool = False
    validators: list[ValidatorSpec] = Field(default_factory=list)
    choices: Annotated[list[ChoiceSpec], Field(min_length=1)] | None = None
    choices_from: str | None = Field(
        default=None,
        description="A reference list (forms/reference/<name>.yaml) or school_priorities",
    )
    show_when: ShowWhenSpec | None = None
    styles: _Styles | None = Field(
        default=None, description="The policy styles that ask it (default: the enclosing ones)"
    )
    fields: Annotated[list[FieldSpec], Field(min_length=1)] | None = Field(
        default=None, description="A group's fields, asked once per item"
    )
    item_label: str | None = Field(default=None, description="A group's item, e.g. Objective")
    filled_by: FilledBy | None = Field(
        default=None, description="Who writes this field, when not whoever fills the form"
    )
    role: RoleName | None = Field(
        default=None,
        description="The part this field plays that the rest of the system reads (docs/forms.md)",
    )

    @pydantic.model_validator(mode="before")
    @classmethod
    def _key_first(cls, raw: Any) -> Any:
        """The key names the field in every later message, so a bad key is the first problem."""
        if not isinstance(raw, Mapping):
            raise _problem("a field must be a mapping")
        key = raw.get("key")
        if not isinstance(key, str) or not re.fullmatch(KEY_PATTERN, key):
            raise _problem(
                f"key {key!r} must start with a-z and use only a-z, 0-9 and '_' (40 at most)"
            )
        return raw

    @pydantic.field_validator("label")
    @classmethod
    def _label_has_text(cls, label: str) -> str:
        if not label.strip():
            raise _problem("'label' must be some text (300 characters at most)")
        return label

    @pydantic.model_validator(mode="after")
    def _fits_its_type(self) -> Self:
        if self.required and self.type in ("group", "note"):
            raise _problem(f"a {self.type} cannot be required (use min_items for groups)")
        self._check_validators()
        self._check_choices()
        if self.type == "group":
            if self.item_label is not None and not self.item_label.strip():
                raise _problem("'item_label' must be text, e.g. Objective")
            if self.fields is None:
                raise _problem("'fields' must be a non-empty list")
            for sub in self.fields:
                if sub.type == "group":
                    raise _problem(f"field '{sub.key}': groups cannot be nested")
                if sub.filled_by is not None:
                    raise _problem(
                        f"field '{sub.key}': 'filled_by' goes on a top-level field "
                        "(a group's fields share it)"
                    )
            if not any(f.type != "note" for f in self.fields):
                raise _problem("a group needs at least one answerable field")
            _keys_once(self.fields)
        elif self.fields is not None or self.item_label is not None:
            raise _problem("only a group has 'fields' and 'item_label'")
        if self.filled_by is not None and self.required:
            raise _problem("a field the other party fills cannot be required (it would block)")
        if self.role is not None:
            role = ROLES[self.role]
            if self.type not in role.types:
                raise _problem(
                    f"role '{self.role}' ({role.what}) goes on a {' or '.join(role.types)} "
                    f"field, not a {self.type}"
                )
        for sub in self.fields or ():
            if sub.role is not None:
                raise _problem(f"field '{sub.key}': 'role' goes on a top-level field")
        return self

    def _check_validators(self) -> None:
        allowed = VALIDATORS[self.type]
        given: dict[str, Any] = {}
        for validator in self.validators:
            name = validator.name
            if name not in allowed:
                expected = ", ".join(allowed) if allowed else "none for this type"
                raise _problem(f"unknown validator '{name}' for {self.type} (expected: {expected})")
            if name in given:
                raise _problem(f"validator '{name}' is given twice")
            given[name] = validator.value
        for name, value in given.items():
            if name not in ("min", "max"):
                continue
            if self.type == "date" and not isinstance(value, dt.date):
                raise _problem(f"{name} must be a date like 2026-09-01, got {value!r}")
            if self.type == "number" and (
                isinstance(value, dt.date) or not math.isfinite(float(value))
            ):
                raise _problem(f"{name} must be a number, got {value!r}")
        merged = {**DEFAULTS.get(self.type, {}), **given}
        for low, high in (("min_length", "max_length"), ("min_items", "max_items"), ("min", "max")):
            if low in merged and high in merged and merged[low] > merged[high]:
                raise _problem(f"{low} {merged[low]} is more than {high} {merged[high]}")

    def _check_choices(self) -> None:
        if self.type in CHOICE_TYPES:
            if (self.choices is None) == (self.choices_from is None):
                raise _problem(f"a {self.type} needs exactly one of 'choices' or 'choices_from'")
            seen: set[str] = set()
            for choice in self.choices or ():
                if choice.value in seen:
                    raise _problem(f"choice value {choice.value!r} is used twice")
                seen.add(choice.value)
        elif self.choices is not None or self.choices_from is not None:
            raise _problem(f"a {self.type} field cannot have choices")

    def merged_validators(self) -> dict[str, Any]:
        """The validators with the type's defaults applied (DEFAULTS)."""
        return {**DEFAULTS.get(self.type, {}), **{v.name: v.value for v in self.validators}}


def _keys_once(fields: list[FieldSpec]) -> None:
    seen: set[str] = set()
    for spec in fields:
        if spec.key in seen:
            raise _problem(f"field '{spec.key}': key is used twice")
        seen.add(spec.key)


class FormSpec(_Spec):
    """A form file: who fills it, in which policy styles, and its fields in order."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="Growth Cycle form",
        json_schema_extra={"$comment": "Written by `growthcycle forms schema`; do not edit."},
    )

    id: Annotated[str, Field(pattern=ID_PATTERN, description="The file's name without .yaml")]
    title: _Text
    description: _Text
    filled_by: FilledBy
    styles: _Styles | None = Field(
        default=None, description="The policy styles that use it (default: both)"
    )
    source: Annotated[str, Field(min_length=1, description="The policy sections it comes from")]
    for_staff: Annotated[list[StaffRole], Field(min_length=1)] | None = Field(
        default=None,
        description="Only for people with one of these roster roles (default: all staff)",
    )
    fields: Annotated[list[FieldSpec], Field(min_length=1)]

    @pydantic.field_validator("title", "description", "source")
    @classmethod
    def _has_text(cls, text: str, info: pydantic.ValidationInfo) -> str:
        if not text.strip():
            raise _problem(f"'{info.field_name}' must be some text")
        return text

    @pydantic.model_validator(mode="after")
    def _keys_unique(self) -> Self:
        _keys_once(self.fields)
        return self


# -- a trust's or school's change to a form (domain/form_layers.py) ----------------------------------


class AddedFieldSpec(FieldSpec):
    """A field an overlay adds: a whole field, placed `after` or `before` another (a key, or
    `group.key` to put it inside a group); neither puts it at the end of the form."""

    after: str | None = Field(
        default=None, description="Put it after this field (key or group.key)"
    )
    before: str | None = Field(
        default=None, description="Put it before this field (key or group.key)"
    )

    @pydantic.model_validator(mode="after")
    def _one_place(self) -> Self:
        if self.after is not None and self.before is not None:
            raise _problem("give 'after' or 'before', not both")
        return self


class FieldChangeSpec(_Spec):
    """What an overlay changes in one field: only what it names; `null` takes a property away
    (`show_when: null`). The key and the type stay: to change a type, remove the field and add
    one with a new key, so answers saved under the old one are never read as the new type."""

    label: str | None = None
    hint: str | None = None
    required: StrictBool | None = None
    validators: list[ValidatorSpec] | None = None
    choices: Annotated[list[ChoiceSpec], Field(min_length=1)] | None = None
    choices_from: str | None = None
    show_when: ShowWhenSpec | None = None
    styles: _Styles | None = None
    item_label: str | None = None
    filled_by: FilledBy | None = None
    role: RoleName | None = None


class FieldsOverlaySpec(_Spec):
    """The field changes of an overlay, applied in this order: remove, change, add, order."""

    remove: list[str] = Field(default_factory=list, description="Keys (or group.key) to remove")
    change: dict[str, FieldChangeSpec] = Field(
        default_factory=dict, description="Key (or group.key) -> the properties to change"
    )
    add: list[AddedFieldSpec] = Field(default_factory=list, description="Whole new fields")
    order: list[str] | None = Field(
        default=None, description="Every top-level key of the result, in the order to ask them"
    )


class FormOverlaySpec(_Spec):
    """A trust's or school's change to a form below it, without copying it: `extends` names it
    (the file is named after it too), the rest says only what differs."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="Growth Cycle form overlay",
    )

    extends: Annotated[str, Field(pattern=ID_PATTERN, description="The id of the form it changes")]
    title: str | None = None
    description: str | None = None
    source: str | None = None
    styles: _Styles | None = None
    for_staff: Annotated[list[StaffRole], Field(min_length=1)] | None = None
    fields: FieldsOverlaySpec = Field(default_factory=FieldsOverlaySpec)


class ReferenceSpec(_Spec):
    """A reference list (forms/reference/<name>.yaml) that choice fields name in `choices_from`."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="Growth Cycle reference list",
        json_schema_extra={"$comment": "Written by `growthcycle forms schema`; do not edit."},
    )

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")]
    title: _Text
    choices: Annotated[list[ChoiceSpec], Field(min_length=1)]

    @pydantic.model_validator(mode="after")
    def _values_unique(self) -> Self:
        seen: set[str] = set()
        for choice in self.choices:
            if choice.value in seen:
                raise _problem(f"choice value {choice.value!r} is used twice")
            seen.add(choice.value)
        return self


# -- errors in the file's words --------------------------------------------------------------------

_WORDS: dict[str, str] = {
    "id": "'id' {input!r} must be lowercase words and '-'",
    "filled_by": f"'filled_by' must be one of: {', '.join(FILLED_BY)}, got {{input!r}}",
    "styles": f"'styles' must be a list of {' and/or '.join(STYLES)}, got {{input!r}}",
    "type": f"unknown type {{input!r}} (expected one of: {', '.join(FIELD_TYPES)})",
    "label": "'label' must be some text (300 characters at most)",
    "hint": "'hint' must be text",
    "required": "'required' must be true or false, got {input!r}",
    "validators": "'validators' must be a list, e.g. '- max_length: 500'",
    "choices": "'choices' must be a non-empty list",
    "fields": "'fields' must be a non-empty list",
    "item_label": "'item_label' must be text, e.g. Objective",
    "show_when": "'show_when' needs exactly 'field' and 'equals'",
    "choices_from": "'choices_from' must be the name of a reference list",
}


def _expected(model: type[BaseModel]) -> str:
    return ", ".join(model.model_fields)


def describe_error(
    error: pydantic.ValidationError, raw: Any, model: type[BaseModel] = FormSpec
) -> tuple[str | None, str]:
    """(the field, dotted by key, or None for the form itself; the problem) of the first error."""
    first: dict[str, Any] = dict(error.errors(include_url=False)[0])
    return _describe(first, raw, model)


def describe_overlay_error(error: pydantic.ValidationError, raw: Any) -> tuple[str | None, str]:
    """`describe_error` for an overlay file (FormOverlaySpec): the field it adds or changes."""
    first: dict[str, Any] = dict(error.errors(include_url=False)[0])
    loc: list[Any] = list(first["loc"])
    ops = raw.get("fields") if isinstance(raw, Mapping) else None
    ops = ops if isinstance(ops, Mapping) else {}
    if loc[:2] == ["fields", "add"] and len(loc) >= 3:
        first["loc"] = ("fields", *loc[2:])
        return _describe(first, {"fields": ops.get("add")}, FormSpec, AddedFieldSpec)
    if loc[:2] == ["fields", "change"] and len(loc) >= 3:
        key = loc[2]
        changed = ops["change"].get(key) if isinstance(ops.get("change"), Mapping) else None
        item = {"key": key, **changed} if isinstance(changed, Mapping) else {"key": key}
        first["loc"] = ("fields", 0, *loc[3:])
        if len(loc) == 3 and first["type"] != "form_spec":
            return str(key), "a change is a mapping of the properties to change"
        return _describe(first, {"fields": [item]}, FormSpec, FieldChangeSpec)
    if loc == ["fields"]:
        return None, "'fields' must be a mapping of remove, change, add and order"
    if loc[:1] == ["fields"] and len(loc) >= 2:
        if first["type"] == "extra_forbidden" and len(loc) == 2:
            expected = _expected(FieldsOverlaySpec)
            return None, f"unknown property 'fields.{loc[1]}' (expected one of: {expected})"
        what = {"remove": "field keys", "order": "field keys", "change": "key: changes"}
        return None, f"'fields.{loc[1]}' must be a list of {what.get(str(loc[1]), 'fields')}"
    if first["type"] == "extra_forbidden" and len(loc) == 1:
        return None, f"unknown property '{loc[0]}' (expected one of: {_expected(FormOverlaySpec)})"
    if loc[:1] == ["extends"]:
        return None, f"'extends' must be the id of a form, got {first.get('input')!r}"
    return _describe(first, raw, FormOverlaySpec)


def _describe(
    first: dict[str, Any],
    raw: Any,
    model: type[BaseModel],
    field_model: type[BaseModel] | None = None,
) -> tuple[str | None, str]:
    loc = list(first["loc"])
    field: list[str] = []
    node: Any = raw
    rest = list(loc)
    # Walk ("fields", i, "fields", j, ...) through the raw data to name fields by their keys.
    while len(rest) >= 2 and rest[0] == "fields" and isinstance(rest[1], int):
        items = node.get("fields") if isinstance(node, Mapping) else None
        item = items[rest[1]] if isinstance(items, list) and rest[1] < len(items) else None
        key = item.get("key") if isinstance(item, Mapping) else None
        field.append(key if isinstance(key, str) else f"#{rest[1] + 1}")
        node, rest = item, rest[2:]
    name = ".".join(field) or None
    message = str(first["msg"])
    if first["type"] == "form_spec":
        # A group's check names its own sub-field: "field 'x': ..."
        if message.startswith("field '") and "': " in message:
            sub, _, message = message[len("field '") :].partition("': ")
            name = f"{name}.{sub}" if name else sub
        return name, message
    where = rest[0] if rest else None
    owner: type[BaseModel] = (field_model or FieldSpec) if field else model
    if first["type"] == "extra_forbidden" and len(rest) == 1:
        return name, f"unknown property '{where}' (expected one of: {_expected(owner)})"
    if rest and rest[0] == "validators":
        return name, _validator_words(first, rest, node)
    if rest and rest[0] == "choices" and len(rest) >= 2:
        return name, _choice_words(first, rest, node)
    if rest and rest[0] == "show_when":
        return name, _WORDS["show_when"]
    if isinstance(where, str) and where in _WORDS:
        value = node.get(where) if isinstance(node, Mapping) else None
        if first["type"] == "missing" and where in ("title", "description", "source"):
            return name, f"'{where}' must be some text"
        return name, _WORDS[where].format(input=value)
    if isinstance(where, str) and where in ("title", "description", "source"):
        return name, f"'{where}' must be some text"
    if first["type"] == "missing" and where:
        return name, f"'{where}' is missing"
    return name, message


def _validator_words(first: Any, rest: list[Any], node: Any) -> str:
    if len(rest) < 2 or not isinstance(rest[1], int):
        return _WORDS["validators"]
    if len(rest) == 2:
        return str(first["msg"])
    name = rest[2]
    ftype = node.get("type") if isinstance(node, Mapping) else None
    if first["type"] == "extra_forbidden":
        allowed = VALIDATORS.get(str(ftype), VALIDATOR_NAMES)
        expected = ", ".join(allowed) or "none for this type"
        return f"unknown validator '{name}' for {ftype} (expected: {expected})"
    value = first.get("input")
    if name == "max_length" and first["type"] == "less_than_equal":
        return f"max_length {value} is more than {MAX_LENGTH_LIMIT}"
    if name in ("min", "max"):
        if ftype == "date":
            return f"{name} must be a date like 2026-09-01, got {value!r}"
        return f"{name} must be a number, got {value!r}"
    return f"{name} must be a whole number, got {value!r}"


def _choice_words(first: Any, rest: list[Any], node: Any) -> str:
    items = node.get("choices") if isinstance(node, Mapping) else None
    item = items[rest[1]] if isinstance(items, list) and isinstance(rest[1], int) else None
    value = item.get("value") if isinstance(item, Mapping) else None
    if len(rest) >= 3 and rest[2] == "value" and first["type"] != "missing":
        return f"choice value {value!r} must be letters, digits, '-' or '_'"
    if len(rest) >= 3 and rest[2] == "label":
        return f"choice {value!r} needs a label"
    return "each choice needs exactly 'value' and 'label'"


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each kind of file under forms/, by the schema file's name."""
    dialect = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    written = {"$comment": "Written by `growthcycle forms schema`; do not edit."}
    layer = pydantic.TypeAdapter(FormSpec | FormOverlaySpec).json_schema()
    layer = {**dialect, "title": "Growth Cycle trust or school form", **written, **layer}
    return {
        "form.schema.json": {**dialect, **FormSpec.model_json_schema()},
        "reference.schema.json": {**dialect, **ReferenceSpec.model_json_schema()},
        # A file in a trust's or school's forms/ folder: a whole form, or an overlay (`extends`).
        "trust-form.schema.json": layer,
    }
