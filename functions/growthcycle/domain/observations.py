"""Lesson observation (Appendix 3), as rules and plain data: no boto3, no clock.

What a booking must satisfy, each a row or a small check citing its point of the protocol:

| rule | source |
|---|---|
| the observer is a qualified teacher, of the reviewee's school, and not the reviewee | App 3.1 |
| focus, purpose, duration and date/time agreed and recorded before the visit | App 3.3, 3.5 |
| notice at least one week before: booked no later than the last day notice may be given | App 3.5 |
| at most 3 hours of observation a cycle, pro rata for part-time staff by FTE | App 3.4 |
| beyond that only with a revision meeting's agreement (its reference recorded) | App 3.16 |
| the visit falls within the reviewee's current cycle (the statement's monitoring plan) | App 3.3 |

After the visit: the feedback meeting within 1 working day (App 3.11) and the written record
within 5 working days (App 3.13), computed by `domain.clocks`. The reviewee may append comments
(App 3.13); copies go to the reviewee and their reviewer of record (App 3.13, 3.14: the line
manager unless the headteacher assigned another reviewer, 4.2), who with the headteacher books and
sees them; agreed formal development goes to the CPD lead (App 3.15).

The policy styles differ as data (`STYLE_RULES`): in the growth style observation is
developmental and carries no grade (seed 002: "no high stakes observations"); the record form
leaves the judgement field out for that style (forms/observations/observation-record.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_FLOOR, Decimal
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.clocks import due_date
from growthcycle.domain.cycles import Cycle
from growthcycle.domain.forms import FieldError
from growthcycle.domain.people import Person
from growthcycle.domain.reviewers import ReviewOfRecord, review_of_record
from growthcycle.domain.styles import PolicyStyle

PLAN_FORM = "observation-plan"
RECORD_FORM = "observation-record"

NOTICE_EVENT = "observation-notice"  # App 3.5
FEEDBACK_EVENT = "observation-feedback"  # App 3.11
RECORD_EVENT = "observation-record"  # App 3.13


@dataclass(frozen=True)
class StyleRules:
    """What each policy style allows: a new difference is a new field here, not a new `if`."""

    cap_minutes_full_time: int  # App 3.4: three hours a cycle for a full-time member of staff
    graded: bool  # may the record carry a judgement?
    developmental: bool  # say on the page that the observation is developmental only
    description: str


STYLE_RULES: Mapping[str, StyleRules] = MappingProxyType(
    {
        "performance": StyleRules(
            cap_minutes_full_time=180,  # App 3.4
            graded=True,  # App 3 purpose: records may evidence progress towards objectives
            developmental=False,
            description=(
                "Observation supports the reviewee's development and may provide evidence of "
                "progress towards their objectives (Appendix 3)."
            ),
        ),
        "growth": StyleRules(
            # Seed 002 removes high-stakes observation, not the protection of App 3.4.
            cap_minutes_full_time=180,
            graded=False,  # seed 002: no high-stakes observation, so no grade
            developmental=True,
            description=(
                "This observation is developmental. It carries no grade and is not used to "
                "judge performance or pay: it is a conversation about practice."
            ),
        ),
    }
)


def style_rules(style: str) -> StyleRules:
    return STYLE_RULES[style]


# --- the rules of a booking -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A rule a booking breaks: `key` is the form field it belongs to ("" for the whole form)."""

    key: str
    code: str
    message: str


class BookingRefused(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(p.code for p in problems))
        self.problems = list(problems)


class BookingInvalid(Exception):
    """A booking with mistakes, each beside its field, in the order the fields appear: the form's
    own checks, the observer, the time, and the notice, cycle and limit rules, all at once."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(e.key for e in errors))
        self.errors = list(errors)


class TooEarlyToRecord(Exception):
    """App 3.13: the record is written once the observation has taken place."""

    def __init__(self, day: date) -> None:
        super().__init__(day.isoformat())
        self.day = day


class RecordInvalid(Exception):
    """The record form's mistakes; `values` as typed, to show again."""

    def __init__(self, values: Mapping[str, Any], errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(e.key for e in errors))
        self.values = dict(values)
        self.errors = list(errors)


class RecordChanged(Exception):
    """Someone saved the record since the observer loaded it (or at the same moment); nothing was
    saved. `version`: the one to send again on."""

    def __init__(self, version: int, message: str) -> None:
        super().__init__(message)
        self.version = version


class CommentInvalid(ValueError):
    """An empty or over-long comment; the message says which."""


_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_time(text: str) -> time | None:
    """A time of day as people type it: 9:15, 09:15 or 09.15 (24-hour clock)."""
    found = _TIME.fullmatch(text.strip())
    return time(int(found.group(1)), int(found.group(2))) if found else None


def cap_minutes(fte: float | None, style: str) -> int:
    """App 3.4: 180 minutes a cycle, pro rata by FTE, rounded down (0.6 -> 108 minutes)."""
    full = style_rules(style).cap_minutes_full_time
    share = Decimal(str(fte if fte is not None else 1.0))
    return int((Decimal(full) * share).to_integral_value(rounding=ROUND_FLOOR))


def minutes_booked(observations: Iterable[Observation]) -> int:
    """Observation counted against the App 3.4 limit: every booking not cancelled."""
    return sum(o.duration_minutes for o in observations if o.status != "cancelled")


def _day(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


@dataclass(frozen=True)
class Plan:
    """What the observer and reviewee agreed (App 3.5), as entered."""

    observer_id: str
    focus: str
    purpose: str
    day: date
    at: time
    duration_minutes: int
    activities: str = ""
    revision_ref: str = ""


@dataclass(frozen=True)
class Booking:
    """A plan that passed every rule, with the dates it sets running."""

    plan: Plan
    notice_by: date  # App 3.5: the last day notice may be given
    feedback_due: date  # App 3.11
    record_due: date  # App 3.13
    cap_minutes: int
    minutes_before: int
    beyond_cap: bool  # allowed by a revision meeting (App 3.16)

    @property
    def minutes_after(self) -> int:
        return self.minutes_before + self.plan.duration_minutes


def observer_problems(observer: Person | None, reviewee: Person) -> list[Problem]:
    """App 3.1: a qualified teacher of the same school, who is not the reviewee."""
    if observer is None or observer.school_id != reviewee.school_id or not observer.is_staff:
        return [
            Problem("observer", "observer-unknown", "Choose an observer from your school's staff.")
        ]
    if observer.person_id == reviewee.person_id:
        return [Problem("observer", "observer-is-reviewee", "Nobody can observe themselves.")]
    if not observer.qualified_teacher:
        return [
            Problem(
                "observer",
                "observer-not-qualified",
                f"{observer.name} is not recorded as a qualified teacher. Observation of a "
                "teacher may only be undertaken by a qualified teacher (Appendix 3, point 1).",
            )
        ]
    return []


def rule_problems(
    *,
    day: date | None,
    duration_minutes: int | None,
    revision_ref: str,
    reviewee: Person,
    style: str,
    cycle: Cycle,
    booked: Iterable[Observation],
    today: date,
    calendar: WorkingCalendar,
) -> list[Problem]:
    """The notice (App 3.5), cycle and limit (App 3.4, 3.16) rules, for whichever of the date and
    length could be read: a form with other mistakes still hears about these at the same time."""
    problems: list[Problem] = []
    if day is not None:
        notice_by = due_date(NOTICE_EVENT, day, calendar, style=style).due
        if today > notice_by:
            problems.append(
                Problem(
                    "date",
                    "notice-too-short",
                    f"The reviewee needs at least a week's notice of an observation (Appendix 3, "
                    f"point 5). For {_day(day)}, notice had to be given by "
                    f"{_day(notice_by)}. Choose a date at least a week away.",
                )
            )
        if day not in cycle:
            problems.append(
                Problem(
                    "date",
                    "outside-cycle",
                    f"This cycle runs from {_day(cycle.starts)} to {_day(cycle.ends)}: choose a "
                    "date within it, so the observation is part of this cycle's monitoring plan.",
                )
            )
    if duration_minutes is not None:
        cap = cap_minutes(reviewee.fte, style)
        before = minutes_booked(booked)
        remaining = max(0, cap - before)
        if before + duration_minutes > cap and not revision_ref.strip():
            problems.append(
                Problem(
                    "duration_minutes",
                    "over-cap",
                    f"That would take observation this cycle beyond {cap} minutes, the limit for "
                    f"{reviewee.first_name} (3 hours, pro rata; Appendix 3, point 4). "
                    f"{remaining} minutes remain. More observation can only be agreed at a "
                    "revision meeting (Appendix 3, point 16): enter its reference to book beyond "
                    "the limit.",
                )
            )
    return problems


def check_booking(
    plan: Plan,
    *,
    observer: Person | None,
    reviewee: Person,
    style: str,
    cycle: Cycle,
    booked: Iterable[Observation],
    today: date,
    calendar: WorkingCalendar,
) -> Booking:
    """The booking, or BookingRefused listing every rule it breaks (all at once, so nothing the
    person typed needs entering twice)."""
    booked = list(booked)
    problems = observer_problems(observer, reviewee) + rule_problems(
        day=plan.day,
        duration_minutes=plan.duration_minutes,
        revision_ref=plan.revision_ref,
        reviewee=reviewee,
        style=style,
        cycle=cycle,
        booked=booked,
        today=today,
        calendar=calendar,
    )
    if problems:
        raise BookingRefused(problems)
    cap = cap_minutes(reviewee.fte, style)
    before = minutes_booked(booked)
    return Booking(
        plan=plan,
        notice_by=due_date(NOTICE_EVENT, plan.day, calendar, style=style).due,
        feedback_due=due_date(FEEDBACK_EVENT, plan.day, calendar, style=style).due,
        record_due=due_date(RECORD_EVENT, plan.day, calendar, style=style).due,
        cap_minutes=cap,
        minutes_before=before,
        beyond_cap=before + plan.duration_minutes > cap,
    )


def plan_from_values(values: Mapping[str, Any], observer_id: str) -> Plan | Problem:
    """A Plan from the plan form's clean values; a Problem if the time cannot be read."""
    at = parse_time(str(values.get("time", "")))
    if at is None:
        return Problem(
            "time", "time-unreadable", "Enter the time on the 24-hour clock, like 09:15 or 13:40."
        )
    return Plan(
        observer_id=observer_id,
        focus=str(values["focus"]),
        purpose=str(values["purpose"]),
        day=date.fromisoformat(str(values["date"])),
        at=at,
        duration_minutes=int(values["duration_minutes"]),
        activities=str(values.get("activities", "")),
        revision_ref=str(values.get("revision_ref", "")),
    )


# --- the stored observation ----------------------------------------------------------------------


class Comment(BaseModel):
    """The reviewee's written comments appended to the record (App 3.13)."""

    model_config = ConfigDict(frozen=True)

    comment_id: str
    obs_id: str
    author_id: str
    text: str
    at: datetime


class Observation(BaseModel):
    model_config = ConfigDict(frozen=True)

    obs_id: str
    school_id: str
    cycle_id: str
    style: PolicyStyle
    reviewee_id: str
    observer_id: str
    booked_by: str
    booked_at: datetime
    plan: dict[str, Any]  # the plan form's clean values
    day: date
    at: str  # HH:MM
    duration_minutes: int = Field(ge=1)
    notice_by: date
    feedback_due: date
    record_due: date
    revision_ref: str | None = None  # App 3.16: booked beyond the App 3.4 limit
    status: Literal["planned", "recorded", "cancelled"] = "planned"
    version: int = 1
    record: dict[str, Any] | None = None  # the record form's clean values
    recorded_by: str | None = None
    recorded_at: datetime | None = None

    @property
    def when(self) -> str:
        return f"{_day(self.day)} at {self.at}"

    def may_record(self, actor: Person) -> bool:
        """App 3.13: the observer completes the record."""
        return actor.person_id == self.observer_id

    def may_comment(self, actor: Person) -> bool:
        """App 3.13: the member of staff observed may append written comments to the record."""
        return actor.person_id == self.reviewee_id and self.status == "recorded"


def formal_development(record: Mapping[str, Any]) -> str:
    """App 3.12, 3.15: the formal development the feedback meeting agreed, as written."""
    return str(record.get("formal_development") or "")


def _reviewers(reviewee: Person, record: ReviewOfRecord | None) -> ReviewOfRecord:
    """The reviewee's reviewer of record (4.2); with none given, the default rule's line manager."""
    return record if record is not None else review_of_record(reviewee, headteacher_id=None)


def may_book(actor: Person, reviewee: Person, record: ReviewOfRecord | None = None) -> bool:
    """Who may arrange an observation: the reviewee's reviewer of record (`record`, from
    domain/reviewers.py `review_of_record`: an assigned reviewer replaces the line manager, 4.2)
    or the headteacher of the same school (App 3.3, 3.5: arranged with the reviewer as part of
    the monitoring plan)."""
    if actor.school_id != reviewee.school_id or actor.person_id == reviewee.person_id:
        return False
    if not reviewee.is_staff:
        return False
    return _reviewers(reviewee, record).includes(actor.person_id) or actor.is_headteacher


def may_see(
    actor: Person,
    reviewee: Person,
    observation: Observation | None = None,
    record: ReviewOfRecord | None = None,
) -> bool:
    """7 and App 3.14: the reviewee, their reviewer of record, the headteacher, and the observer
    of that observation; nobody of another school."""
    if actor.school_id != reviewee.school_id:
        return False
    if actor.person_id == reviewee.person_id or actor.is_headteacher:
        return True
    if _reviewers(reviewee, record).includes(actor.person_id):
        return True
    return observation is not None and observation.observer_id == actor.person_id


def copy_recipients(
    observation: Observation, reviewee: Person, record: ReviewOfRecord | None = None
) -> list[str]:
    """App 3.13 and 3.14: a copy to the reviewee and to their reviewer of record (the line
    manager unless another reviewer was assigned, 4.2), when that is not the observer, who wrote
    it."""
    wanted = [reviewee.person_id]
    reviewer = _reviewers(reviewee, record).primary
    if reviewer and reviewer != observation.observer_id and reviewer != reviewee.person_id:
        wanted.append(reviewer)
    return wanted


def earliest_day(today: date, calendar: WorkingCalendar, style: str) -> date:
    """The first day an observation booked today may take place (App 3.5: a week's notice)."""
    day = today
    while due_date(NOTICE_EVENT, day, calendar, style=style).due < today:
        day = date.fromordinal(day.toordinal() + 1)
    return day
