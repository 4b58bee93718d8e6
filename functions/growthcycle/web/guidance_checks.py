"""Guidance while objectives (performance) or commitments (growth) are written, beside each field.

One checker for the planning and review statement (web/app.py lists it in `FORM_CHECKS`):
- `domain.guidance.check_item` per objective/commitment and `check_set` for the set (4.6: a
  reasonable number, the school's `objectives.reasonable_max`, pro rata for a part-time
  reviewee, 3: `ObjectiveSettings.reasonable_max_for`), each marked advise or block by the
  school's `guidance` settings (`apply_school_policy`);
- in a growth school, the commitments seed 003 requires (`domain.commitments`): they block on
  submit, and are advice while a draft is saved (saving a draft never blocks).

`guidance_notes(form, values, school, style)` is the same guidance for any caller, such as the
reviewer's view of a draft statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from growthcycle.domain.commitments import missing_commitments, required_for, rules_for
from growthcycle.domain.forms import Form
from growthcycle.domain.guidance import Flag, apply_school_policy, check_item, check_set
from growthcycle.domain.people import Person
from growthcycle.domain.trust import School
from growthcycle.web import hooks

PLANNING_REVIEW = "planning-review"


def guidance_notes(
    form: Form,
    values: Mapping[str, Any],
    school: School,
    style: str | None = None,
    *,
    subject: Person | None = None,
    partial: bool = True,
) -> list[hooks.Note]:
    """Notes for each objective/commitment of `values` (and the set), keyed by field.

    With `subject`, a growth statement also gets seed 003's required commitments: `block` when
    `partial` is False (submitting), `advise` for a draft.
    """
    style = style or school.policy_style
    rules = rules_for(style)
    items_key = form.role_key(rules.items_role, style)
    group = form.group(items_key, style) if items_key else None
    if items_key is None or group is None:
        return []
    field_keys = {f.key for f in group.fields_for(style)}
    raw = values.get(items_key)
    items = [i for i in (raw if isinstance(raw, list) else []) if isinstance(i, Mapping)]

    flags: list[tuple[str, Flag]] = []
    for index, item in enumerate(items):
        for flag in check_item(item, style):
            where = flag.field if flag.field in field_keys else "title"
            flags.append((f"{items_key}.{index}.{where}", flag))
    # 3: pro rata for a part-time reviewee (their FTE); the school's number with no subject.
    # Never below the commitments seed 003 requires of them (growth style).
    required = len(required_for(subject.roles)) if subject and style == "growth" else 0
    reasonable = school.objectives.reasonable_max_for(
        subject.fte if subject else None, at_least=required
    )
    for flag in check_set(items, style, reasonable):
        flags.append((items_key, flag))

    marked = apply_school_policy((f for _, f in flags), _settings(school))
    notes = [
        hooks.Note(
            key=key, message=flag.message, severity=flag.severity, code=flag.code, confirm=True
        )
        for (key, _), flag in zip(flags, marked, strict=True)
    ]
    if subject is not None and style == "growth":
        notes += [
            hooks.Note(
                key=items_key,
                message=required.message,
                severity="advise" if partial else "block",
                code=f"required-{required.focus}",
                confirm=True,
            )
            for required in missing_commitments(items, subject.roles)
        ]
    return notes


def _settings(school: School) -> dict[str, Any]:
    return {code: school.guidance_action(code) for code in school.guidance}


def check_planning_review(event: hooks.FormEvent) -> list[hooks.Note]:
    if event.form.id != PLANNING_REVIEW:
        return []
    return guidance_notes(
        event.form,
        event.values,
        event.school,
        event.ctx.style,
        subject=event.subject,
        partial=event.partial,
    )


def notes_by_key(notes: Sequence[hooks.Note]) -> dict[str, list[hooks.Note]]:
    grouped: dict[str, list[hooks.Note]] = {}
    for note in notes:
        grouped.setdefault(note.key, []).append(note)
    return grouped
