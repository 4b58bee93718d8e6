"""What each policy style asks of the items a reviewee works on, as data.

Performance management (004): objectives linked to school priorities, with success criteria and
timescales, and for an objective that runs past this cycle, what is expected by its end (4.6); the
reviewer makes a pay progression recommendation (4.5).

Professional growth (seeds 002, 003): commitments, with no numeric success criteria, never scored
met / not met (seed 003, points 1-2). Every teacher, leaders included, has one commitment on
classroom practice (point 3); every member of staff has one commitment to the school plan (point 4).
Pay progression is automatic while the Teachers' Standards are met and the person engages (002).

A new rule should be a new row here, not a new `if` elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from growthcycle.domain.styles import PolicyStyle

Who = Literal["teachers", "all-staff"]

# Roles whose holders teach, for seed 003 point 3 ("all teachers, including leaders"). A
# headteacher is a teacher who leads; a support-only member of staff is not.
TEACHING_ROLES: frozenset[str] = frozenset({"teacher", "headteacher"})


@dataclass(frozen=True, slots=True)
class StyleRules:
    """How one policy style names and treats the items in the planning and review statement."""

    style: PolicyStyle
    items_role: str  # the role of the group in the planning and review form (form_spec.ROLES)
    item_noun: str  # "objective" or "commitment" (DOMAIN.md: one name per thing)
    numeric_success_criteria: bool  # seed 003, point 1: growth has none
    scored: bool  # seed 003, point 2: growth is never scored met / not met
    pay_recommendation: bool  # 4.5 performance; seed 002: growth has none
    source: str


STYLE_RULES: Mapping[str, StyleRules] = {
    "performance": StyleRules(
        style=PolicyStyle.PERFORMANCE,
        items_role="objectives",
        item_noun="objective",
        numeric_success_criteria=True,
        scored=True,
        pay_recommendation=True,
        source="004 4.4-4.6",
    ),
    "growth": StyleRules(
        style=PolicyStyle.GROWTH,
        items_role="commitments",
        item_noun="commitment",
        numeric_success_criteria=False,
        scored=False,
        pay_recommendation=False,
        source="seed 002; seed 003",
    ),
}


def rules_for(style: str) -> StyleRules:
    try:
        return STYLE_RULES[style]
    except KeyError:
        raise ValueError(f"unknown policy style {style!r}") from None


@dataclass(frozen=True, slots=True)
class RequiredCommitment:
    """A commitment a growth-style statement must hold for some people (seed 003)."""

    focus: str  # the `focus` value of a commitment in forms/planning-review.yaml
    who: Who
    message: str
    source: str


REQUIRED_COMMITMENTS: tuple[RequiredCommitment, ...] = (
    RequiredCommitment(
        focus="classroom-practice",
        who="teachers",
        message=(
            "Every teacher, leaders included, has one commitment focused on classroom practice. "
            'Choose "Classroom practice" for one of the commitments.'
        ),
        source="seed 003, point 3",
    ),
    RequiredCommitment(
        focus="school-plan",
        who="all-staff",
        message=(
            "Every member of staff has one commitment to the school plan, so everyone pulls in "
            'the same direction. Choose "The school plan" for one of the commitments.'
        ),
        source="seed 003, point 4",
    ),
)


def teaches(roles: Iterable[str]) -> bool:
    return bool(TEACHING_ROLES & set(roles))


def required_for(roles: Iterable[str]) -> list[RequiredCommitment]:
    """The commitments a person with these roles must have: support staff only the school plan."""
    teacher = teaches(roles)
    return [r for r in REQUIRED_COMMITMENTS if r.who == "all-staff" or teacher]


def missing_commitments(
    commitments: Sequence[Mapping[str, object]], roles: Iterable[str]
) -> list[RequiredCommitment]:
    """The required commitments not found among `commitments` (by their `focus`)."""
    focuses = {str(c.get("focus") or "") for c in commitments if isinstance(c, Mapping)}
    return [r for r in required_for(roles) if r.focus not in focuses]
