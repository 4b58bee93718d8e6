"""Reflections through the year (seed 001 risk 1, seed 003 point 2): what I tried, what happened,
what next, about one objective/commitment or the year in general. Never scored (seed 003, point
2); an approach that did not work is a good reflection (seed 001, risk 4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from growthcycle.domain.forms import FieldError

GENERAL = "general"


class Reflection(BaseModel):
    """What I tried, what happened, what next: about one objective/commitment, or general."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    cycle_id: str
    recorded_at: datetime
    recorded_by: str
    about: str = GENERAL  # "general" or "<items key>.<index>", e.g. "commitments.1"
    about_title: str = ""  # the objective/commitment's title when recorded (it may change later)
    tried: str
    happened: str = ""
    next_step: str = ""
    sk: str = ""


@dataclass(frozen=True)
class About:
    """One answer to "what is this reflection about?"."""

    value: str
    label: str
    title: str


class ReflectionInvalid(Exception):
    """The reflection form's mistakes (and an unknown "about"), with the values to show again."""

    def __init__(self, values: dict[str, object], errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(e.key for e in errors))
        self.values = values
        self.errors = list(errors)
