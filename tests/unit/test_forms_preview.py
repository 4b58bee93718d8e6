"""`growthcycle forms preview` (issue 12, item 4): the phone page, the read-only page and the text
of a form as a school gets it, with no stack running."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest

from growthcycle.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
OAK_PLANNING = ROOT / "infra/trusts/demo-trust/schools/oakfield-primary/forms/planning-review.yaml"
SUPPORT = ROOT / "infra/trusts/demo-trust/forms/support-staff-review.yaml"


class Inputs(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "textarea", "select") and found.get("name"):
            self.names.add(str(found["name"]))


def test_a_schools_overlay_previews_as_that_school_sees_it(tmp_path: Path) -> None:
    # Given Oakfield's change to the planning and review statement (its school is in the path),
    assert main(["forms", "preview", str(OAK_PLANNING), "--out", str(tmp_path)]) == 0
    # then the phone page asks the added question among the shipped ones, in performance style,
    phone = (tmp_path / "planning-review.html").read_text(encoding="utf-8")
    assert {"early_reading", "objectives-0-title", "pay_recommendation"} <= Inputs(phone).names
    assert 'href="static/app.css"' in phone and (tmp_path / "static" / "app.css").is_file()
    # the read-only page shows an example answer to each, and the text names the school.
    read = html.unescape((tmp_path / "planning-review-read.html").read_text(encoding="utf-8"))
    assert (
        "An example answer to \u2018How will this year's work support early reading?\u2019" in read
    )
    assert "<textarea" not in read
    text = (tmp_path / "planning-review.txt").read_text(encoding="utf-8")
    assert text.splitlines()[:2] == ["Planning and review statement", "Oakfield Primary School"]
    assert "Every pupil reads fluently" in text  # the school's own priorities as choices


def test_a_trust_form_previews_for_a_named_school_and_style(tmp_path: Path) -> None:
    assert (
        main(
            [
                "forms",
                "preview",
                str(SUPPORT),
                "--school",
                "riverside-academy",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    text = (tmp_path / "support-staff-review.txt").read_text(encoding="utf-8")
    assert "Riverside Academy" in text
    assert "What does Ways to Success show?" in text  # the condition's example answer holds


def test_style_picks_the_questions_of_that_style(tmp_path: Path) -> None:
    plan = ROOT / "forms" / "mid-year-review.yaml"
    assert main(["forms", "preview", str(plan), "--style", "growth", "--out", str(tmp_path)]) == 0
    names = Inputs((tmp_path / "mid-year-review.html").read_text(encoding="utf-8")).names
    assert "reflections_discussed" in names and "progress" not in names


def test_a_style_the_form_is_not_asked_in_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only = tmp_path / "pay.yaml"
    only.write_text(
        "id: pay\ntitle: Pay\ndescription: Pay.\nfilled_by: reviewer\nsource: '4.5'\n"
        "styles: [performance]\nfields: [{key: notes, type: long_text, label: Notes}]\n",
        encoding="utf-8",
    )
    assert main(["forms", "preview", str(only), "--style", "growth", "--out", str(tmp_path)]) == 1
    assert "not asked in the growth style" in capsys.readouterr().err


def test_a_broken_file_is_refused_naming_the_file_field_and_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "planning-review.yaml"
    broken.write_text("extends: planning-review\nfields: {remove: [nope]}\n", encoding="utf-8")
    assert main(["forms", "preview", str(broken), "--out", str(tmp_path / "out")]) == 1
    assert "field 'nope': there is no such field to remove" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unknown_school_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["forms", "preview", str(SUPPORT), "--school", "nope", "--out", str(tmp_path)]
    assert main(args) == 1
    assert "there is no school 'nope'" in capsys.readouterr().err
