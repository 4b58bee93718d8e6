"""The form engine: one definition -> validation, the HTML form and the read-only rendering."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import pytest

from growthcycle.domain.forms import (
    Choice,
    FormContext,
    FormInvalid,
    UnknownForm,
    load_forms,
    load_reference,
    parse_form,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PRIORITIES = [Choice("early-reading", "Early reading"), Choice("maths-mastery", "Maths mastery")]
PERFORMANCE = FormContext("performance", {"school_priorities": PRIORITIES})
GROWTH = FormContext("growth", {"school_priorities": PRIORITIES})
HOSTILE = '<script>alert("x")</script>\'{{ 7*7 }}&amp;'

EVERY_TYPE: dict[str, Any] = {
    "id": "every-type",
    "title": "Every type",
    "description": "A form with one field of each type.",
    "filled_by": "reviewee",
    "source": "test",
    "fields": [
        {"key": "title", "type": "short_text", "label": "Title", "required": True},
        {
            "key": "story",
            "type": "long_text",
            "label": "Story",
            "validators": [{"min_length": 5}, {"max_length": 50}],
        },
        {
            "key": "focus",
            "type": "single_choice",
            "label": "Focus",
            "choices": [{"value": "a", "label": "Alpha"}, {"value": "b", "label": "Beta"}],
        },
        {
            "key": "standards",
            "type": "multiple_choice",
            "label": "Standards",
            "choices_from": "teachers_standards",
            "validators": [{"max_items": 2}],
        },
        {"key": "by", "type": "date", "label": "By", "validators": [{"min": "2026-09-01"}]},
        {
            "key": "hours",
            "type": "number",
            "label": "Hours",
            "validators": [{"min": 0}, {"max": 3}],
        },
        {"key": "raise_it", "type": "yes_no", "label": "Raise it?"},
        {
            "key": "what",
            "type": "long_text",
            "label": "What?",
            "required": True,
            "show_when": {"field": "raise_it", "equals": True},
        },
        {"key": "pay", "type": "yes_no", "label": "Pay?", "styles": ["performance"]},
        {
            "key": "items",
            "type": "group",
            "label": "Items",
            "item_label": "Item",
            "validators": [{"min_items": 1}, {"max_items": 3}],
            "fields": [
                {"key": "name", "type": "short_text", "label": "Name", "required": True},
                {
                    "key": "priority",
                    "type": "single_choice",
                    "label": "Priority",
                    "choices_from": "school_priorities",
                },
            ],
        },
    ],
}


@pytest.fixture(scope="module")
def form() -> Any:
    return parse_form(EVERY_TYPE, "every-type.yaml")


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def good(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"title": "Reading", "items": [{"name": "Phonics"}]}
    values.update(changes)
    return values


def errors_of(form: Any, values: Any, ctx: FormContext = PERFORMANCE, **kw: Any) -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        form.validate(values, ctx, **kw)
    return {e.key: e.message for e in caught.value.errors}


def render(env: jinja2.Environment, form: Any, ctx: FormContext, values: Any, errors: Any) -> str:
    return env.get_template("forms/form_page.html").render(
        form=form,
        ctx=ctx,
        values=values,
        errors=errors,
        action_url="/forms/x",
        csrf_token="tok",
        person=None,
    )


# -- validation, type by type ---------------------------------------------------------------


def test_valid_submission_comes_back_clean_and_json_able(form: Any) -> None:
    clean = form.validate(
        good(
            story="  A good year  ",
            focus="b",
            standards=["ts1", "ts2"],
            by="31/10/2026",
            hours="2.5",
            raise_it="no",
            pay="yes",
        ),
        PERFORMANCE,
    )
    assert clean == {
        "title": "Reading",
        "story": "A good year",
        "focus": "b",
        "standards": ["ts1", "ts2"],
        "by": "2026-10-31",
        "hours": 2.5,
        "raise_it": False,
        "pay": True,
        "items": [{"name": "Phonics"}],
    }
    assert form.validate(clean, PERFORMANCE) == clean  # clean values validate again unchanged


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"title": ""}, "title", "Enter an answer"),
        ({"title": "x" * 201}, "title", "200 characters or fewer"),
        ({"story": "abc"}, "story", "at least 5 characters"),
        ({"story": "x" * 51}, "story", "50 characters or fewer"),
        ({"focus": "c"}, "focus", "Choose one of the options"),
        ({"standards": ["ts1", "nope"]}, "standards", "Choose"),
        ({"standards": ["ts1", "ts2", "ts3"]}, "standards", "no more than 2"),
        ({"by": "31/02/2027"}, "by", "real date"),
        ({"by": "2026-08-31"}, "by", "on or after 1 September 2026"),
        ({"hours": "lots"}, "hours", "Enter a number"),
        ({"hours": "nan"}, "hours", "Enter a number"),
        ({"hours": "4"}, "hours", "at most 3"),
        ({"raise_it": "maybe"}, "raise_it", "Yes or No"),
        ({"items": []}, "items", "Add at least 1 item"),
        ({"items": [{"name": "a"}] * 4}, "items", "up to 3 items"),
        ({"items": [{"priority": "early-reading"}]}, "items.0.name", "in item 1"),
        ({"items": [{"name": "a", "priority": "other"}]}, "items.0.priority", "Choose one"),
    ],
)
def test_invalid_values_are_named_errors(form: Any, changes: Any, key: str, words: str) -> None:
    assert words in errors_of(form, good(**changes))[key]


def test_error_keys_and_anchors_follow_the_flat_names(form: Any) -> None:
    with pytest.raises(FormInvalid) as caught:
        form.validate(good(items=[{"name": "a"}, {"priority": "early-reading"}]), PERFORMANCE)
    [error] = caught.value.errors
    assert (error.key, error.anchor) == ("items.1.name", "f-items-1-name")


def test_conditional_field_required_only_when_its_condition_holds(form: Any) -> None:
    assert "what" in errors_of(form, good(raise_it="yes"))
    assert form.validate(good(raise_it="no", what="kept?"), PERFORMANCE).get("what") is None
    assert form.validate(good(raise_it="yes", what="Marking"), PERFORMANCE)["what"] == "Marking"


def test_style_only_fields_are_left_out_of_the_other_style(form: Any) -> None:
    assert "pay" in [f.key for f in form.fields_for("performance")]
    assert "pay" not in [f.key for f in form.fields_for("growth")]
    assert "pay" not in form.validate(good(pay="yes"), GROWTH)


def test_unknown_field_names_are_ignored(form: Any) -> None:
    assert "evil" not in form.validate(good(evil="x", __class__="y"), PERFORMANCE)


def test_partial_save_skips_required_and_minimums_but_not_lengths(form: Any) -> None:
    assert form.validate({"items": [{}]}, PERFORMANCE, partial=True) == {}
    assert "title" in errors_of(form, {"title": "x" * 300}, partial=True)
    assert "items" in errors_of(form, {"items": [{"name": "a"}] * 4}, partial=True)


def test_blank_rows_are_dropped_and_errors_keep_the_entered_values(form: Any) -> None:
    with pytest.raises(FormInvalid) as caught:
        form.validate({"title": "", "story": HOSTILE, "items": [{}, {"name": "b"}]}, PERFORMANCE)
    assert caught.value.values["story"] == HOSTILE
    assert caught.value.values["items"] == [{"name": "b"}]


def test_oversized_input_is_an_error_not_a_crash(form: Any) -> None:
    errors = errors_of(form, good(title="x" * 1_000_000, hours="9" * 100, standards=["x"] * 10_000))
    assert {"title", "hours", "standards"} <= set(errors)


def test_model_is_built_once_per_style(form: Any) -> None:
    assert form.model("growth") is form.model("growth")
    assert form.model("growth") is not form.model("performance")


# -- reading a posted body, add and remove ---------------------------------------------------


def test_read_turns_flat_names_into_values(form: Any) -> None:
    posted = {
        "title": ["T"],
        "standards": ["ts1", "ts2"],
        "items-0-name": ["a"],
        "items-1-name": ["b"],
        "items-rows": ["2"],
        "_action": ["save"],
        "junk": ["x"],
    }
    read = form.read(posted, PERFORMANCE)
    assert read.action == "save"
    assert read.values["standards"] == ["ts1", "ts2"]
    assert read.values["items"] == [{"name": "a"}, {"name": "b"}]
    assert "junk" not in read.values


def test_add_and_remove_rows_keep_the_other_values(form: Any) -> None:
    posted = {"title": ["T"], "items-0-name": ["a"], "items-1-name": ["b"]}
    added = form.read({**posted, "_action": ["add:items"]}, PERFORMANCE)
    assert added.action == "add:items"
    assert added.values["items"] == [{"name": "a"}, {"name": "b"}, {}]
    removed = form.read({**posted, "_action": ["remove:items:0"]}, PERFORMANCE)
    assert removed.values["items"] == [{"name": "b"}]
    assert removed.values["title"] == "T"


def test_rows_never_grow_past_the_maximum(form: Any) -> None:
    posted = {f"items-{i}-name": ["x"] for i in range(3)} | {"items-999-name": ["y"]}
    read = form.read({**posted, "_action": ["add:items"]}, PERFORMANCE)
    assert len(read.values["items"]) == 3


def test_unknown_actions_are_a_submit(form: Any) -> None:
    assert form.read({"_action": ["remove:nothing:1"]}, PERFORMANCE).action == "submit"
    assert form.read({"_action": ["<script>"]}, PERFORMANCE).action == "submit"


def test_blank_values_hold_the_minimum_rows(form: Any) -> None:
    assert form.blank_values(PERFORMANCE) == {"items": [{}]}


# -- the HTML form ----------------------------------------------------------------------------


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.inputs: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.styles_or_scripts = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "label":
            self.label_for.add(str(a["for"]))
        if tag in ("input", "textarea", "select") and a.get("type") != "hidden":
            self.inputs.append(a)
        if tag == "a" and str(a.get("href", "")).startswith("#"):
            self.links.append(str(a["href"])[1:])
        if tag in ("script", "style") or "style" in a or any(k.startswith("on") for k in a):
            self.styles_or_scripts += 1


def test_every_input_has_a_label_and_no_inline_style_or_script(env: Any, form: Any) -> None:
    page = Page(render(env, form, PERFORMANCE, form.blank_values(PERFORMANCE), []))
    assert page.inputs
    assert all(i["id"] in page.label_for for i in page.inputs)
    assert page.styles_or_scripts == 0


def test_error_summary_links_to_anchors_that_exist(env: Any, form: Any) -> None:
    with pytest.raises(FormInvalid) as caught:
        form.validate({"items": [{"priority": "x"}], "raise_it": "yes", "focus": "z"}, PERFORMANCE)
    html = render(env, form, PERFORMANCE, caught.value.values, caught.value.errors)
    page = Page(html)
    anchors = [e.anchor for e in caught.value.errors]
    assert {"f-title", "f-what", "f-focus", "f-items-0-name", "f-items-0-priority"} <= set(anchors)
    assert set(anchors) <= page.ids
    assert [link for link in page.links if link.startswith("f-")] == anchors
    assert "There is a problem" in html and "<title>Error: " in html


def test_hostile_text_comes_back_escaped_and_intact(env: Any, form: Any) -> None:
    with pytest.raises(FormInvalid) as caught:
        form.validate({"story": HOSTILE, "items": [{"name": HOSTILE}]}, PERFORMANCE)
    html = render(env, form, PERFORMANCE, caught.value.values, caught.value.errors)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#39;{{ 7*7 }}&amp;amp;" in html
    assert "49" not in html
    assert form.read({"story": [HOSTILE]}, PERFORMANCE).values["story"] == HOSTILE


def test_group_rows_render_with_add_and_remove_buttons(env: Any, form: Any) -> None:
    html = render(env, form, PERFORMANCE, {"items": [{"name": "a"}, {"name": "b"}]}, [])
    assert "<legend>Item 2</legend>" in html
    assert 'value="remove:items:1"' in html and 'value="add:items"' in html
    assert 'id="f-items-1-name" name="items-1-name" value="b"' in html
    full = render(env, form, PERFORMANCE, {"items": [{}, {}, {}]}, [])
    assert 'value="add:items"' not in full


def test_conditional_field_is_rendered_with_its_condition_in_the_hint(env: Any, form: Any) -> None:
    html = render(env, form, PERFORMANCE, {}, [])
    assert "Answer if you chose Yes above." in html
    assert 'id="f-what"' in html


def test_clean_values_render_back_into_the_form(env: Any, form: Any) -> None:
    clean = form.validate(
        good(raise_it="yes", what="W", by="2026-10-01", standards=["ts2"]), PERFORMANCE
    )
    html = render(env, form, PERFORMANCE, clean, [])
    assert 'value="yes" checked' in html
    assert 'value="ts2" checked' in html
    assert 'value="2026-10-01"' in html


def test_form_page_has_csrf_and_both_buttons(env: Any, form: Any) -> None:
    html = render(env, form, GROWTH, {}, [])
    assert '<input type="hidden" name="_csrf" value="tok">' in html
    assert 'value="submit">Submit</button>' in html
    assert 'value="save">Save and finish later</button>' in html


# -- read-only rendering -----------------------------------------------------------------------


def test_plain_text_rendering_uses_labels_and_leaves_out_hidden_fields(form: Any) -> None:
    values = {
        "title": "T",
        "standards": ["ts2", "ts1"],
        "raise_it": False,
        "what": "hidden",
        "by": "2026-10-31",
        "items": [{"name": "N", "priority": "early-reading"}],
    }
    text = form.as_text(values, PERFORMANCE)
    assert "Title\n  T" in text
    assert text.index("1. Set high") < text.index("2. Promote")
    assert "31 October 2026" in text and "Early reading" in text and "Item 1" in text
    assert "hidden" not in text and "What?" not in text


def test_readonly_macro_escapes(env: Any, form: Any) -> None:
    html = env.get_template("forms/saved_page.html").render(
        form=form,
        ctx=PERFORMANCE,
        values={"title": HOSTILE, "story": "a\nb"},
        version=3,
        status="draft",
        edit_url="/edit",
        person=None,
    )
    assert "Saved: version 3" in html
    assert "<script>alert" not in html
    assert "a<br>b" in html


# -- the project's forms -----------------------------------------------------------------------


def test_project_forms_load_and_unknown_ids_raise() -> None:
    forms = load_forms()
    assert {f.id for f in forms} >= {"self-review", "planning-review"}
    with pytest.raises(UnknownForm):
        forms.get("nope")


def test_teachers_standards_reference_has_part_one_and_two() -> None:
    values = [c.value for c in load_reference("teachers_standards")]
    assert values[:8] == [f"ts{i}" for i in range(1, 9)]
    # Part Two's three parts and the five public-trust bullets; `part-two` stays valid for
    # records saved before the parts were listed.
    assert values[8:] == [
        "part-two",
        "part-two-public-trust",
        "part-two-dignity",
        "part-two-safeguarding",
        "part-two-tolerance",
        "part-two-british-values",
        "part-two-personal-beliefs",
        "part-two-ethos",
        "part-two-statutory-frameworks",
    ]


def test_self_review_is_optional_and_raises_workload_when_asked() -> None:
    form = load_forms().get("self-review")
    assert form.filled_by == "reviewee"
    assert form.validate({}, GROWTH) == {}
    clean = form.validate({"discuss_workload": "yes", "workload_notes": "Marking"}, GROWTH)
    assert clean == {"discuss_workload": True, "workload_notes": "Marking"}


def test_planning_review_objectives_in_performance_commitments_in_growth() -> None:
    form = load_forms().get("planning-review")
    perf = {f.key for f in form.fields_for("performance")}
    growth = {f.key for f in form.fields_for("growth")}
    assert {"objectives", "pay_recommendation"} <= perf - growth
    assert {"commitments", "pay_progression"} <= growth - perf
    objective = {f.key for f in form.group("objectives", "performance").fields}  # type: ignore[union-attr]
    assert {
        "title",
        "success_criteria",
        "timescale",
        "priority",
        "standards",
        "multi_cycle",
        "end_of_cycle_expectation",
    } <= objective
    commitment = {f.key for f in form.group("commitments", "growth").fields}  # type: ignore[union-attr]
    assert "success_criteria" not in commitment
    assert "Add at least 2 commitments" in errors_of(form, {}, GROWTH)["commitments"]


def test_planning_review_renders_in_both_styles(env: Any) -> None:
    form = load_forms().get("planning-review")
    for ctx in (PERFORMANCE, GROWTH):
        page = Page(render(env, form, ctx, form.blank_values(ctx), []))
        assert all(i["id"] in page.label_for for i in page.inputs)
