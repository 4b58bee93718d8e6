"""Training and development needs (4.7, App 3.15) and what became of them (10), as plain data.

4.7: development and training agreed in the planning and review statement is passed to the
school's training and development coordinator (the person with role `cpd-lead`). App 3.15: so is
formal development agreed after an observation. 10: the headteacher's annual report to governors
includes the staff's training and development needs and the instances when agreed support could
not be provided; the report groups needs by theme, so each need is classified into a small fixed
set of themes by keywords (`THEMES`, data: a new theme is a new row).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from growthcycle.domain.people import Person

Status = Literal["open", "provided", "not-provided"]
STATUSES: tuple[Status, ...] = ("open", "provided", "not-provided")
Source = Literal["planning-review", "observation"]

# Where a need came from, in words for the queue and the governors' report.
SOURCE_LABELS: Mapping[str, str] = {
    "planning-review": "Planning and review statement (4.7)",
    "observation": "Observation: agreed formal development (Appendix 3, point 15)",
}


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    keywords: tuple[str, ...]  # whole words, ignoring case; "word*" matches words starting so


# First match wins, so the more specific themes come first. "other" catches the rest.
THEMES: tuple[Theme, ...] = (
    Theme(
        "send",
        "Special educational needs and disabilities",
        (
            "send",
            "sen",
            "senco",
            "special educational",
            "autis*",
            "adhd",
            "dyslexi*",
            "ehcp",
            "inclusion",
            "additional needs",
            "speech and language",
        ),
    ),
    Theme(
        "behaviour",
        "Behaviour and relationships",
        (
            "behaviour",
            "behavior",
            "classroom management",
            "de-escalat*",
            "restorative",
            "attendance",
        ),
    ),
    Theme(
        "reading",
        "Reading, phonics and literacy",
        ("reading", "phonics", "literacy", "oracy", "writing", "spelling", "vocabulary"),
    ),
    Theme(
        "maths",
        "Mathematics",
        ("maths", "math", "mathematics", "numeracy", "mastery", "arithmetic", "fractions"),
    ),
    Theme(
        "assessment",
        "Assessment and feedback",
        ("assessment", "assess*", "feedback", "marking", "retrieval", "questioning", "data"),
    ),
    Theme(
        "leadership",
        "Leadership and management",
        (
            "leadership",
            "leader*",
            "npq",
            "middle lead*",
            "manag*",
            "coaching",
            "mentor*",
            "subject lead",
        ),
    ),
    Theme(
        "subject-knowledge",
        "Subject knowledge",
        (
            "subject knowledge",
            "curriculum",
            "science",
            "history",
            "geography",
            "computing",
            "music",
            "pe",
            "physical education",
            "languages",
            "french",
            "welsh",
            "art",
            "design and technology",
            "religious education",
        ),
    ),
    Theme(
        "wellbeing",
        "Wellbeing and workload",
        ("wellbeing", "well-being", "workload", "mental health", "stress", "work-life"),
    ),
    Theme("other", "Other", ()),
)
THEME_IDS: tuple[str, ...] = tuple(t.id for t in THEMES)
THEME_LABELS: Mapping[str, str] = {t.id: t.label for t in THEMES}


def _pattern(keyword: str) -> re.Pattern[str]:
    # Whole words, so "present" is not SEN and "sending" is not SEND; "autis*" is autism,
    # autistic.
    prefix = keyword.endswith("*")
    escaped = re.escape(keyword.rstrip("*"))
    tail = "" if prefix else r"(?![a-z0-9])"
    return re.compile(rf"(?<![a-z0-9]){escaped}{tail}", re.IGNORECASE)


_PATTERNS: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = tuple(
    (t.id, tuple(_pattern(k) for k in t.keywords)) for t in THEMES
)


def classify(text: str) -> str:
    """The theme of a need, by keywords (first matching theme in THEMES order), else "other"."""
    for theme_id, patterns in _PATTERNS:
        if any(p.search(text) for p in patterns):
            return theme_id
    return "other"


_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d{1,2}[.)])\s*")


def split_needs(text: str | None) -> list[str]:
    """One need a line (bullets and numbering stripped; a line of "none"/"n/a" is nothing)."""
    needs: list[str] = []
    for line in (text or "").splitlines():
        cleaned = _BULLET.sub("", line).strip()
        if cleaned and cleaned.casefold().strip(".") not in {"none", "n/a", "na", "nil", "-"}:
            needs.append(cleaned[:500])
    return needs


def need_id(school_id: str, person_id: str, cycle_id: str, source_ref: str, text: str) -> str:
    """The same need from the same source is the same item, however often it is saved."""
    normal = " ".join(text.casefold().split())
    raw = "\x1f".join((school_id, person_id, cycle_id, source_ref, normal))
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


class TrainingNeed(BaseModel):
    model_config = ConfigDict(frozen=True)

    need_id: str
    school_id: str
    person_id: str
    cycle_id: str
    source: Source
    source_ref: str  # the form and field, or the observation id
    text: str
    theme: str
    status: Status = "open"
    created_at: datetime
    outcome_on: date | None = None  # when it was provided (or found it could not be)
    outcome: str | None = None  # what was provided, or why it could not be
    updated_by: str | None = None
    updated_at: datetime | None = None
    version: int = 1

    @property
    def theme_label(self) -> str:
        return THEME_LABELS.get(self.theme, "Other")

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]


def needs_from_text(
    text: str | None,
    *,
    school_id: str,
    person_id: str,
    cycle_id: str,
    source: Source,
    source_ref: str,
    now: datetime,
) -> list[TrainingNeed]:
    return [
        TrainingNeed(
            need_id=need_id(school_id, person_id, cycle_id, source_ref, line),
            school_id=school_id,
            person_id=person_id,
            cycle_id=cycle_id,
            source=source,
            source_ref=source_ref,
            text=line,
            theme=classify(line),
            created_at=now,
        )
        for line in split_needs(text)
    ]


# 4.7: the statement's box for development and training to pass to the training and development
# coordinator (the CPD lead). The "support" box above it is support the reviewer and reviewee
# arrange between them (time with a colleague, coaching), followed up at the mid-year review (4.8):
# it stays in the statement and is not a training need. The form's hints say so. The box is the
# field with `role: training_needs` (form_spec.ROLES), whatever a trust's own form calls it.
TRAINING_NEEDS_ROLE = "training_needs"

# Words that say nothing about what the training is: "Phonics hub training" and "Phonics hub
# training day" are one need.
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "on",
        "in",
        "at",
        "to",
        "for",
        "with",
        "from",
        "by",
        "my",
        "our",
        "some",
        "more",
        "further",
        "extra",
        "i",
        "me",
        "we",
        "need",
        "needs",
        "training",
        "train",
        "course",
        "courses",
        "day",
        "days",
        "session",
        "sessions",
        "cpd",
        "attend",
        "attending",
        "go",
        "going",
    ]
)
_WORD = re.compile(r"[^\W_]+")


def _gist(text: str) -> frozenset[str]:
    """The words of a need that say what it is, singular, ignoring case, order and filler."""
    words = set()
    for word in _WORD.findall(text.casefold()):
        if word in _FILLER:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return frozenset(words) or frozenset({" ".join(text.casefold().split())})


def near_identical(first: str, second: str) -> bool:
    """4.7: the same need written twice. The same words once filler ("training", "day",
    "course") is set aside, or one need's words all in the other when it has two or more (so
    "Phonics hub" and "Phonics hub training day" match, "Phonics" and "Phonics hub" do not)."""
    a, b = _gist(first), _gist(second)
    if a == b:
        return True
    smaller, larger = (a, b) if len(a) <= len(b) else (b, a)
    return len(smaller) >= 2 and smaller <= larger


def distinct_needs(
    found: Sequence[TrainingNeed], already: Iterable[TrainingNeed] = ()
) -> list[TrainingNeed]:
    """4.7: one need for one thing. Drops a found need that is near-identical to another found
    for the same person and cycle (the fuller wording is kept), or to an open need already queued
    for them (the CPD lead has it)."""
    kept: list[TrainingNeed] = []
    for need in found:
        same = next(
            (
                i
                for i, other in enumerate(kept)
                if (other.person_id, other.cycle_id) == (need.person_id, need.cycle_id)
                and near_identical(other.text, need.text)
            ),
            None,
        )
        if same is None:
            kept.append(need)
        elif len(need.text) > len(kept[same].text):
            kept[same] = need
    queued = [n for n in already if n.status == "open"]
    return [
        need
        for need in kept
        if not any(
            (old.person_id, old.cycle_id) == (need.person_id, need.cycle_id)
            and old.need_id != need.need_id
            and near_identical(old.text, need.text)
            for old in queued
        )
    ]


def needs_from_statement(
    values: Mapping[str, object],
    keys: Sequence[str],
    *,
    school_id: str,
    person_id: str,
    cycle_id: str,
    now: datetime,
) -> list[TrainingNeed]:
    """4.7: the training needs a planning and review statement passes to the CPD lead, one a line,
    near-identical lines once. `keys`: the statement form's training needs field(s), by role
    (`Form.role_keys([TRAINING_NEEDS_ROLE], style)`)."""
    found: list[TrainingNeed] = []
    for key in keys:
        raw = values.get(key)
        found += needs_from_text(
            raw if isinstance(raw, str) else None,
            school_id=school_id,
            person_id=person_id,
            cycle_id=cycle_id,
            source="planning-review",
            source_ref=f"planning-review:{key}",
            now=now,
        )
    return distinct_needs(found)


class OutcomeChanged(Exception):
    """Someone else recorded an outcome first; nothing was saved. `reread`: show the need as it
    is now (a write at the same moment), not as it was loaded."""

    def __init__(self, message: str, *, reread: bool = False) -> None:
        super().__init__(message)
        self.reread = reread


def may_manage(person: Person) -> bool:
    """The training and development coordinator (4.7) and the headteacher (10: their report)."""
    return person.has_role("cpd-lead") or person.is_headteacher


class OutcomeInvalid(ValueError):
    """Every mistake in an outcome at once: field key -> message, in the order of the page."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


def check_outcome(status: str, outcome_on: str, outcome: str, today: date) -> tuple[Status, date]:
    """10: what was provided and when, or that support could not be provided and why. Every
    field is checked, so all the mistakes are shown together."""
    errors: dict[str, str] = {}
    if status not in ("provided", "not-provided"):
        errors["status"] = "Choose whether the support was provided."
    day: date | None = None
    if not outcome_on.strip():
        errors["outcome_on"] = "Enter the date it was provided, or found it could not be."
    else:
        try:
            day = date.fromisoformat(outcome_on.strip())
        except ValueError:
            errors["outcome_on"] = "Enter the date, like 2026-11-20."
        else:
            if day > today:
                errors["outcome_on"] = "The date cannot be in the future."
    if not outcome.strip():
        errors["outcome"] = {
            "provided": "Say what was provided.",
            "not-provided": (
                "Say why the support could not be provided: it is reported to governors (10)."
            ),
        }.get(status, "Say what was provided, or why it could not be.")
    elif len(outcome) > 2000:
        errors["outcome"] = "Keep this to 2000 characters or fewer."
    if errors or day is None:
        raise OutcomeInvalid(errors)
    return status, day  # type: ignore[return-value]


# --- the weekly digest ----------------------------------------------------------------------------


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def digest_key(lead_id: str, day: date) -> str:
    """The outbox key of a CPD lead's digest: at most one per lead per ISO week."""
    return f"training-digest:{lead_id}:{iso_week(day)}"


@dataclass(frozen=True)
class TrainingDigest:
    lead_id: str
    week: str
    new: Sequence[TrainingNeed]  # open, and raised since the start of the previous week's digest
    older: Sequence[TrainingNeed]  # open, raised before that

    def __len__(self) -> int:
        return len(self.new) + len(self.older)


def build_digest(lead_id: str, open_needs: Iterable[TrainingNeed], today: date) -> TrainingDigest:
    """New: raised in the 7 days before today (since last week's digest); the rest still open."""
    since = today - timedelta(days=7)
    ordered = sorted(open_needs, key=lambda n: n.created_at)
    new = [n for n in ordered if n.created_at.date() >= since]
    older = [n for n in ordered if n.created_at.date() < since]
    return TrainingDigest(lead_id=lead_id, week=iso_week(today), new=new, older=older)


def by_theme(needs: Iterable[TrainingNeed]) -> dict[str, dict[str, int]]:
    """For the governors' report (10): theme -> status -> count. Nobody is identifiable."""
    counts: dict[str, dict[str, int]] = {t: dict.fromkeys(STATUSES, 0) for t in THEME_IDS}
    for need in needs:
        counts.setdefault(need.theme, dict.fromkeys(STATUSES, 0))[need.status] += 1
    return counts
