"""`growthcycle forms check` and load-time refusal of broken form files."""

from __future__ import annotations

from pathlib import Path

import pytest

from growthcycle.cli.main import main
from growthcycle.domain.forms import FormDefinitionError, load_form, load_forms

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "forms"

# fixture -> (field named, words in the problem)
CASES = {
    "unknown-type": ("objectives.timescale", "unknown type 'dat' (expected one of: short_text"),
    "bad-key": ("Bad Key", "must start with a-z"),
    "show-when-missing": ("notes", "'discuss', which is not an earlier field"),
    "min-over-max": ("title", "min_length 300 is more than max_length 200"),
    "unknown-validator": ("title", "unknown validator 'max_items' for short_text"),
    "choices-missing": ("pay", "needs exactly one of 'choices' or 'choices_from'"),
    "unknown-reference": ("standards", "unknown reference list 'teacher_standard'"),
    "duplicate-key": ("title", "key is used twice"),
    "bad-style": ("pay", "'styles' must be a list of performance and/or growth"),
    "unknown-property": ("title", "unknown property 'requird'"),
    "duplicate-choice": ("focus", "choice value 'a' is used twice"),
    "not-yaml": (None, "not valid YAML"),
    "id-mismatch": (None, "does not match the file name"),
}


def test_every_broken_fixture_has_a_case() -> None:
    assert {p.stem for p in BROKEN.glob("*.yaml")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_form_names_file_field_and_problem(name: str) -> None:
    field, words = CASES[name]
    with pytest.raises(FormDefinitionError) as caught:
        load_form(BROKEN / f"{name}.yaml")
    error = caught.value
    assert error.file.endswith(f"tests/data/forms/{name}.yaml")
    assert error.field == field
    assert words in error.problem
    where = f"field '{field}': " if field else ""
    assert str(error) == f"{error.file}: {where}{error.problem}"


def test_load_forms_refuses_a_folder_with_a_broken_form() -> None:
    with pytest.raises(FormDefinitionError):
        load_forms(BROKEN)


def test_check_passes_the_project_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "check"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_check_passes_named_good_files(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(ROOT / "forms" / "self-review.yaml"), str(ROOT / "forms" / "planning-review.yaml")]
    assert main(["forms", "check", *files]) == 0
    assert capsys.readouterr().out == "ok: 2 forms\n"


def test_check_fails_naming_each_broken_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["forms", "check", "forms", "tests/data/forms"]) == 1
    err = capsys.readouterr().err
    assert (
        "tests/data/forms/unknown-type.yaml: field 'objectives.timescale': unknown type 'dat'"
        in err
    )
    assert len(err.splitlines()) == len(CASES)


def test_check_fails_on_a_missing_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "check", "no/such/forms"]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_check_fails_on_a_repeated_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "self-review.yaml"
    copy.write_text((ROOT / "forms" / "self-review.yaml").read_text())
    assert main(["forms", "check", str(ROOT / "forms"), str(copy)]) == 1
    assert "is also used by" in capsys.readouterr().err
