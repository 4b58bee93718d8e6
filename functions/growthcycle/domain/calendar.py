"""Working days for one school: weekends, its nation's public holidays and its own closure days.

DOMAIN.md: "Working days" exclude weekends, public holidays of the school's nation, and days the
school is closed (its own calendar). The policy's clocks (4.3, 4.9, 5, App 3) count in these days.

Counting convention, used everywhere: working days are counted from the day AFTER the start date,
so "5 working days after Monday 5 October" (no holidays) is Monday 12 October, and adding 0 working
days returns the start date itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

ONE_DAY = timedelta(days=1)

# The `holidays` package's subdivision codes for GB. Always passed explicitly: the UK-wide default
# would miss Scotland's 2 January and St Andrew's Day and Northern Ireland's 17 March and 12 July,
# and would wrongly include Easter Monday in Scotland.
NATION_SUBDIVISIONS: Mapping[str, str] = MappingProxyType(
    {
        "england": "ENG",
        "wales": "WLS",
        "scotland": "SCT",
        "northern-ireland": "NIR",
    }
)

NATION_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "england": "England",
        "wales": "Wales",
        "scotland": "Scotland",
        "northern-ireland": "Northern Ireland",
    }
)

# A clock can never need to look further than this many days ahead for one working day; a school
# closed for longer than this is a data error, not a calendar.
MAX_SEARCH_DAYS = 366


class UnknownNation(ValueError):
    """The nation is not one of england, wales, scotland, northern-ireland."""

    def __init__(self, nation: str) -> None:
        self.nation = nation
        known = ", ".join(NATION_SUBDIVISIONS)
        super().__init__(f"unknown nation {nation!r}: expected one of {known}")


class ClosuresFileInvalid(ValueError):
    """A line of a closures file could not be read."""

    def __init__(self, line_number: int, line: str, problem: str) -> None:
        self.line_number = line_number
        self.line = line
        self.problem = problem
        super().__init__(f"closures file line {line_number}: {problem}: {line.strip()!r}")


class NoWorkingDayFound(ValueError):
    """No working day within MAX_SEARCH_DAYS: the closure days cover (nearly) a whole year."""


@dataclass(frozen=True)
class ClosureDays:
    """A school's own closure days (holidays, INSET days), each with its reason."""

    reasons: Mapping[date, str] = field(default_factory=dict)

    def __contains__(self, day: object) -> bool:
        return day in self.reasons

    def __len__(self) -> int:
        return len(self.reasons)

    def __iter__(self) -> Iterator[date]:
        return iter(sorted(self.reasons))

    def reason(self, day: date) -> str | None:
        return self.reasons.get(day)

    @classmethod
    def of(cls, days: Mapping[date, str] | Iterable[date], reason: str = "closed") -> ClosureDays:
        if isinstance(days, Mapping):
            return cls(dict(days))
        return cls(dict.fromkeys(days, reason))


_DATE = r"\d{4}-\d{2}-\d{2}"
_CLOSURE_LINE = re.compile(rf"^(?P<first>{_DATE})(?:\.\.(?P<last>{_DATE}))?(?:\s+(?P<reason>.*))?$")


def _parse_date(text: str, line_number: int, line: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ClosuresFileInvalid(line_number, line, f"{text} is not a real date") from None


def parse_closures(text: str) -> ClosureDays:
    """Read a closures file.

    One entry a line: `YYYY-MM-DD reason` or `YYYY-MM-DD..YYYY-MM-DD reason` (both ends included).
    The reason is required. `#` starts a comment (whole line or trailing); blank lines are ignored.
    A later entry for the same day replaces the earlier reason.
    """
    reasons: dict[date, str] = {}
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _CLOSURE_LINE.match(line)
        if match is None:
            raise ClosuresFileInvalid(
                line_number, raw, "expected 'YYYY-MM-DD reason' or 'YYYY-MM-DD..YYYY-MM-DD reason'"
            )
        reason = (match["reason"] or "").strip()
        if not reason:
            raise ClosuresFileInvalid(line_number, raw, "a reason is required after the date")
        first = _parse_date(match["first"], line_number, raw)
        last = _parse_date(match["last"], line_number, raw) if match["last"] else first
        if last < first:
            raise ClosuresFileInvalid(line_number, raw, "the range ends before it starts")
        if (last - first).days > MAX_SEARCH_DAYS:
            raise ClosuresFileInvalid(line_number, raw, "the range is longer than a year")
        day = first
        while day <= last:
            reasons[day] = reason
            day += ONE_DAY
    return ClosureDays(reasons)


@lru_cache(maxsize=256)
def _public_holidays(subdivision: str, year: int) -> Mapping[date, str]:
    """One nation's public holidays for one year (cached: the package is slow to build)."""
    # Imported here, on the first working-day sum, not at every handler's cold start: the
    # package is 20-40 ms to import and most requests and the mailer never need it.
    import holidays

    found = holidays.country_holidays("GB", subdiv=subdivision, years=year)
    return MappingProxyType({day: str(name) for day, name in found.items()})


def public_holidays(nation: str, year: int) -> Mapping[date, str]:
    """The public holidays of `nation` in `year`, by date."""
    try:
        subdivision = NATION_SUBDIVISIONS[nation]
    except KeyError:
        raise UnknownNation(nation) from None
    return _public_holidays(subdivision, year)


@dataclass(frozen=True)
class SkippedDay:
    day: date
    why: str

    def __str__(self) -> str:
        return f"{self.day.isoformat()} ({self.day:%A}): {self.why}"


@dataclass(frozen=True)
class WorkingDayCount:
    """The result of counting working days, with every day that did not count and why."""

    start: date
    working_days: int
    result: date
    skipped: tuple[SkippedDay, ...]
    counted: tuple[date, ...] = ()
    direction: int = 1


@dataclass(frozen=True)
class WorkingCalendar:
    """The working days of one school."""

    nation: str
    closures: ClosureDays = field(default_factory=ClosureDays)

    def __post_init__(self) -> None:
        if self.nation not in NATION_SUBDIVISIONS:
            raise UnknownNation(self.nation)

    @property
    def nation_name(self) -> str:
        return NATION_NAMES[self.nation]

    def why_not_working(self, day: date) -> str | None:
        """Why `day` is not a working day, or None when it is one."""
        if day.weekday() >= 5:
            return f"{day:%A}"
        holiday = public_holidays(self.nation, day.year).get(day)
        if holiday is not None:
            return f"{holiday} (public holiday, {self.nation_name})"
        closure = self.closures.reason(day)
        if closure is not None:
            return f"school closed: {closure}"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.why_not_working(day) is None

    def count_working_days(
        self, start: date, n: int, *, backwards: bool = False
    ) -> WorkingDayCount:
        """Step `n` working days from `start`, recording each day skipped and why.

        Forwards the count begins the day after `start`; backwards, the day before. With n == 0 the
        result is `start` itself.
        """
        if n < 0:
            raise ValueError(f"working days must be 0 or more, not {n}")
        step = -ONE_DAY if backwards else ONE_DAY
        skipped: list[SkippedDay] = []
        counted: list[date] = []
        day = start
        run = 0
        while len(counted) < n:
            day += step
            why = self.why_not_working(day)
            if why is None:
                counted.append(day)
                run = 0
            else:
                skipped.append(SkippedDay(day, why))
                run += 1
                if run > MAX_SEARCH_DAYS:
                    raise NoWorkingDayFound(f"no working day within a year of {start.isoformat()}")
        return WorkingDayCount(
            start, n, day, tuple(skipped), tuple(counted), -1 if backwards else 1
        )

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (counted from the day after); `start` when n == 0."""
        return self.count_working_days(start, n).result

    def add_working_days_explained(self, start: date, n: int) -> WorkingDayCount:
        """As add_working_days, also recording each day skipped and why."""
        return self.count_working_days(start, n)

    def subtract_working_days(self, start: date, n: int) -> date:
        """The n-th working day before `start` (counted from the day before); n == 0: `start`."""
        return self.count_working_days(start, n, backwards=True).result

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days fall in first..last, both included (0 when last < first)."""
        count = 0
        day = first
        while day <= last:
            if self.is_working_day(day):
                count += 1
            day += ONE_DAY
        return count

    def previous_working_day_on_or_before(self, day: date) -> WorkingDayCount:
        """`day` if it is a working day, else the latest working day before it (with the skips)."""
        skipped: list[SkippedDay] = []
        current = day
        while (why := self.why_not_working(current)) is not None:
            skipped.append(SkippedDay(current, why))
            if len(skipped) > MAX_SEARCH_DAYS:
                raise NoWorkingDayFound(f"no working day within a year before {day.isoformat()}")
            current -= ONE_DAY
        return WorkingDayCount(day, 0, current, tuple(skipped), (), -1)
