"""One deployment, one policy style: each page says only its own word (seed 002, seed 003).

A school in the performance style sets objectives (4.6); a school in the growth style makes
commitments, which are never scored met / not met (seed 003, points 1-2). Every form, in every
style it applies to, is rendered here as its page and as its read-only statement, and read for
the other style's words. Reference data (the Teachers' Standards) is the DfE's text, quoted as
published, so its option labels are left out of the check.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from growthcycle.domain.forms import (
    RESOURCES,
    Choice,
    Field,
    Form,
    FormContext,
    load_forms,
    load_reference,
)
from growthcycle.web.templating import render

FORMS: list[Form] = [*load_forms(), *load_forms(RESOURCES / "forms" / "observations")]
CASES = [(form, style) for form in FORMS for style in form.styles]

NOT_IN_GROWTH = re.compile(r"\bobjectives?\b|\bmet\s*(?:/|or)\s*not\s+met\b", re.IGNORECASE)
NOT_IN_PERFORMANCE = re.compile(r"\bcommitments?\b", re.IGNORECASE)


def _context(style: str) -> FormContext:
    return FormContext(
        style=style,  # type: ignore[arg-type]
        references={
            "teachers_standards": load_reference("teachers_standards"),
            "school_priorities": [Choice(value="sip-reading", label="Reading for pleasure")],
        },
    )


def _one_of_everything(fields: list[Field]) -> dict[str, Any]:
    """Values that show every field: one row in each group, every yes/no answered yes."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.type == "group":
            values[f.key] = [_one_of_everything(list(f.fields))]
        elif f.type == "yes_no":
            values[f.key] = "yes"
        elif f.type in ("short_text", "long_text"):
            values[f.key] = "x"
    return values


def _visible_text(page: str, ctx: FormContext) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for choices in ctx.references.values():
        for choice in choices:
            text = text.replace(choice.label, " ")
    return re.sub(r"\s+", " ", text)


def _rendered(form: Form, style: str) -> str:
    ctx = _context(style)
    values = _one_of_everything(form.fields_for(style))
    page = render(
        "forms/form_page.html",
        person=None,
        csrf_token="t",
        form=form,
        ctx=ctx,
        values=values,
        errors=[],
        action_url="/x",
        saved=None,
        version=0,
        notes={},
        banner=None,
    )
    statement = "\n".join(f"{e.label}: {' '.join(e.lines)}" for e in form.entries(ctx, values))
    return _visible_text(page, ctx) + "\n" + statement


@pytest.mark.parametrize(("form", "style"), CASES, ids=[f"{f.id}-{s}" for f, s in CASES])
def test_each_form_says_only_its_own_style_word_seed_003(form: Form, style: str) -> None:
    text = _rendered(form, style)
    wrong = NOT_IN_GROWTH if style == "growth" else NOT_IN_PERFORMANCE
    found = sorted({m.group(0).lower() for m in wrong.finditer(text)})
    assert found == [], f"{form.id} in the {style} style says {found}"


def test_every_form_is_checked_in_both_styles_it_applies_to() -> None:
    ids = {form.id for form, _ in CASES}
    assert {"planning-review", "observation-plan", "observation-record"} <= ids
    assert {style for _, style in CASES} == {"performance", "growth"}
