"""Per-field `filled_by`: a field the other party writes is shown read-only and never taken from
what this party posts (4.9: the reviewee's comments are the reviewee's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from growthcycle.cli.forms import check
from growthcycle.domain.forms import FormContext, FormDefinitionError, load_forms, parse_form

PERFORMANCE = FormContext("performance")
DATA = Path(__file__).resolve().parents[1] / "data" / "forms-filled-by"


def _form(**comments: Any) -> dict[str, Any]:
    return {
        "id": "statement",
        "title": "Statement",
        "description": "A reviewer's form with one reviewee field.",
        "filled_by": "reviewer",
        "source": "test",
        "fields": [
            {"key": "assessment", "type": "long_text", "label": "Assessment", "required": True},
            {"key": "theirs", "type": "long_text", "label": "Reviewee's comments", **comments},
        ],
    }


def test_planning_review_reviewee_comments_are_filled_by_the_reviewee_4_9() -> None:
    form = load_forms().get("planning-review")
    spec = next(f for f in form.fields if f.key == "reviewee_comments")
    assert form.filled_by == "reviewer" and form.filler_of(spec) == "reviewee"
    assert [f.key for f in form.others_fields("performance", "reviewer")] == ["reviewee_comments"]


def test_reviewer_post_for_a_reviewee_field_is_ignored_and_the_stored_answer_kept_4_9() -> None:
    form = parse_form(_form(filled_by="reviewee"), "t.yaml")
    posted = {"assessment": "Good year", "theirs": "Typed by the reviewer"}
    assert form.keep_theirs(posted, {}, "performance", "reviewer") == {"assessment": "Good year"}
    kept = form.keep_theirs(posted, {"theirs": "Mine"}, "performance", "reviewer")
    assert kept == {"assessment": "Good year", "theirs": "Mine"}
    # The reviewee's own fields are theirs to write.
    assert form.keep_theirs(posted, {}, "performance", "reviewee") == {"theirs": posted["theirs"]}


def test_a_reviewee_field_renders_read_only_for_the_reviewer_never_as_an_input_4_9() -> None:
    form = parse_form(_form(filled_by="reviewee"), "t.yaml")
    controls = form.controls(PERFORMANCE, {"theirs": "Line one\nLine two"}, role="reviewer")
    theirs = next(c for c in controls if c.key == "theirs")
    assert theirs.readonly and theirs.name == "" and theirs.lines == ["Line one", "Line two"]
    # Without a role (other callers), every field is an input as before.
    assert not any(c.readonly for c in form.controls(PERFORMANCE, {}))


@pytest.mark.parametrize(
    ("comments", "problem"),
    [
        ({"filled_by": "governor"}, "'filled_by' must be one of"),
        ({"filled_by": "reviewee", "required": True}, "cannot be required"),
    ],
)
def test_forms_check_refuses_a_bad_field_filled_by(comments: dict[str, Any], problem: str) -> None:
    with pytest.raises(FormDefinitionError, match=problem) as refused:
        parse_form(_form(**comments), "t.yaml")
    assert refused.value.field == "theirs"


def test_forms_check_refuses_filled_by_inside_a_group() -> None:
    data = _form()
    data["fields"].append(
        {
            "key": "items",
            "type": "group",
            "label": "Items",
            "fields": [{"key": "x", "type": "short_text", "label": "X", "filled_by": "reviewee"}],
        }
    )
    with pytest.raises(FormDefinitionError, match="top-level field"):
        parse_form(data, "t.yaml")


def test_growthcycle_forms_check_names_the_file_and_field_with_a_bad_filled_by() -> None:
    good, problems = check([DATA])
    assert good == 0
    assert len(problems) == 1 and "field 'comments'" in problems[0]
    assert "'filled_by' must be one of: reviewee, reviewer" in problems[0]
