"""Properties of the form engine over generated definitions and submissions."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from growthcycle.domain.forms import Choice, FormContext, FormDefinitionError, parse_form

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
SCALARS = (
    "short_text",
    "long_text",
    "single_choice",
    "multiple_choice",
    "date",
    "number",
    "yes_no",
)
KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
# No whitespace, so a value's length survives the engine's trimming; hostile characters included.
CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")) | st.sampled_from(
    "<>&'\"{}"
)
WORDS = st.text(
    CHARS,
    min_size=1,
    max_size=30,
)
CHOICE_VALUES = st.lists(
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=5, unique=True
)
settings.register_profile("forms", deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scalar_field(draw: Any, key: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(SCALARS))
    spec: dict[str, Any] = {"key": key, "type": kind, "label": draw(WORDS)}
    if draw(st.booleans()):
        spec["hint"] = draw(WORDS)
    spec["required"] = draw(st.booleans())
    validators: list[dict[str, Any]] = []
    if kind in ("short_text", "long_text"):
        low = draw(st.integers(0, 10))
        validators = [{"min_length": low}, {"max_length": draw(st.integers(max(low, 1), 60))}]
    elif kind in ("single_choice", "multiple_choice"):
        values = draw(CHOICE_VALUES)
        spec["choices"] = [{"value": v, "label": draw(WORDS)} for v in values]
        if kind == "multiple_choice":
            validators = [{"max_items": draw(st.integers(1, len(values)))}]
    elif kind == "number":
        low = draw(st.integers(-100, 100))
        validators = [{"min": low}, {"max": draw(st.integers(low, 200))}]
    elif kind == "date":
        low = draw(st.dates(date(2020, 1, 1), date(2030, 1, 1)))
        validators = [{"min": low.isoformat()}, {"max": draw(st.dates(low, date(2031, 1, 1)))}]
    if validators and draw(st.booleans()):
        spec["validators"] = validators
    return spec


@st.composite
def field_list(draw: Any, allow_group: bool) -> list[dict[str, Any]]:
    keys = draw(st.lists(KEYS, min_size=1, max_size=6, unique=True))
    fields = [draw(scalar_field(k)) for k in keys]
    yes_no = [f for f in fields if f["type"] == "yes_no"]
    if yes_no and draw(st.booleans()):
        fields.append(
            {
                "key": "zz_then",
                "type": "long_text",
                "label": "Then?",
                "required": True,
                "show_when": {"field": yes_no[0]["key"], "equals": draw(st.booleans())},
            }
        )
    if allow_group and draw(st.booleans()):
        low = draw(st.integers(0, 2))
        fields.append(
            {
                "key": "zz_group",
                "type": "group",
                "label": "Group",
                "item_label": "Row",
                "validators": [
                    {"min_items": low},
                    {"max_items": draw(st.integers(max(low, 1), 4))},
                ],
                "fields": draw(field_list(False)),
            }
        )
    return fields


@st.composite
def definitions(draw: Any) -> dict[str, Any]:
    return {
        "id": "generated",
        "title": draw(WORDS),
        "description": draw(WORDS),
        "filled_by": draw(st.sampled_from(["reviewee", "reviewer"])),
        "source": "test",
        "fields": draw(field_list(True)),
    }


def _bounds(spec: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for v in spec.get("validators", []):
        found.update(v)
    return found


@st.composite
def answer(draw: Any, spec: dict[str, Any]) -> Any:
    kind, b = spec["type"], _bounds(spec)
    if kind in ("short_text", "long_text"):
        high = b.get("max_length", 200 if kind == "short_text" else 60)
        low = max(1, b.get("min_length", 1))
        return draw(st.text(CHARS, min_size=low, max_size=high))
    if kind == "single_choice":
        return draw(st.sampled_from([c["value"] for c in spec["choices"]]))
    if kind == "multiple_choice":
        values = [c["value"] for c in spec["choices"]]
        return draw(
            st.lists(
                st.sampled_from(values),
                min_size=1,
                max_size=b.get("max_items", len(values)),
                unique=True,
            )
        )
    if kind == "number":
        return str(draw(st.integers(b.get("min", -1000), b.get("max", 1000))))
    if kind == "date":
        low = date.fromisoformat(str(b.get("min", "2020-01-01")))
        high = date.fromisoformat(str(b.get("max", "2031-01-01")))
        return draw(st.dates(low, high)).isoformat()
    if kind == "yes_no":
        return draw(st.sampled_from(["yes", "no"]))
    if kind == "group":
        count = draw(st.integers(max(b.get("min_items", 0), 1), b.get("max_items", 10)))
        return [draw(submission(spec["fields"])) for _ in range(count)]
    return draw(WORDS)


@st.composite
def submission(draw: Any, fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["key"]: draw(answer(f)) for f in fields}


class Labels(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.inputs: list[str] = []
        self.labels: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label":
            self.labels.add(str(a["for"]))
        if tag in ("input", "textarea") and a.get("type") != "hidden":
            self.inputs.append(str(a["id"]))


CTX = FormContext("growth", {"school_priorities": [Choice("p1", "P1")]})


@settings(settings.get_profile("forms"), max_examples=60)
@given(data=st.data())
def test_valid_definitions_render_and_accept_a_valid_submission(data: Any) -> None:
    raw = data.draw(definitions())
    form = parse_form(raw, "generated.yaml")
    html = ENV.get_template("forms/form_page.html").render(
        form=form,
        ctx=CTX,
        values=form.blank_values(CTX),
        errors=[],
        action_url="/",
        csrf_token="t",
        person=None,
    )
    page = Labels(html)
    assert set(page.inputs) <= page.labels
    values = data.draw(submission(raw["fields"]))
    clean = form.validate(values, CTX)
    assert form.validate(clean, CTX) == clean
    assert isinstance(form.as_text(clean, CTX), str)


MUTATIONS = {
    "unknown type": lambda f: f.update(type="dat"),
    "unknown validator": lambda f: f.update(validators=[{"nonsense": 1}]),
    "unknown property": lambda f: f.update(requird=True),
    "empty label": lambda f: f.update(label=""),
    "condition on a missing field": lambda f: f.update(show_when={"field": "zz_nope", "equals": 1}),
    "required note": lambda f: f.update(type="note", required=True),
    "bad styles": lambda f: f.update(styles=["perf"]),
}


@settings(settings.get_profile("forms"), max_examples=60)
@given(data=st.data(), mutation=st.sampled_from(sorted(MUTATIONS)))
def test_invalid_definitions_are_refused_naming_the_field(data: Any, mutation: str) -> None:
    raw = data.draw(definitions())
    index = data.draw(st.integers(0, len(raw["fields"]) - 1))
    target = raw["fields"][index]
    MUTATIONS[mutation](target)
    with pytest.raises(FormDefinitionError) as caught:
        parse_form(raw, "generated.yaml")
    assert caught.value.field == target["key"]
    assert str(caught.value).startswith(f"generated.yaml: field '{target['key']}': ")
