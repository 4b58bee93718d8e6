"""The form file's model (domain/form_spec.py), its JSON Schema and the schema line in each file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from growthcycle.cli.forms import schema_texts, stale_schemas
from growthcycle.cli.main import main
from growthcycle.domain.forms import FormDefinitionError, parse_form

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"
FORM_FILES = sorted(FORMS.glob("*.yaml")) + sorted((FORMS / "observations").glob("*.yaml"))
REFERENCE_FILES = sorted((FORMS / "reference").glob("*.yaml"))


def _form(**field: Any) -> dict[str, Any]:
    return {
        "id": "t",
        "title": "T",
        "description": "D",
        "filled_by": "reviewer",
        "source": "4.6",
        "fields": [{"key": "a", "type": "short_text", "label": "A", **field}],
    }


def test_committed_schemas_are_the_ones_the_form_spec_gives() -> None:
    # Given the model, when the schema is generated, then it is what forms/ holds (run
    # `growthcycle forms schema` after changing domain/form_spec.py).
    assert stale_schemas(FORMS) == []


def test_schema_check_fails_on_a_stale_schema_and_writing_mends_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "form.schema.json").write_text("{}\n", encoding="utf-8")
    assert main(["forms", "schema", "--check", "--dir", str(tmp_path)]) == 1
    assert "form.schema.json: out of date" in capsys.readouterr().err
    assert main(["forms", "schema", "--dir", str(tmp_path)]) == 0
    assert main(["forms", "schema", "--check", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / "form.schema.json").read_text(encoding="utf-8") == schema_texts()[
        "form.schema.json"
    ]


@pytest.mark.parametrize("path", FORM_FILES + REFERENCE_FILES, ids=lambda p: p.name)
def test_every_form_file_names_its_schema_for_editors(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    schema = (path.parent / first[len(prefix) :]).resolve()
    assert schema.is_file()
    assert schema.name == (
        "reference.schema.json" if path in REFERENCE_FILES else "form.schema.json"
    )


@pytest.mark.parametrize("path", FORM_FILES + REFERENCE_FILES, ids=lambda p: p.name)
def test_every_shipped_file_is_valid_against_its_json_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    schema = json.loads((path.parent / first.split("$schema=")[1]).read_text(encoding="utf-8"))
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    jsonschema.validate(data, schema)


def test_json_schema_refuses_what_the_loader_refuses() -> None:
    schema = json.loads((FORMS / "form.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_form(type="dat"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_form(requird=True), schema)


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ({"validators": [{"max_length": "5"}]}, "max_length must be a whole number, got '5'"),
        ({"validators": [{"max_length": 100_001}]}, "max_length 100001 is more than 100000"),
        ({"validators": [{"max_length": 5, "min_length": 1}]}, "one 'name: value' pair"),
        ({"validators": "max_length: 5"}, "'validators' must be a list"),
        ({"required": "yes"}, "'required' must be true or false, got 'yes'"),
        ({"type": "number", "validators": [{"min": "ten"}]}, "min must be a number"),
        ({"type": "date", "validators": [{"min": 5}]}, "min must be a date like 2026-09-01"),
        ({"type": "yes_no", "choices": [{"value": "a", "label": "A"}]}, "cannot have choices"),
        (
            {"type": "single_choice", "choices": [{"value": "a b", "label": "A"}]},
            "choice value 'a b' must be letters",
        ),
        ({"type": "single_choice", "choices": [{"value": "a"}]}, "choice 'a' needs a label"),
        ({"fields": [{"key": "b", "type": "note", "label": "B"}]}, "only a group has 'fields'"),
        ({"show_when": {"field": "x"}}, "'show_when' needs exactly 'field' and 'equals'"),
    ],
)
def test_the_model_names_the_field_and_the_problem(field: dict[str, Any], problem: str) -> None:
    with pytest.raises(FormDefinitionError) as refused:
        parse_form(_form(**field), "t.yaml")
    assert refused.value.field == "a"
    assert problem in refused.value.problem


def test_a_group_names_its_own_field() -> None:
    data = _form(
        type="group",
        fields=[
            {"key": "b", "type": "short_text", "label": "B"},
            {"key": "b", "type": "long_text", "label": "B again"},
        ],
    )
    with pytest.raises(FormDefinitionError) as refused:
        parse_form(data, "t.yaml")
    assert (refused.value.field, refused.value.problem) == ("a.b", "key is used twice")


def test_form_level_problems_name_no_field() -> None:
    data = _form()
    data["filled_by"] = "governor"
    with pytest.raises(FormDefinitionError) as refused:
        parse_form(data, "t.yaml")
    assert refused.value.field is None
    assert "'filled_by' must be one of: reviewee, reviewer" in refused.value.problem


def test_a_quoted_date_is_a_date() -> None:
    form = parse_form(_form(type="date", validators=[{"min": "2026-09-01"}]), "t.yaml")
    assert str(form.fields[0].validators["min"]) == "2026-09-01"
