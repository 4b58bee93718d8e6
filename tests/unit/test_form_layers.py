"""A school's forms: shipped, then the trust's layer, then the school's (domain/form_layers.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from growthcycle.cli.main import main
from growthcycle.domain.form_layers import (
    FormsRefused,
    Layer,
    LayerFile,
    layers_from_json,
    layers_to_json,
    resolve,
    school_form_problems,
)
from growthcycle.domain.forms import FormContext, FormDefinitionError, load_forms

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load_forms()
PERFORMANCE = FormContext("performance")
TRUST_FILE = "infra/trusts/t/forms/planning-review.yaml"


def layer(*files: tuple[str, dict[str, Any]]) -> Layer:
    return Layer(
        "trust t",
        tuple(LayerFile(f"infra/trusts/t/forms/{stem}.yaml", stem, data) for stem, data in files),
    )


def overlay(**fields: Any) -> tuple[str, dict[str, Any]]:
    return "planning-review", {"extends": "planning-review", "fields": fields}


def keys(form_id: str = "planning-review", *layers: Layer, style: str = "performance") -> list[str]:
    return [f.key for f in resolve(SHIPPED, layers).get(form_id).fields_for(style)]


def refused(*layers: Layer) -> FormDefinitionError:
    with pytest.raises(FormDefinitionError) as caught:
        resolve(SHIPPED, layers)
    return caught.value


EXTRA = {"key": "phase", "type": "short_text", "label": "Which phase do you teach?"}


def test_no_layers_are_the_shipped_forms() -> None:
    assert [f.id for f in resolve(SHIPPED, [])] == [f.id for f in SHIPPED]


def test_an_overlay_adds_a_field_after_another_without_copying_the_form() -> None:
    found = keys("planning-review", layer(overlay(add=[{**EXTRA, "after": "assessment"}])))
    assert found[:2] == ["assessment", "phase"]
    assert found[2:] == keys()[1:]


def test_an_overlay_adds_at_the_end_and_into_a_group() -> None:
    sub = {"key": "evidence", "type": "long_text", "label": "Evidence", "after": "objectives.title"}
    form = resolve(SHIPPED, [layer(overlay(add=[EXTRA, sub]))]).get("planning-review")
    assert form.fields_for("performance")[-1].key == "phase"
    group = form.group("objectives", "performance")
    assert group is not None and [f.key for f in group.fields][:2] == ["title", "evidence"]


def test_an_overlay_removes_relabels_and_changes_hints_choices_and_validators() -> None:
    change = {
        "monitoring": {"label": "How will we keep in touch?", "hint": ""},
        "objectives.title": {"validators": [{"max_length": 120}]},
        "pay_recommendation": {
            "choices": [
                {"value": "progress", "label": "Progress"},
                {"value": "do-not-progress", "label": "Do not progress"},
            ]
        },
        "support": {"required": False},
    }
    form = resolve(SHIPPED, [layer(overlay(remove=["reviewer_comments"], change=change))]).get(
        "planning-review"
    )
    by_key = {f.key: f for f in form.fields}
    assert "reviewer_comments" not in by_key
    assert by_key["monitoring"].label == "How will we keep in touch?"
    assert by_key["monitoring"].hint == ""
    assert [c.value for c in by_key["pay_recommendation"].choices] == [
        "progress",
        "do-not-progress",
    ]
    assert not by_key["support"].required
    group = form.group("objectives", "performance")
    assert group is not None and group.fields[0].validators["max_length"] == 120
    # The changed form validates with the changed rules: a long objective title is refused.
    assert form.layers == ("forms/planning-review.yaml", TRUST_FILE)


def test_an_overlay_reorders_the_fields() -> None:
    order = list(reversed(keys("planning-review", style="performance")))
    every = [f.key for f in SHIPPED.get("planning-review").fields]
    wanted = [k for k in reversed(every)]
    assert keys("planning-review", layer(overlay(order=wanted))) == order


def test_a_school_layer_applies_over_the_trust_layer() -> None:
    trust = layer(overlay(add=[EXTRA]))
    school = Layer(
        "school s",
        (
            LayerFile(
                "infra/trusts/t/schools/s/forms/planning-review.yaml",
                "planning-review",
                {"extends": "planning-review", "fields": {"change": {"phase": {"label": "Phase"}}}},
            ),
        ),
    )
    form = resolve(SHIPPED, [trust, school]).get("planning-review")
    assert form.fields[-1].label == "Phase"
    assert len(form.layers) == 3


def test_a_whole_form_adds_a_new_form_or_replaces_a_shipped_one() -> None:
    own = {
        "id": "support-staff-review",
        "title": "Support staff appraisal",
        "description": "For support staff.",
        "filled_by": "reviewer",
        "source": "seed 000",
        "for_staff": ["support"],
        "fields": [{"key": "went_well", "type": "long_text", "label": "What went well?"}],
    }
    replaced = {**own, "id": "self-review", "filled_by": "reviewee", "for_staff": None}
    del replaced["for_staff"]
    forms = resolve(SHIPPED, [layer(("support-staff-review", own), ("self-review", replaced))])
    assert forms.get("support-staff-review").is_for(["support"])
    assert not forms.get("support-staff-review").is_for(["teacher"])
    assert [f.key for f in forms.get("self-review").fields] == ["went_well"]


@pytest.mark.parametrize(
    ("ops", "field", "problem"),
    [
        ({"remove": ["nope"]}, "nope", "there is no such field to remove in forms/planning-review"),
        ({"change": {"nope": {"label": "X"}}}, "nope", "there is no such field to change"),
        ({"add": [{**EXTRA, "key": "monitoring"}]}, "monitoring", "is already a field of"),
        ({"add": [{**EXTRA, "after": "nope"}]}, "phase", "'after: nope' names no field"),
        ({"add": [{**EXTRA, "type": "dat"}]}, "phase", "unknown type 'dat'"),
        ({"change": {"assessment": {"lable": "X"}}}, "assessment", "unknown property 'lable'"),
        ({"change": {"assessment": {"type": "number"}}}, "assessment", "unknown property 'type'"),
        ({"change": {"assessment": {"label": ""}}}, "assessment", "'label' must be some text"),
        (
            {"change": {"assessment": {"role": "training_needs"}}},
            "training_needs",
            "role 'training_needs' is already played by 'assessment'",
        ),
        (
            {"change": {"pay_recommendation": {"role": "objectives"}}},
            "pay_recommendation",
            "role 'objectives' (the objectives, with success criteria) goes on a group",
        ),
        (
            {"remove": ["objectives.multi_cycle"]},
            "objectives.end_of_cycle_expectation",
            "show_when",
        ),
        ({"order": ["assessment"]}, None, "'order' must list every field of the form once"),
        ({"shuffle": True}, None, "unknown property 'fields.shuffle'"),
    ],
)
def test_a_broken_overlay_names_the_file_the_field_and_the_problem(
    ops: dict[str, Any], field: str | None, problem: str
) -> None:
    error = refused(layer(overlay(**ops)))
    assert error.file == TRUST_FILE
    assert error.field == field
    assert problem in error.problem


def test_an_overlay_of_a_form_that_is_not_there_says_so() -> None:
    error = refused(layer(("nope", {"extends": "nope"})))
    assert (error.file, error.field) == ("infra/trusts/t/forms/nope.yaml", None)
    assert "extends 'nope', but there is no such form below it" in error.problem
    named = refused(layer(("other", {"extends": "planning-review"})))
    assert "but the file is named 'other'" in named.problem


def test_a_removed_role_is_reported_with_where_and_what() -> None:
    forms = resolve(SHIPPED, [layer(overlay(remove=["training_needs", "pay_recommendation"]))])
    problems = school_form_problems(forms, "performance", "oak")
    assert problems == [
        f"{TRUST_FILE}: form 'planning-review' for school oak (performance) has no field with "
        "role 'training_needs' (the training needs passed to the training and development "
        "coordinator, 4.7): give one long_text field 'role: training_needs'",
        f"{TRUST_FILE}: form 'planning-review' for school oak (performance) has no field with "
        "role 'pay_recommendation' (the pay progression recommendation, 4.5): give one "
        "single_choice field 'role: pay_recommendation'",
    ]
    # Growth has no pay recommendation (seed 002): only the training needs are missing there.
    assert len(school_form_problems(forms, "growth", "oak")) == 1


def test_a_renamed_role_field_is_what_the_system_reads() -> None:
    new = {"key": "cpd", "type": "long_text", "label": "CPD to arrange", "role": "training_needs"}
    forms = resolve(SHIPPED, [layer(overlay(remove=["training_needs"], add=[new]))])
    form = forms.get("planning-review")
    assert school_form_problems(forms, "performance", "oak") == []
    assert form.role_keys(["training_needs"], "performance") == ["cpd"]


def test_reviewee_comments_must_be_written_by_the_reviewee_4_9() -> None:
    error = refused(layer(overlay(change={"reviewee_comments": {"filled_by": None}})))
    assert error.field == "reviewee_comments"
    assert "written by the reviewee" in error.problem


def test_layers_survive_the_trip_through_the_school_item() -> None:
    dated = {
        "key": "start",
        "type": "date",
        "label": "Start",
        "validators": [{"min": yaml.safe_load("2026-09-01")}],
    }
    layers = [layer(overlay(add=[dated]))]
    again = layers_from_json(layers_to_json(layers))
    assert keys("planning-review", *again) == keys("planning-review", *layers)


# -- growthcycle forms check --trust ---------------------------------------------------------------


@pytest.fixture
def trust(tmp_path: Path) -> Path:
    file = tmp_path / "trusts" / "t.yaml"
    file.parent.mkdir()
    shutil.copy(ROOT / "infra" / "trusts" / "demo-trust.yaml", file)
    return file


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def test_forms_check_trust_passes_and_lists_each_schools_own_forms(
    trust: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    school = trust.with_suffix("") / "schools" / "oakfield-primary" / "forms"
    write(school / "planning-review.yaml", overlay(add=[EXTRA])[1])
    assert main(["forms", "check", "--trust", str(trust)]) == 0
    out = capsys.readouterr().out
    assert "oakfield-primary: 5 forms; its own: planning-review (" in out
    assert "riverside-academy: 5 forms; all as shipped" in out


def test_forms_check_trust_refuses_a_broken_or_incomplete_form_naming_where(
    trust: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forms = trust.with_suffix("") / "forms"
    write(forms / "planning-review.yaml", overlay(remove=["assessment"])[1])
    write(forms / "self-review.yaml", {"extends": "self-review", "fields": {"remove": ["nope"]}})
    write(trust.with_suffix("") / "schools" / "no-such-school" / "forms" / "x.yaml", {})
    assert main(["forms", "check", "--trust", str(trust)]) == 1
    err = capsys.readouterr().err
    assert "schools/no-such-school: there is no school 'no-such-school'" in err
    assert err.count("self-review.yaml: field 'nope': there is no such field to remove") == 1


def test_forms_check_trust_names_a_missing_role(
    trust: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        trust.with_suffix("") / "forms" / "planning-review.yaml", overlay(remove=["assessment"])[1]
    )
    assert main(["forms", "check", "--trust", str(trust)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2  # both schools
    assert all("has no field with role 'overall_assessment'" in line for line in err)


def test_a_broken_trust_form_is_refused_before_anything_is_written(trust: Path) -> None:
    from growthcycle.domain.trust import load_trust
    from growthcycle.local.seed import put_trust

    write(
        trust.with_suffix("") / "forms" / "planning-review.yaml", overlay(remove=["assessment"])[1]
    )

    class Nothing:
        def put_school(self, *args: Any) -> None:
            raise AssertionError("nothing is written")

    with pytest.raises(FormsRefused) as caught:
        put_trust(Nothing(), load_trust(trust), trust)  # type: ignore[arg-type]
    assert len(caught.value.problems) == 2


def test_the_project_forms_fill_every_role_the_system_needs() -> None:
    for style in ("performance", "growth"):
        assert school_form_problems(SHIPPED, style, "any") == []


# -- docs/forms.md: every example is a working change ------------------------------------------------


def _doc_examples() -> list[dict[str, Any]]:
    import re

    text = (ROOT / "docs" / "forms.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)]
    return [b for b in blocks if isinstance(b, dict) and ("extends" in b or "id" in b)]


@pytest.mark.parametrize(
    "example", _doc_examples(), ids=lambda e: str(e.get("extends", e.get("id")))
)
def test_every_example_in_the_guide_checks_clean(example: dict[str, Any]) -> None:
    stem = example.get("extends") or example["id"]
    forms = resolve(SHIPPED, [layer((stem, example))])
    for style in ("performance", "growth"):
        assert school_form_problems(forms, style, "any") == []


def test_the_guide_has_an_example_of_each_kind_of_change() -> None:
    examples = _doc_examples()
    ops = {op for e in examples for op in e.get("fields", {}) if "extends" in e}
    assert ops == {"add", "remove", "change", "order"}
    assert any("id" in e for e in examples)


def test_a_field_still_read_by_its_key_cannot_be_removed_or_retyped() -> None:
    meeting = (
        "meeting",
        {
            "extends": "meeting",
            "fields": {
                "remove": ["place", "time"],
                "add": [{"key": "time", "type": "number", "label": "Hour"}],
            },
        },
    )
    forms = resolve(SHIPPED, [layer(meeting)])
    problems = school_form_problems(forms, "growth", "oak")
    assert [p.split(": field ")[1].split(" (")[0] for p in problems] == ["'time'", "'place'"]
    assert problems[0].startswith(
        "infra/trusts/t/forms/meeting.yaml: form 'meeting' for school oak"
    )
    assert problems[0].endswith("is read under this key: keep a short_text field 'time'")
    relabelled = (
        "meeting",
        {"extends": "meeting", "fields": {"change": {"place": {"label": "Room"}}}},
    )
    assert school_form_problems(resolve(SHIPPED, [layer(relabelled)]), "growth", "oak") == []


def test_the_demo_will_not_start_with_a_broken_trust_form(
    trust: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(trust.with_suffix("") / "forms" / "planning-review.yaml", overlay(remove=["nope"])[1])
    code = main(["demo", "--trust", str(trust), "--data", str(tmp_path / "data"), "--port", "0"])
    assert code == 1
    err = capsys.readouterr().err
    assert "a trust form is broken, so the app will not start" in err
    assert "field 'nope': there is no such field to remove" in err
    assert not (tmp_path / "data").exists()  # no stack was started


def test_the_fields_guidance_reads_in_each_objective_or_commitment_must_stay_4_6() -> None:
    ops = {
        "remove": ["objectives.timescale"],
        "change": {
            "commitments.focus": {
                "choices": [{"value": "classroom-practice", "label": "Classroom practice"}]
            }
        },
    }
    forms = resolve(SHIPPED, [layer(overlay(**ops))])
    performance = school_form_problems(forms, "performance", "oak")
    assert len(performance) == 1
    assert (
        "field 'objectives.timescale' (its timescale (4.6)) is read under this key"
        in performance[0]
    )
    growth = school_form_problems(forms, "growth", "oak")
    assert growth == [
        f"{TRUST_FILE}: form 'planning-review' for school oak (growth): field 'commitments.focus' "
        "needs the choice 'school-plan' (seed 003, point 4)"
    ]
