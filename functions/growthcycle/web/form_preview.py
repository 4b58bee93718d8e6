"""A form as a school will see it, with example answers: the phone page (the blank form), the
read-only page and the plain-text statement (issue 12, item 4). `growthcycle forms preview` writes
them to files; the demo serves them at /_local/forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from growthcycle.domain.forms import Field, Form, FormContext, FormInvalid
from growthcycle.templating import render

EXAMPLE_DAY = date(2027, 7, 16)  # an example answer to a date question, the same every time
VIEWS = ("phone", "read", "text")


def example_values(form: Form, ctx: FormContext) -> dict[str, Any]:
    """An answer for every field, valid where it can be, so every question shows with one."""
    refs = form.references(ctx)

    def answer(f: Field) -> Any:
        if f.type in ("short_text", "long_text"):
            text = f"An example answer to \u2018{f.label}\u2019"
            return text[: int(f.validators.get("max_length", len(text)))]
        if f.type in ("single_choice", "multiple_choice"):
            choices = f.choices_in(refs)
            if not choices:
                return None
            picked = [c.value for c in choices[: max(1, int(f.validators.get("min_items", 1)))]]
            return picked[0] if f.type == "single_choice" else picked
        if f.type == "date":
            return str(f.validators.get("min") or EXAMPLE_DAY)
        if f.type == "number":
            return f.validators.get("min", 1)
        if f.type == "yes_no":
            return True
        if f.type == "group":
            rows = max(1, f.min_items)
            return [
                {s.key: answer(s) for s in f.fields_for(ctx.style) if s.type != "note"}
                for _ in range(rows)
            ]
        return None

    values = {f.key: answer(f) for f in form.fields_for(ctx.style) if f.type != "note"}
    try:
        return form.validate(values, ctx, partial=True)
    except FormInvalid:
        return values


def preview_pages(form: Form, ctx: FormContext, school_name: str) -> dict[str, str]:
    """Each view's text, by VIEWS: the blank form, the read-only page and the text statement."""
    values = example_values(form, ctx)
    common: dict[str, Any] = {"form": form, "ctx": ctx, "csrf_token": "preview", "person": None}
    phone = render(
        "forms/form_page.html",
        **common,
        values=form.blank_values(ctx),
        errors=[],
        action_url="#",
        saved=None,
        version=0,
        subject=None,
        notes={},
        banner=None,
        role=form.filled_by,
        confirm=None,
        advice_count=0,
        shared=[],
    )
    read = render(
        "forms/saved_page.html",
        **common,
        values=values,
        version=1,
        status="submitted",
        edit_url=None,
        subject=None,
    )
    text = f"{form.title}\n{school_name}\n\n{form.as_text(values, ctx)}"
    return {"phone": phone, "read": read, "text": text}
