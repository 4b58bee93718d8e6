"""The policy's clocks, as data: one row per deadline, and one function that explains a due date.

Every row says what the date is measured from, which way (after it, notice before it, or by it),
in which unit, how many, the rule in words and the policy section it comes from
(seeds/004_60da4eab18fee045.txt). A new clock is a new row, not a new `if`.

How each direction is read (the CLI prints the same definitions in its reasoning):

- AFTER, working days: due on the n-th working day after the date, counted from the day after it
  ("within 5 working days of the meeting" on Monday 5 October 2026 is Monday 12 October).
- NOTICE, working days (4.3 meeting notice): notice is given on a working day, and the days of
  notice are the working days strictly between the day notice is given and the event (neither of
  those two days counts). The answer is the LAST working day on which notice may be given so that
  at least n working days of notice remain. For a meeting on Monday 12 October 2026 with no
  holidays, 5 working days' notice means notice by Friday 2 October (notice days 5-9 October).
- NOTICE, calendar days (App 3.5 observation notice: "at least one week in advance of the date
  and time of the visit"): the visit minus 7 calendar days, the same time of day a week earlier.
  Notice is given on a working day, so if that day is not one, the answer moves back to the
  latest working day before it.
- BY, working days (4.8 mid-year review "during the cycle"): the latest working day on or before
  the date, then n further working days earlier (n is 0 for the mid-year review).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from growthcycle.domain.calendar import SkippedDay, WorkingCalendar
from growthcycle.domain.styles import PolicyStyle


class Unit(StrEnum):
    WORKING_DAYS = "working days"
    CALENDAR_DAYS = "calendar days"


class Direction(StrEnum):
    AFTER = "after"
    NOTICE = "notice before"
    BY = "by"


class UnknownEvent(ValueError):
    """The event is not one of the policy's clocks."""

    def __init__(self, event: str, known: list[str]) -> None:
        self.event = event
        super().__init__(f"unknown event {event!r}: expected one of {', '.join(known)}")


class InvalidClockOverride(ValueError):
    """A trust's override for a clock is not a whole number of days, 0 or more."""


@dataclass(frozen=True)
class ClockRule:
    event: str
    measured_from: str  # what the date given to due_date() is, in words
    direction: Direction
    unit: Unit
    amount: int
    rule: str  # the rule in words, as a reviewer would say it
    source: str  # the policy section
    answer: str = "due date"  # what the computed date means
    policy_amount: int | None = None  # set when a trust override replaced the policy's amount

    @property
    def overridden(self) -> bool:
        return self.policy_amount is not None and self.policy_amount != self.amount


NOTICE_ANSWER = "last day notice may be given"

# The clocks from DOMAIN.md's table. Seeds 002 and 003 (the growth style) set no different
# timescales, and the growth style still allows developmental observation (002 rules out only
# high-stakes observation), so both styles share these rows; a trust changes amounts by override.
POLICY_CLOCKS: tuple[ClockRule, ...] = (
    ClockRule(
        event="meeting-notice",
        measured_from="the planning and review meeting",
        direction=Direction.NOTICE,
        unit=Unit.WORKING_DAYS,
        amount=5,
        rule="the reviewer gives at least {amount} working days' notice of the planning and "
        "review meeting",
        source="4.3",
        answer=NOTICE_ANSWER,
    ),
    ClockRule(
        event="draft-statement",
        measured_from="the planning and review meeting",
        direction=Direction.AFTER,
        unit=Unit.WORKING_DAYS,
        amount=5,
        rule="the reviewer gives the reviewee a draft statement within {amount} working days "
        "of the meeting",
        source="4.9",
    ),
    ClockRule(
        event="final-statement",
        measured_from="the planning and review meeting",
        direction=Direction.AFTER,
        unit=Unit.WORKING_DAYS,
        amount=10,
        rule="the reviewer prepares and signs the final statement within {amount} working days "
        "of the meeting (copy to the reviewee, original to the headteacher)",
        source="4.9",
    ),
    ClockRule(
        event="moderation",
        measured_from="the planning and review meeting",
        direction=Direction.AFTER,
        unit=Unit.WORKING_DAYS,
        amount=10,
        rule="moderation is complete within {amount} working days of the review meeting",
        source="5",
    ),
    ClockRule(
        event="revised-statement",
        measured_from="the headteacher's instruction to prepare a new statement",
        direction=Direction.AFTER,
        unit=Unit.WORKING_DAYS,
        amount=10,
        rule="the reviewer and reviewee prepare a revised statement within {amount} working "
        "days of being instructed",
        source="5",
    ),
    ClockRule(
        event="planning-review",
        measured_from="the end of the cycle (4.1: teachers by 31 October, the headteacher by "
        "31 December)",
        direction=Direction.BY,
        unit=Unit.WORKING_DAYS,
        amount=0,
        rule="the planning and review meeting takes place by the end of the cycle; a date that "
        "is not a working day is brought back to the last working day before it",
        source="4.1",
    ),
    ClockRule(
        event="mid-year-review",
        measured_from="the end of the cycle",
        direction=Direction.BY,
        unit=Unit.WORKING_DAYS,
        amount=0,
        rule="at least one formal review meeting takes place during the cycle",
        source="4.8",
    ),
    ClockRule(
        event="observation-notice",
        measured_from="the observation",
        direction=Direction.NOTICE,
        unit=Unit.CALENDAR_DAYS,
        amount=7,
        rule="the member of staff is notified of the observer's visit at least one week "
        "({amount} calendar days) in advance",
        source="App 3.5",
        answer=NOTICE_ANSWER,
    ),
    ClockRule(
        event="observation-feedback",
        measured_from="the observed lesson or activity",
        direction=Direction.AFTER,
        unit=Unit.WORKING_DAYS,
        amount=1,
        rule="the observer meets the member of staff within {amount} working day(s) of the "
        "lesson to discuss the observation",
        source="App 3.11",
    ),
    ClockRule(
        event="observation-record",
        measured_from="the observed lesson or activity",
        direction=Direction.AFTER,
        unit=Unit.WORKING_DAYS,
        amount=5,
        rule="the observer completes the written record of the feedback no later than "
        "{amount} working days afterwards",
        source="App 3.13",
    ),
)

STYLE_CLOCKS: Mapping[PolicyStyle, Mapping[str, ClockRule]] = MappingProxyType(
    {
        PolicyStyle.PERFORMANCE: MappingProxyType({r.event: r for r in POLICY_CLOCKS}),
        PolicyStyle.GROWTH: MappingProxyType({r.event: r for r in POLICY_CLOCKS}),
    }
)

EVENTS: tuple[str, ...] = tuple(r.event for r in POLICY_CLOCKS)


def clock_rules(
    style: PolicyStyle | str = PolicyStyle.PERFORMANCE,
    overrides: Mapping[str, int] | None = None,
) -> Mapping[str, ClockRule]:
    """The clocks for a policy style, with a trust's overrides (event -> amount) applied."""
    base = STYLE_CLOCKS[PolicyStyle(style)]
    if not overrides:
        return base
    rules = dict(base)
    for event, amount in overrides.items():
        if event not in rules:
            raise UnknownEvent(event, list(rules))
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise InvalidClockOverride(
                f"override for {event} must be a whole number of days, 0 or more, not {amount!r}"
            )
        rules[event] = replace(rules[event], amount=amount, policy_amount=rules[event].amount)
    return MappingProxyType(rules)


def clock_rule(
    event: str,
    style: PolicyStyle | str = PolicyStyle.PERFORMANCE,
    overrides: Mapping[str, int] | None = None,
) -> ClockRule:
    rules = clock_rules(style, overrides)
    try:
        return rules[event]
    except KeyError:
        raise UnknownEvent(event, list(rules)) from None


@dataclass(frozen=True)
class Explanation:
    """A due date and the reasoning behind it, a line at a time."""

    event: str
    start: date
    due: date
    rule: ClockRule
    skipped: tuple[SkippedDay, ...]
    lines: tuple[str, ...]


def _day(d: date) -> str:
    return f"{d.isoformat()} ({d:%A})"


def _days(days: tuple[date, ...]) -> str:
    return ", ".join(d.isoformat() for d in days) if days else "none"


def _skipped_lines(skipped: tuple[SkippedDay, ...]) -> list[str]:
    return [f"skipped: {s}" for s in sorted(skipped, key=lambda s: s.day)]


def due_date(
    event: str,
    start: date,
    calendar: WorkingCalendar,
    *,
    style: PolicyStyle | str = PolicyStyle.PERFORMANCE,
    overrides: Mapping[str, int] | None = None,
) -> Explanation:
    """When `event`'s clock runs out, measured from `start`, with the reasoning."""
    rule = clock_rule(event, style, overrides)
    lines = [f"rule: {rule.rule.format(amount=rule.amount)} (policy {rule.source})"]
    if rule.overridden:
        lines.append(
            f"trust override: {rule.amount} {rule.unit} (the policy says {rule.policy_amount})"
        )
    lines.append(f"from: {_day(start)}, {rule.measured_from}")
    closures = " and the school's closure days" if calendar.closures else ""
    working_days = (
        f"working days in {calendar.nation_name}: not weekends, not public holidays in "
        f"{calendar.nation_name}{closures}"
    )
    skipped: tuple[SkippedDay, ...]

    if rule.direction is Direction.AFTER:
        lines.append(f"counting {working_days}; counted from the day after {start.isoformat()}")
        count = calendar.add_working_days_explained(start, rule.amount)
        skipped, due = count.skipped, count.result
        lines.extend(_skipped_lines(skipped))
        lines.append(f"working days counted: {_days(count.counted)}")

    elif rule.direction is Direction.NOTICE and rule.unit is Unit.WORKING_DAYS:
        lines.append(
            "definition: notice is given on a working day; the working days of notice are those "
            "after the day notice is given and before the event (neither of those days counts)"
        )
        lines.append(f"counting {working_days}; counted back from the day before")
        # The amount-th working day before the event is the first day of notice; notice itself
        # is given on the working day before that (4.3: at least five working days' notice).
        count = calendar.count_working_days(start, rule.amount + 1, backwards=True)
        skipped, due = count.skipped, count.result
        lines.extend(_skipped_lines(skipped))
        notice_days = tuple(sorted(count.counted[:-1]))
        lines.append(f"working days of notice: {_days(notice_days)}")

    elif rule.direction is Direction.NOTICE:
        week_before = start - timedelta(days=rule.amount)
        lines.append(
            f"definition: {rule.amount} calendar days before is {_day(week_before)}; notice is "
            "given on a working day, so if that is not one the answer moves to the working day "
            "before it"
        )
        back = calendar.previous_working_day_on_or_before(week_before)
        skipped, due = back.skipped, back.result
        lines.extend(_skipped_lines(skipped))

    else:
        lines.append(f"counting {working_days}; the last working day on or before the date")
        back = calendar.previous_working_day_on_or_before(start)
        if back.result != start:
            lines.append(
                f"{_day(start)} is not a working day, so the date is brought back to the last "
                f"working day before it: {_day(back.result)}"
            )
        count = calendar.count_working_days(back.result, rule.amount, backwards=True)
        skipped, due = back.skipped + count.skipped, count.result
        lines.extend(_skipped_lines(skipped))

    lines.append(f"{rule.answer}: {_day(due)}")
    return Explanation(event, start, due, rule, skipped, tuple(lines))
