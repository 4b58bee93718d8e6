"""4.7: development and training identified in the statement is passed to the training and
development coordinator (the CPD lead), one need for one thing."""

from __future__ import annotations

import datetime as dt

import pytest

from growthcycle.domain.forms import load_forms
from growthcycle.domain.training import (
    TRAINING_NEEDS_ROLE,
    TrainingNeed,
    distinct_needs,
    near_identical,
    needs_from_statement,
    needs_from_text,
)

NOW = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)


def statement_needs(**values: str) -> list[str]:
    found = needs_from_statement(
        values, ["training_needs"], school_id="oak", person_id="oak.t1", cycle_id="2026-27", now=NOW
    )
    return [n.text for n in found]


def need(text: str, person_id: str = "oak.t1", status: str = "open") -> TrainingNeed:
    made = needs_from_text(
        text,
        school_id="oak",
        person_id=person_id,
        cycle_id="2026-27",
        source="planning-review",
        source_ref="planning-review:training_needs",
        now=NOW,
    )[0]
    return made.model_copy(update={"status": status})


def test_agreed_support_is_not_a_training_need_for_the_cpd_lead_4_7() -> None:
    assert statement_needs(support="Time with Siân", training_needs="") == []
    assert statement_needs(support="Time with Siân", training_needs="Autism awareness") == [
        "Autism awareness"
    ]


def test_the_form_says_truthfully_which_box_goes_to_the_cpd_lead_4_7() -> None:
    form = load_forms().get("planning-review")
    hints = {f.key: f.hint for f in form.fields}
    assert form.role_keys([TRAINING_NEEDS_ROLE], "performance") == ["training_needs"]
    assert form.role_keys([TRAINING_NEEDS_ROLE], "growth") == ["training_needs"]
    assert "not sent to the" in hints["support"] and "CPD lead" in hints["support"]
    assert "goes to the school's CPD lead" in hints["training_needs"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Phonics hub training", "Phonics hub training day"),
        ("Phonics Hub training", "phonics hub"),
        ("Autism awareness course", "Autism awareness training"),
        ("Team teaching with the maths lead", "team-teaching with the maths lead."),
        ("Visits to other schools", "Visit to other schools"),
    ],
)
def test_near_identical_needs_are_one_need_4_7(first: str, second: str) -> None:
    assert near_identical(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Phonics training", "Phonics hub training"),
        ("Maths mastery course", "Autism awareness"),
        ("Training", "Safeguarding training"),
        ("Level 3 diploma", "Level 4 diploma"),
    ],
)
def test_different_needs_are_kept_apart_4_7(first: str, second: str) -> None:
    assert not near_identical(first, second)


def test_one_statement_passes_one_need_for_one_thing_keeping_the_fuller_wording_4_7() -> None:
    assert statement_needs(
        training_needs="Phonics hub training\nAutism awareness\nPhonics hub training day"
    ) == ["Phonics hub training day", "Autism awareness"]


def test_a_reworded_need_already_open_is_not_queued_again_4_7() -> None:
    queued = [need("Phonics hub training")]
    found = [need("Phonics hub training day"), need("Maths mastery course")]
    assert [n.text for n in distinct_needs(found, queued)] == ["Maths mastery course"]


def test_the_same_need_of_another_person_or_after_it_was_provided_is_kept_4_7() -> None:
    assert distinct_needs([need("Phonics hub training day")], [need("Phonics hub", "oak.t2")])
    assert distinct_needs(
        [need("Phonics hub training day")], [need("Phonics hub", status="provided")]
    )
